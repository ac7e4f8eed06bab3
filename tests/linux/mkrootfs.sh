#!/bin/sh
# mkrootfs.sh - build the disk images of the virtio tests (issue 17) with Debian's
# e2fsprogs (`mke2fs -t ext4 -d DIR`: the file system is filled from a directory, so no
# root and no loop mount are needed):
# - build/linux/rootfs.img (64 MiB, label kestrel-root): the root the virtio initramfs
#   switch_roots into on root=/dev/vda. Busybox (the same Debian busybox-static as the
#   initramfs, tests/linux/mkinitramfs.sh fetches it) with a symlink per applet, the files of
#   tests/linux/virtio/rootfs/ (/init prints "KESTREL-ROOTFS up", then busybox init runs the
#   same console shell as the initramfs, prompt "kestrel-guest# "), empty /dev /proc /sys
#   /tmp /root, and /data (empty) for the tests' files.
# - build/linux/ro.img (4 MiB, label kestrel-ro): the read-only second disk's content,
#   /hello.txt holding the line "KESTREL-RO-DISK hello".
# Tests copy the images before booting them (a disk's writes change its file). Prints
# rootfs.img's path (ro.img is beside it). Cached: rebuilt only when this script, the
# rootfs files or busybox change (build/linux/rootfs.img.stamp). Without mke2fs it prints
# "SKIP: <reason>" and exits 0.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$root/build/linux
out=$dir/rootfs.img
ro=$dir/ro.img
bb=$dir/busybox
mke2fs=$(PATH=/usr/sbin:/sbin:$PATH command -v mke2fs || true)
if [ -z "$mke2fs" ]; then
	echo "SKIP: no mke2fs (Debian's e2fsprogs, tests/deps/virtio.txt)"
	exit 0
fi

# busybox comes with the initramfs (downloaded there once).
r=$(sh "$here/mkinitramfs.sh" | tail -n 1)
case "$r" in SKIP*) echo "$r"; exit 0;; esac
[ -x "$bb" ] || { echo "mkrootfs.sh: no $bb after mkinitramfs.sh" >&2; exit 1; }

sum=$( { cd "$here" && find mkrootfs.sh virtio/rootfs rootfs/etc/console-shell -type f |
	LC_ALL=C sort | xargs sha256sum; sha256sum < "$bb"; } | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$ro" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$sum" ]; then
	echo "$out"
	exit 0
fi

t=$(mktemp -d "$dir/rootfs.XXXXXX")
trap 'rm -rf "$t"' EXIT

# The root file system's tree.
fs=$t/root
for d in bin sbin usr/bin usr/sbin dev proc sys etc root tmp data; do
	mkdir -p "$fs/$d"
done
chmod 1777 "$fs/tmp"
cp "$bb" "$fs/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] || ln -s /bin/busybox "$fs/$applet"
done
cp "$here/virtio/rootfs/init" "$fs/init"
cp "$here/virtio/rootfs/etc/inittab" "$fs/etc/inittab"
cp "$here/rootfs/etc/console-shell" "$fs/etc/console-shell"
chmod 755 "$fs/init" "$fs/etc/console-shell" "$fs/bin/busybox"
echo "kestrel-rootfs" > "$fs/etc/hostname"

# The read-only disk's tree.
rofs=$t/ro
mkdir -p "$rofs"
echo "KESTREL-RO-DISK hello" > "$rofs/hello.txt"

# -E root_owner: / owned by root whoever builds it; no lazy init, so the image is whole
# from the start (the guest's kernel does not zero tables behind the tests' back).
opts="-q -F -t ext4 -E root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0"
"$mke2fs" $opts -L kestrel-root -d "$fs" "$t/rootfs.img" 64M >/dev/null
"$mke2fs" $opts -L kestrel-ro -d "$rofs" "$t/ro.img" 4M >/dev/null
mv "$t/ro.img" "$ro"
mv "$t/rootfs.img" "$out"
echo "$sum" > "$out.stamp"
echo "$out"
