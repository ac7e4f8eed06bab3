"""Serial input switching, as Xen's serial_rx does it: CTRL-<conswitch>x3 moves input between
the (XEN) shell and a domain (here `clihlt`, which never reads its UART, so what it is sent
is simply held by it); a broken sequence is replayed to the current owner; conswitch=
changes the letter. With no domain at all, the keys re-announce that input is with Xen."""
import os
import re
import tempfile

import pytest

from kestrel import Kestrel, ROOT

TO_DOM0 = "(XEN) *** Serial input to DOM1 (type 'CTRL-{c}' three times to switch input)\r\n"
TO_XEN = "(XEN) *** Serial input to Xen (type 'CTRL-{c}' three times to switch input)\r\n"


def one_quiet_domain():
    """Modules for a single domain that prints one line and then sleeps with cli; hlt."""
    d = tempfile.mkdtemp(prefix="kestrel-conswitch.")
    cfg = os.path.join(d, "quiet.cfg")
    with open(cfg, "w") as f:
        f.write('name = "quiet"\nkernel = "clihlt.elf"\nmemory = 4\n')
    return [os.path.join(ROOT, "build", "guests", "clihlt.elf"), cfg]


def boot_quiet(append=""):
    kk = Kestrel(append=append, initrd=one_quiet_domain())
    kk.expect(r"\(d1\) clihlt: 1\r\n", 20)
    kk.wait_prompt(20)
    return kk


@pytest.fixture(scope="module")
def k():
    kk = boot_quiet()
    yield kk
    kk.stop()


def switch_to_dom0(k, code=b"\x01", letter="a"):
    begin = k.mark()
    k.send(code * 3)
    k.expect(re.escape(TO_DOM0.format(c=letter)), 3)
    return k.output()[begin:k.pos].decode()


def switch_to_xen(k, code=b"\x01", letter="a"):
    begin = k.mark()
    k.send(code * 3)
    k.expect(re.escape(TO_XEN.format(c=letter)) + r"\(XEN\) $", 3)
    return k.output()[begin:k.pos].decode()


def test_ctrl_a_three_times_switches_to_the_domain_and_back(k):
    out = switch_to_dom0(k)
    # The prompt line is cleared first, and no prompt follows: input is not for the shell.
    assert out == "\r\x1b[K" + TO_DOM0.format(c="a"), repr(out)
    assert k.quiet_for(0.3) == b""
    # Typed input now goes to the domain (which never reads it), not to the shell.
    k.send(b"help\r")
    assert k.quiet_for(0.5) == b""
    out = switch_to_xen(k)
    assert out == TO_XEN.format(c="a") + "(XEN) ", repr(out)
    # The discarded line did not linger in the editor either.
    assert k.cmd("version").startswith("(XEN) Kestrel ")


def test_two_presses_do_not_switch(k):
    k.send(b"\x01\x01")
    assert k.quiet_for(0.3) == b""
    assert k.cmd("version").startswith("(XEN) Kestrel ")   # 'v' broke the sequence
    # ...and the count starts again: one more press after the break does not switch.
    k.send(b"\x01")
    assert k.quiet_for(0.3) == b""
    assert k.cmd("version").startswith("(XEN) Kestrel ")


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
    k.send(b"\x01\x01x\x01")                # held, broken, one more: no switch
    assert k.quiet_for(0.3) == b""
    switch_to_xen(k)
    assert k.cmd("version").startswith("(XEN) Kestrel ")


def test_round_trip_starts_a_fresh_line(k):
    k.send(b"vers")
    k.expect(b"vers")
    switch_to_dom0(k)
    switch_to_xen(k)
    # The shell starts a fresh line after coming back.
    out = k.raw(b"ion\r").decode()
    assert "unknown command 'ion'" in out


def test_conswitch_b():
    with boot_quiet(append="conswitch=b") as kk:
        assert TO_XEN.format(c="b") in kk.text()
        kk.send(b"\x01\x01\x01")             # CTRL-A is now an ordinary (ignored) byte
        assert kk.quiet_for(0.3) == b""
        assert kk.cmd("version").startswith("(XEN) Kestrel ")
        switch_to_dom0(kk, b"\x02", "b")
        kk.send(b"version\r")
        assert kk.quiet_for(0.4) == b""
        switch_to_xen(kk, b"\x02", "b")
        assert "  conswitch = b" in Kestrel.lines(kk.cmd("cmdline"))


def test_without_domains_the_keys_announce_xen_again():
    with Kestrel() as kk:
        kk.wait_prompt(20)
        out = switch_to_xen(kk)
        assert "\r\x1b[K" + TO_XEN.format(c="a") + "(XEN) " == out, repr(out)
        assert kk.cmd("version").startswith("(XEN) Kestrel ")
