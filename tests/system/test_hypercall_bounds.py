"""Hypercall bounds (issue 20): the hostile `hcbounds` guest makes every hypercall with bad
arguments (pointers past its end, straddling it, in the gap up to maxmem, near 2^32, into a
page it gave back; lengths near 2^32; misaligned buffers; unknown numbers, reasons and
commands) and checks each result against docs/hypercalls.md itself. Beside the canary: not
one check may be wrong, the canary keeps counting, the shell answers, and Kestrel does not
crash hcbounds for a bad pointer (docs/hypercalls.md: a bad pointer returns
KESTREL_EFAULT)."""
import re

from kestrel import guest_elf, write_cfg, domain_lines
from test_isolation import Pair

CHECK = re.compile(r"^hcbounds: (.*) -> (\S+) (ok|WRONG \(want (\S+)\))$")


def test_every_hypercall_refuses_bad_arguments_as_documented(boot, tmp_path):
    canary = write_cfg(tmp_path, "canary.cfg", name="canary", kernel="canary.elf", memory=4)
    h = write_cfg(tmp_path, "h.cfg", name="h", kernel="hcbounds.elf", memory=8, maxmem=12,
                  on_crash="preserve", on_poweroff="preserve", on_reboot="preserve")
    k = boot(initrd=[guest_elf("canary"), canary, guest_elf("hcbounds"), h])
    k.expect_all([rb"\(d1\) canary: 1\r\n", rb"\(d2\) hcbounds: "], 30)
    k.pos = 0          # hcbounds may have finished before the canary's first line
    m = k.expect(rb"\(d2\) hcbounds: (\d+) checks, (\d+) wrong\r\n", 120)
    total, bad = int(m.group(1)), int(m.group(2))
    lines = domain_lines(k.output(), 2)
    verdicts = [ln for ln in lines if ln.endswith(" ok") or " WRONG" in ln]
    wrong = [ln for ln in verdicts if " WRONG" in ln]
    assert len(verdicts) == total and total >= 60, lines
    # Each hypercall number was made at least once.
    for name in ("CONSOLE_WRITE", "YIELD", "BLOCK", "SHUTDOWN", "MEMORY_OP", "DOMAIN_INFO",
                 "TIME", "NOP", "hypercall 8"):
        assert any(ln.startswith("hcbounds: " + name) for ln in verdicts), name
    assert bad == len(wrong) and wrong == [], "\n".join(wrong)

    p = Pair(k, "hcbounds")
    p.canary_advances(10)
    rows = p.alive_and_unharmed()
    # Not crashed, shut down or restarted by Kestrel: still d2, running or blocked in its
    # final sleep, and no line about its end.
    assert rows["h"]["id"] == 2 and rows["h"]["state"] in ("r-----", "-b----"), rows
    assert not re.search(r"\(XEN\) d2 \(h\): (crash|poweroff|reboot)", k.text())
    assert "nested page fault" not in k.text()
    p.canary_advances(5)
