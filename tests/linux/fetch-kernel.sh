#!/bin/sh
# fetch-kernel.sh - download (once) the kernel Debian's linux-image-amd64 depends on (the
# versioned linux-image-<ver>-amd64 package) with "apt-get download", unpack its
# /boot/vmlinuz-* with dpkg-deb under build/linux/ (never installed), and print the path of
# the vmlinuz. Cached: when build/linux/vmlinuz exists nothing is downloaded. Without
# apt-get (not a Debian host) it prints "SKIP: <reason>" and exits 0; any other failure
# (no network, no such package) exits non-zero. The kernel is never checked in.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/linux
out=$dir/vmlinuz

if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
	echo "SKIP: apt-get/dpkg-deb not available (not a Debian host)"
	exit 0
fi
mkdir -p "$dir"
cd "$dir"

# The versioned package linux-image-amd64 depends on (apt-cache knows it after an update).
dep() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}
pkg=$(dep)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(dep)
fi
[ -n "$pkg" ] || { echo "fetch-kernel.sh: cannot resolve linux-image-amd64's kernel package" >&2; exit 1; }
if ! ls "$pkg"_*.deb >/dev/null 2>&1; then
	apt-get download "$pkg" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get download "$pkg" >/dev/null; }
fi
deb=$(ls "$pkg"_*.deb | head -n 1)
rm -rf x
dpkg-deb -x "$deb" x
k=$(ls x/boot/vmlinuz-* | head -n 1)
[ -n "$k" ] || { echo "fetch-kernel.sh: no /boot/vmlinuz-* in $deb" >&2; exit 1; }
mv "$k" "$out.tmp"
rm -rf x
mv "$out.tmp" "$out"
rm -f "$deb"                      # the vmlinuz is the cache
echo "$out"
