"""Garbage in, a working shell out: 64 KiB of random bytes at the prompt, a flood of
log-producing commands, the log ring under load, and garbage boot command lines."""
import random
import re
import time

import pytest

from kestrel import Kestrel

pytestmark = pytest.mark.qemu_only(
    "the line editor, log ring and boot options without domains; not a domain test")

DANGEROUS = {"R", "C", "reboot", "crash"}


def editor_lines(data, max_len=255):
    """Model of the shell's line editor, enough to know which lines a byte stream runs:
    printable insert at the cursor, BS/DEL, CTRL-U, CTRL-W, CTRL-C, CR/LF/CRLF, ESC [ / ESC O
    sequences (arrows, Home/End, 3~ delete, history up/down), over-long lines dropped. TAB is
    not modelled: callers keep it out of the stream."""
    lines, hist = [], []
    buf, cur, toolong = [], 0, False
    esc, param, sep = None, 0, False
    hpos, saved = 0, []
    after_cr = False

    def recall(text):
        nonlocal buf, cur
        buf = list(text)
        cur = len(buf)

    for b in data:
        was_cr, after_cr = after_cr, False
        if was_cr and b in (0x0a, 0x00):
            continue
        if esc == "start":
            if b in (0x5b, 0x4f):
                esc, param, sep = "seq", 0, False
                continue
            if b == 0x1b:
                continue
            esc = None
        elif esc == "seq":
            if 0x30 <= b <= 0x39:
                if not sep and param <= 9999:
                    param = param * 10 + b - 0x30
                continue
            if b == 0x3b:
                sep = True
                continue
            if 0x20 <= b <= 0x3f:
                continue
            if 0x40 <= b <= 0x7e:
                esc = None
                final = chr(b)
                if final == "~":
                    final = {1: "H", 7: "H", 4: "F", 8: "F"}.get(param, "~")
                    if param == 3 and cur < len(buf):
                        del buf[cur]
                if final == "A" and hpos < len(hist):
                    if hpos == 0:
                        saved = list(buf)
                    hpos += 1
                    recall(hist[-hpos])
                elif final == "B" and hpos > 0:
                    hpos -= 1
                    recall(hist[-hpos] if hpos else saved)
                elif final == "C" and cur < len(buf):
                    cur += 1
                elif final == "D" and cur > 0:
                    cur -= 1
                elif final == "H":
                    cur = 0
                elif final == "F":
                    cur = len(buf)
                continue
            esc = "start" if b == 0x1b else None
            if b == 0x1b:
                continue
        if b in (0x0d, 0x0a):
            after_cr = b == 0x0d
            if not toolong:
                text = "".join(buf)
                lines.append(text)
                if text and (not hist or hist[-1] != text):
                    hist.append(text)
                    hist[:] = hist[-32:]
            buf, cur, toolong, hpos = [], 0, False, 0
        elif b == 0x1b:
            esc = "start"
        elif b in (0x08, 0x7f):
            if cur > 0:
                del buf[cur - 1]
                cur -= 1
        elif b == 0x15:
            del buf[:cur]
            cur = 0
        elif b == 0x17:
            i = cur
            while i > 0 and buf[i - 1] == " ":
                i -= 1
            while i > 0 and buf[i - 1] != " ":
                i -= 1
            del buf[i:cur]
            cur = i
        elif b == 0x03:
            buf, cur, toolong, hpos = [], 0, False, 0
        elif 0x20 <= b < 0x7f:
            if len(buf) >= max_len:
                toolong = True
            else:
                buf.insert(cur, chr(b))
                cur += 1
    return lines


def shell_argv(line):
    """The shell's tokenizer: words split at spaces and tabs, double quotes grouping and
    dropped; None when the line is refused (unmatched quote, more than 16 words)."""
    words, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return words
        if len(words) == 16:
            return None
        word, quoted = [], False
        while i < n and (quoted or line[i] not in " \t"):
            if line[i] == '"':
                quoted = not quoted
            else:
                word.append(line[i])
            i += 1
        if quoted:
            return None
        words.append("".join(word))
        i += 1


def first_word(line):
    argv = shell_argv(line)
    return argv[0] if argv else ""


def help_names(k):
    """Command names and keys, from `help` and `h`."""
    names = re.findall(r"^\(XEN\)  (\S+) ", k.cmd("help"), re.M)
    keys = re.findall(r"^\(XEN\)  key '(.)'", k.cmd("h"), re.M)
    return names + keys


def random_stream(seed, size=64 * 1024):
    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(size))
    # 0x01 would switch input away; TAB could complete any command name.
    return data.replace(b"\x01", b"").replace(b"\t", b"")


# Byte streams, the lines the line editor makes of them, and the first word the shell then
# runs of each (its argv[0]; None: the shell refuses the line). None of the words is a command,
# so Kestrel reports each one it runs as unknown.
KNOWN_SEQUENCES = [
    (b"abx\x08c\r", ["abc"], ["abc"]),                           # backspace
    (b'"x y\x17z"\r\n', ['"x z"'], ["x z"]),                      # CTRL-W; CRLF is one end
    (b"ac\x1b[Db\r", ["abc"], ["abc"]),                          # left arrow, insert
    (b"one\rtwo\r\x1b[A\x1b[A\r", ["one", "two", "one"], ["one", "two", "one"]),  # history
    (b"R\x03" + b"a" * 300 + b"\r", [], []),                     # CTRL-C; too long: not run
    (b'"b c"d e\r', ['"b c"d e'], ["b cd"]),                      # quotes group, are dropped
    (b'x "y\r', ['x "y'], [None]),                                # unmatched quote: refused
]


def test_editor_model_agrees_with_known_sequences():
    """The model the 64 KiB test predicts with, and Kestrel itself, make the same lines and
    run the same words of each known stream."""
    for data, lines, words in KNOWN_SEQUENCES:
        assert editor_lines(data) == lines, data
        assert [first_word(ln) if shell_argv(ln) is not None else None
                for ln in lines] == words, data
    with Kestrel() as k:
        k.wait_prompt(20)
        for i, (data, lines, words) in enumerate(KNOWN_SEQUENCES):
            # A marker line after the stream: its report says the shell is done with it.
            begin = k.mark()
            k.send(data + b"marker%d\r" % i)
            k.expect(rf"^\(XEN\) unknown command 'marker{i}' \(try 'help'\)\r$", 20)
            out = k.output()[begin:k.pos].decode(errors="replace")
            ran = re.findall(r"^\(XEN\) unknown command '(.*)' \(try 'help'\)\r$", out, re.M)
            assert ran[:-1] == [w for w in words if w is not None], (data, out)
            assert out.count("unmatched '\"'") == words.count(None), (data, out)
            assert ("line too long" in out) == (len(data) > 255), (data, out)


def test_64k_random_bytes_then_a_working_shell():
    data = random_stream(20240601)
    ran = [first_word(ln) for ln in editor_lines(data)]
    assert len(ran) > 100                              # the stream does run lines...
    assert not DANGEROUS & set(ran), DANGEROUS & set(ran)   # ...but none of these
    with Kestrel() as k:
        k.wait_prompt(20)
        t0 = time.monotonic()
        for i in range(0, len(data), 4096):
            k.send(data[i:i + 4096])
        k.send(b"\x03")
        k.send(b"\r")
        # Wait for the shell to catch up: a marker command after the garbage answers.
        k.send(b"\x03version\r")
        k.expect(r"\(XEN\) Kestrel \S+ \(x86-64\), built with", 120)
        k.wait_prompt(30)
        elapsed = time.monotonic() - t0
        out = k.text()
        assert "Panic on CPU" not in out and "Reboot in" not in out
        assert out.count("Kestrel hypervisor") == 1            # never rebooted
        assert k.proc.poll() is None
        assert k.cmd("uptime").startswith("(XEN) up ")
        assert "threshold" in k.cmd("loglvl warning")
        assert "Kestrel" in k.cmd("version")
        # The shell ran exactly the lines the model predicts: every word it did not know
        # is reported, in order (a real command the garbage happens to spell, such as '*',
        # runs instead).
        known = set(help_names(k))
        want = [w for w in ran if w and w not in known]
        got = re.findall(r"^\(XEN\) unknown command '(.*)' \(try 'help'\)\r$", out, re.M)
        assert len(want) > 100 and got == want
        assert elapsed < 120 * k.slow


def test_log_flood_keeps_lines_and_dmesg_shows_them():
    with Kestrel(append="conring_size=16K") as k:
        k.wait_prompt(20)
        # 'd' logs ~12 lines per press; 200 presses overflow a 16 KiB ring many times.
        k.mark()
        k.send(b"d\r" * 200)
        for _ in range(200):
            k.expect(r"'d' pressed -> dumping registers", 30)
        k.wait_prompt(30)
        out = k.cmd("dmesg")
        assert re.search(r"^\(XEN\) \[\d+ older lines dropped: conring_size=16384\]", out, re.M), \
            out[:300]
        lines = [ln for ln in Kestrel.lines(out)[1:] if ln]
        # The ring holds the newest lines, whole and in order, close to its size.
        assert lines[-1].startswith("ds: 0010")
        assert 8 * 1024 < sum(len(ln) + 1 for ln in lines) <= 16 * 1024
        assert all(not ln.startswith("(XEN)") for ln in lines)
        assert "Kestrel" in k.cmd("version")


def test_flood_of_mixed_commands():
    cmds = [b"help", b"m", b"t", b"w", b"q", b"r", b"0", b"cmdline", b"xd 0x100000 256",
            b"foo", b"dmesg 5"]
    with Kestrel() as k:
        k.wait_prompt(20)
        k.send(b"\r".join(cmds * 10) + b"\rversion\r")
        k.expect(r"\(XEN\) Kestrel \S+ \(x86-64\), built with", 60)
        k.wait_prompt(20)
        out = k.text()
        assert out.count("unknown command 'foo'") == 10
        assert out.count("'h' pressed") == 0 and out.count("Physical memory:") == 10
        assert "Kestrel" in k.cmd("version")


GARBAGE = [
    ("x" * 4000, r"boot option 'x{40}\.\.\.' is 4000 bytes long"),
    ("\x7f\x7e\x10\x11\x12 ~!@#$%^&*() \x1b[31m", r"unknown boot option"),
    ("com1=garbage", r"bad value 'com1=garbage'"),
    ("conring_size=abc", r"bad value 'conring_size=abc'"),
    ("loglvl=bogus", r"bad value 'loglvl=bogus'"),
    ("com1=115200,8n1,0x3f8,999", r"bad value 'com1=115200,8n1,0x3f8,999'"),
]


@pytest.mark.parametrize("append,rx", GARBAGE, ids=["long", "binary", "com1", "conring",
                                                   "loglvl", "irq"])
def test_garbage_boot_command_line(append, rx):
    with Kestrel(append=append) as k:
        k.wait_prompt(20)
        assert re.search(rx, k.text()), k.text()[:2000]
        assert "Kestrel" in k.cmd("version")
        assert "  com1 = 115200/1843200,8n1,0x3f8,4" in Kestrel.lines(k.cmd("cmdline"))


def test_mem_0_means_no_limit():
    """mem=0 is not an error in Xen's syntax: it means no limit, and cmdline says so."""
    with Kestrel(append="mem=0", mem=128) as k:
        k.wait_prompt(20)
        assert "  mem = 0 (no limit)" in Kestrel.lines(k.cmd("cmdline"))
        total = int(re.search(r"total: +(\d+) KiB", k.cmd("meminfo")).group(1))
        assert total > 0.9 * 128 * 1024
