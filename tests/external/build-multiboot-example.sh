#!/bin/sh
# Build the Multiboot specification's example kernel (boot.S, kernel.c, multiboot.h) from
# Debian's `multiboot` package, unchanged: the sources are taken verbatim from the
# package's info manual (section "Example OS code"); only the build is ours.
#   build-multiboot-example.sh [OUTDIR]    (default build/ext/multiboot) -> OUTDIR/mbexample.elf
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/ext/multiboot}
mkdir -p "$OUT"
cd "$OUT"
if [ ! -d pkg ]; then
    if ! ls multiboot_*.deb >/dev/null 2>&1; then
        apt-get download multiboot >/dev/null
    fi
    dpkg-deb -x multiboot_*.deb pkg
fi
INFO=pkg/usr/share/info/multiboot.info.gz
[ -f "$INFO" ] || { echo "no $INFO in the multiboot package" >&2; exit 1; }
# One file's text: the indented block after "file 'NAME'" up to the next info node (^_),
# with the manual's 5-space indentation taken off.
extract() {
    zcat "$INFO" | awk -v name="$1" '
        index($0, "file '\''" name "'\'':") && /:$/ { on = 1; next }
        on && /\037/ { exit }
        on { print }' | sed -e 's/^     //' -e '1{/^$/d}' > "$1"
    [ -s "$1" ] || { echo "could not extract $1 from $INFO" >&2; exit 1; }
}
extract multiboot.h
extract boot.S
extract kernel.c
CFLAGS="-m32 -ffreestanding -fno-pie -fno-stack-protector -nostdlib -static -O1 -I."
gcc $CFLAGS -c boot.S -o boot.o
gcc $CFLAGS -Wno-implicit-function-declaration -c kernel.c -o kernel.o
gcc $CFLAGS -no-pie -Wl,-Ttext-segment=0x100000 -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack -o mbexample.elf boot.o kernel.o
echo "$OUT/mbexample.elf"
