"""The (XEN) shell through the real serial line: help, errors, xd, Xen's one-letter keys,
dmesg/loglvl, version, cpuinfo, and the line editor (keys, escape sequences, history, TAB
completion, line ends, over-long lines)."""
import re

import pytest

from kestrel import Kestrel

pytestmark = pytest.mark.qemu_only(
    "the shell without domains, and QEMU's CPU models (cpuinfo); not a domain test")

# The commands and keys issue 3 asks for.
COMMANDS = ["help", "version", "uptime", "cmdline", "modules", "meminfo", "dmesg", "loglvl",
            "regs", "cpuinfo", "xd", "reboot", "crash"]
KEYS = {"h": "help", "m": "meminfo", "d": "regs", "w": "dmesg", "R": "reboot", "C": "crash",
        "q": None, "r": None, "t": None, "0": None, "*": None}


@pytest.fixture(scope="module")
def k():
    kk = Kestrel(mem=128)
    kk.wait_prompt(20)
    yield kk
    kk.stop()


def unknown(out):
    """The word the shell said it did not know, from "unknown command 'X' (try 'help')"."""
    m = re.search(r"^\(XEN\) unknown command '(.*)' \(try 'help'\)\r$", out, re.M)
    assert m, out
    return m.group(1)


def help_table(out):
    """{name: key or ''} from help's ' name  [k]  text' lines."""
    table = {}
    for ln in Kestrel.lines(out):
        m = re.match(r"^ (\S+) +(?:\[(.)\])? +\S", ln)
        if m:
            table[m.group(1)] = m.group(2) or ""
    return table


# ---- help and errors ------------------------------------------------------------------

def test_help_lists_every_command(k):
    table = help_table(k.cmd("help"))
    for c in COMMANDS:
        assert c in table, (c, table)
    for key, name in KEYS.items():
        assert key in table.values(), (key, table)
        if name:
            assert table[name] == key, (name, table[name])
    # Every listed name is a real command with usage text.
    for name in table:
        out = k.cmd("help " + name)
        assert re.search(r"^\(XEN\) usage: %s\b" % re.escape(name), out, re.M), out
    # TAB TAB on an empty line lists the same set of names.
    k.raw(b"\x03")
    listing = k.raw(b"\t\t", timeout=5).decode().replace("\a", " ")  # first TAB: BEL
    assert set(listing.split()) == set(table), listing
    k.raw(b"\x03")


def test_help_command_usage(k):
    out = k.cmd("help xd")
    assert "(XEN) usage: xd <addr> [len]\r\n" in out
    assert re.search(r"^\(XEN\)  xd +hexdump host memory", out, re.M)
    assert "help: no command 'nosuch'" in k.cmd("help nosuch")


def test_unknown_command_exact_text(k):
    assert k.cmd("foo") == "(XEN) unknown command 'foo' (try 'help')\r\n"


def test_xd_bad_address(k):
    assert k.cmd("xd zz") == "(XEN) xd: bad address 'zz'\r\n"
    assert "xd: bad length" in k.cmd("xd 0x100000 0")
    assert "usage: xd" in k.cmd("xd")


def test_xd_dumps_mapped_memory(k):
    # The image is loaded at 1 MiB: its first bytes are the Multiboot header magic.
    out = k.cmd("xd 0x100000 4096")
    rows = re.findall(r"^\(XEN\) ([0-9a-f]{16}): ((?:[0-9a-f]{2} ){16}) ", out, re.M)
    assert len(rows) == 256
    assert [int(a, 16) for a, _ in rows] == list(range(0x100000, 0x101000, 16))
    blob = bytes.fromhex("".join(h for _, h in rows))
    assert (0x1BADB002).to_bytes(4, "little") in blob


@pytest.mark.parametrize("addr", ["0xffffffff00000", "0x8000000000", "0xffff800000000000",
                                  "0x123456789abcdef0"])
def test_xd_unmapped_is_refused(k, addr):
    out = k.cmd("xd " + addr)
    assert re.match(r"^\(XEN\) xd: 0x[0-9a-f]+\.\.0x[0-9a-f]+ is not mapped\r\n$", out), out
    assert "Kestrel" in k.cmd("version")        # and the shell still answers


def test_xd_range_wrapping_past_the_top_is_refused(k):
    out = k.cmd("xd 0xfffffffffffffff0 64")
    assert "not mapped" in out, out
    assert "Kestrel" in k.cmd("version")


def test_xd_page_zero_is_not_mapped(k):
    """Page 0 is left unmapped so a NULL dereference in the hypervisor faults instead of
    silently reading or overwriting the real-mode IVT; xd says so rather than dumping it."""
    assert "not mapped" in k.cmd("xd 0")
    assert "not mapped" in k.cmd("xd 0xff0 32")     # a range that touches page 0
    out = k.cmd("xd 0x1000 16")                      # page 1 is ordinary memory
    assert re.search(r"^\(XEN\) 0000000000001000: ", out, re.M), out


# ---- Xen's keys -----------------------------------------------------------------------

def test_key_h(k):
    out = k.cmd("h")
    assert out.startswith("(XEN) 'h' pressed -> showing installed handlers\r\n")
    keys = re.findall(r"^\(XEN\)  key '(.)' \(ascii '([0-9a-f]{2})'\) => \S", out, re.M)
    assert keys, out
    for key, code in keys:
        assert int(code, 16) == ord(key)
    assert [ord(c) for c, _ in keys] == sorted(ord(c) for c, _ in keys)
    for key in KEYS:
        assert key in [c for c, _ in keys]


def test_key_m(k):
    out = k.cmd("m")
    for label in ("total", "free", "reserved"):
        assert re.search(r"^\(XEN\)   %s: +\d+ KiB" % label, out, re.M), out
    assert "Memory map:" in out and "hypervisor image" in out
    assert out == k.cmd("meminfo")


def test_key_q(k):
    """q is domain-info: with no domain built, its header (with the time now) and a line
    saying there are none; the time moves on between two presses."""
    want = re.compile(r"\(XEN\) 'q' pressed -> dumping domain info \(now = (\d+) ms\)\r\n"
                      r"\(XEN\) no domains\r\n")
    m1 = want.fullmatch(k.cmd("q"))
    m2 = want.fullmatch(k.cmd("domain-info"))
    assert m1 and m2, (k.cmd("q"), k.cmd("domain-info"))
    assert int(m2.group(1)) > int(m1.group(1)) > 0


def test_key_d(k):
    out = k.cmd("d")
    assert "'d' pressed -> dumping registers" in out
    for reg in ("RIP:", "RFLAGS:", "rax:", "rsp:", "cr3:", "r15:"):
        assert reg in out, out
    cr3 = int(re.search(r"cr3: ([0-9a-f]{16})", out).group(1), 16)
    assert cr3 and cr3 % 4096 == 0


def test_key_r(k):
    """r is runq: the scheduler's period (sched_slice_ms, 10 by default) and idle time, and
    an empty run queue (no domain built); the idle CPU's time grows between two presses."""
    want = re.compile(r"\(XEN\) 'r' pressed -> dumping run queues\r\n"
                      r"\(XEN\) scheduler: weighted fair \(credit-like\), period 10 ms, "
                      r"idle (\d+) ms\r\n"
                      r"\(XEN\) CPU\[00\] runnable=0 min_vruntime=0\r\n")
    m1 = want.fullmatch(k.cmd("r"))
    m2 = want.fullmatch(k.cmd("runq"))
    assert m1 and m2, (k.cmd("r"), k.cmd("runq"))
    assert int(m2.group(1)) > int(m1.group(1))


def test_key_t(k):
    out = k.cmd("t")
    mhz = float(re.search(r"TSC (\d+\.\d+) MHz", out).group(1))
    assert 10 < mhz < 100000
    ticks1 = int(re.search(r"(\d+) ticks", out).group(1))
    ticks2 = int(re.search(r"(\d+) ticks", k.cmd("t")).group(1))
    assert ticks2 > ticks1 > 0             # the periodic tick is running


def test_key_w(k):
    out = k.cmd("w")
    assert out.startswith("(XEN) 'w' pressed -> dumping console ring buffer (dmesg)\r\n")
    assert re.search(r"^\(XEN\) Kestrel hypervisor ", out, re.M)


def test_key_0(k):
    assert k.cmd("0").startswith("(XEN) '0' pressed -> dumping Dom0's registers\r\n")


def test_key_star_fires_the_diagnostic_keys(k):
    out = k.cmd("*")
    assert out.startswith("(XEN) '*' pressed -> firing all diagnostic keyhandlers")
    for marker in ("Physical memory:", "'q' pressed", "'r' pressed", "TSC ", "'d' pressed",
                   "'0' pressed", "'*' pressed -> done"):
        assert marker in out, marker


def test_keys_plus_minus_move_the_threshold(k):
    start = re.search(r"threshold: (\w+)", k.cmd("loglvl")).group(1)
    up = k.cmd("+")
    m = re.search(r"raised log level threshold: now (\w+)", up)
    assert m, up
    down = k.cmd("-")
    m2 = re.search(r"lowered log level threshold: now (\w+)", down)
    assert m2 and m2.group(1) == start
    assert "threshold: " + start in k.cmd("loglvl")


# ---- log ------------------------------------------------------------------------------

def test_dmesg(k):
    full = [ln for ln in Kestrel.lines(k.cmd("dmesg")) if ln]
    assert any(ln.startswith("Kestrel hypervisor") for ln in full)
    assert any(ln.startswith("Multiboot-e820 RAM map:") for ln in full)
    last3 = [ln for ln in Kestrel.lines(k.cmd("dmesg 3")) if ln]
    assert len(last3) == 3 and last3 == full[-3:]
    assert "dmesg: bad line count 'x'" in k.cmd("dmesg x")


def test_loglvl_filters_console_not_ring(k):
    try:
        assert "threshold: none" in k.cmd("loglvl none")
        quiet = k.cmd("d")            # regs prints through the log
        assert "RIP:" not in quiet
        ring = k.cmd("dmesg 20")
        assert "RIP:" in ring and "'d' pressed -> dumping registers" in ring
        assert "bad level 'loud'" in k.cmd("loglvl loud")
    finally:
        assert "threshold: warning" in k.cmd("loglvl warning")
    assert "RIP:" in k.cmd("d")


def test_dmesg_clear():
    with Kestrel() as kk:
        kk.wait_prompt(20)
        before = kk.cmd("dmesg -c")
        assert "Kestrel hypervisor" in before
        assert kk.cmd("dmesg") == ""
        kk.cmd("d")
        after = kk.cmd("dmesg")
        assert "'d' pressed -> dumping registers" in after
        assert "Kestrel hypervisor" not in after


def test_version(k):
    out = k.cmd("version")
    m = re.match(r"^\(XEN\) Kestrel (\S+) \(x86-64\)", out)
    assert m, out
    assert "Kestrel hypervisor %s (x86-64)" % m.group(1) in k.text()


# ---- cpuinfo --------------------------------------------------------------------------

def test_cpuinfo_max_has_svm_and_npt(k):
    out = k.cmd("cpuinfo")
    assert re.search(r"SVM yes, NPT yes", out), out
    assert "long mode yes" in out


def test_cpuinfo_without_svm():
    with Kestrel(cpu="qemu64,svm=off") as kk:
        kk.wait_prompt(20)
        out = kk.cmd("cpuinfo")
    assert "SVM no, NPT no" in out, out


def test_cpuinfo_qemu64_reports_what_qemu_offers():
    # QEMU's qemu64 model advertises SVM (AMD, CPUID 8000_0001 ECX bit 2) but not NPT.
    with Kestrel(cpu="qemu64") as kk:
        kk.wait_prompt(20)
        out = kk.cmd("cpuinfo")
    assert "NPT no" in out and "VMX no, EPT no" in out, out


# ---- line editing ---------------------------------------------------------------------

def run_keys(k, data):
    """Type data (ending in a line end) and return the word the shell ran, via the
    unknown-command error, which quotes it exactly."""
    return unknown(k.raw(data).decode(errors="replace"))


def test_backspace_and_del(k):
    assert run_keys(k, b"zzabx\x08c\r") == "zzabc"
    assert run_keys(k, b"zzabx\x7fd\r") == "zzabd"
    assert run_keys(k, b"\x08\x08zq\r") == "zq"          # backspace at column 0: nothing


def test_ctrl_u_and_ctrl_w(k):
    assert run_keys(k, b"garbage here\x15zzok\r") == "zzok"
    assert run_keys(k, b"zzone two\x17\x17zztwo\r") == "zztwo"
    out = k.raw(b"zzone two\x17\r").decode()
    assert unknown(out) == "zzone"


def test_ctrl_c_cancels_the_line(k):
    out = k.raw(b"reboot\x03").decode()
    assert out.endswith("^C\r\n"), repr(out)
    assert "Kestrel" in k.cmd("version")
    assert k.proc.poll() is None


@pytest.mark.parametrize("left,home,end", [
    (b"\x1b[D", b"\x1b[H", b"\x1b[F"),           # xterm / miniterm CSI
    (b"\x1bOD", b"\x1bOH", b"\x1bOF"),           # application cursor mode (SS3)
    (b"\x1b[D", b"\x1b[1~", b"\x1b[4~"),         # VT220 / screen
])
def test_arrows_home_end(k, left, home, end):
    assert run_keys(k, b"zzac" + left + b"b\r") == "zzabc"
    assert run_keys(k, b"bc" + home + b"zza" + end + b"d\r") == "zzabcd"
    right = left[:-1] + b"C"
    assert run_keys(k, b"zzxz" + home + right + right + right + b"y\r") == "zzxyz"


def test_history_up_down(k):
    assert run_keys(k, b"zzfirst\r") == "zzfirst"
    assert run_keys(k, b"zzsecond\r") == "zzsecond"
    assert run_keys(k, b"\x1b[A\r") == "zzsecond"        # not stored twice in a row
    assert run_keys(k, b"\x1b[A\x1b[A\r") == "zzfirst"
    # History is now zzfirst, zzsecond, zzfirst.
    assert run_keys(k, b"\x1b[A\x1b[A\x1b[B\r") == "zzfirst"
    assert run_keys(k, b"\x1bOA\x1bOA\r") == "zzsecond"             # SS3 arrows
    # Down past the newest gives back the line being typed; editing a recalled line
    # runs the edited text.
    assert run_keys(k, b"zztyped\x1b[A\x1b[B\r") == "zztyped"
    assert run_keys(k, b"\x1b[A\x08\x08\x08\x08\x08new\r") == "zznew"


def test_history_keeps_32_entries(k):
    for i in range(34):
        run_keys(k, b"zzh%02d\r" % i)
    assert run_keys(k, b"\x1b[A" * 32 + b"\r") == "zzh02"
    # That re-ran zzh02, so it is now the newest and zzh03 the oldest; further up stays
    # at the oldest kept line.
    assert run_keys(k, b"\x1b[A" * 40 + b"\r") == "zzh03"


def test_tab_completes_command_names(k):
    out = k.raw(b"vers\t\r").decode()
    assert re.search(r"^\(XEN\) Kestrel \S+ \(x86-64\)", out, re.M), out
    out = k.raw(b"help cpui\t\r").decode()        # help completes command names too
    assert "usage: cpuinfo" in out
    out = k.raw(b"dm\t3\r").decode()               # 'dmesg ' then 3
    assert len([ln for ln in Kestrel.lines(out) if ln][1:]) == 3, out
    # Ambiguous: a second TAB lists the candidates.
    begin = k.mark()
    k.send(b"lo\t\t")
    k.expect(rb"\r\n\(XEN\) loglvl$")      # the list, then the prompt and the line again
    listing = k.output()[begin:k.pos].decode().replace("\a", " ")
    assert set(listing.split()) >= {"loglvl", "loglvl-down", "loglvl-up"}, listing
    assert "uptime" not in listing
    assert k.raw(b"\x03").endswith(b"^C\r\n")


@pytest.mark.parametrize("end", [b"\r", b"\n", b"\r\n"])
def test_line_ends(k, end):
    """CR, LF and CRLF each end exactly one line (CRLF is not a line and an empty one)."""
    out = k.raw(b"zzend" + end + b"zzend2" + end).decode()
    # Both lines ran, and no empty-line prompt appeared between them.
    assert re.findall(r"unknown command '(\w+)'", out) == ["zzend", "zzend2"], out
    assert out.count("(XEN) ") == 3, repr(out)   # error, prompt, error


def test_overlong_line_rejected(k):
    out = k.raw(b"y" * 300 + b"\r").decode()
    lines = [ln for ln in Kestrel.lines(out) if ln.strip()]
    assert "line too long (max 255 characters); not run" in lines[-1], lines[-1]
    assert "unknown command" not in out
    # 255 characters is still a line.
    out = k.raw(b"z" * 255 + b"\r").decode()
    assert unknown(out) == "z" * 255


def test_control_garbage_is_ignored(k):
    assert run_keys(k, b"zz\x02\x05\x0e\x10\x1c\x80\xffgo\r") == "zzgo"
    assert run_keys(k, b"zz\x1b[99;99Zgo\r") == "zzgo"    # unknown CSI swallowed whole
