"""System tests for tools/mbootpack: pack the mbinfo test kernel (and Kestrel, and
Debian's Xen) and boot the packed file under QEMU TCG through every Linux boot path:

  (a) qemu -kernel packed.img [-append ...]      16-bit real-mode setup
  (b) GRUB ISO (grub-mkrescue), linux16          16-bit real-mode setup
  (c) the same ISO, linux                        32-bit entry (code32_start)
  (d) ISOLINUX ISO, LINUX + APPEND               16-bit (same protocol as LILO)
  (e) qemu -kernel mbinfo.elf -initrd ...        direct Multiboot, for comparison

mbinfo prints the whole Multiboot information on COM1; each packed boot must show the
same memory map, module contents and machine state as the direct boot, and loader
arguments must replace the packed default command line and module args.

Run with: /usr/bin/python3 -m pytest --noconftest tests/system/test_mbootpack.py
"""

import gzip
import os
import random
import re
import shutil
import sys

import pexpect
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mbootpack"))
from mbptest import (FIELD, MAP_LINE, QEMU, args_of, boot, boot_fails,  # noqa: E402
                     elf32_overlapping, kestrel_session, mb_header_offset, parse, run,
                     write)

pytestmark = pytest.mark.qemu_only(
    "mbootpack's images booted by QEMU -kernel and QEMU's GRUB/SYSLINUX disks")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "mbootpack", "mbootpack")
TK = os.path.join(ROOT, "build", "tests", "mbootpack")
WORK = os.path.join(TK, "sys")
KESTREL = os.path.join(ROOT, "build", "kestrel.elf")
DEBS = os.path.join(ROOT, "build", "mbootpack", "debs")
DEFAULT = "default args"


@pytest.fixture(scope="module")
def files():
    """Build the tool and test kernels; make modules and the packed images."""
    for target in ([], ["testkernels"]):
        r = run(["make", "-s", "-C", os.path.join(ROOT, "tools", "mbootpack")] + target)
        assert r.returncode == 0, r.stdout + r.stderr
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    f = {"dir": WORK}
    f["modA"] = os.path.join(WORK, "modA.txt")
    with open(f["modA"], "w") as fh:
        fh.write("hello, module A!\n")
    f["modB"] = os.path.join(WORK, "modB.bin")
    with open(f["modB"], "wb") as fh:
        fh.write(random.Random(42).randbytes(300000))
    for k in ("mbinfo.elf", "mbinfo64.elf", "mbinfo.bin", "mbinfo-high.elf"):
        f[k] = os.path.join(TK, k)
        img = os.path.join(WORK, k + ".img")
        r = run([TOOL, "-o", img, "-c", DEFAULT, "-m", f["modA"] + " a1 a2",
                 "-m", f["modB"], f[k]])
        assert r.returncode == 0, r.stderr
        f[k + ".img"] = img
    f["img"] = f["mbinfo.elf.img"]
    return f


@pytest.fixture(scope="module")
def direct(files):
    """(e) The reference: mbinfo booted directly by QEMU's Multiboot loader."""
    out = boot("-kernel", files["mbinfo.elf"], "-append", "ref args",
               "-initrd", f"{files['modA']} a1 a2,{files['modB']}")
    return parse(out)


def check_same_machine(got, ref):
    """A packed boot must match the direct one in everything but strings."""
    assert got["magic"] == "0x2badb002"
    for key in ("pe", "pg", "if", "vm", "bss_zero", "image_crc32", "a20"):
        assert got[key] == ref[key], key
    assert got["pe"] == "1" and got["pg"] == "0" and got["if"] == "0"
    assert got["bss_zero"] == "1" and got["a20"] == "on"
    # QEMU also sets the boot device flag (0x2); mbootpack does not.
    assert int(got["flags"], 16) == int(ref["flags"], 16) & ~0x2 == 0x24d
    assert got["mmap"] == ref["mmap"] and len(got["mmap"]) >= 3
    assert got["mem_lower"] == ref["mem_lower"]
    assert got["mem_upper"] == ref["mem_upper"]
    assert got["boot_loader_name"] == "mbootpack"
    assert len(got["mods"]) == len(ref["mods"]) == 2
    for g, r in zip(got["mods"], ref["mods"]):
        assert (g["size"], g["crc32"]) == (r["size"], r["crc32"])
        assert g["aligned"] == "yes" and g["above_kernel"] == "yes"


def check_strings(got, kernel_args, mod_args):
    """The kernel's command line and module strings as expected."""
    assert got["cmdline"] == "mbinfo.elf" + (" " + kernel_args if kernel_args else "")
    want = [("modA.txt " + mod_args[0]).strip(), ("modB.bin " + mod_args[1]).strip()]
    assert [m["string"] for m in got["mods"]] == want


def test_direct_reference(direct, files):
    """The direct Multiboot boot works and shows what it was given."""
    assert direct["magic"] == "0x2badb002"
    assert args_of(direct["cmdline"]) == "ref args"
    assert direct["mods"][0]["string"].endswith("modA.txt a1 a2")


def test_qemu_kernel_default_cmdline(files, direct):
    """(a) Without -append the packed defaults reach the kernel."""
    got = parse(boot("-kernel", files["img"]))
    check_same_machine(got, direct)
    check_strings(got, DEFAULT, ["a1 a2", ""])


def test_qemu_kernel_append_overrides(files, direct):
    """(a) -append replaces the kernel args and, part by part, the module args."""
    got = parse(boot("-kernel", files["img"], "-append", "new  args -- m1 x -- m2"))
    check_same_machine(got, direct)
    check_strings(got, "new  args", ["m1 x", "m2"])
    # Only the first module's args given: the second keeps its packed args.
    got = parse(boot("-kernel", files["img"], "-append", "k -- only"))
    check_strings(got, "k", ["only", ""])


@pytest.mark.parametrize("variant", ["mbinfo64.elf", "mbinfo.bin", "mbinfo-high.elf"])
def test_qemu_kernel_kludge_variants(files, variant):
    """(a) ELF64, flat a.out-kludge and high-linked kernels boot as they do directly."""
    ref = parse(boot("-kernel", files[variant], "-append", "x",
                     "-initrd", f"{files['modA']} a1 a2,{files['modB']}"))
    got = parse(boot("-kernel", files[variant + ".img"], "-append", "y -- z"))
    check_same_machine(got, ref)
    assert got["cmdline"] == variant + " y"
    assert got["mods"][0]["string"] == "modA.txt z"


@pytest.mark.parametrize("mem", [48, 4096])
def test_memory_sizes(files, mem):
    """Small memory and memory above 4 GiB give the same map as a direct boot."""
    ref = parse(boot("-kernel", files["mbinfo.elf"], "-initrd",
                     f"{files['modA']} a1 a2,{files['modB']}", mem=mem))
    got = parse(boot("-kernel", files["img"], mem=mem))
    check_same_machine(got, ref)


VARIANTS = os.path.join(ROOT, "build", "tools", "mbootpack")


def variant_boot(files, n, mem=256):
    """Pack with the test variant MBP_TEST=n of the real-mode setup; boot it."""
    r = run(["make", "-s", "-C", os.path.join(ROOT, "tools", "mbootpack"), "testvariants"])
    assert r.returncode == 0, r.stdout + r.stderr
    img = os.path.join(WORK, f"variant-{n}.img")
    r = run([os.path.join(VARIANTS, f"test-{n}", "mbootpack"), "-o", img, "-c", DEFAULT,
             "-m", files["modA"] + " a1 a2", "-m", files["modB"], files["mbinfo.elf"]])
    assert r.returncode == 0, r.stderr
    return boot("-kernel", img, mem=mem)


@pytest.mark.parametrize("n,method", [(1, "B"), (3, "K"), (7, "F")])
def test_a20_methods(files, direct, n, method):
    """With A20 off at entry, the BIOS, keyboard controller and fast A20 methods each
    turn it on (later ones tried with the earlier skipped)."""
    out = variant_boot(files, n)
    assert f"A20 method: {method}" in out
    check_same_machine(parse(out), direct)


@pytest.mark.parametrize("n", [8, 24])
def test_memory_fallbacks(files, direct, n):
    """Without E820 the memory size comes from E801, without E801 from INT 15h/88h;
    the information then has no map (flags 0x20d) and mem_lower from INT 12h."""
    got = parse(variant_boot(files, n))
    assert got["flags"] == "0x0000020d" and not got["mmap"]
    assert got["mem_lower"] == direct["mem_lower"]
    ref_upper = int(direct["mem_upper"])
    want = ref_upper if n == 8 else min(ref_upper, 64512)  # SeaBIOS caps 88h at 63 MiB
    assert int(got["mem_upper"]) == want
    assert [m["crc32"] for m in got["mods"]] == [m["crc32"] for m in direct["mods"]]


GRUB_CFG = """set timeout=0
insmod smbios
smbios --type 1 --get-string 5 --set mbp_entry
set default="$mbp_entry"
menuentry "mbootpack linux16" --id linux16 {
	linux16 /boot/kestrel.img g16 args -- gm1 -- gm2
}
menuentry "mbootpack linux16, packed defaults" --id linux16-default {
	linux16 /boot/kestrel.img
}
menuentry "mbootpack linux (32-bit entry)" --id linux {
	linux /boot/kestrel.img g32 args -- gm1 -- gm2
}
menuentry "mbootpack linux, packed defaults" --id linux-default {
	linux /boot/kestrel.img
}
menuentry "multiboot, for comparison" --id multiboot {
	multiboot /boot/mbinfo.elf gmb args
	module /boot/modA.txt modA.txt a1 a2
	module /boot/modB.bin modB.bin
}
"""


@pytest.fixture(scope="module")
def grub_iso(files):
    """One GRUB rescue ISO; QEMU's SMBIOS product name picks the entry."""
    tree = os.path.join(WORK, "grub")
    os.makedirs(os.path.join(tree, "boot", "grub"))
    shutil.copy(files["img"], os.path.join(tree, "boot", "kestrel.img"))
    for k in ("mbinfo.elf", "modA", "modB"):
        shutil.copy(files[k], os.path.join(tree, "boot"))
    with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as fh:
        fh.write(GRUB_CFG)
    iso = os.path.join(WORK, "grub.iso")
    r = run(["grub-mkrescue", "-o", iso, tree])
    assert r.returncode == 0, r.stderr
    return iso


def grub_boot(iso, entry):
    return parse(boot("-cdrom", iso, "-smbios", f"type=1,product={entry}"))


def test_grub_linux16(grub_iso, direct):
    """(b) GRUB linux16 with arguments."""
    got = grub_boot(grub_iso, "linux16")
    check_same_machine(got, direct)
    check_strings(got, "g16 args", ["gm1", "gm2"])


def test_grub_linux16_packed_defaults(grub_iso, direct):
    """(b) GRUB linux16 without arguments."""
    # GRUB passes only "BOOT_IMAGE=/boot/kestrel.img": the packed defaults stay.
    got = grub_boot(grub_iso, "linux16-default")
    check_same_machine(got, direct)
    check_strings(got, DEFAULT, ["a1 a2", ""])


def test_grub_linux_32bit_entry(grub_iso, direct):
    """(c) GRUB linux: the 32-bit entry, map from boot_params."""
    got = grub_boot(grub_iso, "linux")
    check_same_machine(got, direct)
    check_strings(got, "g32 args", ["gm1", "gm2"])
    got = grub_boot(grub_iso, "linux-default")
    check_same_machine(got, direct)
    check_strings(got, DEFAULT, ["a1 a2", ""])


def test_grub_multiboot_agrees(grub_iso, direct):
    """GRUB's own multiboot loader agrees with mbootpack."""
    # GRUB's own Multiboot loader computes mem_lower/mem_upper and the map the
    # same way; and it places modules where mbootpack does.
    mb = grub_boot(grub_iso, "multiboot")
    packed = grub_boot(grub_iso, "linux16")
    assert mb["mmap"] == packed["mmap"] == direct["mmap"]
    assert (mb["mem_lower"], mb["mem_upper"]) == (packed["mem_lower"], packed["mem_upper"])
    assert [m["start"] for m in mb["mods"]] == [m["start"] for m in packed["mods"]]


ISOLINUX_CFG = """DEFAULT kestrel
PROMPT 0
TIMEOUT 0
LABEL kestrel
  LINUX /boot/kestrel.img
  APPEND sl args -- sm1 -- sm2
"""


def test_isolinux(files, direct):
    """(d) ISOLINUX (the 16-bit protocol LILO uses too)."""
    tree = os.path.join(WORK, "isolinux")
    os.makedirs(os.path.join(tree, "isolinux"))
    os.makedirs(os.path.join(tree, "boot"))
    shutil.copy("/usr/lib/ISOLINUX/isolinux.bin", os.path.join(tree, "isolinux"))
    shutil.copy("/usr/lib/syslinux/modules/bios/ldlinux.c32", os.path.join(tree, "isolinux"))
    shutil.copy(files["img"], os.path.join(tree, "boot", "kestrel.img"))
    with open(os.path.join(tree, "isolinux", "isolinux.cfg"), "w") as fh:
        fh.write(ISOLINUX_CFG)
    iso = os.path.join(WORK, "isolinux.iso")
    r = run(["xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-b", "isolinux/isolinux.bin",
             "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4",
             "-boot-info-table", tree])
    assert r.returncode == 0, r.stderr
    got = parse(boot("-cdrom", iso))
    check_same_machine(got, direct)
    check_strings(got, "sl args", ["sm1", "sm2"])


SYSLINUX_CFG = ISOLINUX_CFG.replace("sl args -- sm1 -- sm2", "sx args -- sx1 -- sx2")


def test_syslinux_floppy(files, direct):
    """(d) SYSLINUX on a FAT floppy image."""
    # SYSLINUX proper on a FAT floppy image, built with mtools (no mounting).
    fd = os.path.join(WORK, "syslinux.img")
    cfg = os.path.join(WORK, "syslinux.cfg")
    with open(cfg, "w") as fh:
        fh.write(SYSLINUX_CFG.replace("/boot/kestrel.img", "/kestrel.img"))
    for cmd in (["mformat", "-C", "-i", fd, "-f", "1440", "-v", "KESTREL", "::"],
                ["syslinux", "--install", fd],
                ["mcopy", "-i", fd, files["img"], "::kestrel.img"],
                ["mcopy", "-i", fd, cfg, "::syslinux.cfg"]):
        r = run(cmd)
        assert r.returncode == 0, (cmd, r.stderr)
    got = parse(boot("-drive", f"file={fd},format=raw,if=floppy", "-boot", "a"))
    check_same_machine(got, direct)
    check_strings(got, "sx args", ["sx1", "sx2"])


def test_boot_errors_reported(files):
    """Boot-time faults are reported, not jumped over."""
    # A loader that did not load the whole file; not enough RAM for the modules.
    trunc = os.path.join(WORK, "truncated.img")
    write(trunc, open(files["img"], "rb").read()[:200000])
    boot_fails(trunc, "mbootpack: image truncated: the boot loader did not load all of it")
    big = os.path.join(WORK, "big.img")
    blob = write(os.path.join(WORK, "blob6m.bin"), random.Random(7).randbytes(6 << 20))
    r = run([TOOL, "-o", big, "-m", blob, files["mbinfo.elf"]])
    assert r.returncode == 0, r.stderr
    boot_fails(big, "mbootpack: not enough memory", mem=12)


# ---- the tool itself: errors, determinism, gzip, --list, pack-board.sh ----------------

def bad_inputs(files):
    """(description, argv without -o, file the message must name, fault text)."""
    d = os.path.join(WORK, "bad")
    os.makedirs(d, exist_ok=True)
    elf = open(files["mbinfo.elf"], "rb").read()
    off = mb_header_offset(elf)
    bad_sum = bytearray(elf)
    bad_sum[off + 8] ^= 1
    video = bytearray(elf)
    video[off + 4:off + 12] = (7).to_bytes(4, "little") + \
        ((-(0x1BADB002 + 7)) & 0xffffffff).to_bytes(4, "little")
    p = {
        "nohdr": write(os.path.join(d, "nohdr.elf"), bytes(10000)),
        "sum": write(os.path.join(d, "sum.elf"), bytes(bad_sum)),
        "video": write(os.path.join(d, "video.elf"), bytes(video)),
        "trunc": write(os.path.join(d, "trunc.elf"), elf[:off + 64]),
        "overlap": elf32_overlapping(os.path.join(d, "overlap.elf")),
        "bomb": write(os.path.join(d, "bomb.gz"), gzip.compress(bytes(65 << 20), 1)),
        "badgz": write(os.path.join(d, "bad.gz"),
                       gzip.compress(random.Random(1).randbytes(20000))[:10000]),
    }
    big = []
    for n in (1, 2):
        path = os.path.join(d, f"big{n}.bin")
        with open(path, "wb") as fh:
            fh.truncate(40 << 20)
        big.append(path)
    k = files["mbinfo.elf"]
    return [
        ("missing kernel", [os.path.join(d, "nope.elf")], os.path.join(d, "nope.elf"),
         "No such file or directory"),
        ("missing module", ["-m", os.path.join(d, "nope.bin") + " x", k],
         os.path.join(d, "nope.bin"), "No such file or directory"),
        ("unreadable (directory)", ["-m", d, k], d, "is a directory"),
        ("no header", [p["nohdr"]], p["nohdr"], "no Multiboot header in the first 8 KiB"),
        ("bad checksum", [p["sum"]], p["sum"], "bad checksum"),
        ("unsupported flags", [p["video"]], p["video"],
         "unsupported Multiboot flags 0x4 (video mode"),
        ("truncated ELF", [p["trunc"]], p["trunc"], "truncated ELF"),
        ("overlapping segments", [p["overlap"]], p["overlap"], "overlapping segments"),
        ("bad gzip", [p["badgz"]], p["badgz"], "bad gzip data"),
        ("gzip over the size limit", [p["bomb"]], p["bomb"],
         "larger than the 64 MiB limit when decompressed"),
        ("module string too long", ["-m", files["modA"] + " " + "x" * 5000, k],
         files["modA"], "module string too long"),
        ("over the size limit", ["-m", big[0], "-m", big[1], k], None,
         "over the 64 MiB limit"),
    ]


def test_bad_inputs_one_line_no_output(files):
    """Each bad input: exit 1, one line naming file and fault, no output."""
    out = os.path.join(WORK, "bad", "out.img")
    for desc, argv, named, fault in bad_inputs(files):
        r = run([TOOL, "-o", out] + argv)
        assert r.returncode == 1, desc
        lines = r.stderr.splitlines()
        assert len(lines) == 1, (desc, r.stderr)
        assert lines[0].startswith("mbootpack: " + (named or out) + ": "), (desc, lines)
        assert fault in lines[0], (desc, lines)
        assert not os.path.exists(out), desc
        assert not [f for f in os.listdir(os.path.dirname(out)) if ".tmp." in f], desc


def test_failed_run_keeps_previous_output(files):
    """A failed run leaves an existing output file untouched."""
    out = os.path.join(WORK, "keep.img")
    shutil.copy(files["img"], out)
    before = open(out, "rb").read()
    r = run([TOOL, "-o", out, os.path.join(WORK, "missing.elf")])
    assert r.returncode == 1
    assert open(out, "rb").read() == before


def test_deterministic_and_gzip_inputs(files):
    """Same inputs, same bytes; gzip inputs pack like plain ones."""
    gzdir = os.path.join(WORK, "gz")
    os.makedirs(gzdir, exist_ok=True)
    names = {}
    for key in ("mbinfo.elf", "modA", "modB"):
        dst = os.path.join(gzdir, os.path.basename(files[key]))
        write(dst, gzip.compress(open(files[key], "rb").read(), mtime=0))
        names[key] = dst
    a, b = os.path.join(WORK, "det-a.img"), os.path.join(WORK, "det-b.img")
    argv = ["-c", DEFAULT, "-m", files["modA"] + " a1 a2", "-m", files["modB"],
            files["mbinfo.elf"]]
    assert run([TOOL, "-o", a] + argv).returncode == 0
    assert run([TOOL, "-o", b] + argv).returncode == 0
    assert open(a, "rb").read() == open(b, "rb").read() == open(files["img"], "rb").read()
    r = run([TOOL, "-o", b, "-c", DEFAULT, "-m", names["modA"] + " a1 a2", "-m",
             names["modB"], names["mbinfo.elf"]])
    assert r.returncode == 0, r.stderr
    assert open(b, "rb").read() == open(a, "rb").read()


def test_list(files):
    """--list shows the kernel, entry, modules and default command line."""
    r = run([TOOL, "--list", files["img"]])
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "boot protocol 2.06" in out
    assert re.search(r"^kernel: mbinfo\.elf \(ELF32\), entry 0x0010[0-9a-f]{4}, "
                     r"Multiboot flags 0x00000003$", out, re.M)
    assert 'module 0: 17 bytes, "modA.txt a1 a2"' in out
    assert 'module 1: 300000 bytes, "modB.bin"' in out
    assert f'cmdline: "mbinfo.elf {DEFAULT}"' in out
    assert "checksum: ok" in out
    r = run([TOOL, "--list", files["mbinfo.elf"]])
    assert r.returncode == 1 and "not a bzImage" in r.stderr
    # No Multiboot header where GRUB legacy or QEMU would look for one: loaders
    # must take the packed file for a Linux kernel.
    head = open(files["img"], "rb").read(8192)
    assert head[0x202:0x206] == b"HdrS"
    assert (0x1BADB002).to_bytes(4, "little") not in head


def test_help_and_version():
    """-h and --version answer; no kernel is a usage error."""
    r = run([TOOL, "-h"])
    assert r.returncode == 0 and r.stdout.startswith("usage: mbootpack")
    r = run([TOOL, "--version"])
    assert r.returncode == 0 and re.match(r"mbootpack \d+\.\d+\n", r.stdout)
    assert run([TOOL]).returncode == 1


def test_pack_board_script(files, direct):
    """pack-board.sh packs a board's modules.list with its args."""
    boards = os.path.join(WORK, "boards")
    os.makedirs(os.path.join(boards, "t"))
    rel = os.path.relpath(WORK, ROOT)
    with open(os.path.join(boards, "t", "modules.list"), "w") as fh:
        fh.write(f"# test board\n\n{rel}/modA.txt  b1 b2\n  {rel}/modB.bin\n")
    out = os.path.join(WORK, "board-t.img")
    env = dict(os.environ, MBOOTPACK_BOARDS=boards, KERNEL=files["mbinfo.elf"], OUT=out,
               CMDLINE="board args")
    r = run(["sh", os.path.join(ROOT, "tools", "mbootpack", "pack-board.sh"), "t"], env=env)
    assert r.returncode == 0, r.stderr
    got = parse(boot("-kernel", out))
    check_same_machine(got, direct)
    check_strings(got, "board args", ["b1 b2", ""])
    r = run(["sh", os.path.join(ROOT, "tools", "mbootpack", "pack-board.sh"), "nosuch"],
            env=env)
    assert r.returncode == 1 and "modules.list" in r.stderr


# ---- Kestrel (skipped while build/kestrel.elf does not exist) --------------------------

@pytest.mark.skipif(not os.path.exists(KESTREL), reason="build/kestrel.elf not built yet")
def test_kestrel_packed(files):
    """Kestrel packed: same memory map as direct, cmdline shows the override."""
    img = os.path.join(WORK, "kestrel.img")
    r = run([TOOL, "-o", img, "-c", "console=com1", KESTREL])
    assert r.returncode == 0, r.stderr
    ref = kestrel_session("-kernel", KESTREL, "-append", "console=com1")
    got = kestrel_session("-kernel", img, "-append", "console=com1 mbp_marker=42",
                          commands=[("cmdline", "mbp_marker=42")])
    ref_map = MAP_LINE.findall(ref)
    assert ref_map and MAP_LINE.findall(got) == ref_map
    assert "mbp_marker=42" in got.split("cmdline", 1)[1]


BOARD_LIST = os.path.join(ROOT, "boards", "qemu", "modules.list")


def board_modules_missing():
    """Why the qemu board cannot be packed now, or None."""
    if not os.path.exists(KESTREL):
        return "build/kestrel.elf not built yet"
    if not os.path.exists(BOARD_LIST):
        return "boards/qemu/modules.list does not exist yet"
    for line in open(BOARD_LIST):
        words = line.split()
        if words and not words[0].startswith("#") and \
                not os.path.exists(os.path.join(ROOT, words[0])):
            return f"{words[0]} not built yet"
    return None


@pytest.mark.skipif(board_modules_missing() is not None,
                    reason=str(board_modules_missing()))
def test_kestrel_qemu_board(files):
    """The qemu board packed by pack-board.sh boots; module args override."""
    # pack-board.sh qemu, then a loader line that replaces the first module's args.
    img = os.path.join(WORK, "board-qemu.img")
    env = dict(os.environ, OUT=img)
    r = run(["sh", os.path.join(ROOT, "tools", "mbootpack", "pack-board.sh"), "qemu"], env=env)
    assert r.returncode == 0, r.stderr
    got = kestrel_session("-kernel", img, "-append", "console=com1 -- mbp_mod_marker",
                          commands=[("modules", "mbp_mod_marker")])
    listing = got.split("modules", 1)[1]
    first = [w.split()[0] for w in open(BOARD_LIST) if w.split() and w[0] != "#"][0]
    assert os.path.basename(first) + " mbp_mod_marker" in listing


# ---- a real third-party Multiboot kernel: Debian's Xen 4.17 with a Linux dom0 ----------

XEN_ARGS = "console=com1 com1=115200,8n1 smap=0 dom0_mem=256M noreboot"


def test_debian_xen_dom0(files):
    """Debian's Xen 4.17 packed with a dom0 kernel reaches the dom0 hand-off."""
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        pytest.skip("needs apt-get and dpkg-deb to fetch Debian's Xen")
    r = run(["sh", os.path.join(ROOT, "tests", "mbootpack", "fetch-debian-xen.sh")])
    assert r.returncode == 0, r.stderr
    xen, vmlinuz = r.stdout.split()
    img = os.path.join(WORK, "xen.img")
    r = run([TOOL, "-o", img, "-c", "console=com1 loglvl=none", "-m",
             vmlinuz + " console=hvc0 packed_dom0_args", xen])
    assert r.returncode == 0, r.stderr
    # The map the same QEMU gives a plain Multiboot kernel, in Xen's notation.
    ref = parse(boot("-kernel", files["mbinfo.elf"], mem=1024))
    kinds = {"1": "usable", "2": "reserved", "3": "ACPI data", "4": "ACPI NVS"}
    want = []
    for line in ref["mmap"]:
        f = dict(FIELD.findall(line))
        base, length = int(f["base"], 16), int(f["length"], 16)
        want.append(f"(XEN)  [{base:016x}, {base + length - 1:016x}] ({kinds[f['type']]})")
    p = pexpect.spawn(QEMU[0], QEMU[1:] + ["-m", "1024", "-kernel", img, "-append",
                      XEN_ARGS + " -- console=hvc0 loader_dom0_args"], timeout=150,
                      encoding="utf-8", codec_errors="replace")
    try:
        p.expect(r"\(XEN\) Xen version 4\.17")
        p.expect(r"\*\*\* Serial input to DOM0")
        log = p.before
        # dom0's Linux shows the command line the module received.
        p.expect(r"Command line: ([^\r\n]*)\r*\n")
        dom0_cmdline = p.match.group(1)
    finally:
        p.close(force=True)
    assert "(XEN) Bootloader: mbootpack" in log
    assert f"(XEN) Command line: {XEN_ARGS}" in log
    xen_map = [line for line in log.replace("\r", "").splitlines() if MAP_LINE.match(line)]
    assert xen_map == want
    assert dom0_cmdline.strip() == "console=hvc0 loader_dom0_args"
