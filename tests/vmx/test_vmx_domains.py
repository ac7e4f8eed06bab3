"""The domain suite on Intel VMX with EPT, under Bochs (issue 8): the same image boots, picks
the VMX backend, and runs the same domains with the same results as on SVM - two domains,
console switching, list, pause/unpause, destroy, a guest spinning with IF=0 beside one that
prints, a triple fault and out-of-memory accesses contained, #UD for every VMX instruction,
hypercalls through VMCALL, the balloon, and the Multiboot example kernel when it exists.
(XSETBV and each guest's own XCR0 and FPU registers: tests/system/test_fpu_isolation.py,
which make test-vmx runs on Bochs too.)
tests/system/test_vmx_subset.py runs a representative part of this file in `make test`."""
import os
import re
import subprocess

import pytest

from kestrel_bochs import (KestrelBochs, ROOT, guest_elf, write_cfg, domain_lines, list_rows,
                           counter, counter_advances)

HELLO_CFG = os.path.join(ROOT, "boards", "qemu", "hello.cfg")
CANARY_CFG = os.path.join(ROOT, "boards", "hostile", "canary.cfg")
VMX_NAME = "Intel VMX with EPT"
TO_DOM = "(XEN) *** Serial input to DOM{n} (type 'CTRL-a' three times to switch input)\r\n"
TO_XEN = "(XEN) *** Serial input to Xen (type 'CTRL-a' three times to switch input)\r\n"


@pytest.fixture
def vmx_boot():
    """Start Kestrels under Bochs; every one is stopped when the test ends."""
    started = []

    def start(*args, **kwargs):
        k = KestrelBochs(*args, **kwargs)
        started.append(k)
        return k

    yield start
    for k in started:
        k.stop()


@pytest.fixture(scope="module")
def board():
    """hello (d1, 16 MiB, sleeps between ticks) and canary (d2, a line every 100 ms)."""
    k = KestrelBochs(initrd=[guest_elf("hello"), HELLO_CFG, guest_elf("canary"), CANARY_CFG])
    try:
        k.expect_all([r"\(d1\) hello: tick 1\r\n", r"\(d2\) canary: 3\r\n"], 60)
        yield k
    finally:
        k.stop()


def start_pair(vmx_boot, tmp_path, guest, extra="", memory=8, on_crash="destroy",
               on_poweroff="destroy"):
    """canary (d1) beside one guest `h` (d2) built from guest.elf with the given cfg keys."""
    canary = write_cfg(tmp_path, "canary.cfg", name="canary", kernel="canary.elf", memory=4)
    h = write_cfg(tmp_path, "h.cfg", name="h", kernel=guest + ".elf", memory=memory,
                  extra=extra, on_crash=on_crash, on_poweroff=on_poweroff)
    k = vmx_boot(initrd=[guest_elf("canary"), canary, guest_elf(guest), h])
    k.expect_all([rb"\(d1\) canary: 1\r\n", rf"\(d2\) {guest}: ".encode()], 60)
    k.pos = 0                   # later expects look at everything from the start
    return k


def crash_line(k, dom=2, name="h"):
    """The hypervisor's line on a crashed domain -> (detail, on_crash action)."""
    m = k.expect(rf"\(XEN\) d{dom} \({name}\): crash: ([^\r\n]*); on_crash=(\w+)\r\n", 30)
    return m.group(1).decode(), m.group(2).decode()


def no_panic(k):
    assert "Panic" not in k.text() and "Panic on CPU" not in k.text()


# ---- the two-domain board ---------------------------------------------------------------

def test_boots_with_the_vmx_backend(board):
    assert f"(XEN) Virtualization: {VMX_NAME}\r\n" in board.text()
    board.mark()
    board.send("cpuinfo\r")
    board.expect(rf"\(XEN\) backend:   {VMX_NAME}\r\n", 10)
    out = board.output()[board.pos - 8000:board.pos].decode(errors="replace")
    assert "GenuineIntel" in out and "VMX yes, EPT yes" in out and "SVM no" in out


def test_two_domains_run_and_hello_gets_its_id_through_vmcall(board):
    text = board.text()
    assert "d1 (hello): built from hello.cfg" in text and "d2 (canary): built from canary.cfg" in text
    hello = domain_lines(board.output(), 1)
    assert "hello: magic 0x2badb002" in hello          # Multiboot entry state: EAX
    assert "hello: loader 'Kestrel'" in hello            # EBX points at the boot info
    assert "hello: domain 1 (hello), 16384 KiB of 16384 KiB" in hello   # HC_DOMAIN_INFO
    counter_advances(board, 2, "canary", 5)
    no_panic(board)


def test_list_shows_both_domains(board):
    rows = list_rows(board)
    assert list(rows) == ["hello", "canary"]
    assert rows["hello"]["id"] == 1 and rows["hello"]["mem"] == 16
    assert rows["canary"]["id"] == 2 and rows["canary"]["mem"] == 4
    assert rows["hello"]["state"] in ("-b----", "r-----")
    assert rows["canary"]["vcpus"] == 1


def test_dump_shows_guest_state_and_vmcall_exits(board):
    board.mark()
    board.send("dump hello\r")
    m = board.expect(r"\(XEN\) exits:((?: [\w-]+=\d+)+) \(total (\d+)\)\r\n", 10)
    out = board.output()[board.pos - 4000:board.pos].decode(errors="replace")
    out = out[out.rindex("d1 (hello) vcpu 0: "):]
    for reg in ("rip", "rsp", "cr0", "cr3", "cr4", "efer"):
        assert re.search(rf"\b{reg}:\s+[0-9a-f]{{16}}", out), reg
    cr0 = int(re.search(r"cr0: ([0-9a-f]{16})", out).group(1), 16)
    cr4 = int(re.search(r"cr4: ([0-9a-f]{16})", out).group(1), 16)
    assert cr0 & 1 and not cr0 & 0x80000000          # protected mode, paging off
    assert not cr4 & 0x2000                          # the guest never sees CR4.VMXE
    counts = {kv.split("=")[0]: int(kv.split("=")[1]) for kv in m.group(1).decode().split()}
    assert counts.get("hypercall", 0) > 0 and counts.get("io", 0) > 0
    assert counts.get("cpuid", 0) > 0
    assert sum(counts.values()) == int(m.group(2))


def test_console_switch_cycles_through_the_domains(board):
    for want in (TO_DOM.format(n=1), TO_DOM.format(n=2), TO_XEN):
        board.mark()
        board.send(b"\x01\x01\x01")
        board.expect(re.escape(want), 10)
    board.mark()
    board.send("version\r")
    board.expect(r"\(XEN\) Kestrel ", 10)


def test_pause_and_unpause(board):
    begin = board.mark()
    board.send("pause canary\r")
    # pause says nothing when it works: its answer is the state list shows (and no error
    # line, such as "no domain" or "already paused", between the command and list).
    assert list_rows(board)["canary"]["state"] == "--p---"
    said = board.output()[begin:board.pos].decode(errors="replace")
    said = said[said.index("pause canary\r\n"):said.index("list\r\n")]
    assert not re.search(r"\(XEN\) (?!\(d\d+\) )[^\r\n]*\w[^\r\n]*\r\n", said), said
    frozen = counter(board, 2, "canary")
    board.quiet_for(1.0)
    assert counter(board, 2, "canary") <= frozen + 1     # a line may have been in flight
    board.send("unpause canary\r")
    counter_advances(board, 2, "canary", 5)
    assert list_rows(board)["canary"]["state"] in ("r-----", "-b----")


def test_destroy(board):
    board.mark()
    board.send("destroy canary\r")
    board.expect(r"destroyed d2", 10)
    rows = list_rows(board)
    assert "canary" not in rows and "hello" in rows
    board.expect(r"\(d1\) hello: tick \d+\r\n", 10)     # the other domain goes on
    no_panic(board)


# ---- hostile guests beside the canary ---------------------------------------------------

def test_ifspin_with_if_0_does_not_stall_the_canary(vmx_boot, tmp_path):
    """The host tick preempts a guest with IF=0 (external-interrupt exiting)."""
    k = start_pair(vmx_boot, tmp_path, "ifspin")
    k.expect(r"\(d2\) ifspin: 2\r\n", 30)
    counter_advances(k, 1, "canary", 15)
    rows = list_rows(k)
    assert rows["h"]["state"] == "r-----" and rows["canary"]["id"] == 1
    t0 = rows["h"]["time"]
    counter_advances(k, 1, "canary", 10)
    assert list_rows(k)["h"]["time"] > t0
    no_panic(k)


def test_triplefault_is_contained(vmx_boot, tmp_path):
    k = start_pair(vmx_boot, tmp_path, "triplefault", on_crash="destroy")
    detail, act = crash_line(k)
    assert detail.startswith("triple fault (shutdown) at rip 0x"), detail
    assert act == "destroy"
    counter_advances(k, 1, "canary", 10)
    assert "h" not in list_rows(k)
    no_panic(k)


def test_memscan_dies_at_its_memory_size(vmx_boot, tmp_path):
    k = start_pair(vmx_boot, tmp_path, "memscan", on_crash="preserve")
    detail, act = crash_line(k)
    m = re.match(r"(access|write) of guest-physical (0x[0-9a-f]+) outside its (\d+) MiB", detail)
    assert m, detail
    assert int(m.group(2), 16) == 8 << 20 and int(m.group(3)) == 8     # EPT violation named
    assert act == "preserve"
    counter_advances(k, 1, "canary", 10)
    assert list_rows(k)["h"]["state"] == "----c-"
    no_panic(k)


def test_crash_oob_names_the_address(vmx_boot, tmp_path):
    k = start_pair(vmx_boot, tmp_path, "crash", extra="mode=oob", on_crash="destroy")
    detail, act = crash_line(k)
    assert "write of guest-physical 0xe0000000 outside its 8 MiB" in detail, detail
    assert act == "destroy"
    counter_advances(k, 1, "canary", 10)
    no_panic(k)


VMX_INSNS = ["vmxon", "vmptrld", "vmclear", "vmptrst", "vmread", "vmwrite", "vmlaunch",
             "vmresume", "vmxoff", "vmfunc", "invept", "invvpid"]
SVM_INSNS = ["vmrun", "vmload", "vmsave", "stgi", "clgi", "skinit", "invlpga"]


def test_svminsn_gets_ud_for_every_vmx_instruction(vmx_boot, tmp_path):
    k = start_pair(vmx_boot, tmp_path, "svminsn", on_poweroff="preserve")
    k.expect(r"\(d2\) svminsn: done, \d+ faulted, \d+ ran\r\n", 30)
    k.expect(r"\(d2\) svminsn: mov cr4.VMXE -> [^\r\n]*\r\n", 15)
    out = dict(ln.split(": ", 1)[1].rsplit(" -> ", 1) for ln in domain_lines(k.output(), 2)
               if " -> " in ln)
    for insn in VMX_INSNS + SVM_INSNS + ["vmmcall(0xdead)", "vmmcall(-1)"]:
        assert out.get(insn) == "#UD", f"{insn}: {out.get(insn)}"
    assert out["vmcall(0xdead)"] == "0xffffffda"        # a bad hypercall: KESTREL_ENOSYS
    assert out["wrmsr EFER.SVME"] == "#GP"
    assert out["mov cr4.VMXE"] == "#GP"                 # VMX is hidden; the guest goes on
    k.expect(r"\(XEN\) d2 \(h\): poweroff: requested by the guest", 15)
    counter_advances(k, 1, "canary", 10)
    no_panic(k)


def test_balloon_gives_memory_back_and_takes_it_again(vmx_boot, tmp_path):
    cfg = write_cfg(tmp_path, "b.cfg", name="b", kernel="balloon.elf", memory=32, maxmem=64)
    k = vmx_boot(initrd=[guest_elf("balloon"), cfg])
    k.expect(r"\(d1\) balloon: target 8192 pages, holding 8192 pages\r\n", 60)
    k.wait_prompt(20)
    k.send("mem-set b 16\r")
    k.expect(r"\(d1\) balloon: target 4096 pages, holding 4096 pages\r\n", 30)
    k.send("mem-set b 48\r")
    k.expect(r"\(d1\) balloon: target 12288 pages, holding 12288 pages\r\n", 60)
    assert "BAD" not in k.text()
    assert list_rows(k)["b"]["mem"] == 48
    no_panic(k)


EXAMPLE = os.path.join(ROOT, "tests", "external", "build-multiboot-example.sh")


@pytest.fixture(scope="module")
def example_kernel():
    """The Multiboot specification's example kernel, built unchanged from Debian's
    `multiboot` package by tests/external/build-multiboot-example.sh (path on its last line)."""
    if not os.path.exists(EXAMPLE):
        pytest.skip("tests/external/build-multiboot-example.sh does not exist")
    p = subprocess.run([EXAMPLE], capture_output=True, text=True, timeout=300)
    if p.returncode != 0 and ("download" in p.stderr.lower() or "fetch" in p.stderr.lower()):
        pytest.skip("could not fetch Debian's multiboot package: " + p.stderr[-300:])
    assert p.returncode == 0, p.stderr
    return p.stdout.strip().splitlines()[-1]


def test_multiboot_example_kernel(vmx_boot, tmp_path, example_kernel):
    """It writes its boot information to the VGA screen (`vga <dom>` renders it) and halts."""
    cfg = write_cfg(tmp_path, "mbex.cfg", name="mbex", kernel=os.path.basename(example_kernel),
                    memory=8, extra="from=kestrel-vmx")
    k = vmx_boot(initrd=[example_kernel, cfg])
    k.expect(r"d1 \(mbex\): built from mbex.cfg", 60)
    k.wait_prompt(20)
    screen = ""
    for _ in range(50):
        screen = k.cmd("vga mbex")
        if "Halted." in screen:
            break
    assert "Halted." in screen, screen
    text = "\n".join(ln[len("(XEN) |"):] for ln in screen.replace("\r", "").split("\n")
                     if ln.startswith("(XEN) |"))
    assert "Invalid magic number" not in text
    assert re.search(r"^mem_lower = 639KB, mem_upper = 7168KB$", text, re.M), text
    assert re.search(r"^cmdline = mbexample.elf from=kestrel-vmx$", text, re.M), text
    assert list_rows(k)["mbex"]["state"] == "-b----"      # halted in its hlt loop
    no_panic(k)
