#!/usr/bin/python3
"""kmodorder.py: the load order of some kernel modules and everything they need, read from
the modules themselves, for a module tree that has no modules.dep (Debian's linux-image
package ships none: depmod writes it at install time, and this tree is never installed).

Each module's ELF section .modinfo holds NUL-separated key=value strings: `name=`,
`depends=` (hard dependencies, by module name), `softdep=pre: a b` (modules modprobe loads
first; often an alias such as crypto-crc32c) and `alias=`. A softdep naming an alias is
resolved to the module providing it (a `*generic*` one first: it loads on any CPU).

    kmodorder.py TREE NAME...     (TREE: .../lib/modules/<version>)

prints one line per module, dependencies before their users, each once:
`<name> <path relative to TREE>`. Exits 1 with a message naming a module it cannot find.
"""
import os
import struct
import sys


def modinfo(path):
    """{key: [values]} from the .modinfo section of the ELF64 little-endian module at path."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path}: not an ELF64 little-endian object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    info = {}
    for i in range(shnum):
        name, off, size = section(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] != b".modinfo":
            continue
        for item in data[off:off + size].split(b"\0"):
            key, sep, val = item.decode(errors="replace").partition("=")
            if sep:
                info.setdefault(key, []).append(val)
    return info


def index(tree):
    """Scan every .ko under tree -> ({name: relpath}, {alias: [names]}, {name: info})."""
    paths, aliases, infos = {}, {}, {}
    for d, _, files in os.walk(tree):
        for f in sorted(files):
            if not f.endswith(".ko"):
                continue
            full = os.path.join(d, f)
            info = modinfo(full)
            name = (info.get("name") or [f[:-3].replace("-", "_")])[0]
            paths[name] = os.path.relpath(full, tree)
            infos[name] = info
            for a in info.get("alias", []):
                aliases.setdefault(a, []).append(name)
    return paths, aliases, infos


def resolve(word, paths, aliases):
    """A module name or alias as a depends/softdep/command-line word -> a module name."""
    name = word.replace("-", "_")
    if name in paths:
        return name
    providers = sorted(aliases.get(word, []), key=lambda n: ("generic" not in n, n))
    if providers:
        return providers[0]
    raise KeyError(word)


def prerequisites(info):
    """The words a module needs loaded first: its softdep pre: list, then its depends."""
    words = []
    for sd in info.get("softdep", []):
        pre = sd.split("post:")[0]
        if pre.strip().startswith("pre:"):
            words += pre.strip()[4:].split()
    for dep in info.get("depends", []):
        words += [w for w in dep.split(",") if w]
    return words


def order(wanted, paths, aliases, infos):
    """Depth-first: every prerequisite before its user, each module once (cycles, which
    depmod forbids, are cut where they close)."""
    done, out, active = set(), [], set()

    def visit(word):
        name = resolve(word, paths, aliases)
        if name in done or name in active:
            return
        active.add(name)
        for w in prerequisites(infos[name]):
            visit(w)
        active.discard(name)
        done.add(name)
        out.append(name)

    for w in wanted:
        visit(w)
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    tree = argv[1]
    paths, aliases, infos = index(tree)
    try:
        names = order(argv[2:], paths, aliases, infos)
    except KeyError as e:
        sys.stderr.write(f"kmodorder.py: no module or alias {e} under {tree}\n")
        return 1
    for n in names:
        print(n, paths[n])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
