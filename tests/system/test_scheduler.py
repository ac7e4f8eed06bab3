"""The weighted scheduler (issue 4): CPU-bound domains share the CPU by weight over 10 s,
a blocked domain costs nothing, and the hypervisor idles when every vCPU is blocked.
Shares are measured with `list`'s Time(s); hello's once-a-second ticks are the clock."""
import re
import time

import pytest

from kestrel import guest_elf, write_cfg

WINDOW = 10            # seconds (hello ticks) measured


def start(boot, tmp_path, weights):
    mods = [guest_elf("burn"), guest_elf("hello")]
    for i, w in enumerate(weights):
        mods.append(write_cfg(tmp_path, f"b{i}.cfg", name=f"burn{i}", kernel="burn.elf",
                              memory=4, extra="report=0", cpu_weight=w))
    mods.append(write_cfg(tmp_path, "hello.cfg", name="hello", kernel="hello.elf", memory=4))
    k = boot(initrd=mods)
    k.expect(r"\(d\d+\) hello: tick 1\r\n", 30)
    k.wait_prompt(10)
    return k


def ticks(k, n):
    for _ in range(n):
        k.expect(r"\(d\d+\) hello: tick \d+\r\n", 5)


def measure(k, names):
    r0 = k.xl_list()
    t0 = time.monotonic()
    ticks(k, WINDOW)
    r1 = k.xl_list()
    wall = time.monotonic() - t0
    return {n: r1[n]["time"] - r0[n]["time"] for n in names}, wall, r1


def test_two_equal_burns_get_half_each_and_blocked_hello_costs_nothing(boot, tmp_path):
    k = start(boot, tmp_path, [256, 256])
    d, wall, rows = measure(k, ["burn0", "burn1", "hello"])
    total = d["burn0"] + d["burn1"]
    assert total >= 0.85 * WINDOW, (d, wall)            # the burns had the CPU
    for n in ("burn0", "burn1"):
        assert abs(d[n] / total - 0.5) <= 0.05, d
    assert d["hello"] <= 0.1, d                         # blocked: ~nothing
    # Blocked between its ticks: `list` comes right after a tick line, and on a loaded host
    # hello may not have gone back to HC_BLOCK yet; it is blocked at one of a few looks.
    for _ in range(5):
        if rows["hello"]["state"] == "-b----":
            break
        time.sleep(0.1)
        rows = k.xl_list()
    assert rows["hello"]["state"] == "-b----"
    # With both burns paused only the blocked hello is left: the hypervisor idles (hlt).
    k.cmd("pause burn0")
    k.cmd("pause burn1")
    idle = lambda: int(re.search(r"idle (\d+) ms", k.cmd("r")).group(1))   # noqa: E731
    i0, t0 = idle(), time.monotonic()
    ticks(k, 3)
    i1, wall = idle(), time.monotonic() - t0
    # Idle for most of the time that passed (the first of the three ticks may come at once,
    # so the window is what the host clock measured, not three seconds).
    assert i1 - i0 >= 0.7 * 1000 * wall, (i0, i1, wall)
    assert k.xl_list()["burn0"]["state"] == "--p---"


def test_weights_one_to_two_give_a_third_and_two_thirds(boot, tmp_path):
    k = start(boot, tmp_path, [256, 512])
    q = k.cmd("q")
    assert re.search(r"\(burn0\):\r\n\(XEN\) .*weight=256", q)
    assert re.search(r"\(burn1\):\r\n\(XEN\) .*weight=512", q)
    # Each runnable vCPU's slice is its weight's share of the 10 ms period.
    r = k.cmd("r")
    assert re.search(r"period 10 ms", r), r
    slices = {int(w): int(us) for w, us in
              re.findall(r"weight (\d+) vruntime \d+ ran \d+ ms slice (\d+) us", r)}
    assert slices == {256: 3333, 512: 6666}, r
    d, wall, _ = measure(k, ["burn0", "burn1"])
    total = d["burn0"] + d["burn1"]
    assert total >= 0.85 * WINDOW, (d, wall)
    assert abs(d["burn0"] / total - 1 / 3) <= 0.05, d
    assert abs(d["burn1"] / total - 2 / 3) <= 0.05, d


def test_guest_timers_are_kept_between_host_ticks_beside_a_cpu_hog(boot, tmp_path):
    """A guest's PIT at 1000 Hz and its 1 ms HC_BLOCK sleeps, beside a domain that never
    stops computing: the host timer is armed for the waiting guest's next event and the
    waker preempts the hog, so the PIT's interrupts arrive at (about) its rate and a 1 ms
    sleep takes about 1 ms. With wake-ups only at the 100 Hz host tick the guest got ~50
    of 500 irqs and each sleep took ~10 ms. The bounds sit where a loaded 2-core host still
    clears them and tick-only wake-ups never can: twice the irqs the 100 Hz host tick can
    deliver (one core busy beside this run: 499-774 of 1000; both cores busy: 293, which
    failed the old 1/3 bound; tick-only: ~100) and sleeps under half a tick each (loaded:
    80-140 ms for the 50, which the old 3 ms-each bound nearly failed; tick-only: ~500 ms).
    The figures themselves are bench/timer_bench.py's."""
    mods = [guest_elf("timer"), guest_elf("burn"),
            write_cfg(tmp_path, "burn.cfg", name="burn", kernel="burn.elf", memory=4,
                      extra="report=0"),
            write_cfg(tmp_path, "timer.cfg", name="timer", kernel="timer.elf", memory=4,
                      extra="pit_hz=1000 ms=1000 sleeps=50 sleep_us=1000")]
    k = boot(initrd=mods)
    m = k.expect(r"\(d2\) timer: pit 1000 Hz: (\d+) irqs in (\d+) ms\r\n", 60)
    irqs, ms = int(m.group(1)), int(m.group(2))
    assert irqs >= ms // 5, (irqs, ms)                     # >= 200 of ~1000 (tick-only: ~100)
    m = k.expect(r"\(d2\) timer: 50 sleeps of 1000 us took (\d+) us\r\n", 60)
    assert int(m.group(1)) <= 50 * 5000, m.group(0)       # < 5 ms each (tick-only: ~10 ms)
    k.expect(r"\(d2\) timer: done", 10)
    assert "burn" in k.xl_list()                           # the hog kept running
