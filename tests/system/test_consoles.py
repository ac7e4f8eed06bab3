"""Domain consoles (issue 4): CTRL-a x3 cycles serial input Xen -> each domain -> Xen with
Xen's messages; input for a domain goes raw to its UART (echo, in its hex mode, answers every
byte with its hex, which the shell's line editor would never print); `console <dom>` prints
the domain's backlog and attaches; while attached, other domains' lines stay in their rings;
unattached output appears as `(dN) ` lines."""
import os
import re
import time

import pytest

import echo_guest
from kestrel import Kestrel, ROOT, domain_lines

MSG = "(XEN) *** Serial input to {} (type 'CTRL-a' three times to switch input)\r\n"


def board_modules(tmp_path):
    """The default board's modules, its echo.cfg replaced by the same domain in hex mode."""
    mods = []
    for ln in open(os.path.join(ROOT, "boards", "qemu", "modules.list")):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            mods.append(os.path.join(ROOT, ln.split()[0]))
    i = mods.index(os.path.join(ROOT, "boards", "qemu", "echo.cfg"))
    mods[i - 1:i + 1] = echo_guest.modules(tmp_path, memory=8, on_poweroff="destroy",
                                           on_reboot="restart", on_crash="restart")
    return mods


@pytest.fixture
def k(boot, tmp_path):
    kk = boot(initrd=board_modules(tmp_path))
    kk.expect_all([r"\(d1\) hello: tick 1\r\n",
                   r"\(d2\) " + re.escape(echo_guest.READY) + r"\r\n", r"\(d3\) burn: "], 30)
    kk.wait_prompt(10)
    return kk


def switch(k, to):
    k.mark()
    k.send(b"\x01\x01\x01")
    k.expect(re.escape(MSG.format(to)), 10)


def test_unattached_output_is_prefixed_lines(k):
    text = k.output()
    for dom, first in ((1, "hello: "), (2, echo_guest.READY), (3, "burn: starting")):
        lines = domain_lines(text, dom)
        assert lines and lines[0].startswith(first)
    # Every byte of a domain's line is inside one "(dN) ...\r\n" line, never raw.
    assert not re.search(rb"(?<!\) )hello: tick \d+\r\n", text.replace(b"\r\x1b[K", b""))


def test_ctrl_a_cycles_xen_each_domain_xen(k):
    k.mark()
    k.send(b"\x01\x01\x01")
    m = k.expect(re.escape(MSG.format("DOM1")), 10)
    assert k.output()[m.start() - 4:m.start()] == b"\r\x1b[K"      # the prompt is cleared
    switch(k, "DOM2")
    switch(k, "DOM3")
    k.mark()
    k.send(b"\x01\x01\x01")
    k.expect(re.escape(MSG.format("Xen")) + r"\(XEN\) ", 10)
    assert k.cmd("version").startswith("(XEN) Kestrel ")


def test_input_to_echo_comes_back_raw(k):
    switch(k, "DOM1")
    switch(k, "DOM2")                       # echo
    # What comes back is the guest's answer (the hex of each byte), and only that: no
    # (d2) prefix while attached, no echo or prompt of the shell's.
    for data in (b"Hello, echo! 123\r", bytes(range(0x20, 0x7f)),
                 b"\x03\x7f\x08\x15\x17\t\x1b[A\x00\xff\n"):   # keys the shell would act on
        begin = k.mark()
        k.send(data)
        k.expect(re.escape(echo_guest.answer(data)), 10)
        assert k.output()[begin:k.pos] == echo_guest.answer(data)
    switch(k, "DOM3")
    switch(k, "Xen")
    for _ in range(5):          # echo is runnable for a moment 100 times a second (its PIT)
        state = k.xl_list()["echo"]["state"]
        if state == "-b----":
            break
    assert state == "-b----"


def test_attached_session_is_not_interleaved_and_console_shows_the_backlog(k):
    switch(k, "DOM1")
    switch(k, "DOM2")                       # attached to echo
    begin = k.mark()
    # hello keeps ticking meanwhile; wait for three ticks through its ring, not the line.
    k.send(b"ping\r")
    k.expect(re.escape(echo_guest.answer(b"ping\r")), 10)          # echo has it
    m0 = int(re.findall(rb"hello: tick (\d+)", k.output())[-1])
    # Nothing can be awaited here: the point is what does not arrive in 3.5 s (hello
    # ticks once a second), so this one waits by the clock.
    time.sleep(3.5)
    k.send(b"pong\r")
    k.expect(re.escape(echo_guest.answer(b"pong\r")), 10)
    attached = k.output()[begin:]
    assert b"(d1)" not in attached and b"hello: tick" not in attached
    assert b"(d3)" not in attached
    switch(k, "DOM3")
    switch(k, "Xen")
    k.wait_prompt(10)
    # `console hello`: the backlog holds the ticks made while we were with echo.
    begin = k.mark()
    k.send(b"console hello\r")
    k.expect(re.escape(MSG.format("DOM1")), 10)
    backlog = k.output()[begin:k.pos]
    ticks = [int(t) for t in re.findall(rb"^hello: tick (\d+)\r\n", backlog, re.M)]
    assert ticks and ticks[-1] >= m0 + 3, (m0, ticks)
    assert ticks == list(range(ticks[0], ticks[-1] + 1))           # none lost
    assert b"hello: magic 0x2badb002\r\n" in backlog               # from its boot
    assert b"\r\r\n" not in backlog
    assert b"(d1)" not in backlog                                  # raw, as attached
    # Attached now: hello's next line arrives raw.
    k.expect(rb"(?<!\) )hello: tick \d+\r\n", 5)
    switch(k, "DOM2")
    switch(k, "DOM3")
    switch(k, "Xen")


def test_console_errors(k):
    assert k.cmd("console foo").strip() == "(XEN) no domain 'foo'"
    assert "console <dom>" in k.cmd("console")
