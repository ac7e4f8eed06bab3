"""Linux guests (issue 15): Debian's stock kernel with the busybox initramfs
(tests/linux/fetch-kernel.sh, mkinitramfs.sh) runs as a Kestrel domain from the cfg the
issue's operator writes - kernel = "vmlinuz", ramdisk = "initrd.gz", extra = "console=ttyS0",
memory = 256, nothing else - to a shell on its console:

- it boots: the kernel log and the initramfs's marker are (d1) lines, `console web` gives the
  shell, `uname -a` answers, CTRL-A x3 comes back; dmesg is free of BUG, WARNING:, Call
  Trace, Oops and clocksource/TSC "unstable"; /proc/interrupts shows the local APIC timer
  (LOC) counting and IO-APIC lines; the hypervisor flag; the guest's date is the host's;
  `list`, `dump` and `dumpmem` show it;
- `poweroff` in the guest runs on_poweroff (destroy), `reboot` runs on_reboot (restart:
  Linux boots again), a panic with panic=1 reboots through the same path;
- `destroy`, `dump`, `dumpmem` and `list` during its boot, and `pause`/`unpause` during
  its boot after which it still reaches its shell (with no clock "unstable");
- two Linux domains and a Multiboot guest at once, each responsive; a Linux domain beside
  every hostile guest of boards/hostile stays responsive;
- bad kernels (truncated, boot protocol 2.05, an initrd larger than the domain) give one
  log line each and no domain, and the others run.

test_linux_bare.py makes the same checks of the same kernel on bare QEMU: what passes there
and fails here is Kestrel's. Until the Linux boot protocol and the PC platform (LAPIC, I/O
APIC, ACPI) land, every test here fails, at once, with the hypervisor's own line (today:
`web.cfg: kernel vmlinuz: no Multiboot header ...; domain not built`).

Cost: about ten Linux boots (shared boards where the tests only read; a fresh Kestrel
wherever a test changes a domain's life), each ~10-20 s under QEMU TCG on the development
machine when bare: budget ~4 min for the file there, more on a loaded host (every wait scales
with KESTREL_TEST_SLOW). QEMU only: on Bochs a Linux boot costs minutes, so
tests/vmx/test_vmx_linux.py boots one there (make test-vmx)."""
import os
import re
import shutil
import subprocess
import time

import pytest

from kestrel import Kestrel, ROOT, guest_elf, domain_lines
import linux_guest as lg

pytestmark = pytest.mark.qemu_only(
    "a Linux boot on Bochs costs minutes: tests/vmx/test_vmx_linux.py boots one there")

HOSTILE = os.path.join(ROOT, "boards", "hostile")
HELLO_CFG = os.path.join(ROOT, "boards", "qemu", "hello.cfg")
BZPLAN = os.path.join(ROOT, "build", "linux", "bzplan")
MiB = 1 << 20


def start(modules, mem=512):
    """A Kestrel booting these modules (QEMU -m mem)."""
    return Kestrel(initrd=modules, mem=mem)


def xen_line(k, pattern, timeout=60):
    """Wait for a whole hypervisor line `(XEN) <pattern>...` (up to its line end, so a line
    still arriving is not cut) after k's position; its text without the (XEN) prefix."""
    m = k.expect(rb"\(XEN\) (" + pattern.encode() + rb"[^\r\n]*)\r?\n", timeout)
    return m.group(1).decode(errors="replace")


def shutdown_line(k, dom, name, timeout=60):
    """The hypervisor's line on d<dom> (<name>) shutting down or crashing (poweroff, reboot
    or crash, with its on_* action), after k's position."""
    return xen_line(k, rf"d{dom} \({re.escape(name)}\): (?:poweroff|reboot|crash)", timeout)


def kernel_said(k, since):
    """The guest's last lines since `since` (for failure messages)."""
    text = k.output()[since:].decode(errors="replace").replace("\r", "")
    return "\n".join(text.splitlines()[-15:])


def hello_ticks(k):
    """The last `hello: tick N` of the Multiboot guest so far, or 0."""
    ticks = re.findall(rb"hello: tick (\d+)", k.output())
    return int(ticks[-1]) if ticks else 0


def ticks_advance(k, by=2, timeout=30):
    """Wait until hello has ticked `by` more times (it ticks once a second)."""
    first = hello_ticks(k)
    end = time.monotonic() + timeout * k.slow
    while hello_ticks(k) < first + by:
        assert time.monotonic() < end, f"hello stuck at tick {hello_ticks(k)}"
        time.sleep(0.2)


def canary_count(k, dom):
    hits = re.findall(rf"\(d{dom}\) canary: (\d+)\r\n".encode(), k.output())
    return int(hits[-1]) if hits else 0


# ---- one Linux domain, booted once for the tests that only look at it -------------------

@pytest.fixture(scope="module")
def web(tmp_path_factory):
    d = tmp_path_factory.mktemp("linux")
    k = start(lg.linux_modules(d))
    try:
        lg.wait_line(k, 1, "web", re.escape(lg.MARKER) + r"\r?\n", since=0)
        k.boot_s = k.seen_s
        yield k
    finally:
        k.stop()


@pytest.fixture
def sh(web):
    """The web domain's shell (console web), shell banner seen; back to Xen afterwards."""
    lg.wait_boot(web, 1, "web", since=0)
    s = lg.attach(web, "web", 1)
    yield s
    lg.to_xen(web)


def test_boots_to_its_shell_on_its_console(web, sh):
    text = web.output()
    assert re.search(rb"\(XEN\) d1 \(web\): built from web\.cfg: 256 MiB", text)
    lines = domain_lines(text, 1)
    assert any(re.search(r"Linux version \d+\.\d+\S* ", ln) for ln in lines), \
        "the kernel's log is not in d1's (d1) lines"
    assert lg.MARKER in lines
    line = f"kestrel_start_to_init_marker_s={web.boot_s:.2f}\n"
    with open(os.path.join(lg.LINUX_DIR, "kestrel-boot.txt"), "w") as f:
        f.write(line)                   # beside test_linux_bare.py's bare-boot.txt
    print(f"Kestrel domain: {line.strip()}")
    out = sh.check("uname -a")
    assert out.startswith("Linux ") and " x86_64" in out, out
    assert sh.check("echo $((6*7))") == "42\n"
    lg.to_xen(web)
    assert web.cmd("version").startswith("(XEN) Kestrel ")
    lg.attach(web, "web", 1)        # and back in: the shell still answers
    assert sh.check("echo again") == "again\n"


def test_dmesg_is_clean(sh):
    n, bad = lg.dmesg_problems(sh)
    assert n > 100, f"dmesg gave only {n} lines"
    assert not bad, "dmesg of the Linux domain:\n" + "\n".join(bad)


def test_local_apic_timer_counts_and_io_apic_is_wired(sh):
    first = lg.interrupts(sh)
    assert "LOC" in first, f"no LOC (local APIC timer) row in /proc/interrupts: {sorted(first)}"
    assert any("IO-APIC" in line for _, line in first.values()), \
        "no IO-APIC interrupt in /proc/interrupts:\n" + \
        "\n".join(line for _, line in first.values())
    time.sleep(1)
    second = lg.interrupts(sh)
    assert second["LOC"][0] > first["LOC"][0], \
        f"the local APIC timer did not count: {first['LOC'][1]!r} then {second['LOC'][1]!r}"


def test_hypervisor_flag_and_the_hosts_time(sh):
    flags = lg.cpu_flags(sh)
    assert "hypervisor" in flags, f"no hypervisor flag in /proc/cpuinfo: {sorted(flags)}"
    guest = int(sh.check("date +%s"))
    assert abs(guest - time.time()) < 300, \
        f"the guest's date is {guest - time.time():+.0f} s off the host's"


def test_list_dump_and_dumpmem_show_it(web):
    lg.wait_boot(web, 1, "web", since=0)
    rows = web.xl_list()
    assert "web" in rows, f"no web in list: {rows}"
    assert rows["web"]["id"] == 1 and rows["web"]["mem"] == 256 and rows["web"]["vcpus"] == 1
    check_dump(web, "web", 1)


def noisy_cmd(k, line, until, timeout=20):
    """Type a shell command while a booting domain prints (no quiet prompt to wait for):
    return the output from the command to the end of the line matching `until` (a regex,
    bytes) that its output ends with, as text."""
    begin = k.mark()
    k.send(line + "\r")
    k.expect(until, timeout)
    return k.output()[begin:k.pos].decode(errors="replace")


def check_dump(k, name, dom):
    """`dump <name>` shows a 64-bit Linux vCPU (long mode, paging on, a kernel-half RIP) and
    its exit counts."""
    out = noisy_cmd(k, f"dump {name}", rb"\(XEN\) exits:(?: [\w-]+=\d+)+ \(total \d+\)\r\n")
    assert re.search(rf"\(XEN\) d{dom} \({name}\) vcpu 0: ", out), out
    regs = {r: int(v, 16) for r, v in re.findall(r"\b(rip|cr0|cr4|efer):\s+([0-9a-f]{16})", out)}
    assert regs.get("cr0", 0) & (1 << 31), f"paging off in a booted Linux: {out}"
    assert regs.get("efer", 0) & (1 << 10), f"EFER.LMA clear in a booted Linux: {out}"
    assert regs.get("rip", 0) >= 0xffff800000000000, f"rip not in the kernel's half: {out}"


# ---- its life from inside: poweroff, reboot, panic ----------------------------------------

def booted(tmp_path, mem=512, **keys):
    """A fresh Kestrel with the web domain booted to its shell and attached."""
    k = start(lg.linux_modules(tmp_path, **keys), mem)
    lg.wait_boot(k, 1, "web")
    return k, lg.attach(k, "web", 1)


def test_poweroff_inside_runs_on_poweroff(tmp_path):
    k, sh = booted(tmp_path)
    try:
        begin = k.mark()
        k.send("poweroff\r")
        try:
            line = shutdown_line(k, 1, "web")
        except AssertionError:
            raise AssertionError("no poweroff line from Kestrel after the guest's poweroff "
                                 "(ACPI PM1a S5 not seen?); the guest said:\n"
                                 + kernel_said(k, begin))
        assert re.fullmatch(r"d1 \(web\): poweroff(: [^;]*)?; on_poweroff=destroy", line), line
        k.expect(re.escape(lg.TO_XEN), 30)
        k.wait_prompt(10)
        assert "web" not in k.xl_list()
        assert k.cmd("version").startswith("(XEN) Kestrel ")
        assert "Panic" not in k.text()
    finally:
        k.stop()


def reboots(k, since, how):
    """After the guest was told to reboot (`how`, for messages): Kestrel's reboot line with
    on_reboot=restart, the new domain, and its boot to the marker; returns the new id."""
    try:
        line = shutdown_line(k, 1, "web", 90)
    except AssertionError:
        raise AssertionError(f"no reboot line from Kestrel after {how}; the guest said:\n"
                             + kernel_said(k, since))
    assert re.fullmatch(r"d1 \(web\): reboot(: [^;]*)?; on_reboot=restart", line), \
        f"after {how}: {line}"
    m = k.expect(rb"\(XEN\) d1 \(web\): restarted as d(\d+)", 30)
    new = int(m.group(1))
    lg.wait_boot(k, new, "web")
    return new


def test_reboot_inside_restarts_it(tmp_path):
    k, sh = booted(tmp_path)
    try:
        begin = k.mark()
        k.send("reboot\r")
        new = reboots(k, begin, "the guest's reboot")
        sh = lg.attach(k, "web", new)
        assert sh.check("uname -s") == "Linux\n"
    finally:
        k.stop()


def test_panic_with_panic_1_reboots_it(tmp_path):
    k, sh = booted(tmp_path, extra="console=ttyS0 panic=1")
    try:
        begin = k.mark()
        k.send("echo c > /proc/sysrq-trigger\r")
        k.expect(r"Kernel panic - not syncing", 60)
        reboots(k, begin, "a kernel panic with panic=1")
    finally:
        k.stop()


# ---- the operator's commands during its boot ------------------------------------------------

def zero_page_gpa(vmlinuz):
    """Where the planner puts the zero page (bzplan's plan), or None without bzplan."""
    r = subprocess.run(["make", "-s", "-C", ROOT, "build/linux/bzplan"], capture_output=True)
    if r.returncode != 0:
        return None
    r = subprocess.run([BZPLAN, vmlinuz], capture_output=True, text=True)
    m = re.search(r"^zero_page=(0x[0-9a-f]+)$", r.stdout, re.M)
    return int(m.group(1), 16) if m else None


def test_destroy_dump_dumpmem_and_list_during_boot(tmp_path):
    k = start(lg.linux_modules(tmp_path))
    try:
        lg.wait_line(k, 1, "web", r"\[\s*\d+\.\d+\] Linux version ", lg.BOOT_S)
        lg.wait_line(k, 1, "web", r"\[\s*\d+\.\d+\] Memory: ", 60)   # a few seconds in
        rows = k.list_noisy()
        assert rows.get("web", {}).get("mem") == 256, rows
        check_dump(k, "web", 1)
        zp = zero_page_gpa(lg.assets()[0])
        if zp is not None:       # the setup header the loader copied: "HdrS" at 0x202
            out = noisy_cmd(k, f"dumpmem web {zp + 0x200:#x} 16",
                            rb"\(XEN\) [0-9a-f]{16}: (?:[0-9a-f]{2} ){16}[^\r\n]*\r\n")
            m = re.search(r"\(XEN\) ([0-9a-f]{16}): ((?:[0-9a-f]{2} ){16})", out)
            assert int(m.group(1), 16) == zp + 0x200, out
            assert bytes.fromhex(m.group(2).replace(" ", ""))[2:6] == b"HdrS", out
        noisy_cmd(k, "destroy web", rb"\(XEN\) destroyed d1\r\n")
        quiet = k.quiet_for(2 * k.slow)
        assert b"(d1)" not in quiet, "d1 still prints after destroy"
        assert "web" not in k.xl_list()
        assert k.cmd("version").startswith("(XEN) Kestrel ")
        assert "Panic" not in k.text()
    finally:
        k.stop()


def test_acpi_off_still_boots(tmp_path):
    """With acpi=off the kernel finds no MADT and no PM block: it keeps the 8259s in
    virtual-wire mode through the local APIC, and still reaches its shell with a clean
    dmesg."""
    k = start(lg.linux_modules(tmp_path, extra="console=ttyS0 acpi=off"))
    try:
        lg.wait_boot(k, 1, "web", since=0)
        sh = lg.attach(k, "web", 1)
        assert sh.check("echo $((6*7))") == "42\n"
        n, bad = lg.dmesg_problems(sh)
        assert not bad, "dmesg with acpi=off:\n" + "\n".join(bad)
        assert "ACPI: Interpreter disabled" in sh.check("dmesg", 60) or \
            "acpi=off" in sh.check("cat /proc/cmdline")
    finally:
        k.stop()


def test_pause_and_unpause_during_boot_then_it_reaches_its_shell(tmp_path):
    k = start(lg.linux_modules(tmp_path))
    try:
        lg.wait_line(k, 1, "web", r"\[\s*\d+\.\d+\] Linux version ", lg.BOOT_S)
        lg.wait_line(k, 1, "web", r"\[\s*\d+\.\d+\] Memory: ", 60)
        k.mark()
        k.send("pause web\r")
        assert k.list_noisy()["web"]["state"] == "--p---"
        time.sleep(0.5)                          # a line on its way out when it stopped
        assert b"(d1)" not in k.quiet_for(3), "d1 prints while paused"
        assert k.cmd("unpause web", 20).strip() == ""
        lg.wait_boot(k, 1, "web")
        sh = lg.attach(k, "web", 1)
        assert sh.check("uname -s") == "Linux\n"
        n, bad = lg.dmesg_problems(sh)
        assert not bad, "dmesg after pause/unpause during boot:\n" + "\n".join(bad)
    finally:
        k.stop()


# ---- beside other domains --------------------------------------------------------------------

def test_two_linux_domains_and_a_multiboot_guest(tmp_path):
    web = lg.linux_cfg(tmp_path, "web")
    db = lg.linux_cfg(tmp_path, "db")
    vmlinuz, initrd = lg.assets()
    k = start([vmlinuz, initrd, web, guest_elf("hello"), HELLO_CFG, db], mem=1024)
    try:
        lg.wait_boot(k, 1, "web", 2 * lg.BOOT_S, since=0)
        lg.wait_boot(k, 3, "db", 2 * lg.BOOT_S, since=0)
        ticks_advance(k)
        for name, dom in (("web", 1), ("db", 3)):
            sh = lg.attach(k, name, dom)
            assert sh.check("echo $((6*7))") == "42\n"
            lg.to_xen(k)
        ticks_advance(k)
        rows = k.xl_list()
        assert [rows[n]["id"] for n in ("web", "hello", "db")] == [1, 2, 3], rows
        assert "Panic" not in k.text()
    finally:
        k.stop()


def hostile_modules():
    mods = []
    for ln in open(os.path.join(HOSTILE, "modules.list")):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            mods.append(os.path.join(ROOT, ln.split()[0]))
    return mods


def test_linux_beside_every_hostile_guest_stays_responsive(tmp_path):
    """boards/hostile (canary d1 and the hostile guests, 4 MiB each), then web. The
    hostile guests that keep running share the CPU with it at equal weight: its boot may
    take several times a lone one's."""
    mods = hostile_modules()
    ncfg = sum(m.endswith(".cfg") for m in mods)
    dom = ncfg + 1
    k = start(mods + lg.linux_modules(tmp_path), mem=768)
    try:
        lg.wait_boot(k, dom, "web", 4 * lg.BOOT_S, since=0)
        before = canary_count(k, 1)
        sh = lg.attach(k, "web", dom)
        assert sh.check("echo $((6*7))") == "42\n"
        status, out = sh.run("md5sum /bin/busybox", 60)
        assert status == 0 and re.match(r"[0-9a-f]{32} ", out), out
        # Beside CPU-bound guests (ifspin, pitstorm...) its clocks still hold.
        n, bad = lg.dmesg_problems(sh)
        assert not bad, "dmesg of the Linux domain beside the hostile guests:\n" + "\n".join(bad)
        guest = int(sh.check("date +%s"))
        assert abs(guest - time.time()) < 300, f"the guest's date is {guest - time.time():+.0f} s off"
        lg.to_xen(k)
        end = time.monotonic() + 30 * k.slow
        while canary_count(k, 1) < before + 5:
            assert time.monotonic() < end, f"canary stuck at {canary_count(k, 1)}"
            time.sleep(0.2)
        assert "web" in k.list_noisy()
        assert "Panic" not in k.text()
    finally:
        k.stop()


# ---- bad kernels: one line each, no domain, the rest runs --------------------------------------

BAD = {
    # name: (kernel module, ramdisk module, memory, what the one line must say)
    "cut-half": ("vmlinuz-half", "initrd.gz", 256, r"truncat"),
    "cut-setup": ("vmlinuz-4k", "initrd.gz", 256, r"truncat"),
    "old-proto": ("vmlinuz-205", "initrd.gz", 256, r"protocol.*2\.05|2\.05.*protocol"),
    "big-initrd": ("vmlinuz", "huge.img", 128,
                   r"(initrd|ramdisk).*(fit|larger|too (big|large)|exceed)"),
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """hello (d1) beside four cfgs naming a broken kernel or an initrd larger than the
    domain: a copy of the kernel cut to half its size, one cut inside its setup (4 KiB),
    one whose setup header says boot protocol 2.05, and a 160 MiB initrd for 128 MiB."""
    d = tmp_path_factory.mktemp("badlinux")
    vmlinuz, initrd = lg.assets()
    data = open(vmlinuz, "rb").read()
    assert data[0x202:0x206] == b"HdrS"
    files = {"vmlinuz-half": data[:len(data) // 2], "vmlinuz-4k": data[:4096],
             "vmlinuz-205": data[:0x206] + b"\x05\x02" + data[0x208:]}
    mods = [guest_elf("hello"), HELLO_CFG, vmlinuz, initrd]
    for fname, content in files.items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(content)
        mods.append(os.path.join(d, fname))
    huge = os.path.join(d, "huge.img")
    with open(huge, "wb") as f:
        f.truncate(160 * MiB)
    mods.append(huge)
    for name, (kern, rd, mem, _) in BAD.items():
        mods.append(lg.linux_cfg(d, name, kernel=kern, ramdisk=rd, memory=mem))
    k = start(mods, mem=1024)
    try:
        k.expect(r"\(d1\) hello: tick 2\r\n", 60)
        k.wait_prompt(10)
        yield k
    finally:
        k.stop()
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("name", list(BAD))
def test_bad_kernel_gives_one_line_and_no_domain(bad, name):
    why = BAD[name][3]
    lines = [ln for ln in bad.lines(bad.text())
             if ln.startswith(f"{name}.cfg: ") or f" ({name})" in ln]
    assert len(lines) == 1, f"{name}: expected one line, got {lines}"
    assert re.search(why, lines[0], re.I), f"{name}: the line does not say /{why}/: {lines[0]}"
    assert "domain not built" in lines[0], lines[0]
    rows = bad.xl_list()
    assert name not in rows and "hello" in rows, rows
    ticks_advance(bad, 1)
    assert bad.cmd("version").startswith("(XEN) Kestrel ")
    assert "Panic" not in bad.text()


# ---- boards/linux packed by mbootpack ---------------------------------------------------------

def test_board_linux_packed_boots_web_beside_the_default_guests(tmp_path):
    """`make board BOARD=linux`'s image (Kestrel, hello, echo, burn, the kernel, the
    initramfs and their cfgs in one file, packed by tools/mbootpack/pack-board.sh) booted by
    QEMU -kernel: the default guests run and web (d4) reaches its shell."""
    lg.assets()                              # build/linux/vmlinuz and initrd.gz, as make does
    mbp = os.path.join(ROOT, "tools", "mbootpack")
    r = subprocess.run(["make", "-s", "-C", mbp], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    img = str(tmp_path / "linux.img")
    r = subprocess.run(["sh", os.path.join(mbp, "pack-board.sh"), "linux"],
                       env=dict(os.environ, OUT=img), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    k = Kestrel(kernel=img, mem=512)
    try:
        k.expect_all([r"\(d1\) hello: ", r"\(d2\) echo: ready", r"\(d3\) burn: "], 60)
        lg.wait_boot(k, 4, "web", 2 * lg.BOOT_S, since=0)
        sh = lg.attach(k, "web", 4)
        assert sh.check("uname -s") == "Linux\n"
        lg.to_xen(k)
        ticks_advance(k)
        assert "Panic" not in k.text()
    finally:
        k.stop()
