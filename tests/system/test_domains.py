"""Domains end to end (issue 4): the default board boots its domains, and every xl-style
command of the (XEN) shell works on them with xl's words and formats - list, info,
vcpu-list, q, create, destroy, pause/unpause, shutdown, reboot <dom>, dump, dumpmem, TAB
completion - plus the Multiboot boot information a guest receives, cfg errors and a CPU
without SVM."""
import os
import re
import struct

import pytest

from kestrel import (Kestrel, ROOT, guest_elf, write_cfg, domain_lines, XL_LIST_HEADER)

BOARD = os.path.join(ROOT, "boards", "qemu")


def board_modules():
    """The default board's module paths, from boards/qemu/modules.list."""
    mods = []
    for ln in open(os.path.join(BOARD, "modules.list")):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            mods.append(os.path.join(ROOT, ln.split()[0]))
    return mods


def parse_cfg(path):
    """A simple xl.cfg (key = value per line) -> dict of unquoted values."""
    keys = {}
    for ln in open(path):
        ln = ln.split("#", 1)[0].strip()
        if "=" in ln:
            k, v = (s.strip() for s in ln.split("=", 1))
            keys[k] = v.strip('"')
    return keys


def board_cfgs():
    return [parse_cfg(m) for m in board_modules() if m.endswith(".cfg")]


def one_line(out):
    """A command's output that must be exactly one (XEN) line -> that line's text."""
    lines = [ln for ln in out.replace("\r", "").split("\n")
             if ln and not re.match(r"(\(XEN\) )?(\x1b\[K)?\(d\d+\) ", ln)]
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    assert lines[0].startswith("(XEN) ")
    return lines[0][6:]


def elf_bytes_at(path, paddr, n):
    """The n bytes a Multiboot loader puts at physical address paddr from an ELF32 file."""
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    for i in range(phnum):
        ptype, off, vaddr, pa, filesz, memsz = struct.unpack_from(
            "<IIIIII", data, phoff + i * phentsize)
        if ptype == 1 and pa <= paddr and paddr + n <= pa + filesz:
            return data[off + paddr - pa: off + paddr - pa + n]
    raise AssertionError(f"no loaded bytes at {paddr:#x} in {path}")


def hexdump_bytes(out):
    """dumpmem output -> (first address, the bytes)."""
    first, data = None, b""
    for m in re.finditer(r"\(XEN\) ([0-9a-f]{16}): ((?:[0-9a-f]{2} |   ){16})", out):
        if first is None:
            first = int(m.group(1), 16)
        data += bytes.fromhex(m.group(2).replace(" ", ""))
    return first, data


# ---- the default board, shared by the read-mostly tests ---------------------------------

@pytest.fixture(scope="module")
def k():
    kk = Kestrel(initrd=board_modules())
    try:
        kk.expect_all([rf"\(d{i}\) " for i in range(1, len(board_cfgs()) + 1)]
                      + [r"\(d1\) hello: tick 1\r\n"], 30)
        kk.wait_prompt(10)
        yield kk
    finally:
        kk.stop()


def test_default_board_boots_at_least_three_domains(k):
    cfgs = board_cfgs()
    assert len(cfgs) >= 3
    text = k.text()
    for i, cfg in enumerate(cfgs, 1):
        assert f"d{i} ({cfg['name']}): built from " in text
        assert domain_lines(text, i), f"d{i} ({cfg['name']}) printed nothing"
        # Each guest's first line is its own (guests name themselves in their lines).
        assert domain_lines(text, i)[0].startswith(cfg["kernel"].split(".")[0] + ": ")
    assert "Panic" not in text


def test_list_is_xl_list(k):
    out = k.cmd("list")
    assert out.replace("\r", "").split("\n")[0] == "(XEN) " + XL_LIST_HEADER
    for _ in range(5):          # hello is runnable for a moment once a second
        rows = k.xl_list()
        if rows["hello"]["state"] == rows["echo"]["state"] == "-b----":
            break
    cfgs = board_cfgs()
    assert list(rows) == [c["name"] for c in cfgs]
    for i, cfg in enumerate(cfgs, 1):
        row = rows[cfg["name"]]
        assert row["id"] == i
        assert row["mem"] == int(cfg["memory"])
        assert row["vcpus"] == 1
    # hello sleeps between ticks and echo waits for input: blocked; burn runs.
    assert rows["hello"]["state"] == "-b----"
    assert rows["echo"]["state"] == "-b----"
    assert rows["burn"]["state"] == "r-----"
    assert rows["burn"]["time"] > rows["hello"]["time"]


def test_list_row_format_is_xls_printf(k):
    """Each row is exactly '%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f'."""
    rows = k.xl_list()
    out = k.cmd("list")
    for name, r in rows.items():
        line = "%-40s %5d %5d %5d     %s  %8.1f" % (name, r["id"], r["mem"], r["vcpus"],
                                                  r["state"], r["time"])
        assert ("(XEN) " + line[:58]) in out      # time moves between the two calls


def test_info(k):
    out = k.cmd("info")
    fields = dict(re.findall(r"^\(XEN\) (\w+)\s+: (.*?)\r?$", out, re.M))
    assert fields["nr_domains"] == str(len(board_cfgs()))
    assert fields["virt_caps"] == f"hvm hap ({k.virt_name})"
    total, free = int(fields["total_memory"]), int(fields["free_memory"])
    assert 240 <= total <= 256
    used_by_domains = sum(int(c["memory"]) for c in board_cfgs())
    assert free <= total - used_by_domains
    assert int(fields["nr_cpus"]) >= 1
    assert int(fields["sched_slice_ms"]) == 10


def test_vcpu_list(k):
    for _ in range(5):          # hello is runnable for a moment once a second
        out = k.cmd("vcpu-list")
        if re.search(r"hello\s+1\s+0\s+0\s+-b-", out):
            break
    lines = [ln[6:] for ln in out.replace("\r", "").split("\n")
             if ln.startswith("(XEN) ") and "(d" not in ln]
    assert re.match(r"Name\s+ID\s+VCPU\s+CPU\s+State\s+Time\(s\)", lines[0])
    rows = {m.group(1): m for m in (re.match(r"(\S+)\s+(\d+)\s+0\s+0\s+(\S{3})\s+([\d.]+)", ln)
                                    for ln in lines[1:]) if m}
    for i, cfg in enumerate(board_cfgs(), 1):
        assert int(rows[cfg["name"]].group(2)) == i
    assert rows["hello"].group(3) == "-b-"
    assert rows["burn"].group(3) in ("-r-", "r--")
    assert all(ln.endswith("all / all") for ln in lines[1:] if ln.strip())   # no cpus = ...


def test_q_dumps_domain_info(k):
    out = k.cmd("q")
    assert "(XEN) 'q' pressed -> dumping domain info" in out
    for i, cfg in enumerate(board_cfgs(), 1):
        m = re.search(rf"General information for domain {i} \({cfg['name']}\):\r\n"
                      r"\(XEN\)     state=\S+ pages=(\d+) max_pages=\d+ target=\d+ weight=\d+\r\n"
                      r"\(XEN\)     on_poweroff=(\w+) on_reboot=(\w+) on_crash=(\w+)", out)
        assert m, out
        assert int(m.group(1)) == int(cfg["memory"]) * 256
        assert m.group(2, 3, 4) == (cfg["on_poweroff"], cfg["on_reboot"], cfg["on_crash"])


def test_dump_shows_registers_control_registers_and_exits(k):
    out = k.cmd("dump hello")
    assert re.search(r"\(XEN\) d1 \(hello\) vcpu 0: ", out)
    for reg in ("rip", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                "cr0", "cr2", "cr3", "cr4", "efer"):
        assert re.search(rf"\b{reg}:\s+[0-9a-f]{{16}}", out), reg
    rip = int(re.search(r"rip: ([0-9a-f]{16})", out).group(1), 16)
    assert 0x100000 <= rip < 0x400000        # in hello's image
    cr0 = int(re.search(r"cr0: ([0-9a-f]{16})", out).group(1), 16)
    assert cr0 & 1                            # protected mode, as Multiboot starts it
    m = re.search(r"\(XEN\) exits:((?: [\w-]+=\d+)+) \(total (\d+)\)", out)
    assert m, out
    counts = {kv.split("=")[0]: int(kv.split("=")[1]) for kv in m.group(1).split()}
    assert sum(counts.values()) == int(m.group(2))
    assert counts.get("io", 0) > 0 and counts.get("hypercall", 0) > 0   # UART and HC_BLOCK
    assert counts.get("cpuid", 0) > 0          # the runtime looks for Kestrel


def test_dumpmem_shows_the_kernel_bytes(k):
    out = k.cmd("dumpmem hello 0x100000 64")
    first, data = hexdump_bytes(out)
    assert first == 0x100000
    assert data == elf_bytes_at(guest_elf("hello"), 0x100000, 64)
    out = k.cmd("dumpmem hello 0x100400 16")
    assert hexdump_bytes(out) == (0x100400, elf_bytes_at(guest_elf("hello"), 0x100400, 16))


def test_dumpmem_refuses_outside_the_domain(k):
    mem = int([c for c in board_cfgs() if c["name"] == "hello"][0]["memory"]) << 20
    assert hexdump_bytes(k.cmd(f"dumpmem hello {mem - 16:#x} 16"))[0] == mem - 16
    line = one_line(k.cmd(f"dumpmem hello {mem:#x} 16"))
    assert line == f"dumpmem: {mem:#x} is outside d1's memory"
    out = k.cmd(f"dumpmem hello {mem - 16:#x} 32")    # runs over the end
    assert f"dumpmem: {mem:#x} is outside d1's memory" in out
    assert "is outside" in one_line(k.cmd("dumpmem hello 0xfffffffffffff000 16"))


def test_unknown_domain_is_a_one_line_error(k):
    for c in ("destroy foo", "pause foo", "unpause foo", "shutdown foo", "reboot foo",
              "dump foo", "dumpmem foo 0", "console foo", "mem-set foo 4", "mem-max foo 4",
              "destroy 99"):
        want = "no domain '99'" if c.endswith("99") else "no domain 'foo'"
        assert one_line(k.cmd(c)) == want, c


def test_tab_completes_domain_names(k):
    k.mark()
    k.send(b"destroy he\t")
    k.expect(r"destroy hello $")
    k.send(b"\x15")          # CTRL-U: kill the line, do not destroy
    k.send(b"\r")
    k.wait_prompt()
    k.mark()
    k.send(b"pause bu\t")
    k.expect(r"pause burn $")
    k.send(b"\x15\r")
    k.wait_prompt()
    assert set(k.xl_list()) == {c["name"] for c in board_cfgs()}


def wait_ticks(k, n):
    """Let n of hello's once-a-second ticks go by (the guest is our clock)."""
    for _ in range(n):
        k.expect(r"\(d1\) hello: tick \d+\r\n", 5)


def test_pause_stops_time_and_unpause_resumes(k):
    out = k.cmd("pause burn")
    assert out.strip() == ""
    rows = k.xl_list()
    assert rows["burn"]["state"] == "--p---"
    t0 = rows["burn"]["time"]
    wait_ticks(k, 2)
    rows = k.xl_list()
    assert rows["burn"]["time"] == t0 and rows["burn"]["state"] == "--p---"
    assert one_line(k.cmd("pause burn")) == "dom 3 is already paused"
    assert k.cmd("unpause burn").strip() == ""
    wait_ticks(k, 2)
    rows = k.xl_list()
    assert rows["burn"]["state"] == "r-----"
    assert rows["burn"]["time"] >= t0 + 1.0
    assert one_line(k.cmd("unpause burn")) == "dom 3 is not paused"
    assert one_line(k.cmd("unpause hello")) == "dom 1 is not paused"


# ---- life cycle: destroy, create, shutdown, reboot and the on_* actions ----------------

@pytest.fixture(scope="module")
def life(tmp_path_factory):
    d = tmp_path_factory.mktemp("life")
    cfgs = []
    for name, pw, rb in (("pw-destroy", "destroy", "destroy"), ("pw-restart", "restart", "restart"),
                         ("pw-preserve", "preserve", "preserve")):
        cfgs.append(write_cfg(d, name + ".cfg", name=name, kernel="hello.elf", memory=4,
                              on_poweroff=pw, on_reboot=rb, on_crash="preserve"))
    kk = Kestrel(initrd=[guest_elf("hello")] + cfgs)
    try:
        kk.expect_all([rf"\(d{i}\) hello: domain {i} " for i in (1, 2, 3)], 30)
        kk.wait_prompt(10)
        yield kk
    finally:
        kk.stop()


def test_destroy_then_create_gives_a_new_id(life):
    assert life.cmd("destroy pw-destroy").strip() == "(XEN) destroyed d1"
    assert "pw-destroy" not in life.xl_list()
    begin = life.mark()
    out = life.cmd("create pw-destroy.cfg")
    life.pos = begin
    m = re.search(r"created d(\d+) \(pw-destroy\)", out)
    assert m, out
    new = int(m.group(1))
    assert new > 3
    life.expect(rf"\(d{new}\) hello: domain {new} \(pw-destroy\)", 10)
    assert life.xl_list()["pw-destroy"]["id"] == new
    # A second create of a running name is refused, naming the module and key.
    assert one_line(life.cmd("create pw-destroy.cfg")) == \
        f"pw-destroy.cfg: name: a domain named 'pw-destroy' exists (d{new})"
    assert one_line(life.cmd("create nosuch.cfg")) == "create: no boot module 'nosuch.cfg'"


def test_shutdown_applies_on_poweroff(life):
    before = life.xl_list()
    out = life.cmd("shutdown pw-preserve")
    assert "on_poweroff=preserve" in out
    assert life.xl_list()["pw-preserve"]["state"] == "---s--"
    assert one_line(life.cmd("shutdown pw-preserve")) == \
        f"dom {before['pw-preserve']['id']} is not running"
    begin = life.mark()
    out = life.cmd("shutdown pw-restart")
    life.pos = begin
    old = before["pw-restart"]["id"]
    m = re.search(rf"d{old} \(pw-restart\): restarted as d(\d+)", out)
    assert m and "on_poweroff=restart" in out, out
    life.expect(rf"\(d{m.group(1)}\) hello: domain {m.group(1)} \(pw-restart\)", 10)
    assert life.xl_list()["pw-restart"]["id"] == int(m.group(1)) > old
    did = life.xl_list()["pw-destroy"]["id"]
    out = life.cmd("shutdown pw-destroy")
    assert f"d{did} (pw-destroy): poweroff: " in out and "on_poweroff=destroy" in out
    assert "pw-destroy" not in life.xl_list()
    life.cmd("create pw-destroy.cfg")
    life.cmd("destroy pw-preserve")
    life.cmd("create pw-preserve.cfg")


def test_reboot_applies_on_reboot(life):
    before = life.xl_list()
    begin = life.mark()
    out = life.cmd("reboot pw-restart")
    life.pos = begin
    old = before["pw-restart"]["id"]
    m = re.search(rf"d{old} \(pw-restart\): reboot: .*on_reboot=restart", out)
    assert m, out
    m = re.search(rf"d{old} \(pw-restart\): restarted as d(\d+)", out)
    assert m, out
    new = int(m.group(1))
    assert new > old
    life.expect(rf"\(d{new}\) hello: magic 0x2badb002", 10)
    assert life.xl_list()["pw-restart"]["id"] == new
    out = life.cmd("reboot pw-preserve")
    assert "on_reboot=preserve" in out
    assert life.xl_list()["pw-preserve"]["state"] == "---s--"
    out = life.cmd("reboot pw-destroy")
    assert "on_reboot=destroy" in out
    assert "pw-destroy" not in life.xl_list()
    assert "Panic" not in life.text()


# ---- what a guest is given ------------------------------------------------------------

def test_hello_boot_info_matches_its_cfg(boot, tmp_path):
    rd = tmp_path / "initrd.img"
    rd.write_bytes(bytes(range(256)) * 37 + b"end-of-ramdisk")
    cfg = write_cfg(tmp_path, "hi.cfg", name="hi", kernel="hello.elf", memory=12,
                    extra="greeting=abc x=1", ramdisk="initrd.img")
    k = boot(initrd=[guest_elf("hello"), str(rd), cfg])
    k.expect(r"\(d1\) hello: domain 1 ", 30)
    k.wait_prompt(10)
    lines = domain_lines(k.output(), 1)
    assert "hello: magic 0x2badb002" in lines
    assert "hello: loader 'Kestrel'" in lines
    assert "hello: cmdline 'hello.elf greeting=abc x=1'" in lines
    assert f"hello: mem_lower 639 KiB, mem_upper {(12 - 1) * 1024} KiB" in lines
    mmap = [re.match(r"hello: mmap 0x([0-9a-f]{16})-0x([0-9a-f]{16}) type (\d+)", ln)
            for ln in lines]
    mmap = [(int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))) for m in mmap if m]
    assert f"hello: mmap has {len(mmap)} entries" in lines
    avail = [(a, b) for a, b, t in mmap if t == 1]
    assert (0x100000, (12 << 20) - 1) in avail             # all of its memory above 1 MiB
    assert avail[0][0] == 0 and avail[0][1] + 1 == 639 * 1024
    for a, b, t in mmap:                                    # nothing beyond its memory
        assert t != 1 or b < 12 << 20
    assert "hello: 1 module(s)" in lines
    m = [re.match(r"hello: module 0: 0x([0-9a-f]{8})-0x([0-9a-f]{8}) \((\d+) bytes\) '(.*)'",
                  ln) for ln in lines]
    m = [x for x in m if x][0]
    start, end, size = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))
    assert size == end - start == rd.stat().st_size
    assert m.group(4).split()[0].endswith("initrd.img")
    assert start % 4096 == 0 and end <= 12 << 20
    # The module's bytes in guest memory are the ramdisk's.
    out = k.cmd(f"dumpmem hi {end - 32:#x} 32")
    assert hexdump_bytes(out)[1] == rd.read_bytes()[-32:]
    out = k.cmd(f"dumpmem hi {start:#x} 48")
    assert hexdump_bytes(out)[1] == rd.read_bytes()[:48]
    assert k.xl_list()["hi"]["mem"] == 12


BAD_CFGS = {
    # file name: (cfg text, what the one error line must contain)
    "syntax.cfg": ('name = "syntax"\nkernel = "hello.elf"\nmemory = = 4\n',
                   ["syntax.cfg:3:", "memory"]),
    "unknown.cfg": ('name = "unknown"\nkernel = "hello.elf"\nfrobnicate = 1\n',
                    ["unknown.cfg:3:", "frobnicate", "unknown key"]),
    "nokernel.cfg": ('name = "nokernel"\nkernel = "missing.elf"\nmemory = 4\n',
                     ["nokernel.cfg", "kernel", "missing.elf"]),
    "vcpus.cfg": ('name = "vcpus"\nkernel = "hello.elf"\nmemory = 4\nvcpus = 65\n',
                  ["vcpus.cfg:4:", "vcpus", "out of range"]),
    "affinity.cfg": ('name = "affinity"\nkernel = "hello.elf"\nmemory = 4\ncpus = "1-3"\n',
                     ["affinity.cfg", 'cpus: vCPU 0\'s "1-3"', "CPU 0"]),
    "huge.cfg": ('name = "huge"\nkernel = "hello.elf"\nmemory = 1024\nmaxmem = 1024\n',
                 ["huge.cfg", "memory", "1024"]),
    "dup.cfg": ('name = "good"\nkernel = "hello.elf"\nmemory = 4\n',
                ["dup.cfg", "name", "'good'"]),
    "notmb.cfg": ('name = "notmb"\nkernel = "notmb.bin"\nmemory = 4\n',
                  ["notmb.cfg", "notmb.bin"]),
}


def test_bad_cfgs_each_give_one_error_line_and_the_rest_boot(boot, tmp_path):
    good = write_cfg(tmp_path, "good.cfg", name="good", kernel="hello.elf", memory=4)
    notmb = tmp_path / "notmb.bin"
    notmb.write_bytes(b"\x7fELF" + b"not a multiboot kernel\n" * 500)
    mods = [guest_elf("hello"), str(notmb), good]
    for fn, (text, _) in BAD_CFGS.items():
        (tmp_path / fn).write_text(text)
        mods.append(str(tmp_path / fn))
    good2 = write_cfg(tmp_path, "good2.cfg", name="good2", kernel="hello.elf", memory=4)
    # xl's vcpus, maxvcpus and cpus are read; a Multiboot kernel gets one vCPU and a warning
    two = write_cfg(tmp_path, "two.cfg", name="two", kernel="hello.elf", memory=4, vcpus=2,
                    maxvcpus=4, cpus="0-3")
    mods += [good2, two]
    k = boot(initrd=mods)
    # (a failed build may use up an id, as in Xen: match the good ones by name)
    k.expect_all([r"\(d\d+\) hello: domain \d+ \(good\)", r"\(d\d+\) hello: domain \d+ \(good2\)",
                  r"\(d\d+\) hello: domain \d+ \(two\)"], 30)
    k.wait_prompt(10)
    log = [ln for ln in Kestrel.lines(k.text())]
    for fn, (_, needles) in BAD_CFGS.items():
        hits = [ln for ln in log if fn in ln and not ln.startswith("Module ")]
        assert len(hits) == 1, f"{fn}: {hits!r}"
        for needle in needles:
            assert needle in hits[0], f"{fn}: {needle!r} not in {hits[0]!r}"
        assert "domain not built" in hits[0]
    assert list(k.xl_list()) == ["good", "good2", "two"]
    assert re.search(r"two\s+\d+\s+0\s+0\s+\S{3}\s+[\d.]+\s+0-3 / all", k.cmd("vcpu-list"))
    assert k.xl_list()["two"]["vcpus"] == 1
    assert re.search(r"\(XEN\) d\d+ \(two\): vcpus = 4: a Multiboot kernel runs on one vCPU",
                     k.text())
    assert "Panic" not in k.text()


def test_cpu_without_svm_boots_to_the_prompt_and_says_why(boot):
    k = boot(initrd=board_modules(), cpu="qemu64")
    k.expect(r"\(XEN\) no domain can start: ([^\r\n]+)\r\n", 30)
    why = k.text().split("no domain can start: ")[1].split("\r\n")[0]
    assert "SVM" in why
    k.wait_prompt(10)
    assert k.xl_list() == {}
    assert f"no domains: {why}" in k.cmd("q")
    assert why in k.cmd("info")
    out = k.cmd("create hello.cfg")
    assert one_line(out) == f"hello.cfg: cannot start domains: {why}"
    assert not domain_lines(k.output())
