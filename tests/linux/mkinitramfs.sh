#!/bin/sh
# mkinitramfs.sh - build build/linux/initrd.gz, the small initramfs the Linux guest tests
# boot: Debian's busybox-static (downloaded once with "apt-get download" and unpacked with
# dpkg-deb into build/linux/busybox, never installed) with a symlink per applet, the files
# of tests/linux/rootfs/ (/init prints "KESTREL-LINUX-INIT up", then busybox init starts
# a shell with the prompt "kestrel-guest# " on the console; poweroff when it exits), and
# /dev/console. The archive (cpio newc, gzip) is written by tests/linux/mkcpio.py, so no
# root is needed. Prints the initrd's path. Cached: rebuilt only when this script,
# mkcpio.py or a rootfs file changes (build/linux/initrd.gz.stamp holds their checksum).
# Without apt-get (not a Debian host) it prints "SKIP: <reason>" and exits 0.
#
# `mkinitramfs.sh --virtio` builds build/linux/initrd-virtio.gz instead (issue 17): the same
# archive with the kernel modules of tests/linux/fetch-modules.sh in /lib/modules, their
# load order in /etc/modules.list and tests/linux/virtio/init as /init (loads them, then
# switch_roots into root=/dev/vdX, or prints the same marker and runs the same shell), and
# /bin/netflood (tests/linux/virtio/netflood.c, the flood test's raw-frame sender, built
# static with the host's gcc; left out when there is no gcc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$root/build/linux
variant=
[ "${1:-}" = --virtio ] && variant=virtio
out=$dir/initrd${variant:+-$variant}.gz
bb=$dir/busybox
mods=
if [ -n "$variant" ]; then
	mods=$(sh "$here/fetch-modules.sh" | tail -n 1)
	case "$mods" in SKIP*) echo "$mods"; exit 0;; esac
	mods=$(dirname "$mods")
fi

sum=$( { cd "$here" && find mkinitramfs.sh mkcpio.py rootfs $variant -type f | LC_ALL=C sort |
	xargs sha256sum; [ -z "$mods" ] || cat "$mods/load.list.stamp"; } | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$sum" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$dir"

if [ ! -x "$bb" ]; then
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		echo "SKIP: apt-get/dpkg-deb not available (not a Debian host)"
		exit 0
	fi
	t=$(mktemp -d "$dir/bb.XXXXXX")
	(cd "$t" && { apt-get download busybox-static >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get download busybox-static >/dev/null; }; })
	dpkg-deb -x "$t"/busybox-static_*.deb "$t/x"
	[ -x "$t/x/bin/busybox" ] || { echo "mkinitramfs.sh: no bin/busybox in busybox-static" >&2; exit 1; }
	mv "$t/x/bin/busybox" "$bb"
	rm -rf "$t"
fi

# The archive's list, in gen_init_cpio's syntax (tests/linux/mkcpio.py).
list=$dir/initrd${variant:+-$variant}.list
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /dev /proc /sys /etc /root /tmp; do
		echo "dir $d 755 0 0"
	done
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox $bb 755 0 0"
	"$bb" --list-full | LC_ALL=C sort | while read -r applet; do
		[ "$applet" = bin/busybox ] || echo "slink /$applet /bin/busybox 777 0 0"
	done
	if [ -n "$variant" ]; then
		echo "file /init $here/virtio/init 755 0 0"
		echo "dir /newroot 755 0 0"
		echo "dir /lib 755 0 0"
		echo "dir /lib/modules 755 0 0"
		echo "file /etc/modules.list $mods/load.list 644 0 0"
		while read -r m; do
			echo "file /lib/modules/$m.ko $mods/$m.ko 644 0 0"
		done < "$mods/load.list"
		if command -v gcc >/dev/null 2>&1 &&
			gcc -static -O2 -Wall -o "$dir/netflood" "$here/virtio/netflood.c" >&2; then
			echo "file /bin/netflood $dir/netflood 755 0 0"
		fi
	else
		echo "file /init $here/rootfs/init 755 0 0"
	fi
	echo "file /etc/inittab $here/rootfs/etc/inittab 644 0 0"
	echo "file /etc/console-shell $here/rootfs/etc/console-shell 755 0 0"
} > "$list"

/usr/bin/python3 "$here/mkcpio.py" "$list" | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
echo "$sum" > "$out.stamp"
echo "$out"
