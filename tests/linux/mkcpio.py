#!/usr/bin/python3
"""mkcpio.py: write a cpio archive in the "newc" format Linux unpacks as its initramfs, from
a list in the kernel's own gen_init_cpio syntax (usr/gen_init_cpio.c), without root:

    dir   <name> <mode> <uid> <gid>
    file  <name> <host path> <mode> <uid> <gid>
    slink <name> <target> <mode> <uid> <gid>
    nod   <name> <mode> <uid> <gid> <c|b> <major> <minor>

Blank lines and lines starting with '#' are skipped; modes are octal. Owners come from the
list, not from the files, and every time stamp is 0, so the same list and files always give
the same bytes (a device node needs no mknod: it is only a header here).

    mkcpio.py LIST > archive.cpio          (tests/linux/mkinitramfs.sh gzips it)
"""
import stat
import sys

TRAILER = "TRAILER!!!"


def header(ino, mode, uid, gid, nlink, size, rmajor, rminor, name):
    """One newc header (magic 070701, thirteen 8-digit hex fields) and its padded name."""
    fields = (ino, mode, uid, gid, nlink, 0, size, 0, 0, rmajor, rminor, len(name) + 1, 0)
    h = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    return h + b"\0" * (-len(h) % 4)


def entry(ino, kind, name, mode, uid, gid, data=b"", dev=(0, 0)):
    """Header, name and data (padded to 4 bytes) of one archive member."""
    nlink = 2 if kind == stat.S_IFDIR else 1
    out = header(ino, kind | mode, uid, gid, nlink, len(data), dev[0], dev[1], name)
    return out + data + b"\0" * (-len(data) % 4)


def parse_line(words):
    """A list line's words -> (kind, name, mode, uid, gid, data, dev); raises ValueError."""
    what = words[0]
    if what == "dir" and len(words) == 5:
        return stat.S_IFDIR, words[1], words[2], words[3], words[4], b"", (0, 0)
    if what == "file" and len(words) == 6:
        with open(words[2], "rb") as f:
            data = f.read()
        return stat.S_IFREG, words[1], words[3], words[4], words[5], data, (0, 0)
    if what == "slink" and len(words) == 6:
        return stat.S_IFLNK, words[1], words[3], words[4], words[5], words[2].encode(), (0, 0)
    if what == "nod" and len(words) == 8 and words[5] in ("c", "b"):
        kind = stat.S_IFCHR if words[5] == "c" else stat.S_IFBLK
        return kind, words[1], words[2], words[3], words[4], b"", (int(words[6]),
                                                                   int(words[7]))
    raise ValueError(f"not a dir/file/slink/nod line: {' '.join(words)!r}")


def build(lines):
    """The whole archive (members in list order, then the trailer) as bytes."""
    out = bytearray()
    ino = 1
    for n, line in enumerate(lines, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            kind, name, mode, uid, gid, data, dev = parse_line(words)
        except (ValueError, OSError) as e:
            raise SystemExit(f"mkcpio.py: line {n}: {e}")
        name = name.lstrip("/")
        if not name:
            raise SystemExit(f"mkcpio.py: line {n}: empty name")
        out += entry(ino, kind, name, int(mode, 8), int(uid), int(gid), data, dev)
        ino += 1
    out += entry(0, 0, TRAILER, 0, 0, 0)
    return bytes(out)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: mkcpio.py LIST > archive.cpio")
    with open(sys.argv[1]) as f:
        data = build(f.read().splitlines())
    sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
