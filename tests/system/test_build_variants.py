"""The build variants (issue 19): make DEBUG=1's build/kestrel-debug-checks.elf and make
PERFC=1's build/kestrel-perfc.elf boot and are what they say, and the default image has no
counters. The debug image's own proof is the smoke subset make test runs on it
(tests/system/debug_smoke.txt, where any ASSERT that fires fails a test); here: its version
lines, its loglvl, and the guard page under every stack. The counters: a guest making 1000
null hypercalls (wsbench, iters=1000) shows at least 1000 of them, and of the exits they
cost, and `P` zeroes them."""
import os
import re
import subprocess

import pytest

from kestrel import ROOT, Kestrel, guest_elf, write_cfg

pytestmark = pytest.mark.qemu_only("boots the variant images by path (make test builds them)")

DEFAULT = os.path.join(ROOT, "build", "kestrel.elf")
DEBUG = os.path.join(ROOT, "build", "kestrel-debug-checks.elf")
PERFC = os.path.join(ROOT, "build", "kestrel-perfc.elf")
NOT_BUILT = "(XEN) performance counters are not built in this image (build with make PERFC=1)"


def symbols(image):
    return subprocess.run(["nm", image], capture_output=True, text=True, check=True).stdout


def totals(text):
    """`p` output -> {description: TOTAL}."""
    return {m.group(1).strip(): int(m.group(2))
            for m in re.finditer(r"^\(XEN\) (\S.*?)\s+TOTAL\[\s*(\d+)\]", text, re.M)}


def element(text, desc, index):
    """The count of element `index` (0x..) of array counter `desc` in `p` output, or 0."""
    block = re.search(re.escape(desc) + r"\s+TOTAL\[[^\n]*\n((?:\(XEN\) {16}[^\n]*\n)*)", text)
    assert block, text
    m = re.search(r"\s" + re.escape(index) + r"\[\s*(\d+)\]", block.group(1))
    return int(m.group(1)) if m else 0


def test_default_image_has_no_counters_and_says_so(boot):
    assert "perfc_counters" not in symbols(DEFAULT)
    assert "perfc_counters" in symbols(PERFC)
    k = boot(kernel=DEFAULT)
    k.expect(r"\(XEN\) Kestrel hypervisor \S+ \(x86-64\) - one image, no dom0\r\n", 20)
    k.wait_prompt(20)
    for key in ("p", "P", "perfc", "perfc-reset"):
        assert k.cmd(key).strip() == NOT_BUILT
    assert re.search(r"built with gcc [^\r\n]*\d\r\n", k.cmd("version"))   # no debug=y
    assert "debug=y" not in k.text() and "perfc=y" not in k.text()


def test_perfc_counts_a_guests_1000_hypercalls(boot, tmp_path):
    cfg = write_cfg(tmp_path, "ws.cfg", name="ws", kernel="wsbench.elf", memory=8,
                    extra="iters=1000 vmmcall=1")
    k = boot(kernel=PERFC, initrd=[guest_elf("wsbench"), cfg])
    k.expect(r"\(XEN\) Kestrel hypervisor \S+ \(x86-64\) - one image, no dom0 perfc=y\r\n", 20)
    k.expect(rb"\(d1\) wsbench: vmmcall min \d+ median", 120)
    k.expect(rb"\(XEN\) d1 \(ws\): poweroff", 30)
    k.wait_prompt(20)
    assert k.cmd("version").rstrip().endswith("perfc=y")
    out = k.cmd("p")
    assert "Kestrel performance counters SHOWN" in out
    t = totals(out)
    assert element(out, "hypercalls by number", "0x7") >= 1000, out          # HC_NOP
    assert t["hypercalls by number"] >= 1000
    assert element(out, "SVM #VMEXITs by exit code", "0x81") >= 1000, out    # VMMCALL
    assert element(out, "SVM #VMEXITs by exit code", "0x72") >= 1000, out    # CPUID
    assert t["VMX exits by basic reason"] == 0                               # SVM machine
    assert t["frames allocated"] >= 2048 and t["frames freed"] >= 2048      # 8 MiB, destroyed
    assert t["scheduler: slices run"] > 0 and t["interrupts injected into guests"] >= 0
    assert t["device accesses: uart16550"] > 0
    assert k.cmd("perfc") .count("TOTAL[") == out.count("TOTAL[")
    assert "Kestrel performance counters RESET" in k.cmd("P")
    after = k.cmd("p")
    assert totals(after)["hypercalls by number"] == 0, after                 # the guest is gone
    assert totals(after)["frames allocated"] < 16


def test_debug_image_says_so_logs_all_and_guards_its_stacks(boot):
    k = boot(kernel=DEBUG)
    k.expect(r"\(XEN\) Kestrel hypervisor \S+ \(x86-64\) - one image, no dom0 debug=y\r\n", 20)
    m = k.expect(r"\(XEN\) Stack guard pages: boot (0x[0-9a-f]+), double fault (0x[0-9a-f]+), "
                 r"NMI (0x[0-9a-f]+)\r\n", 20)
    k.wait_prompt(20)
    assert k.cmd("version").rstrip().endswith("debug=y")
    assert "console log threshold: all" in k.cmd("loglvl")
    assert k.cmd("p").strip() == NOT_BUILT
    syms = symbols(DEBUG)
    for name, guard in zip(("boot_stack_guard", None, None), (g.decode() for g in m.groups())):
        addr = int(guard, 16)
        assert addr % 4096 == 0
        if name:
            assert re.search(rf"^0*{addr:x} B {name}$", syms, re.M), guard
        out = k.cmd(f"xd {guard} 16")
        assert f"xd: {guard}..{addr + 15:#x} is not mapped" in out, out
        above = k.cmd(f"xd {addr + 4096:#x} 16")             # the stack itself is there
        assert re.search(rf"^\(XEN\) 0*{addr + 4096:x}: ", above, re.M), above
    # The default image leaves them mapped.
    d = boot(kernel=DEFAULT)
    d.wait_prompt(20)
    guard = int(re.search(r"^0*([0-9a-f]+) B boot_stack_guard$", symbols(DEFAULT), re.M).group(1), 16)
    assert "not mapped" not in d.cmd(f"xd {guard:#x} 16")
