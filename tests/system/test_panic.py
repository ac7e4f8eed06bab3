"""The panic path (`crash`, key `C`) with Xen's text, the reboot five seconds later (QEMU
resets: with -no-reboot it exits), `noreboot` halting with the serial line still whole,
and `reboot`/`R`."""
import re
import time

import pytest

from kestrel import Kestrel

pytestmark = pytest.mark.qemu_only(
    "the panic path and machine resets, seen as QEMU's -no-reboot exit; not a domain test")

STARS = r"\(XEN\) \*{40}\r\n"


def check_panic_text(out, message):
    """Xen's panic layout: stars, 'Panic on CPU 0:' (the shell runs on CPU 0), the message,
    registers, a call trace
    with symbol names, stars, an empty (XEN) line."""
    m = re.search(STARS + r"\(XEN\) Panic on CPU 0:\r\n\(XEN\) " + re.escape(message) + r"\r\n"
                  r"(?P<body>(?:\(XEN\) .*\r\n)*?)" + STARS + r"\(XEN\) ?\r\n", out)
    assert m, out[-4000:]
    body = m.group("body")
    for reg in ("RIP:    0008:[<", "RFLAGS:", "rax:", "rbp:", "rsp:", "cr3:"):
        assert reg in body, reg
    trace = body[body.index("(XEN) Xen call trace:"):]
    frames = re.findall(r"^\(XEN\)    \[<([0-9a-f]{16})>\] [RF] (\w+)\+0x([0-9a-f]+)/0x([0-9a-f]+)",
                        trace, re.M)
    assert frames, trace
    names = [f[1] for f in frames]
    assert names[0] == "panic", names
    assert "cmd_crash" in names and "shell_execute" in names and "kmain" in names, names
    for _, _, off, size in frames:
        assert int(off, 16) < int(size, 16)
    # The RIP line and the first trace frame agree.
    rip = re.search(r"RIP:    0008:\[<([0-9a-f]{16})>\]", body).group(1)
    assert frames[0][0] == rip
    return m


def test_crash_panics_and_reboots_after_five_seconds():
    with Kestrel() as k:                     # -no-reboot: a reset makes QEMU exit
        k.wait_prompt(20)
        k.send("crash\r")
        k.expect(r"\(XEN\) Reboot in five seconds\.\.\.\r\n", 10)
        t_msg = time.monotonic()
        check_panic_text(k.text(), "'crash' pressed -> triggering crash")
        rc = k.wait_exit(8)
        waited = time.monotonic() - t_msg
        assert rc is not None, "QEMU did not reset within 8 s of the panic"
        assert 4.0 <= waited <= 8.0 * k.slow, waited
        # Nothing was printed after the reboot notice (no prompt, no second panic).
        assert k.text().endswith("Reboot in five seconds...\r\n")


def test_crash_reboots_into_kestrel_again():
    """Without -no-reboot the machine really resets and boots the image again."""
    with Kestrel(reboot=True) as k:
        k.wait_prompt(20)
        k.send("C")
        k.send("\r")
        k.expect(r"Reboot in five seconds\.\.\.", 10)
        check_panic_text(k.text(), "'C' pressed -> triggering crash")
        k.expect(r"\(XEN\) Kestrel hypervisor \S+ \(x86-64\)", 15)
        k.wait_prompt(10)
        assert k.text().count("Kestrel hypervisor") == 2
        assert k.cmd("version").startswith("(XEN) Kestrel ")


@pytest.mark.parametrize("smp", [1, 4])
def test_noreboot_halts_with_manual_reset_message(smp):
    """With several CPUs the panicking one first stops the others (an NMI each, after which
    they halt): the text is the same, and the machine stays halted."""
    with Kestrel(append="noreboot", smp=smp) as k:
        k.wait_prompt(20)
        k.send("C\r")
        k.expect(r"\(XEN\) Manual reset required \('noreboot' specified\)\r\n", 10)
        check_panic_text(k.text(), "'C' pressed -> triggering crash")
        assert "Reboot in five seconds" not in k.text()
        # Halted, not reset: QEMU keeps running, prints nothing more, ignores input.
        time.sleep(6)
        assert k.proc.poll() is None
        k.send("version\r\x01\x01\x01")
        assert k.quiet_for(0.5) == b""
        assert k.text().endswith("Manual reset required ('noreboot' specified)\r\n")


@pytest.mark.parametrize("how", ["reboot", "R"])
def test_reboot_resets_the_machine(how):
    with Kestrel() as k:
        k.wait_prompt(20)
        t0 = time.monotonic()
        k.send(how + "\r")
        k.expect(r"rebooting the machine\r\n", 5)
        assert k.wait_exit(5) is not None, "QEMU did not reset"
        assert time.monotonic() - t0 < 5 * k.slow
