"""xl's on_*=rename-restart: the domain that stopped stays (shut down or crashed, for `dump`
and its console), renamed "<name>-<UTC yyyymmddThhmm>Z" as xl's preserve_domain names it,
and a new domain is built from the same cfg under the old name."""
import re
import time

from kestrel import guest_elf, write_cfg

LONG = "a-name-of-the-longest-kind-31ch"            # 31 characters: Kestrel's limit (below)


def stamps():
    """The stamps xl would write now (and a minute on, should the test cross a minute)."""
    now = time.time()
    return {time.strftime("-%Y%m%dT%H%MZ", time.gmtime(t)) for t in (now, now + 60)}


def test_rename_restart_keeps_the_old_domain_under_a_stamped_name(boot, tmp_path):
    mods = [guest_elf("hello"),
            write_cfg(tmp_path, "rr.cfg", name="rr", kernel="hello.elf", memory=4,
                      on_poweroff="rename-restart", on_crash="rename-restart"),
            write_cfg(tmp_path, "long.cfg", name=LONG, kernel="hello.elf", memory=4,
                      on_poweroff="rename-restart"),
            write_cfg(tmp_path, "longer.cfg", name=LONG + "x", kernel="hello.elf", memory=4)]
    k = boot(initrd=mods)
    # LONG is the longest name Kestrel takes: one character more is refused.
    k.expect(r"longer\.cfg:\d+: name: must be 1\.\.31 characters, got 32; domain not built\r\n",
             30)
    k.expect_all([r"\(d1\) hello: domain 1 ", r"\(d2\) hello: domain 2 "], 30)
    k.wait_prompt(10)
    assert sorted(k.xl_list()) == sorted(["rr", LONG])
    expected = stamps()
    time.sleep(1.2)                     # restarts come no sooner than 1 s after a build
    begin = k.mark()
    out = k.cmd("shutdown rr")
    k.pos = begin                       # the new domain's lines may come with the output
    assert "on_poweroff=rename-restart" in out, out
    m = re.search(r"d1 \(rr\): preserved as '(rr-\d{8}T\d{4}Z)'", out)
    assert m and m.group(1)[2:] in expected, (out, expected)
    old_name = m.group(1)
    m = re.search(r"d1 \(rr\): restarted as d(\d+)", out)
    assert m, out
    new = int(m.group(1))
    k.expect(rf"\(d{new}\) hello: domain {new} \(rr\)", 10)
    rows = k.xl_list()
    assert rows[old_name]["id"] == 1 and rows[old_name]["state"] == "---s--", rows
    assert rows["rr"]["id"] == new and rows["rr"]["state"] in ("r-----", "-b----"), rows
    # The preserved domain keeps its memory and its state for inspection.
    assert rows[old_name]["mem"] == 4
    assert "RIP" in k.cmd(f"dump {old_name}").upper()

    # Again within the same minute: the stamped name is taken, so the old id is appended.
    time.sleep(1.2)
    expected = stamps()
    out = k.cmd("shutdown rr")
    m = re.search(rf"d{new} \(rr\): preserved as '(rr-\d{{8}}T\d{{4}}Z)(-{new})?'", out)
    assert m, out
    second = m.group(1) + (m.group(2) or "")
    if m.group(1) == old_name:          # the same minute: the name is taken, the id appended
        assert second == f"{old_name}-{new}", (old_name, second)
    else:                               # the minute turned meanwhile: its own stamp, as is
        assert second == m.group(1) and m.group(1)[2:] in expected, (old_name, second)
    rows = k.xl_list()
    assert len(rows) == 4, rows
    assert rows[old_name]["id"] == 1 and rows[second]["id"] == new, rows
    assert rows[second]["state"] == "---s--", rows

    # A long name is cut so that name and stamp fit in 31 characters.
    out = k.cmd(f"shutdown {LONG}")
    m = re.search(r"preserved as '([^']*)'", out)
    assert m, out
    assert len(m.group(1)) == 31 and m.group(1).startswith(LONG[:16]), m.group(1)
    assert re.search(r"-\d{8}T\d{4}Z$", m.group(1)), m.group(1)
    assert LONG in k.xl_list()
    assert "Panic" not in k.text()
