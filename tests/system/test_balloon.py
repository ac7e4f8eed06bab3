"""Ballooning (issue 4): the balloon guest follows `mem-set` down and up, `list` shows what
it holds, and `mem-max`/`mem-set` refuse what they must with one-line errors."""
import re

import pytest

from kestrel import Kestrel, guest_elf, write_cfg

MEM, MAXMEM = 16, 32


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    d = tmp_path_factory.mktemp("balloon")
    cfg = write_cfg(d, "balloon.cfg", name="balloon", kernel="balloon.elf", memory=MEM,
                    maxmem=MAXMEM)
    kk = Kestrel(initrd=[guest_elf("balloon"), cfg])
    try:
        kk.expect(rf"\(d1\) balloon: target {MEM * 256} pages, holding {MEM * 256} pages\r\n",
                  30)
        kk.wait_prompt(10)
        yield kk
    finally:
        kk.stop()


def xen_lines(out):
    """A command's output lines without the domains' lines that came in between."""
    return [ln for ln in out.replace("\r", "").split("\n")
            if ln and ln != "(XEN) " and not re.match(r"(\(XEN\) )?(\x1b\[K)?\(d\d+\) ", ln)]


def one_line(out):
    lines = xen_lines(out)
    assert len(lines) == 1, lines
    return lines[0][6:]


def follow(k, mib, maxmem=MAXMEM):
    begin = k.mark()
    assert xen_lines(k.cmd(f"mem-set balloon {mib}")) == []
    k.pos = begin
    k.expect(rf"\(d1\) balloon: target {mib * 256} pages, holding {mib * 256} pages\r\n", 30)
    k.wait_prompt(10)
    row = k.xl_list()["balloon"]
    assert row["mem"] == mib
    assert re.search(rf"pages={mib * 256} max_pages={maxmem * 256} target={mib * 256}",
                     k.cmd("q"))


def test_list_shows_initial_memory(k):
    assert k.xl_list()["balloon"]["mem"] == MEM


def test_pages_left_in_a_split_2mib_run_keep_every_permission(k):
    """mem-set to an odd number of MiB gives back half of a 2 MiB run: the nested (NPT) or
    extended (EPT) page table entry of that run is split into 4 KiB entries and the released
    ones removed. The pages the guest keeps there must keep every permission the run had:
    the guest writes code into the last one and runs it (an EPT split that dropped the
    execute bit went unnoticed by every other test, none of which runs code there). It runs
    before the other mem-set tests: the run it splits must be one the domain was built with,
    not pages a balloon INCREASE mapped one by one."""
    row = k.xl_list()["balloon"]
    assert row["mem"] == MEM, row
    begin = k.mark()
    odd = MEM - 1
    assert xen_lines(k.cmd(f"mem-set balloon {odd}")) == []
    k.pos = begin
    page = odd * 256 - 1
    k.expect(rf"\(d1\) balloon: code runs in page {page:#x} beside released pages: ok\r\n",
             30)
    k.expect(rf"\(d1\) balloon: target {odd * 256} pages, holding {odd * 256} pages\r\n", 30)
    assert "BAD" not in k.text()
    k.wait_prompt(10)
    follow(k, MEM)


def test_balloon_follows_mem_set_down(k):
    follow(k, 8)
    assert "BAD" not in k.text()


def test_balloon_follows_mem_set_up_to_maxmem(k):
    follow(k, 12)
    follow(k, MAXMEM)
    assert "verified" in k.text() and "BAD" not in k.text()
    follow(k, MEM)


def test_mem_max_below_current_is_refused(k):
    assert one_line(k.cmd("mem-max balloon 4")) == \
        f"mem-max: 4 MiB is below what dom 1 holds ({MEM} MiB)"
    assert re.search(rf"max_pages={MAXMEM * 256} ", k.cmd("q"))


def test_mem_set_above_maxmem_is_refused(k):
    assert one_line(k.cmd(f"mem-set balloon {MAXMEM + 1}")) == \
        f"mem-set: {MAXMEM + 1} MiB is outside 1..{MAXMEM} MiB (maxmem)"
    assert one_line(k.cmd("mem-set balloon 0")) == \
        f"mem-set: 0 MiB is outside 1..{MAXMEM} MiB (maxmem)"
    assert k.xl_list()["balloon"]["mem"] == MEM


def test_mem_max_then_mem_set_respects_the_new_ceiling(k):
    assert xen_lines(k.cmd(f"mem-max balloon {MEM + 4}")) == []
    assert one_line(k.cmd(f"mem-set balloon {MEM + 8}")) == \
        f"mem-set: {MEM + 8} MiB is outside 1..{MEM + 4} MiB (maxmem)"
    follow(k, MEM + 4, maxmem=MEM + 4)

