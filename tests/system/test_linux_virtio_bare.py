"""The virtio guests' assets on bare QEMU, without Kestrel (issue 17's reference): Debian's
kernel, the virtio initramfs (tests/linux/mkinitramfs.sh --virtio, with the kernel's own
modules from tests/linux/fetch-modules.sh) and the ext4 images (tests/linux/mkrootfs.sh),
booted on QEMU's `microvm` machine with ACPI, whose virtio-mmio devices are described in
its DSDT as LNRO0005 devices exactly as Kestrel describes its own: the initramfs loads
virtio_mmio and the rest, finds /dev/vda and /dev/vdb, switch_roots into root=/dev/vda,
files written there are in the image file afterwards, the second
disk is read-only, virtio-rng feeds /dev/hwrng and virtio_balloon binds; with a root it
cannot find it says so in one line and gives the initramfs's own shell.

What passes here and fails in test_linux_virtio.py is Kestrel's.

One deviation from a plain boot, because of QEMU 7.2, not of the guest: microvm with ACPI is
a hardware-reduced ACPI machine (no PIT, HPET or PM timer for Linux to use) and TCG offers
no kvmclock, so the kernel cannot measure its TSC and hangs calibrating its timer; the
command line adds `tsc_early_khz=<the host's TSC kHz>` (TCG's guest TSC is the host's).
QEMU's `pc` machine has no virtio-mmio bus at all, and microvm without ACPI describes its
devices only on the command line (virtio_mmio.device=), which Debian's kernel does not read
(no CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES).

Cost: three Linux boots on microvm (~10-20 s each under TCG here: one machine writing its
disk, one with a missing root), ~30 s; nothing asserts a speed."""
import os
import re
import secrets
import stat
import subprocess
import sys

import pytest

from kestrel import Kestrel, ROOT
import linux_guest as lg
from test_linux_bare import cpio_members

pytestmark = pytest.mark.qemu_only("Linux booted by QEMU's microvm itself, without Kestrel")

# The cases that boot microvm prove the assets and QEMU, not Kestrel, and cost three boots
# (~30 s): they run in make soak; make test keeps the asset checks that boot nothing, and
# test_linux_virtio.py makes the same checks of a Kestrel domain.
BOOTS_BARE = pytest.mark.soak

# What each wanted module needs first (its modinfo depends= and softdep pre:).
NEEDS = {"virtio_mmio": ["virtio", "virtio_ring"], "virtio_blk": ["virtio", "virtio_ring"],
         "virtio_balloon": ["virtio"], "virtio_rng": ["virtio"],
         "ext4": ["jbd2", "mbcache", "crc16", "crc32c_generic"],
         "virtio_net": ["net_failover", "failover", "virtio"]}


def microvm(tmp, append, disks=(), reboot=False):
    """A bare QEMU microvm (ACPI on) booting the kernel and the virtio initramfs with these
    disks (paths; one named ro.img is read-only), a virtio-balloon and a virtio-rng."""
    a = lg.virtio_assets()
    extra = ["-M", "microvm,acpi=on,rtc=on"]
    for i, path in enumerate(disks):
        ro = ",readonly=on" if os.path.basename(path) == "ro.img" else ""
        extra += ["-drive", f"file={path},format=raw,if=none,id=disk{i}{ro}",
                  "-device", f"virtio-blk-device,drive=disk{i}"]
    extra += ["-device", "virtio-balloon-device", "-device", "virtio-rng-device"]
    return Kestrel(kernel=a["vmlinuz"], initrd=a["initrd"], mem=256, reboot=reboot,
                   append=f"console=ttyS0 tsc_early_khz={lg.tsc_khz()} {append}", extra=extra)


def shell_after(k, marker):
    """Wait for marker then the shell's banner; the synced Shell."""
    k.expect(re.escape(marker) + r"\r?\n", lg.BOOT_S)
    k.expect(re.escape(lg.SHELL_BANNER), 60)
    sh = lg.Shell(k)
    sh.sync()
    return sh


# ---- the assets themselves (no boot) --------------------------------------------------------

def test_modules_are_ordered_with_what_they_need_first():
    order = lg.module_load_order()
    for user, needs in NEEDS.items():
        assert user in order, f"{user} not in load.list: {order}"
        for dep in needs:
            assert dep in order and order.index(dep) < order.index(user), (user, dep, order)
    assert len(order) == len(set(order)), order


def test_kmodorder_reads_depends_and_softdeps_from_the_modules():
    """kmodorder.py on the flat module directory itself: ext4 alone pulls its depends
    (jbd2, mbcache, crc16) and its softdep's alias crypto-crc32c (crc32c_generic)."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "linux", "kmodorder.py"),
                        lg.virtio_assets()["modules"], "ext4"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    names = [ln.split()[0] for ln in r.stdout.splitlines()]
    assert names[-1] == "ext4" and set(names) == {"ext4", "jbd2", "mbcache", "crc16",
                                                  "crc32c_generic"}, names
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "linux", "kmodorder.py"),
                        lg.virtio_assets()["modules"], "no_such_module"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "no_such_module" in r.stderr


def test_modules_match_the_kernel():
    """Each module's vermagic names the kernel's release (the kernel refuses others)."""
    a = lg.virtio_assets()
    data = open(a["vmlinuz"], "rb").read()
    off = 0x200 + int.from_bytes(data[0x20E:0x210], "little")
    release = data[off:off + 64].split(b" ")[0]
    for name in lg.module_load_order():
        ko = open(os.path.join(a["modules"], name + ".ko"), "rb").read()
        assert ko[:4] == b"\x7fELF", f"{name}.ko is not an uncompressed ELF module"
        assert b"vermagic=" + release + b" " in ko, f"{name}.ko is not for {release}"


def test_virtio_initramfs_holds_the_modules_and_its_init():
    a = lg.virtio_assets()
    m = cpio_members(a["initrd"])
    order = lg.module_load_order()
    assert m["etc/modules.list"][4].decode().split() == order
    for name in order:
        mode, uid, _, _, data = m[f"lib/modules/{name}.ko"]
        assert stat.S_ISREG(mode) and uid == 0
        assert data == open(os.path.join(a["modules"], name + ".ko"), "rb").read(), name
    init = m["init"][4]
    assert b"switch_root" in init and lg.MARKER.encode() in init
    assert stat.S_ISDIR(m["newroot"][0])
    assert stat.S_ISLNK(m["sbin/switch_root"][0]) and stat.S_ISLNK(m["sbin/insmod"][0])


def test_images_are_ext4_with_the_rootfs_and_the_ro_file():
    a = lg.virtio_assets()
    for which, label in (("rootfs", b"kestrel-root"), ("ro", b"kestrel-ro")):
        with open(a[which], "rb") as f:
            sb = f.read(2048)[1024:]
        assert sb[56:58] == b"\x53\xef", f"{which}: no ext4 superblock magic"
        assert sb[120:136].rstrip(b"\0") == label, sb[120:136]
    assert os.path.getsize(a["rootfs"]) == 64 << 20
    init = lg.ext4_file(a["rootfs"], "/init")
    assert init and lg.ROOTFS_MARKER in init and "exec /sbin/init" in init
    assert lg.ext4_file(a["rootfs"], "/etc/console-shell") is not None
    assert lg.ext4_file(a["ro"], "/hello.txt") == lg.RO_DISK_TEXT + "\n"


# ---- root on a virtio disk, through a reboot ------------------------------------------------

@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    d = tmp_path_factory.mktemp("virtio-bare")
    return lg.disk_copy(d, "rootfs"), lg.disk_copy(d, "ro")


@pytest.fixture(scope="module")
def vm(tmp_path_factory, disks):
    k = microvm(tmp_path_factory.mktemp("vm"), "root=/dev/vda", disks, reboot=True)
    try:
        yield k
    finally:
        k.stop()


@pytest.fixture(scope="module")
def rootsh(vm):
    return shell_after(vm, lg.ROOTFS_MARKER)


@BOOTS_BARE
def test_initramfs_loads_every_module_then_switches_to_the_disk(vm, rootsh):
    text = vm.text()
    loaded = re.search(re.escape(lg.MODULES_LOADED) + r"([^\r\n]*)", text).group(1).split()
    assert loaded == lg.module_load_order(), loaded
    assert lg.MODULE_FAILED not in text
    assert "KESTREL-ROOT mounted /dev/vda (rw)" in text
    assert lg.MARKER not in text, "the initramfs's own marker: it did not switch root"
    mounts = rootsh.check("cat /proc/mounts")
    assert re.search(r"^/dev/vda / ext4 rw[ ,]", mounts, re.M), mounts
    assert rootsh.check("cat /etc/hostname") == "kestrel-rootfs\n"


@BOOTS_BARE
def test_devices_are_virtio_mmio_from_acpi(rootsh):
    """The disks hang off virtio_mmio platform devices that ACPI enumerated (LNRO0005)."""
    out = rootsh.check("ls /sys/bus/acpi/devices/ | grep LNRO0005 | wc -l; "
                       "ls /sys/bus/platform/drivers/virtio-mmio/ | grep -c LNRO0005")
    acpi, bound = (int(x) for x in out.split())
    assert acpi >= 4 and bound >= 4, out         # two disks, the balloon, the rng
    names = rootsh.check("cat /sys/block/vda/device/modalias /sys/block/vdb/device/modalias")
    assert names.split() == ["virtio:d00000002v554D4551"] * 2, names


@BOOTS_BARE
def test_second_disk_is_read_only(rootsh):
    assert rootsh.check("cat /sys/block/vda/ro /sys/block/vdb/ro").split() == ["0", "1"]
    rootsh.check("mkdir -p /mnt && mount -t ext4 -o ro /dev/vdb /mnt")
    assert rootsh.check("cat /mnt/hello.txt") == lg.RO_DISK_TEXT + "\n"
    status, out = rootsh.run("dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync")
    assert status != 0, f"a write to the read-only disk succeeded: {out}"
    rootsh.check("umount /mnt")


@BOOTS_BARE
def test_hwrng_is_virtio_rng(rootsh):
    assert rootsh.check("cat /sys/class/misc/hw_random/rng_current").startswith("virtio_rng")
    assert rootsh.check("head -c 64 /dev/hwrng | wc -c").strip() == "64"
    a, b = (rootsh.check("head -c 16 /dev/hwrng | od -An -tx1") for _ in range(2))
    assert a != b, "virtio-rng gave the same 16 bytes twice"


@BOOTS_BARE
def test_balloon_driver_binds(rootsh):
    out = rootsh.check("ls /sys/bus/virtio/drivers/virtio_balloon/")
    assert re.search(r"\bvirtio\d+\b", out), f"virtio_balloon bound no device: {out}"


@BOOTS_BARE
def test_files_land_in_the_image(vm, rootsh, disks):
    """Last: write, sync, poweroff, and read the file from the image on the host. (A reboot
    of QEMU's microvm itself sometimes hangs after "reboot: Restarting system" on a loaded
    host, so this reference leaves reboots to the Kestrel suite, test_linux_virtio.py, which
    checks data across a domain's reboot and destroy + create.)"""
    token = secrets.token_hex(8)
    rootsh.check(f"echo {token} > /data/persist.txt && sync")
    vm.mark()
    vm.send("poweroff\r")
    vm.expect(r"reboot: Power down", 60)
    assert vm.wait_exit(30) is not None, "QEMU still runs after the guest's poweroff"
    assert lg.ext4_file(disks[0], "/data/persist.txt") == token + "\n"


# ---- a root that is not there ----------------------------------------------------------------

@BOOTS_BARE
def test_missing_root_says_so_and_gives_the_initramfs_shell(tmp_path):
    k = microvm(tmp_path, "root=/dev/vdc", [lg.disk_copy(tmp_path, "ro")])
    try:
        sh = shell_after(k, lg.MARKER)
        text = k.text()
        lines = re.findall(r"KESTREL-ROOT [^\r\n]*", text)
        assert len(lines) == 1 and re.match(lg.ROOT_FAILED, lines[0]), lines
        assert "/dev/vdc" in lines[0]
        assert sh.check("ls /dev/vda >/dev/null && echo yes") == "yes\n"
        assert "ext4" in sh.check("cat /proc/filesystems")
    finally:
        k.stop()
