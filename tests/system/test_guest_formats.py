"""Guest kernel formats beyond the in-tree ELF32 guests: a flat a.out-kludge image and an
ELF64 with the Multiboot address fields (mbootpack's mbinfo test kernels, which print the
whole Multiboot info and machine state they were started with), and Kestrel itself, a
64-bit kernel that boots as a Kestrel domain, finds no virtualization and serves its own
shell through the domain's console."""
import os
import re
import subprocess
import zlib

import pytest

from kestrel import ELF, ROOT

TK = os.path.join(ROOT, "build", "tests", "mbootpack")


@pytest.fixture(scope="module")
def mbinfo_kernels():
    r = subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "tools", "mbootpack"),
                        "testkernels"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return TK


@pytest.mark.parametrize("image,fmt", [("mbinfo.bin", "a.out kludge"),
                                       ("mbinfo64.elf", "ELF64+addr")])
def test_flat_and_elf64_images_start_as_multiboot_says(boot, tmp_path, mbinfo_kernels, image, fmt):
    rd = tmp_path / "rd.bin"
    rd.write_bytes(bytes(range(256)) * 9)
    cfg = tmp_path / "fmt.cfg"
    cfg.write_text(f'name = "fmt"\nkernel = "{image}"\nmemory = 8\nextra = "a b=c"\n'
                   'ramdisk = "rd.bin"\n')
    k = boot(append="loglvl=info", initrd=[os.path.join(mbinfo_kernels, image), str(rd), str(cfg)])
    k.expect(re.escape(f"({fmt},") + r" entry 0x[0-9a-f]+\), 8 MiB", 20)
    k.expect(r"\(d1\) MBINFO END", 20)
    out = k.text()
    assert "(d1) magic=0x2badb002" in out
    # 32-bit protected mode, paging and interrupts off, BSS cleared, image intact.
    assert re.search(r"\(d1\) state pe=1 pg=0 if=0 vm=0 bss_zero=1", out)
    assert "(d1) mem_lower=639 mem_upper=7168" in out
    assert f'(d1) cmdline="{image} a b=c"' in out
    assert '(d1) boot_loader_name="Kestrel"' in out
    crc = zlib.crc32(rd.read_bytes())
    assert re.search(rf"mod\[0\] .*size=2304 crc32=0x{crc:08x} aligned=yes above_kernel=yes", out)
    assert "(d1) mmap[3] size=20 base=0x0000000000100000 length=0x0000000000700000 type=1" in out
    assert "(d1) a20=on" in out


def test_kestrel_boots_as_its_own_64bit_guest(boot, tmp_path):
    cfg = tmp_path / "inner.cfg"
    cfg.write_text('name = "inner"\nkernel = "kestrel.elf"\nmemory = 32\nextra = "loglvl=info"\n')
    k = boot(initrd=[ELF, str(cfg)])
    k.expect(r"\(d1\) \(XEN\) Boot loader: Kestrel", 30)
    k.expect(r"\(d1\) \(XEN\)  \[0000000000100000, 0000000001ffffff\] \(usable\)", 10)
    k.expect(r"\(d1\) \(XEN\) no domain can start: this CPU has no AMD SVM", 20)
    k.wait_prompt(20)
    # Attach to the inner Kestrel and use its shell through the domain's UART.
    k.send(b"\x01\x01\x01")
    k.expect(r"\*\*\* Serial input to DOM1", 5)
    k.send(b"cpuinfo\r")
    k.expect(r"features:  long mode yes, NX yes, APIC yes", 20)   # the emulated local APIC
    k.expect(r"virt:      SVM no, NPT no, VMX no, EPT no", 5)     # and SVM is hidden
    k.send(b"uptime\r")
    k.expect(r"up \d+\.\d{6} s", 20)
    k.send(b"\x01\x01\x01")
    k.expect(r"\*\*\* Serial input to Xen", 5)
    out = k.cmd("dump inner")
    assert "mode: 64-bit" in out, out
