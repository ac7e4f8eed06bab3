"""String I/O (INS/OUTS, with and without REP) from a guest: emulated, with the same results
as on bare hardware (the `strio` guest checks them itself and prints one line per check):
data through the UART, DF=1, a segment override, word elements, a REP longer than one
exit's batch; and a source outside the domain's memory ends the domain, as any access there
does (bare, the same address is ROM)."""
import re

import pytest

from kestrel import guest_elf, write_cfg

CHECKS = ["rep outsb", "outsb with DF=1", "rep insb", "fs: outsb", "rep outsw",
          "rep outsb x10000"]


def test_string_io_is_emulated(boot, tmp_path):
    k = boot(initrd=[guest_elf("strio"),
                     write_cfg(tmp_path, "strio.cfg", name="strio", kernel="strio.elf",
                               memory=4, on_crash="preserve")])
    k.expect(r"\(d1\) strio: done, (\d+) failed", 30)
    out = k.text()
    for c in CHECKS:
        assert f"(d1) strio: {c} ok\r\n" in out, (c, out[-2000:])
    # What the string instructions wrote arrived as this domain's console lines.
    assert "(d1) strio: written by rep outsb\r\n" in out
    assert "(d1) strio: outsb, each, backwards\r\n" in out
    assert "(d1) strio: fs: override\r\n" in out
    assert "not this text" not in out
    assert re.search(r"\(d1\) strio: done, 0 failed", out)
    k.expect(r"d1 \(strio\): crash: access of guest-physical 0xfff00000 outside its 4 MiB "
             r"at rip 0x[0-9a-f]+; on_crash=preserve", 10)
    assert "still running" not in k.text()
    k.wait_prompt(10)
    assert k.xl_list()["strio"]["state"] == "----c-"


@pytest.mark.qemu_only("the guest runs bare under QEMU -kernel (isa-debug-exit), no Kestrel")
def test_string_io_bare_gives_the_same_results(boot):
    k = boot(kernel=guest_elf("strio"), extra=["-device", "isa-debug-exit,iobase=0xf4"])
    k.expect(r"strio: still running", 30)
    out = k.text()
    for c in CHECKS:
        assert f"strio: {c} ok\r\n" in out, (c, out)
    assert "strio: done, 0 failed" in out
