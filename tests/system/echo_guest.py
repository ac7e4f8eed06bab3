"""The echo guest in its `mode=hex` (guests/echo/main.c): it answers each byte it reads with
two hex digits, and CR or LF also with a line end. Tests that must prove serial input reached
a domain type text and wait for this answer: the shell's line editor echoes what is typed
but never prints its hex, so only the guest can have sent it."""
from kestrel import guest_elf, write_cfg

READY = "echo: ready (hex)"


def answer(data):
    """What the hex echo sends back for the bytes `data` (bytes or text), as bytes."""
    if isinstance(data, str):
        data = data.encode()
    out = bytearray()
    for b in data:
        out += b"%02x" % b
        if b in (0x0d, 0x0a):
            out += b"\r\n"
    return bytes(out)


def modules(directory, name="echo", memory=4, **keys):
    """Boot modules for one hex echo domain: [echo.elf, <name>.cfg]."""
    cfg = write_cfg(directory, f"{name}.cfg", name=name, kernel="echo.elf", memory=memory,
                    extra="mode=hex", **keys)
    return [guest_elf("echo"), cfg]
