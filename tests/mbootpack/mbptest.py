"""Helpers for tests/system/test_mbootpack.py: run the tool, boot QEMU and read the
mbinfo test kernel's report, drive Kestrel's shell, make broken kernels."""

import io
import re
import struct
import subprocess
import time

import pexpect

QEMU = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-display", "none",
        "-no-reboot", "-monitor", "none", "-nodefaults", "-no-user-config",
        "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def run(cmd, **kw):
    """Run cmd, returning the CompletedProcess (text mode, output captured)."""
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def boot(*args, mem=256, timeout=60):
    """Boot QEMU with args until mbinfo exits; return its serial output."""
    cmd = QEMU + ["-m", str(mem)] + list(args)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"QEMU timed out: {cmd}\n{(e.stdout or b'').decode(errors='replace')}")
    out = p.stdout.decode(errors="replace")
    assert "MBINFO END" in out, f"{cmd}\n{out}\n{p.stderr.decode(errors='replace')}"
    return out


FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse(out):
    """Parse mbinfo's report into a dict (mods and mmap as lists)."""
    body = out.split("MBINFO BEGIN\n", 1)[1].split("MBINFO END", 1)[0]
    info = {"mods": [], "mmap": []}
    for line in body.splitlines():
        fields = {k: v[1:-1] if v.startswith('"') else v for k, v in FIELD.findall(line)}
        if line.startswith("mod["):
            info["mods"].append(fields)
        elif line.startswith("mmap["):
            info["mmap"].append(line.split(" ", 1)[1])
        else:
            info.update(fields)
    return info


def args_of(cmdline):
    """The command line without its first word (the kernel's name or path)."""
    return cmdline.split(" ", 1)[1] if " " in cmdline else ""


def mb_header_offset(data):
    """Offset of the first Multiboot header magic in data."""
    return data.index((0x1BADB002).to_bytes(4, "little"))


def write(path, data):
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def elf32_overlapping(path):
    """An ELF32 Multiboot kernel whose two PT_LOAD segments overlap."""
    img = bytearray(0x3000)
    img[0:16] = b"\x7fELF\x01\x01\x01" + bytes(9)
    struct.pack_into("<HHIIIIIHHHHHH", img, 16, 2, 3, 1, 0x100000, 52, 0, 0, 52, 32, 2,
                     0, 0, 0)
    for i, paddr in enumerate((0x100000, 0x100800)):
        struct.pack_into("<8I", img, 52 + 32 * i, 1, 0x1000 + 0x1000 * i, paddr, paddr,
                         0x1000, 0x1000, 5, 0x1000)
    struct.pack_into("<3I", img, 0x200, 0x1BADB002, 3, (-(0x1BADB002 + 3)) & 0xffffffff)
    return write(path, bytes(img))


def boot_fails(img, text, mem=256):
    """Boot img, expecting the 32-bit loader to print text and halt."""
    p = pexpect.spawn(QEMU[0], QEMU[1:] + ["-m", str(mem), "-kernel", img], timeout=20,
                      encoding="utf-8", codec_errors="replace")
    try:
        p.expect_exact(text)
    finally:
        p.close(force=True)


MAP_LINE = re.compile(r"\(XEN\)  \[[0-9a-f]{16}, [0-9a-f]{16}\] \(\w+\)")


def kestrel_session(*args, commands=()):
    """Boot Kestrel and wait for its prompt; for each (command, text) in commands
    type the command and wait for text in its output; return all output."""
    log = io.StringIO()
    p = pexpect.spawn(QEMU[0], QEMU[1:] + ["-m", "256"] + list(args), timeout=30,
                      encoding="utf-8", codec_errors="replace")
    p.logfile_read = log
    try:
        p.expect(r"\(XEN\) \*\*\* Serial input to Xen")
        for command, text in commands:
            time.sleep(0.5)
            p.send(command + "\r")
            p.expect_exact(command)
            p.expect_exact(text, timeout=10)
        return log.getvalue().replace("\r", "")
    finally:
        p.close(force=True)
