"""Isolation (issue 4) and the hostile load (issue 7): each hostile guest is booted next to
the `canary` domain. Whatever it does, the canary keeps counting, the shell still answers
`list`, the hypervisor does not panic, and the hostile domain meets the fate its cfg asks
for, with a log line saying what happened."""
import re
import time
import zlib

import pytest

from kestrel import guest_elf, write_cfg, domain_lines
from test_domains import hexdump_bytes, elf_bytes_at

HOSTILE_MEM = 8                          # MiB
CANARY = re.compile(rb"\(d1\) canary: (\d+)\r\n")


class Pair:
    """A Kestrel running canary (d1) and one hostile domain `h` (d2)."""

    def __init__(self, k, guest):
        self.k, self.guest = k, guest

    def canary_count(self):
        counts = [int(m.group(1)) for m in CANARY.finditer(self.k.output())]
        return counts[-1] if counts else 0

    def canary_advances(self, by=10, timeout=8):
        """The canary's counter goes up by `by` (100 ms each) within timeout seconds."""
        start = self.canary_count()
        end = time.monotonic() + timeout * self.k.slow
        while self.canary_count() < start + by:
            assert time.monotonic() < end, \
                f"canary stuck at {self.canary_count()} (from {start}) beside {self.guest}"
            time.sleep(0.1)

    def alive_and_unharmed(self):
        rows = self.k.list_noisy()
        assert rows["canary"]["id"] == 1 and rows["canary"]["state"] in ("-b----", "r-----")
        assert "Panic on CPU" not in self.k.text()
        return rows

    def lines(self, dom=2):
        return domain_lines(self.k.output(), dom)


def start_pair(boot, tmp_path, guest, extra="", memory=HOSTILE_MEM, on_crash="preserve",
               on_reboot="preserve", on_poweroff="preserve", append=""):
    canary = write_cfg(tmp_path, "canary.cfg", name="canary", kernel="canary.elf", memory=4)
    hostile = write_cfg(tmp_path, "h.cfg", name="h", kernel=guest + ".elf", memory=memory,
                        extra=extra, on_crash=on_crash, on_reboot=on_reboot,
                        on_poweroff=on_poweroff)
    k = boot(initrd=[guest_elf("canary"), canary, guest_elf(guest), hostile], append=append)
    k.expect_all([rb"\(d1\) canary: 1\r\n", rf"\(d2\) {guest}: ".encode()], 30)
    k.pos = 0                   # later expects look at everything from the start
    return Pair(k, guest)


def crash_line(p, dom=2, name="h", reason="crash"):
    """Wait for the hypervisor's line on the domain's end; return its detail text."""
    m = p.k.expect(rf"\(XEN\) d{dom} \({name}\): {reason}: ([^\r\n]*); on_{reason}=(\w+)\r\n",
                   15)
    return m.group(1).decode(), m.group(2).decode()


# ---- guests that must keep running, contained -----------------------------------------

def test_ifspin_cannot_stall_the_canary_or_the_shell(boot, tmp_path):
    p = start_pair(boot, tmp_path, "ifspin")
    p.k.expect(r"\(d2\) ifspin: 2\r\n", 15)      # it does spin, with IF=0
    p.canary_advances(20)
    rows = p.alive_and_unharmed()
    assert rows["h"]["state"] == "r-----"
    t0 = rows["h"]["time"]
    p.canary_advances(10)
    assert p.alive_and_unharmed()["h"]["time"] > t0


def test_clihlt_sleeps_forever_without_stalling_anyone(boot, tmp_path):
    p = start_pair(boot, tmp_path, "clihlt")
    p.canary_advances(20)
    rows = p.alive_and_unharmed()
    assert rows["h"]["state"] == "-b----"
    assert p.lines() == ["clihlt: cli; hlt forever", "clihlt: 1"]   # never woken


def test_portfuzz_is_contained(boot, tmp_path):
    p = start_pair(boot, tmp_path, "portfuzz", on_reboot="restart", append="guest_loglvl=all")
    p.k.expect(r"\(d\d+\) [^\r\n]*portfuzz: 131072 ops", 20)
    p.canary_advances(10)
    rows = p.alive_and_unharmed()
    assert rows["h"]["state"] in ("r-----", "-b----")
    # Unemulated ports are logged once each and only the first few: no log flood.
    logged = re.findall(r"\(XEN\) d\d+: (?:read|write) of unemulated port", p.k.text())
    assert 0 < len(logged) <= 16
    assert "further unemulated ports are not logged" in p.k.text()


def test_msrfuzz_gets_gp_and_is_contained(boot, tmp_path):
    p = start_pair(boot, tmp_path, "msrfuzz")
    m = p.k.expect(r"\(d2\) msrfuzz: (\d+) ops, (\d+) #GP, (\d+) ok", 20)
    p.canary_advances(10)
    m2 = p.k.expect(r"\(d2\) msrfuzz: (\d+) ops, (\d+) #GP, (\d+) ok", 20)
    assert int(m2.group(1)) > int(m.group(1)) and int(m2.group(2)) > 0
    assert p.alive_and_unharmed()["h"]["state"] == "r-----"


def test_pitstorm_is_contained(boot, tmp_path):
    p = start_pair(boot, tmp_path, "pitstorm")
    m = p.k.expect(r"\(d2\) pitstorm: (\d+) irqs after 2 s", 20)
    # It gets its storm: more IRQs than the host's 100 Hz tick alone could give it in 2 s,
    # a bound a loaded host still meets (the rate itself is a benchmark figure).
    assert int(m.group(1)) > 200
    p.canary_advances(20)                          # ...and the canary its time
    assert p.alive_and_unharmed()["h"]["state"] in ("r-----", "-b----")


SVM_VMX = ["vmrun", "vmload", "vmsave", "stgi", "clgi", "skinit", "invlpga",
           "vmxon", "vmptrld", "vmclear", "vmptrst", "vmread", "vmwrite", "vmlaunch",
           "vmresume", "vmxoff", "vmfunc", "invept", "invvpid", "vmrun (after SVME)",
           "stgi (after SVME)"]
# svminsn's tries of each hypercall instruction: the backend's own (vmmcall on SVM, vmcall
# on VMX) reaches Kestrel, the other one is one more virtualization instruction.
HYPERCALL_TRIES = {"vmmcall": ["vmmcall(0xdead)", "vmmcall(-1)"], "vmcall": ["vmcall(0xdead)"]}


def test_svminsn_gets_ud_for_every_svm_and_vmx_instruction(boot, tmp_path):
    p = start_pair(boot, tmp_path, "svminsn")
    p.k.expect(r"\(d2\) svminsn: done, \d+ faulted, \d+ ran\r\n", 15)
    out = dict(ln.split(": ", 1)[1].rsplit(" -> ", 1) for ln in p.lines()
               if " -> " in ln)
    others = [t for insn, tries in HYPERCALL_TRIES.items() if insn != p.k.hypercall_insn
              for t in tries]
    for insn in SVM_VMX + others:
        assert out.get(insn) == "#UD", f"{insn}: {out.get(insn)}"
    # A bad hypercall number returns an error code (KESTREL_ENOSYS = -38) and nothing else.
    for insn in HYPERCALL_TRIES[p.k.hypercall_insn]:
        assert out[insn] == "0xffffffda", insn
    # SVM is hidden: EFER.SVME cannot be set.
    assert out["wrmsr EFER.SVME"] == "#GP"
    p.canary_advances(10)
    p.alive_and_unharmed()


def test_svminsn_cr4_vmxe_gets_gp_and_keeps_running(boot, tmp_path):
    """CR4 writes are intercepted (SVM: arch/x86/svm/svm_cr.c; VMX: the CR4 guest/host mask,
    arch/x86/vmx/vmx_exit.c): VMXE is refused with #GP."""
    p = start_pair(boot, tmp_path, "svminsn", on_poweroff="preserve")
    p.k.expect(r"\(d2\) svminsn: done, ", 15)
    p.k.expect(r"\(d2\) svminsn: mov cr4.VMXE -> #GP\r\n", 3)
    p.alive_and_unharmed()
    assert "d2 (h): crash" not in p.k.text()


# ---- guests that must die, with the right log line and on_crash -----------------------

def test_memscan_dies_at_exactly_its_memory_size(boot, tmp_path):
    p = start_pair(boot, tmp_path, "memscan", on_crash="preserve")
    detail, act = crash_line(p)
    m = re.match(r"(access|write) of guest-physical (0x[0-9a-f]+) outside its (\d+) MiB", detail)
    assert m, detail
    assert int(m.group(2), 16) == HOSTILE_MEM << 20 and int(m.group(3)) == HOSTILE_MEM
    assert act == "preserve"
    assert not any("done" in ln for ln in p.lines())
    p.canary_advances(10)
    assert p.alive_and_unharmed()["h"]["state"] == "----c-"
    # The canary's image is intact (memscan wrote to every page it could reach).
    p.k.mark()
    p.k.send("dumpmem canary 0x100000 64\r")
    m = p.k.expect(rb"((?:\(XEN\) [0-9a-f]{16}: [^\r\n]*\r\n){4})", 10)
    assert hexdump_bytes(m.group(1).decode())[1] == elf_bytes_at(guest_elf("canary"),
                                                                 0x100000, 64)


def test_ptall_cannot_reach_beyond_its_memory(boot, tmp_path):
    p = start_pair(boot, tmp_path, "ptall", on_crash="destroy")
    detail, act = crash_line(p)
    m = re.match(r"(access|write) of guest-physical (0x[0-9a-f]+) outside", detail)
    assert m and int(m.group(2), 16) == HOSTILE_MEM << 20, detail
    assert act == "destroy"
    assert not any("survived" in ln for ln in p.lines())
    p.canary_advances(10)
    assert "h" not in p.alive_and_unharmed()


def test_triplefault_restarts_with_on_crash_restart(boot, tmp_path):
    p = start_pair(boot, tmp_path, "triplefault", on_crash="restart")
    detail, act = crash_line(p)
    assert "triple fault" in detail and act == "restart"
    m = p.k.expect(r"\(XEN\) d2 \(h\): restarted as d(\d+)\r\n", 10)
    new = int(m.group(1))
    assert new > 2
    p.k.expect(rf"\(d{new}\) triplefault: loading an empty IDT", 10)
    # It crashes again and again; the canary does not care.
    p.canary_advances(10)
    rows = p.alive_and_unharmed()
    p.k.mark()
    p.k.send("destroy h\r")
    p.k.expect(r"destroyed d\d+", 10)
    p.canary_advances(5)
    assert "h" not in p.alive_and_unharmed()


CRASH_MODES = [
    # mode, on_crash, what the hypervisor's line must say
    ("ud", "preserve", r"triple fault"),
    ("pf", "destroy", r"triple fault"),
    ("div0", "restart", r"triple fault"),
    ("hypercall", "preserve", r"requested by the guest"),
    ("oob", "destroy", r"write of guest-physical 0xe0000000 outside its 8 MiB"),
    ("trap", "restart", r"requested by the guest"),
]


@pytest.mark.parametrize("mode,on_crash,why", CRASH_MODES, ids=[m[0] for m in CRASH_MODES])
def test_crash_mode(boot, tmp_path, mode, on_crash, why):
    p = start_pair(boot, tmp_path, "crash", extra=f"mode={mode}", on_crash=on_crash)
    detail, act = crash_line(p)
    assert re.search(why, detail), detail
    assert act == on_crash
    if mode == "trap":
        assert any("unhandled exception 6 (#UD)" in ln for ln in p.lines())
    if on_crash == "restart":
        m = p.k.expect(r"\(XEN\) d2 \(h\): restarted as d(\d+)\r\n", 10)
        p.k.expect(rf"\(d{int(m.group(1))}\) crash: about to {mode}", 10)
    p.canary_advances(10)
    rows = p.alive_and_unharmed()
    if on_crash == "preserve":
        assert rows["h"]["state"] == "----c-" and rows["h"]["id"] == 2
    elif on_crash == "destroy":
        assert "h" not in rows
    else:
        p.k.send("destroy h\r")
        p.k.expect(r"destroyed d\d+", 10)


def test_crash_reboot_mode_applies_on_reboot(boot, tmp_path):
    p = start_pair(boot, tmp_path, "crash", extra="mode=reboot", on_reboot="restart",
                   on_crash="preserve")
    detail, act = crash_line(p, reason="reboot")
    assert act == "restart"
    m = p.k.expect(r"\(XEN\) d2 \(h\): restarted as d(\d+)\r\n", 10)
    p.k.expect(rf"\(d{int(m.group(1))}\) crash: about to reboot", 10)
    p.canary_advances(10)
    p.alive_and_unharmed()
    p.k.send("destroy h\r")
    p.k.expect(r"destroyed d\d+", 10)


# ---- the console flood ----------------------------------------------------------------

@pytest.mark.parametrize("size", [
    128 << 10, pytest.param(1 << 20, marks=pytest.mark.soak)])
def test_flood_arrives_intact(boot, tmp_path, size):
    """flood's bytes (128 KiB in make test, its default mebibyte in make soak) all arrive,
    in order, while the canary keeps its time; then its poweroff destroys it."""
    p = start_pair(boot, tmp_path, "flood", extra=f"bytes={size}", on_poweroff="destroy")
    m = p.k.expect(rb"\(d2\) flood: done (\d+) bytes crc32 ([0-9a-f]{8})\r\n",
                   150 * size / (1 << 20) + 30)
    total, crc = int(m.group(1)), int(m.group(2), 16)
    assert total == size
    # flood writes 64-byte lines ending in \r\n; the console shows each line as
    # "(d2) <line>\r\n" (dropping the guest's \r): put its \r\n back and check the CRC.
    lines = [ln for ln in p.lines() if re.match(r"flood: \d{8} ", ln)]
    data = b"".join(ln.encode() + b"\r\n" for ln in lines)
    assert len(data) == total
    assert zlib.crc32(data) == crc
    p.canary_advances(10)
    p.k.expect(r"\(XEN\) d2 \(h\): poweroff: [^\r\n]*on_poweroff=destroy", 10)
    assert "h" not in p.alive_and_unharmed()
