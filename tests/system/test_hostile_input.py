"""Hostile load on the operator's side (issue 7): 1 MiB of random bytes on the serial input
leaves a shell that still answers; the log ring keeps lines up to its capacity and says how
many it dropped beyond that."""
import random
import re
import threading

import pytest

from kestrel import Kestrel

pytestmark = pytest.mark.qemu_only(
    "operator input and the log ring, no domains; not a domain test")

# Bytes left out of the stream, because with them random input could legitimately do what
# an operator asked: CTRL-A (three in a row hand input to a domain), 'R' and 'C' (the reboot
# and crash keys), 'b' and 'h' (so no line editing can ever spell `reboot` or `crash`).
# Every other byte value, escape sequences and line editing keys included, stays in.
LEFT_OUT = {0x01, ord("R"), ord("C"), ord("b"), ord("h")}


def random_stream(size, seed):
    rng = random.Random(seed)
    data = bytes(b for b in rng.randbytes(size + size // 16) if b not in LEFT_OUT)[:size]
    assert len(data) == size
    return data


@pytest.mark.soak                       # make test: test_robustness.py's 64 KiB of random bytes
def test_one_mebibyte_of_garbage_then_a_command_answers(boot):
    k = boot(append="")
    k.wait_prompt()
    data = random_stream(1 << 20, seed=7)
    sender = threading.Thread(target=k.send, args=(data,))
    sender.start()
    sender.join(180)
    assert not sender.is_alive(), "the hypervisor stopped taking input"
    k.send(b"\x03")                      # cancel whatever half line is left
    out = k.cmd("version", timeout=60)
    assert re.search(r"^\(XEN\) Kestrel \S+ \(x86-64\)", out, re.M), out
    assert "Panic on CPU" not in k.text()


def test_log_ring_keeps_what_fits_and_counts_the_rest(boot):
    n = 780          # Multiboot command lines are taken up to 4 KiB
    opts = " ".join(f"j{i:03d}" for i in range(n))
    k = boot(append="conring_size=16k loglvl=error " + opts)
    k.wait_prompt(30)
    out = k.cmd("dmesg", timeout=30)
    m = re.search(r"\[(\d+) older lines dropped: conring_size=16384\]", out)
    assert m, out[:2000]
    dropped = int(m.group(1))
    held = re.findall(r"unknown boot option 'j(\d{3})' ignored", out)
    assert held, out[:2000]
    # The newest lines are kept, the oldest dropped, none lost in between.
    nums = [int(x) for x in held]
    assert nums == list(range(nums[0], n)), (nums[:5], nums[-5:])
    assert nums[0] > 0
    # Every junk line is either held or counted as dropped (plus any older boot lines).
    assert dropped >= nums[0]
    total_bytes = sum(len(l) for l in out.splitlines())
    assert total_bytes < 2 * 16384
