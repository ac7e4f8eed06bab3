#!/bin/sh
# fetch-modules.sh - the kernel modules the virtio tests need (issue 17), from the same
# linux-image .deb as build/linux/vmlinuz (tests/linux/fetch-kernel.sh, run first): the
# package and exact version are read from the vmlinuz's own version string, so modules and
# kernel always match (a module of another build is refused by the kernel). Downloaded once
# with "apt-get download", unpacked with dpkg-deb in a temporary directory (never
# installed), and the wanted modules with everything they need (tests/linux/kmodorder.py
# reads depends= and softdep= from each .ko: Debian's package has no modules.dep) copied
# flat into build/linux/modules/ as <name>.ko, uncompressed (Debian 12 ships them so, and
# busybox insmod loads them as they are). build/linux/modules/load.list names them in load
# order, one a line; its path is printed. Cached: nothing is fetched when load.list's
# stamp (kernel version, this script, kmodorder.py) matches. Without apt-get (not a Debian
# host) it prints "SKIP: <reason>" and exits 0.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$root/build/linux
out=$dir/modules
# virtio-mmio transport and devices, ext4 for the root disk, virtio_net for later.
WANT="virtio_mmio virtio_blk virtio_balloon virtio_rng ext4 virtio_net"

k=$(sh "$here/fetch-kernel.sh" | tail -n 1)
case "$k" in SKIP*) echo "$k"; exit 0;; esac
[ -f "$k" ] || { echo "fetch-modules.sh: fetch-kernel.sh gave no kernel: $k" >&2; exit 1; }

# "6.1.0-57-amd64 (debian-kernel@...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (...)"
kver=$(/usr/bin/python3 - "$k" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
off = 0x200 + int.from_bytes(d[0x20E:0x210], "little")
print(d[off:off + 256].split(b"\0")[0].decode(errors="replace"))
EOF
)
abi=${kver%% *}
debver=$(echo "$kver" | sed -n 's/.* Debian \([^ ]*\) .*/\1/p')
[ -n "$abi" ] && [ -n "$debver" ] ||
	{ echo "fetch-modules.sh: cannot read the kernel's version from $k: $kver" >&2; exit 1; }

sum=$( { echo "$kver $WANT"; cat "$here/fetch-modules.sh" "$here/kmodorder.py"; } |
	sha256sum | cut -d' ' -f1)
if [ -f "$out/load.list" ] && [ "$(cat "$out/load.list.stamp" 2>/dev/null)" = "$sum" ]; then
	echo "$out/load.list"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
	echo "SKIP: apt-get/dpkg-deb not available (not a Debian host)"
	exit 0
fi

pkg=linux-image-$abi
t=$(mktemp -d "$dir/mods.XXXXXX")
trap 'rm -rf "$t"' EXIT
(cd "$t" && { apt-get download "$pkg=$debver" >/dev/null 2>&1 ||
	{ apt-get update -qq >/dev/null 2>&1 && apt-get download "$pkg=$debver" >/dev/null; }; }) ||
	{ echo "fetch-modules.sh: cannot download $pkg=$debver (the kernel's own build); remove" \
		"build/linux/vmlinuz to fetch a newer kernel and its modules together" >&2; exit 1; }
dpkg-deb -x "$t/${pkg}_"*.deb "$t/x"
tree=$t/x/lib/modules/$abi
[ -d "$tree" ] || { echo "fetch-modules.sh: no lib/modules/$abi in $pkg" >&2; exit 1; }

/usr/bin/python3 "$here/kmodorder.py" "$tree" $WANT > "$t/order"
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
while read -r name rel; do
	cp "$tree/$rel" "$out.tmp/$name.ko"
	echo "$name" >> "$out.tmp/load.list"
done < "$t/order"
echo "$abi" > "$out.tmp/version"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$sum" > "$out/load.list.stamp"
echo "$out/load.list"
