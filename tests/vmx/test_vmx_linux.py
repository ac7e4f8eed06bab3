"""A Linux domain on Intel VMX with EPT, under Bochs (issue 15; `make test-vmx` only): Debian's
stock kernel with the busybox initramfs (tests/system/linux_guest.py, the assets of
tests/system/test_linux_guest.py) boots to its shell, answers `uname -a` through
`console web`, and `poweroff -f` inside it runs on_poweroff (destroy).

Bochs emulates every instruction: a Linux boot there costs minutes where QEMU TCG takes
10-20 s, so this file is one boot, run by make test-vmx alone (tests/system's Linux suite is
qemu_only, and make test's test_vmx_subset.py does not import this file). The domain has
128 MiB (less memory for the VMX backend to clear at build) in a 384 MiB Bochs. Its waits
are LINUX_BOCHS_S (below) x KESTREL_BOCHS_SLOW x KESTREL_TEST_SLOW. `poweroff -f` goes
straight to the kernel's power-off (ACPI S5, what Kestrel sees, as plain `poweroff` ends);
busybox init's orderly shutdown first sleeps 2 s of guest time, which under Bochs took
94 s of wall time (test_linux_guest.py runs plain `poweroff` under QEMU)."""
import re

import linux_guest as lg

# Seconds for the domain to reach its shell under Bochs. The same kernel and initramfs booted
# bare by Bochs (ISOLINUX's own Linux loader, no Kestrel; the same bochsrc, 256 MiB) printed
# the marker LINUX_BARE_BOCHS_S after Bochs started, on the idle development machine; a
# domain should cost little more (issue 15 asks 1.25x under QEMU): the wait allows ~4x.
LINUX_BARE_BOCHS_S = 230
LINUX_BOCHS_S = 4 * LINUX_BARE_BOCHS_S


def test_linux_boots_to_its_shell_and_powers_off(boot, tmp_path):
    k = boot(initrd=lg.linux_modules(tmp_path, memory=128), mem=384)
    lg.wait_boot(k, 1, "web", LINUX_BOCHS_S)
    print(f"Bochs: start -> Linux domain's init marker {k.seen_s:.0f} s")
    assert "(XEN) Virtualization: Intel VMX with EPT" in k.text()
    sh = lg.attach(k, "web", 1, timeout=120)
    out = sh.check("uname -a", 120)
    assert out.startswith("Linux ") and " x86_64" in out, out
    assert sh.check("echo $((6*7))", 120) == "42\n"
    n, bad = lg.dmesg_problems(sh)
    # Known and open (README, "Linux guests"): Kestrel offers no SPEC_CTRL/IBRS, so on a CPU
    # model Linux lists as RETBleed-affected (Bochs' Skylake) it can only use retpolines and
    # says so. It is the CPU model's truth for this guest, not a kernel fault; every other
    # line counts.
    bad = [ln for ln in bad if "RETBleed: WARNING: Spectre v2 mitigation leaves CPU" not in ln]
    if bad:         # what the kernel said about the CPU it was given, to tell why
        ctx = [ln for ln in sh.check("dmesg", 120).splitlines()
               if re.search(r"x86/fpu|XSAVE|CPUID\[|Spectre|RETBleed|IBRS", ln)]
        bad += ["-- context:"] + ctx
    assert n > 100 and not bad, "dmesg of the Linux domain on VMX:\n" + "\n".join(bad)
    begin = k.mark()
    k.send("poweroff -f\r")
    try:
        m = k.expect(rb"\(XEN\) (d1 \(web\): (?:poweroff|reboot|crash)[^\r\n]*)\r?\n", 300)
    except AssertionError:
        tail = k.output()[begin:].decode(errors="replace")[-2000:]
        raise AssertionError("no poweroff line from Kestrel after the guest's poweroff; the "
                             "guest said:\n" + tail)
    line = m.group(1).decode()
    assert re.fullmatch(r"d1 \(web\): poweroff(: [^;]*)?; on_poweroff=destroy", line), line
    k.expect(re.escape(lg.TO_XEN), 60)
    assert "web" not in k.xl_list()
    assert "Panic" not in k.text()


def test_linux_boots_from_its_virtio_disk(boot, tmp_path):
    """Issue 17 on VMX: the virtio initramfs loads virtio_mmio and virtio_blk from the DSDT's
    LNRO0005 devices and switch_roots into the ext4 image given as `disk`; a file written and
    synced there reaches the boot module's bytes (read back through the guest's own shell).
    A second Bochs boot: about as long as the first."""
    a = lg.virtio_assets()
    cfg = lg.linux_cfg(tmp_path, "web", ramdisk="initrd-virtio.gz", memory=128,
                       extra="console=ttyS0 root=/dev/vda",
                       disk=("raw", "[ 'target=rootfs.img,vdev=xvda,access=rw' ]"))
    k = boot(initrd=[a["vmlinuz"], a["initrd"], lg.disk_copy(tmp_path, "rootfs"), cfg], mem=512)
    problem = lg.boot_to_rootfs(k, 1, "web", LINUX_BOCHS_S, since=0)
    assert not problem, problem
    sh = lg.attach(k, "web", 1, timeout=120)
    assert "/dev/vda / ext4 rw" in sh.check("cat /proc/mounts", 120)
    assert sh.check("echo on-vmx > /data/vmx.txt && sync && cat /data/vmx.txt", 120) == "on-vmx\n"
    k.send("poweroff -f\r")
    k.expect(rb"\(XEN\) d1 \(web\): poweroff[^\r\n]*\r?\n", 300)
    assert "Panic" not in k.text()


def test_two_linux_domains_ping_on_vmx(boot, tmp_path):
    """Issue 18 on VMX: two Linux domains with a vif each on one bridge ping each other
    (the virtio initramfs loads virtio_net). Two Linux boots in one Bochs: the longest test
    here."""
    a = lg.virtio_assets()
    cfgs = [lg.linux_cfg(tmp_path, n, ramdisk="initrd-virtio.gz", memory=128,
                         vif=("raw", f"[ 'bridge=lan0,mac=00:16:3e:00:00:0{i}' ]"))
            for i, n in ((1, "web"), (2, "db"))]
    k = boot(initrd=[a["vmlinuz"], a["initrd"]] + cfgs, mem=512)
    lg.wait_boot(k, 1, "web", 2 * LINUX_BOCHS_S, since=0)
    lg.wait_boot(k, 2, "db", 2 * LINUX_BOCHS_S, since=0)
    for dom, name, ip in ((2, "db", "10.0.0.2"), (1, "web", "10.0.0.1")):
        sh = lg.attach(k, name, dom, timeout=120)
        sh.check(f"ip link set eth0 up && ip addr add {ip}/24 dev eth0; echo ok", 120)
        lg.to_xen(k)
    sh = lg.attach(k, "web", 1, timeout=120)
    status, out = sh.run("ping -c 3 -W 20 10.0.0.2", 300)
    lg.to_xen(k)
    assert status == 0 and "3 packets received" in out, out
    assert "Panic" not in k.text()


def test_linux_with_two_vcpus_starts_its_ap_and_powers_off(boot, tmp_path):
    """Issue 16 on VMX: `vcpus = 2` gives the kernel two vCPUs; it starts the second with
    INIT-SIPI-SIPI, which Kestrel's VMX backend runs from real mode (unrestricted guest),
    and the guest sees and uses both. A third Bochs boot, a little longer than the first."""
    k = boot(initrd=lg.linux_modules(tmp_path, memory=128, vcpus=2), mem=384)
    lg.wait_boot(k, 1, "web", LINUX_BOCHS_S)
    assert re.search(r"\(XEN\) d1 \(web\): built from web\.cfg: 128 MiB, 2 vCPUs, ", k.text())
    sh = lg.attach(k, "web", 1, timeout=120)
    assert sh.check("nproc", 120) == "2\n"
    out = sh.check("dmesg", 120)
    assert "smpboot: Total of 2 processors activated" in out
    n, bad = lg.dmesg_problems(sh)
    bad = [ln for ln in bad if "RETBleed: WARNING: Spectre v2 mitigation leaves CPU" not in ln]
    assert n > 100 and not bad, "dmesg of the 2-vCPU Linux domain on VMX:\n" + "\n".join(bad)
    k.send("poweroff -f\r")
    k.expect(rb"\(XEN\) d1 \(web\): poweroff[^\r\n]*on_poweroff=destroy\r?\n", 300)
    assert "Panic" not in k.text()
