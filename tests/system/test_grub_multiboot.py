"""GRUB's `multiboot` command loads build/kestrel.elf (an ELF64 whose Multiboot header carries
the address fields) with its modules, from an ISO made by grub-mkrescue: the same image
QEMU's -kernel boots, through a real boot loader."""
import os
import shutil
import subprocess

import pytest

from kestrel import ELF, ROOT

pytestmark = pytest.mark.qemu_only("GRUB's multiboot from an ISO booted by QEMU -cdrom")

GUEST = os.path.join(ROOT, "build", "guests", "hello.elf")


@pytest.fixture(scope="module")
def grub_iso(tmp_path_factory):
    if not shutil.which("grub-mkrescue"):
        pytest.skip("grub-mkrescue is not installed (grub-pc-bin, xorriso, mtools)")
    top = tmp_path_factory.mktemp("grub")
    boot = top / "iso" / "boot"
    (boot / "grub").mkdir(parents=True)
    shutil.copy(ELF, boot / "kestrel.elf")
    shutil.copy(GUEST, boot / "hello.elf")
    (boot / "hello.cfg").write_text('name = "hello"\nkernel = "hello.elf"\nmemory = 8\n'
                                    'extra = "ticks=2 via=grub"\n')
    (boot / "grub" / "grub.cfg").write_text(
        "serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
        "set timeout=0\n"
        "menuentry kestrel {\n"
        "  multiboot /boot/kestrel.elf loglvl=info conswitch=b\n"
        "  module /boot/hello.elf hello.elf\n"
        "  module /boot/hello.cfg hello.cfg\n"
        "  boot\n}\n")
    iso = top / "kestrel.iso"
    r = subprocess.run(["grub-mkrescue", "-o", str(iso), str(top / "iso")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return str(iso)


def test_grub_multiboot_boots_kestrel_and_its_domain(boot, grub_iso):
    k = boot(kernel_arg=False, extra=["-cdrom", grub_iso, "-boot", "d"])
    k.expect(r"\(XEN\) Boot loader: GRUB", 60)
    k.expect(r"\(XEN\) Command line: loglvl=info conswitch=b")   # GRUB 2 drops the path
    k.expect(r"\(XEN\) Module 1: \[[0-9a-f]+, [0-9a-f]+\) hello.cfg")
    k.expect(r"\(d1\) hello: cmdline 'hello.elf ticks=2 via=grub'", 30)
    k.expect(r"\(d1\) hello: 2 ticks done", 30)
    k.wait_prompt(20)
    assert "conswitch = b" in k.cmd("cmdline")
    out = k.cmd("modules")
    assert "hello.elf" in out and "hello.cfg" in out
