#!/bin/sh
# fetch-debian-xen.sh - download (once) Debian 12's Xen 4.17 hypervisor and
# a Linux kernel for dom0 with "apt-get download", unpack them with dpkg-deb
# under build/mbootpack/debs (never installed), and print two paths: the
# xen.gz and the vmlinuz.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/mbootpack/debs
mkdir -p "$dir"
cd "$dir"

# fetch PACKAGE: download PACKAGE's .deb unless one is already here.
fetch() {
	ls "$1"_*.deb >/dev/null 2>&1 && return 0
	apt-get download "$1" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get download "$1" >/dev/null; }
}

if [ ! -f xen/boot/xen-4.17-amd64.gz ]; then
	fetch xen-hypervisor-4.17-amd64
	rm -rf xen
	dpkg-deb -x xen-hypervisor-4.17-amd64_*.deb xen
fi
if [ ! -f linux/vmlinuz ]; then
	pkg=$(ls linux-image-[0-9]*-amd64_*.deb 2>/dev/null | head -n 1 | sed 's/_.*//')
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache depends linux-image-amd64 |
		      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
		[ -n "$pkg" ] || { apt-get update -qq >/dev/null 2>&1;
			pkg=$(apt-cache depends linux-image-amd64 |
			      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1); }
		fetch "$pkg"
	fi
	rm -rf linux
	mkdir linux
	dpkg-deb --fsys-tarfile "$pkg"_*.deb | tar -x -C linux --wildcards './boot/vmlinuz-*'
	mv linux/boot/vmlinuz-* linux/vmlinuz
fi
echo "$dir/xen/boot/xen-4.17-amd64.gz"
echo "$dir/linux/vmlinuz"
