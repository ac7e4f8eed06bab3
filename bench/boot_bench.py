#!/usr/bin/python3
"""Boot and size benchmark (figures 3 and 4), every boot under QEMU -accel tcg -cpu max -m 512,
the clock starting when QEMU is spawned (COM1 is a unix socket with wait=on, so no output is
lost before we connect):

  Kestrel  the default board (boards/qemu/modules.list): until the `(XEN) ` prompt has been
           printed and every domain of the board has printed its first `(dN) ` line.
  floor    the board's first guest (hello) booted bare by `qemu -kernel`: until its first
           byte of output.
  Xen      Debian's Xen 4.17 (xen-hypervisor-4.17-amd64, its xen-4.17-amd64.gz unpacked to
           the ELF32 Multiboot image QEMU's -kernel takes) with Debian's Linux (vmlinuz of
           linux-image-amd64) as the dom0 module: until `*** Serial input to DOM0`, Xen's
           hand-off to dom0. The packages are fetched with `apt-get download` into
           build/bench-cache/ and unpacked with `dpkg-deb -x` (never installed).
Runs are interleaved (Kestrel, floor, Xen) RUNS times. Figures: Kestrel / floor and
Kestrel / Xen per run; Kestrel's own time to its first prompt (issue 3's < 1 s).
Sizes: build/kestrel.elf, the packed board image (make board BOARD=qemu ->
build/boards/qemu.img) and Xen 4.17's hypervisor binary, gzip as shipped and unpacked.

  python3 bench/boot_bench.py [--runs N] [--no-xen] [--json PATH]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
from kestrel import Kestrel  # noqa: E402

MEM = 512
BOARD = "qemu"
CACHE = os.path.join(B.ROOT, "build", "bench-cache")
XEN_PKG = "xen-hypervisor-4.17-amd64"
XEN_APPEND = "console=com1 com1=115200,8n1 smap=0 dom0_mem=256M noreboot"
DOM0_ARGS = "console=hvc0"


def board_modules(board):
    mods = []
    for ln in open(os.path.join(B.ROOT, "boards", board, "modules.list")):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            mods.append(os.path.join(B.ROOT, ln.split()[0]) + ln[len(ln.split()[0]):])
    return mods


def boot_kestrel(mods, ndoms):
    k = B.boot_kestrel(mods, mem=MEM)
    try:
        t_prompt = None
        seen = set()
        deadline = time.monotonic() + 60
        while (t_prompt is None or len(seen) < ndoms) and time.monotonic() < deadline:
            m = k.expect(rb"(\*\*\* Serial input to Xen [^\r]*\r\n\(XEN\) )|\(d(\d+)\) ", 60)
            if m.group(1):
                t_prompt = time.monotonic() - k.t_start
            else:
                seen.add(m.group(2))
        if t_prompt is None or len(seen) < ndoms:
            raise RuntimeError(f"Kestrel: prompt {t_prompt}, domains seen {sorted(seen)}")
        return t_prompt, time.monotonic() - k.t_start
    finally:
        k.stop()


def boot_floor(name):
    k = B.boot_bare(name, mem=MEM)
    try:
        k.expect(rb".", 60)
        return k.t_first - k.t_start
    finally:
        k.stop()


def fetch_xen():
    """(xen ELF path, dom0 vmlinuz path, None) or (None, None, why)."""
    root = os.path.join(CACHE, "root")
    xen_elf = os.path.join(CACHE, "xen-4.17.elf")
    os.makedirs(CACHE, exist_ok=True)
    gz = glob.glob(os.path.join(root, "boot", "xen-4.17-amd64.gz"))
    vmlinuz = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if not gz or not vmlinuz:
        try:
            dep = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                                 capture_output=True, text=True, timeout=60).stdout
            kpkg = re.search(r"Depends: (linux-image-\S+)", dep).group(1)
            p = subprocess.run(["apt-get", "download", XEN_PKG, kpkg], cwd=CACHE,
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                return None, None, f"apt-get download failed: {p.stderr.strip()[-300:]}"
            for deb in glob.glob(os.path.join(CACHE, "*.deb")):
                subprocess.run(["dpkg-deb", "-x", deb, root], check=True, timeout=300)
        except (OSError, subprocess.SubprocessError, AttributeError) as e:
            return None, None, f"could not fetch Xen: {e}"
        gz = glob.glob(os.path.join(root, "boot", "xen-4.17-amd64.gz"))
        vmlinuz = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
        if not gz or not vmlinuz:
            return None, None, "the Debian packages hold no xen-4.17-amd64.gz or vmlinuz"
    if not os.path.exists(xen_elf):
        with open(xen_elf + ".tmp", "wb") as out:
            subprocess.run(["zcat", gz[0]], stdout=out, check=True)
        os.rename(xen_elf + ".tmp", xen_elf)
    return xen_elf, sorted(vmlinuz)[-1], None


def boot_xen(xen, vmlinuz):
    k = Kestrel(kernel=xen, append=XEN_APPEND, initrd=[f"{vmlinuz} {DOM0_ARGS}"], mem=MEM)
    try:
        k.expect(rb"\*\*\* Serial input to DOM0", 180)
        return time.monotonic() - k.t_start
    finally:
        k.stop()


def sizes(xen_gz, xen_elf):
    out = {"kestrel_elf": os.path.getsize(B.ELF)}
    p = subprocess.run(["make", "-s", "board", f"BOARD={BOARD}"], cwd=B.ROOT,
                       capture_output=True, text=True)
    img = os.path.join(B.ROOT, "build", "boards", f"{BOARD}.img")
    if p.returncode == 0 and os.path.exists(img):
        out["board_img"] = os.path.getsize(img)
    else:
        out["board_img_error"] = (p.stdout + p.stderr).strip()[-300:]
    if xen_gz:
        out["xen_gz"] = os.path.getsize(xen_gz)
    if xen_elf:
        out["xen_elf"] = os.path.getsize(xen_elf)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-xen", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(B.ELF):
        sys.exit("boot_bench: build/kestrel.elf is missing; run 'make' first")
    mods = board_modules(BOARD)
    ndoms = sum(1 for m in mods if m.split()[0].endswith(".cfg"))
    first_guest = os.path.basename(mods[0].split()[0])[:-4]
    xen = vmlinuz = None
    why = "skipped (--no-xen)"
    if not a.no_xen:
        xen, vmlinuz, why = fetch_xen()
    prompt, kes, flo, xt = [], [], [], []
    for _ in range(a.runs):
        p, t = boot_kestrel(mods, ndoms)
        prompt.append(p)
        kes.append(t)
        flo.append(boot_floor(first_guest))
        if xen:
            try:
                xt.append(boot_xen(xen, vmlinuz))
            except (AssertionError, RuntimeError) as e:
                xen, why = None, f"Xen did not reach its dom0 hand-off: {str(e)[-300:]}"
                xt = []
    figs = [
        B.figure("boot: Kestrel to prompt + domains / bare guest", [k / f for k, f in zip(kes, flo)],
                 "<= 1.5", "x", note=f"Kestrel {B.median(kes):.3f} s ({ndoms} domains), bare "
                                      f"{first_guest} {B.median(flo):.3f} s (median)"),
        B.figure("boot: Kestrel / Xen 4.17 to dom0", [k / x for k, x in zip(kes, xt)],
                 "<= 0.1", "x", note=(f"Xen 4.17 + Debian dom0 {B.median(xt):.2f} s median"
                                      if xt else f"not measured: {why}")),
        B.figure("boot: Kestrel to first prompt", prompt, "<= 1.0", "s"),
    ]
    sz = sizes(glob.glob(os.path.join(CACHE, "root", "boot", "xen-4.17-amd64.gz"))[0]
               if xen else None, xen)
    figs.append(B.figure("size: build/kestrel.elf", [sz["kestrel_elf"] / 1024], "<= 256", "KiB",
                         note=(f"Xen 4.17: xen.gz {sz['xen_gz'] / 1024:.0f} KiB, unpacked "
                               f"{sz['xen_elf'] / 1024:.0f} KiB" if "xen_gz" in sz else
                               f"Xen size not measured: {why}")))
    if "board_img" in sz:
        figs.append(B.figure(f"size: packed board image ({BOARD}.img)", [sz["board_img"] / 1024],
                             None, "KiB", note="kestrel.elf + the board's guests and cfgs "
                                               "(make board)"))
    else:
        figs.append(B.figure("size: packed board image", [], None, "KiB",
                             note=f"make board failed: {sz['board_img_error']}"))
    if "xen_gz" in sz:
        figs.append(B.figure("size: kestrel.elf / Xen 4.17 xen.gz", [sz["kestrel_elf"] / sz["xen_gz"]],
                             None, "x"))
    B.write(a.json, figs, sizes=sz, kestrel_s=kes, floor_s=flo, xen_s=xt, prompt_s=prompt,
            xen_why=None if xt else why)
    return 0


if __name__ == "__main__":
    sys.exit(main())
