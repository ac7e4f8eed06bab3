"""Serial input switching, as Xen's serial_rx does it: CTRL-<conswitch>x3 moves input between
the (XEN) shell and a domain (here `echo` in its hex mode: it answers each byte it reads with
its hex, which the shell never prints, so its answer proves where input went); a broken
sequence is replayed to the current owner; conswitch= changes the letter. With no domain at
all, the keys re-announce that input is with Xen."""
import re
import tempfile

import pytest

import echo_guest
from kestrel import Kestrel

TO_DOM0 = "(XEN) *** Serial input to DOM1 (type 'CTRL-{c}' three times to switch input)\r\n"
TO_XEN = "(XEN) *** Serial input to Xen (type 'CTRL-{c}' three times to switch input)\r\n"


def boot_echo(append=""):
    """One domain, the hex echo, which prints one line and then only answers its input."""
    mods = echo_guest.modules(tempfile.mkdtemp(prefix="kestrel-conswitch."))
    kk = Kestrel(append=append, initrd=mods)
    kk.expect(r"\(d1\) " + re.escape(echo_guest.READY) + r"\r\n", 20)
    kk.wait_prompt(20)
    return kk


@pytest.fixture(scope="module")
def k():
    kk = boot_echo()
    yield kk
    kk.stop()


def switch_to_dom0(k, code=b"\x01", letter="a"):
    begin = k.mark()
    k.send(code * 3)
    k.expect(re.escape(TO_DOM0.format(c=letter)), 10)
    return k.output()[begin:k.pos].decode()


def switch_to_xen(k, code=b"\x01", letter="a"):
    begin = k.mark()
    k.send(code * 3)
    k.expect(re.escape(TO_XEN.format(c=letter)) + r"\(XEN\) $", 10)
    return k.output()[begin:k.pos].decode()


def to_domain(k, data):
    """Send data while the domain owns input; assert that what comes back is the domain's
    answer to it, and nothing else: no prompt, no echo of the shell's line editor."""
    begin = k.mark()
    k.send(data)
    k.expect(re.escape(echo_guest.answer(data)), 10)
    assert k.output()[begin:k.pos] == echo_guest.answer(data), k.output()[begin:]


def to_shell(k, line):
    """Run a shell command; assert that input did not switch on the way (no switch message,
    no answer from the domain). Returns the command's output."""
    begin = k.mark()
    out = k.cmd(line)
    seen = k.output()[begin:]
    assert b"Serial input to" not in seen and echo_guest.answer(line) not in seen, seen
    return out


def test_ctrl_a_three_times_switches_to_the_domain_and_back(k):
    out = switch_to_dom0(k)
    # The prompt line is cleared first, and no prompt follows: input is not for the shell.
    assert out == "\r\x1b[K" + TO_DOM0.format(c="a"), repr(out)
    # Typed input now goes to the domain, not to the shell: right after the switch message
    # comes the domain's answer, and only that.
    to_domain(k, b"help\r")
    out = switch_to_xen(k)
    assert out == TO_XEN.format(c="a") + "(XEN) ", repr(out)
    # The discarded line did not linger in the editor either.
    assert to_shell(k, "version").startswith("(XEN) Kestrel ")


def test_two_presses_do_not_switch(k):
    # The shell, not the domain, answers what follows two presses: 'v' broke the sequence.
    k.send(b"\x01\x01")
    assert to_shell(k, "version").startswith("(XEN) Kestrel ")
    # ...and the count starts again: one more press after the break does not switch.
    k.send(b"\x01")
    assert to_shell(k, "version").startswith("(XEN) Kestrel ")


def test_broken_sequence_is_replayed_to_the_owner(k):
    """CTRL-A CTRL-A x: the two held presses reach the shell before the x. The line editor
    ignores CTRL-A, but receiving any byte ends a TAB-TAB pair, so: 'd' TAB CTRL-A TAB
    must not list completions (it would if the CTRL-A had been lost)."""
    k.send(b"d\t")
    k.expect(rb"d\x07")                      # ambiguous: BEL, nothing listed yet
    k.mark()
    k.send(b"\x01\t")
    k.expect(rb"\x07")                       # a fresh first TAB: BEL again
    assert b"dmesg" not in k.quiet_for(0.3)
    assert k.raw(b"\x03").endswith(b"^C\r\n")
    # Control: without the CTRL-A the second TAB does list them.
    k.send(b"d\t")
    k.expect(rb"d\x07")
    k.send(b"\t")
    k.expect(rb"dmesg")
    k.raw(b"\x03")
    # CTRL-A CTRL-A x: the x goes to the shell (replayed presses first, then x).
    out = k.raw(b"\x01\x01x\r").decode()
    assert "unknown command 'x'" in out


def test_broken_sequence_while_a_domain_owns_input(k):
    switch_to_dom0(k)
    # Held, broken, one more: no switch; the domain gets the two held presses, then x...
    begin = k.mark()
    k.send(b"\x01\x01x\x01")
    k.expect(re.escape(echo_guest.answer(b"\x01\x01x")), 10)
    # ...and the last press only when y breaks it in turn.
    k.send(b"y\r")
    k.expect(re.escape(echo_guest.answer(b"\x01y\r")), 10)
    assert k.output()[begin:k.pos] == echo_guest.answer(b"\x01\x01x\x01y\r")
    switch_to_xen(k)
    assert to_shell(k, "version").startswith("(XEN) Kestrel ")


def test_round_trip_starts_a_fresh_line(k):
    k.send(b"vers")
    k.expect(b"vers")
    switch_to_dom0(k)
    switch_to_xen(k)
    # The shell starts a fresh line after coming back.
    out = k.raw(b"ion\r").decode()
    assert "unknown command 'ion'" in out


def test_conswitch_b():
    with boot_echo(append="conswitch=b") as kk:
        assert TO_XEN.format(c="b") in kk.text()
        kk.send(b"\x01\x01\x01")             # CTRL-A is now an ordinary (ignored) byte
        assert to_shell(kk, "version").startswith("(XEN) Kestrel ")
        switch_to_dom0(kk, b"\x02", "b")
        to_domain(kk, b"version\r")
        switch_to_xen(kk, b"\x02", "b")
        assert "  conswitch = b" in Kestrel.lines(kk.cmd("cmdline"))


def test_without_domains_the_keys_announce_xen_again():
    with Kestrel() as kk:
        kk.wait_prompt(20)
        out = switch_to_xen(kk)
        assert "\r\x1b[K" + TO_XEN.format(c="a") + "(XEN) " == out, repr(out)
        assert kk.cmd("version").startswith("(XEN) Kestrel ")
