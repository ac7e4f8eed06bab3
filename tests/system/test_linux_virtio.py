"""Linux guests with virtio devices (issue 17): Debian's stock kernel as a Kestrel domain,
its virtio initramfs (tests/linux/mkinitramfs.sh --virtio: the kernel's virtio_mmio,
virtio_blk, virtio_balloon, virtio_rng and ext4 modules) and ext4 disks built by
tests/linux/mkrootfs.sh, all boot modules, configured as an xl user does:

    name = "web"   kernel = "vmlinuz"   ramdisk = "initrd-virtio.gz"
    extra = "console=ttyS0 root=/dev/vda"   memory = 256   maxmem = 256
    disk = [ 'target=rootfs.img,vdev=xvda,access=rw', 'ro.img,raw,xvdb,ro' ]

- root on a virtio disk: the initramfs loads its modules, finds /dev/vda through virtio-mmio
  devices of the DSDT (LNRO0005), mounts it and switch_roots into its /init;
- the read-only second disk (xl's positional syntax) is /dev/vdb, read-only in the guest;
- a second domain naming rootfs.img rw is refused with one line, at boot and at `create`;
  a third sharing ro.img ro is built;
- `block-list web` shows both disks;
- entropy: /dev/hwrng is virtio_rng's and gives bytes;
- the balloon: `mem-set web 128`, `list` shows 128 once the guest gave the pages back and
  `meminfo` has those frames free; `mem-set web 256` returns them; over maxmem is refused;
- data written and synced is kept across the guest's `reboot` (on_reboot=restart) and
  across `destroy` + `create`.

test_linux_virtio_bare.py makes the same guest-side checks of the same assets on QEMU's
microvm (virtio-mmio from its ACPI tables): what passes there and fails here is Kestrel's.
Until the devices land every test here fails, saying what was missing (today: Kestrel
ignores `disk`, so the initramfs finds no /dev/vda, and the failure lists what the guest
sees: no LNRO0005 device, no virtio device).

Cost: three Linux boots on one Kestrel (the first boot, the reboot, the create; ~10-20 s
each under QEMU TCG on the development machine), the two other domains are built paused and
never run: budget ~2 min for the file, more on a loaded host (every wait scales with
KESTREL_TEST_SLOW). QEMU only, as test_linux_guest.py (a Linux boot on Bochs costs minutes).
The tests share the machine and run in file order: the domain's life changes last."""
import re
import secrets
import time

import pytest

from kestrel import Kestrel, domain_lines
import linux_guest as lg

pytestmark = pytest.mark.qemu_only(
    "a Linux boot on Bochs costs minutes (tests/vmx boots its Linux domains)")

MEM, LOW = 256, 128
DISKS = "[ 'target=rootfs.img,vdev=xvda,access=rw', 'ro.img,raw,xvdb,ro' ]"
# xl's block-list names a disk by its vdev number: xvda = 202 << 8 = 51712, xvdb = 51728.
VDEVS = {"xvda": r"\b(?:xvda|51712)\b", "xvdb": r"\b(?:xvdb|51728)\b"}
FRAME_KIB = 4


def cfgs(d):
    """web (root on rootfs.img rw, ro.img ro), db (rootfs.img rw too: to be refused) and
    reader (ro.img ro, shared with web: allowed); db and reader are built paused."""
    web = lg.linux_cfg(d, "web", ramdisk="initrd-virtio.gz", memory=MEM, maxmem=MEM,
                       extra="console=ttyS0 root=/dev/vda", disk=("raw", DISKS))
    db = lg.linux_cfg(d, "db", ramdisk="initrd-virtio.gz", memory=128, autostart=0,
                      extra="console=ttyS0 root=/dev/vda",
                      disk=("raw", "[ 'target=rootfs.img,vdev=xvda,access=rw' ]"))
    reader = lg.linux_cfg(d, "reader", ramdisk="initrd-virtio.gz", memory=128, autostart=0,
                          disk=("raw", "[ 'ro.img,raw,xvda,ro' ]"))
    return [web, db, reader]


@pytest.fixture(scope="module")
def vk(tmp_path_factory):
    """One Kestrel: web booted to its disk's shell (or k.problem saying why not)."""
    d = tmp_path_factory.mktemp("virtio")
    a = lg.virtio_assets()
    k = Kestrel(initrd=[a["vmlinuz"], a["initrd"], lg.disk_copy(d, "rootfs"),
                        lg.disk_copy(d, "ro")] + cfgs(d), mem=768)
    try:
        m = k.expect(rb"\(XEN\) d(\d+) \(web\): built from web\.cfg", 60)
        k.web = int(m.group(1))
        k.problem = lg.boot_to_rootfs(k, k.web, "web", since=0)
        yield k
    finally:
        k.stop()


@pytest.fixture
def sh(vk):
    """web's shell on its disk (fails with what went wrong when it did not get there)."""
    if vk.problem:
        pytest.fail(vk.problem, pytrace=False)
    s = lg.attach(vk, "web", vk.web)
    yield s
    lg.to_xen(vk)


def xen_lines(out):
    """A command's output lines without the domains' lines that came in between."""
    return [ln for ln in out.replace("\r", "").split("\n")
            if ln and ln != "(XEN) " and not re.match(r"(\(XEN\) )?(\x1b\[K)?\(d\d+\) ", ln)]


def free_frames(k):
    m = re.search(r"free: +\d+ KiB \((\d+) frames\)", k.cmd("meminfo"))
    assert m, "no free frames in meminfo"
    return int(m.group(1))


# ---- disks ----------------------------------------------------------------------------------

def test_modules_load_in_the_domain(vk):
    lines = domain_lines(vk.output(), vk.web)
    loaded = [ln for ln in lines if ln.startswith(lg.MODULES_LOADED)]
    assert loaded, "the virtio initramfs printed no modules line"
    failed = [ln for ln in lines if ln.startswith(lg.MODULE_FAILED)]
    assert not failed, "modules the kernel refused in the domain:\n" + "\n".join(failed)
    assert loaded[0][len(lg.MODULES_LOADED):].split() == lg.module_load_order()


def test_root_on_a_virtio_disk(vk, sh):
    lines = domain_lines(vk.output(), vk.web)
    assert "KESTREL-ROOT mounted /dev/vda (rw): switch_root to its /init" in lines, lines[-20:]
    mounts = sh.check("cat /proc/mounts")
    assert re.search(r"^/dev/vda / ext4 rw[ ,]", mounts, re.M), \
        f"/ is not /dev/vda as ext4 rw:\n{mounts}"
    assert sh.check("cat /etc/hostname") == "kestrel-rootfs\n"
    acpi = sh.check("ls /sys/bus/acpi/devices | grep -c LNRO0005 || true")
    assert int(acpi) >= 4, f"{acpi.strip()} LNRO0005 devices in the DSDT: want two disks, " \
        "the balloon and the rng"
    size = int(sh.check("cat /sys/block/vda/size"))
    assert size * 512 == 64 << 20, f"/dev/vda is {size} sectors, rootfs.img 64 MiB"
    sh.check("echo written > /data/scratch && sync && rm /data/scratch && sync")


def test_read_only_second_disk(sh):
    assert sh.check("ls /sys/block | grep '^vd'").split() == ["vda", "vdb"], \
        "want /dev/vda and /dev/vdb, in the cfg's order"
    assert sh.check("cat /sys/block/vda/ro /sys/block/vdb/ro").split() == ["0", "1"], \
        "xvdb is `ro` in the cfg: the device must offer VIRTIO_BLK_F_RO"
    assert int(sh.check("cat /sys/block/vdb/size")) * 512 == 4 << 20
    sh.check("mkdir -p /mnt && mount -t ext4 -o ro /dev/vdb /mnt")
    assert sh.check("cat /mnt/hello.txt") == lg.RO_DISK_TEXT + "\n"
    sh.check("umount /mnt")
    status, out = sh.run("dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync")
    assert status != 0, f"a write to the read-only disk succeeded: {out}"


def test_a_second_rw_user_is_refused_and_ro_sharing_is_not(vk):
    if vk.problem:
        pytest.fail(vk.problem, pytrace=False)
    text = vk.text()
    db = [ln for ln in vk.lines(text) if ln.startswith("db.cfg") or " (db)" in ln]
    assert len(db) == 1, f"db.cfg (rootfs.img rw, which web has rw) gave {db}: want one line"
    assert "rootfs.img" in db[0] and "domain not built" in db[0], db[0]
    rows = vk.xl_list()
    assert "db" not in rows, rows
    assert "reader" in rows and rows["reader"]["state"][2] == "p", \
        f"reader (ro.img ro, shared with web's ro) was not built paused: {rows}"
    out = xen_lines(vk.cmd("create db.cfg"))
    assert len(out) == 1 and "rootfs.img" in out[0], f"create db.cfg said {out}"
    assert "db" not in vk.xl_list()


def test_block_list(vk):
    if vk.problem:
        pytest.fail(vk.problem, pytrace=False)
    out = xen_lines(vk.cmd("block-list web"))
    assert out and re.match(r"\(XEN\) Vdev\s", out[0]), f"no xl block-list header: {out}"
    rows = out[1:]
    assert len(rows) == 2, f"want a row per disk of web: {out}"
    for vdev, rx in VDEVS.items():
        assert any(re.search(rx, r) for r in rows), f"no {vdev} in block-list web: {out}"
    assert xen_lines(vk.cmd(f"block-list {vk.web}")) == out
    err = xen_lines(vk.cmd("block-list nosuch"))
    assert len(err) == 1 and "nosuch" in err[0], err


# ---- entropy --------------------------------------------------------------------------------

def test_hwrng_is_virtio_rng(sh):
    cur = sh.check("cat /sys/class/misc/hw_random/rng_current")
    assert cur.startswith("virtio_rng"), f"/dev/hwrng is fed by {cur.strip()!r}, not virtio_rng"
    assert sh.check("head -c 64 /dev/hwrng | wc -c", 60).strip() == "64"
    a, b = (sh.check("head -c 16 /dev/hwrng | od -An -tx1", 60) for _ in range(2))
    assert a != b, "virtio-rng gave the same 16 bytes twice"


# ---- the balloon ----------------------------------------------------------------------------

def wait_mem(k, mib, timeout=120):
    """Poll `list` until web holds mib MiB; fail with what it shows otherwise."""
    end = time.monotonic() + timeout * k.slow
    while True:
        row = k.xl_list().get("web", {})
        if row.get("mem") == mib:
            return
        assert time.monotonic() < end, \
            f"after mem-set web {mib}, list still shows {row.get('mem')} MiB for web " \
            f"({timeout * k.slow:.0f} s): the guest's balloon did not follow"
        time.sleep(1)


def guest_memtotal_kib(k):
    s = lg.attach(k, "web", k.web)
    kib = int(s.check("sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo"))
    lg.to_xen(k)
    return kib


def test_balloon_down_and_up(vk):
    if vk.problem:
        pytest.fail(vk.problem, pytrace=False)
    assert vk.xl_list()["web"]["mem"] == MEM
    free0, total0 = free_frames(vk), guest_memtotal_kib(vk)
    assert xen_lines(vk.cmd(f"mem-set web {LOW}")) == []
    wait_mem(vk, LOW)
    freed = free_frames(vk) - free0
    want = (MEM - LOW - 4) * 1024 // FRAME_KIB        # 4 MiB slack for Kestrel's own use
    assert freed >= want, f"meminfo shows {freed} more free frames after mem-set web {LOW}, " \
        f"want >= {want}"
    total1 = guest_memtotal_kib(vk)
    print(f"guest MemTotal {total0} kB -> {total1} kB at {LOW} MiB")
    assert xen_lines(vk.cmd(f"mem-set web {MEM}")) == []
    wait_mem(vk, MEM)
    back = free0 - free_frames(vk)
    assert abs(back) <= 4 * 1024 // FRAME_KIB, \
        f"after mem-set web {MEM} meminfo's free frames are {back:+d} off the start's"
    err = xen_lines(vk.cmd(f"mem-set web {MEM + 64}"))
    assert len(err) == 1, f"mem-set over maxmem gave {err}: want one error line"
    time.sleep(2)
    assert vk.xl_list()["web"]["mem"] == MEM
    s = lg.attach(vk, "web", vk.web)             # and the guest still works
    assert s.check("echo $((6*7))") == "42\n"
    lg.to_xen(vk)


# ---- data across the domain's life (last: they change the domain) ----------------------------

def test_data_kept_across_reboot(vk, sh):
    token = secrets.token_hex(8)
    sh.check(f"echo {token} > /data/reboot.txt && sync")
    begin = vk.mark()
    vk.send("reboot\r")
    m = vk.expect(rb"\(XEN\) d" + str(vk.web).encode() + rb" \(web\): restarted as d(\d+)", 90)
    vk.web = int(m.group(1))
    problem = lg.boot_to_rootfs(vk, vk.web, "web", since=begin)
    assert not problem, "after reboot: " + problem
    s = lg.attach(vk, "web", vk.web)
    assert s.check("cat /data/reboot.txt") == token + "\n", "the file is gone after reboot"


def test_data_kept_across_destroy_and_create(vk, sh):
    token = secrets.token_hex(8)
    sh.check(f"echo {token} > /data/create.txt && sync")
    lg.to_xen(vk)
    out = vk.cmd("destroy web", 20)
    assert f"destroyed d{vk.web}" in out, out
    begin = vk.mark()
    out = xen_lines(vk.cmd("create web.cfg", 20))
    m = re.search(r"created d(\d+) \(web\)", "\n".join(out))
    assert m, f"create web.cfg after destroy said {out} (was rootfs.img's rw claim kept?)"
    vk.web = int(m.group(1))
    problem = lg.boot_to_rootfs(vk, vk.web, "web", since=begin)
    assert not problem, "after destroy + create: " + problem
    s = lg.attach(vk, "web", vk.web)
    assert s.check("cat /data/create.txt") == token + "\n", \
        "the file is gone after destroy + create"
    assert "Panic" not in vk.text()
