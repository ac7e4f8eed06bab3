#!/bin/sh
# Build a bootable ISO that multiboots a kernel and its modules under Bochs (which has no
# -kernel): ISOLINUX + mboot.c32 from Debian's isolinux/syslinux-common packages, xorriso.
# usage: mkiso.sh OUT.iso KERNEL 'KERNEL ARGS' [MODULE 'MODULE ARGS']...
# ISOLINUX passes "/k.elf" as the kernel's first command-line word; each module's string
# is "/m/<basename> args", so a cfg's kernel = "NAME" finds its module by basename.
# No SERIAL line: ISOLINUX and mboot.c32 write to the screen only, so COM1 carries what
# Kestrel prints and nothing before it, as under QEMU -kernel.
set -e
out="$1"; kernel="$2"; kargs="$3"; shift 3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/m" "$t/isolinux"
cp "$kernel" "$t/k.elf"
mods=""
while [ $# -ge 1 ]; do
  m="$1"; margs="${2:-}"; shift; [ $# -ge 1 ] && shift
  b=$(basename "$m"); cp "$m" "$t/m/$b"
  mods="$mods --- /m/$b${margs:+ $margs}"
done
bios=/usr/lib/syslinux/modules/bios
cp /usr/lib/ISOLINUX/isolinux.bin $bios/ldlinux.c32 $bios/mboot.c32 $bios/libcom32.c32 \
   "$t/isolinux/"
printf 'DEFAULT x\nPROMPT 0\nTIMEOUT 0\nLABEL x\n  KERNEL mboot.c32\n  APPEND /k.elf %s%s\n' \
  "$kargs" "$mods" > "$t/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$out" -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$t"
