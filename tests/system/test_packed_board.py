"""The default board packed by mbootpack (`make board BOARD=qemu`) boots Kestrel with its
domains through every Linux boot path: QEMU -kernel (the 16-bit setup), GRUB linux16, GRUB
linux (the 32-bit entry) and ISOLINUX (LILO's protocol). Each boot shows the prompt, the
same memory map as Kestrel booted directly by QEMU's Multiboot loader, the loader's command
line overriding the packed one (conswitch=b) and module args (` -- `), and the three domains
running."""
import os
import re
import shutil
import subprocess

import pytest

from kestrel import ROOT, Kestrel

pytestmark = pytest.mark.qemu_only(
    "the packed board booted by QEMU -kernel and QEMU's GRUB/ISOLINUX disks")

BOARD_LIST = os.path.join(ROOT, "boards", "qemu", "modules.list")
MAP_LINE = re.compile(r"^\(XEN\)  \[[0-9a-f]{16}, [0-9a-f]{16}\] \(\w[\w ]*\)", re.M)
LOADER_ARGS = "conswitch=b loglvl=info -- marker-one"


def board_modules():
    return [line.split()[0] for line in open(BOARD_LIST)
            if line.split() and not line.startswith("#")]


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    mbp = os.path.join(ROOT, "tools", "mbootpack")
    r = subprocess.run(["make", "-s", "-C", mbp], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    out = str(tmp_path_factory.mktemp("board") / "qemu.img")
    r = subprocess.run(["sh", os.path.join(mbp, "pack-board.sh"), "qemu"],
                       env=dict(os.environ, OUT=out), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def direct_map():
    """The memory map Kestrel prints when QEMU's Multiboot loader starts it directly."""
    with Kestrel(initrd=[os.path.join(ROOT, m) for m in board_modules()]) as k:
        k.wait_prompt(20)
        lines = MAP_LINE.findall(k.text())
    assert len(lines) >= 3, lines
    return lines


def check_boot(k, direct_map):
    k.expect(r"\*\*\* Serial input to Xen \(type 'CTRL-b' three times", 60)
    k.expect_all([r"\(d1\) hello: ", r"\(d2\) echo: ready", r"\(d3\) burn: "], 30)
    text = k.text()
    assert MAP_LINE.findall(text) == direct_map
    assert "Panic" not in text
    k.wait_prompt(20)
    mods = k.cmd("modules")
    assert re.search(r"hello\.elf +\S*hello\.elf marker-one", mods), mods
    assert "conswitch = b" in k.cmd("cmdline")
    assert len([r for r in k.cmd("list").splitlines()[1:] if r.strip() != "(XEN)"]) == 3


def test_qemu_kernel_runs_the_16bit_setup(boot, packed, direct_map):
    check_boot(boot(kernel=packed, append=LOADER_ARGS), direct_map)


def make_iso(tmp_path, packed, loader):
    tree = tmp_path / "iso"
    (tree / "boot").mkdir(parents=True)
    shutil.copy(packed, tree / "boot" / "board.img")
    iso = str(tmp_path / f"{loader}.iso")
    if loader == "isolinux":
        (tree / "isolinux").mkdir()
        shutil.copy("/usr/lib/ISOLINUX/isolinux.bin", tree / "isolinux")
        shutil.copy("/usr/lib/syslinux/modules/bios/ldlinux.c32", tree / "isolinux")
        (tree / "isolinux" / "isolinux.cfg").write_text(
            f"DEFAULT k\nPROMPT 0\nTIMEOUT 0\nLABEL k\n  LINUX /boot/board.img\n"
            f"  APPEND {LOADER_ARGS}\n")
        cmd = ["xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-b", "isolinux/isolinux.bin",
               "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4",
               "-boot-info-table", str(tree)]
    else:
        (tree / "boot" / "grub").mkdir()
        (tree / "boot" / "grub" / "grub.cfg").write_text(
            "serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
            f"set timeout=0\nmenuentry k {{\n  {loader} /boot/board.img {LOADER_ARGS}\n}}\n")
        cmd = ["grub-mkrescue", "-o", iso, str(tree)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return iso


@pytest.mark.parametrize("loader", ["linux16", "linux", "isolinux"])
def test_boot_loaders(boot, packed, direct_map, tmp_path, loader):
    iso = make_iso(tmp_path, packed, loader)
    check_boot(boot(kernel_arg=False, extra=["-cdrom", iso, "-boot", "d"]), direct_map)
