"""MSR isolation (issue 13), on both backends: a guest's RDMSR/WRMSR reach only its own vCPU.

`msrpoke` reads MSRs and writes them back with a random value, the value with one bit
flipped, 0 or all ones, on architectural, AMD and hypervisor MSRs and the whole index space.
Beside the canary and a second copy of itself (another seed), every other domain keeps
running and the host's own MSRs (`cpuinfo`'s list: APIC base, PAT, MTRRs, EFER, the syscall
MSRs, HWCR/SYSCFG/VM_CR/VM_HSAVE_PA or FEATURE_CONTROL/MISC_ENABLE) are exactly as before.
`msrcheck` checks from inside a guest that the MSRs behave as a real CPU's: invalid values
are #GP and change nothing, valid writes stick, a TSC write moves RDTSC, unoffered MSRs,
RDPMC and RDTSCP fault, and CPUID agrees (docs/msrs.md)."""
import os
import re
import time

import pytest

from kestrel import guest_elf, write_cfg, domain_lines

ON_BOCHS = os.environ.get("KESTREL_MACHINE") == "bochs"
HOST_MSR = re.compile(r"^\(XEN\)   (0x[0-9a-f]{8}) (\S+)\s+(\S+)$", re.M)
CANARY = re.compile(rb"\(d1\) canary: (\d+)\r\n")


def host_msrs(k):
    """`cpuinfo`'s host MSR list: {name: value or '(#GP)'}. Read between guests' lines (the
    domains never stop printing): from the command to the list's last row, the vendor's."""
    begin = k.mark()
    k.send("cpuinfo\r")
    k.expect(rb"\(XEN\)   0x[0-9a-f]{8} (?:OSVW_STATUS|MISC_ENABLE) [^\r\n]*\r\n", 30)
    text = k.output()[begin:k.pos].decode(errors="replace").replace("\r", "")
    rows = {name: value for _, name, value in HOST_MSR.findall(text)}
    assert {"EFER", "PAT", "APIC_BASE", "LSTAR", "MTRR_DEF_TYPE"} <= rows.keys(), text
    return rows


def canary_count(k):
    counts = [int(m.group(1)) for m in CANARY.finditer(k.output())]
    return counts[-1] if counts else 0


def test_msrcheck_sees_a_faithful_cpu(boot, tmp_path):
    """Every check of msrcheck passes: reserved bits and invalid values #GP, valid writes
    kept, TSC and TSC_ADJUST move RDTSC, unoffered MSRs and RDPMC fault, CPUID hides VMX,
    SVM, offers the emulated APIC and sets the hypervisor bit."""
    cfg = write_cfg(tmp_path, "m.cfg", name="m", kernel="msrcheck.elf", memory=4)
    k = boot(initrd=[guest_elf("msrcheck"), cfg])
    m = k.expect(rb"\(d1\) msrcheck: (\d+) checks, (\d+) wrong\r\n", 60)
    lines = [ln for ln in domain_lines(k.output(), 1) if "msrcheck:" in ln]
    assert int(m.group(1)) >= 30, lines
    assert int(m.group(2)) == 0, "\n".join(ln for ln in lines if "WRONG" in ln)
    # CPUID hides virtualization from the guest and names the hypervisor (a CPUID that
    # showed SVM or VMX, or no hypervisor bit, went unnoticed before these checks).
    for what in ("CPUID hides VMX", "CPUID hides SVM", "CPUID sets the hypervisor bit",
                 "CPUID offers the emulated APIC, x2APIC and TSC-deadline timer"):
        assert f"msrcheck: {what}: ok" in lines, lines


def test_efer_lme_with_paging_off_keeps_exceptions_working(boot, tmp_path):
    """A real CPU lets a guest set EFER.LME before it turns paging on (Linux's 32-bit entry
    does exactly that) and still delivers exceptions through the guest's IDT meanwhile.
    Under QEMU's TCG this guest once triple-faulted and took the host's CR0 with it (svm.c's
    sync_efer says why); msrpoke's seeds (5, 6) and (7, 8) made QEMU itself abort."""
    cfg = write_cfg(tmp_path, "m.cfg", name="m", kernel="msrcheck.elf", memory=4,
                    extra="efer_lme=1")
    k = boot(initrd=[guest_elf("msrcheck"), cfg])
    m = k.expect(rb"\(d1\) msrcheck: (\d+) checks, (\d+) wrong\r\n|\(XEN\) d1 \(m\): crash", 60)
    assert m.group(0).startswith(b"(d1)"), "msrcheck crashed with EFER.LME set"
    assert int(m.group(2)) == 0, [ln for ln in domain_lines(k.output(), 1) if "WRONG" in ln]


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4), (5, 6), (7, 8)])
def test_msrpoke_beside_canary_and_a_copy(boot, tmp_path, seeds):
    """Two msrpoke domains (seeds a, b) beside the canary: both finish their iterations
    (or end only themselves), the canary keeps counting throughout, and the host's MSRs
    read the same before and after."""
    count = 4000 if ON_BOCHS else 20000      # Bochs: fewer, still every pattern
    canary = write_cfg(tmp_path, "canary.cfg", name="canary", kernel="canary.elf", memory=4)
    pokes = [write_cfg(tmp_path, f"p{i}.cfg", name=f"poke{i}", kernel="msrpoke.elf",
                       memory=4, extra=f"seed={s} count={count}", on_poweroff="preserve",
                       on_crash="preserve")
             for i, s in enumerate(seeds)]
    k = boot(initrd=[guest_elf("canary"), canary, guest_elf("msrpoke")] + pokes)
    k.expect(rb"\(d1\) canary: 1\r\n", 30)
    before = host_msrs(k)
    start = canary_count(k)
    k.expect_all([rf"\(XEN\) d{dom} \(poke\d\): (poweroff|crash): ".encode() for dom in (2, 3)],
                 300)
    text = k.text()
    for dom in (2, 3):
        lines = "\n".join(domain_lines(k.output(), dom))
        assert re.search(r"msrpoke: \d+ iterations, seed", lines), lines
        # The guest may end itself (its writes reach its own EFER and segment bases); if it
        # did not, it ran every iteration.
        if f"d{dom} (poke{dom - 2}): poweroff" in text:
            assert f"msrpoke: {count} iterations," in lines, lines[-2000:]
    end = time.monotonic() + 20 * k.slow
    while canary_count(k) < start + 10:
        assert time.monotonic() < end, f"canary stopped at {canary_count(k)} (from {start})"
        time.sleep(0.1)
    rows = k.list_noisy()
    assert rows["canary"]["state"] in ("-b----", "r-----"), rows
    assert "Panic on CPU" not in k.text()
    after = host_msrs(k)
    assert after == before, {n: (before.get(n), after.get(n)) for n in after
                             if before.get(n) != after.get(n)}
