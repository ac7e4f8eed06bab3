#!/bin/sh
# pack-board.sh BOARD - pack build/kestrel.elf with the board's guests and
# domain configs into build/boards/BOARD.img, using mbootpack.
#
# boards/BOARD/modules.list: one module per line, a path relative to the
# repository root and optional args ("guests/hello.elf", "boards/qemu/hello.cfg
# x=1"); blank lines and lines starting with '#' are ignored.  The default
# command line comes from $CMDLINE if set, else from the first line of
# boards/BOARD/cmdline if that file exists, else it is empty.
# Overrides for tests: KERNEL, OUT, MBOOTPACK_BOARDS (the boards directory).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: pack-board.sh BOARD" >&2
	exit 1
fi
board=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
boards=${MBOOTPACK_BOARDS:-$root/boards}
list=$boards/$board/modules.list
kernel=${KERNEL:-$root/build/kestrel.elf}
out=${OUT:-$root/build/boards/$board.img}
tool=$root/tools/mbootpack/mbootpack

if [ ! -f "$list" ]; then
	echo "pack-board.sh: $list: no such file" >&2
	exit 1
fi
make -s -C "$root/tools/mbootpack"

if [ -n "${CMDLINE+set}" ]; then
	cmdline=$CMDLINE
elif [ -f "$boards/$board/cmdline" ]; then
	cmdline=$(sed -n '1p' "$boards/$board/cmdline")
else
	cmdline=
fi

blanks=$(printf ' \t')
set --
while IFS= read -r line || [ -n "$line" ]; do
	line=${line#"${line%%[!$blanks]*}"}
	line=${line%"${line##*[!$blanks]}"}
	case $line in
	'' | '#'*) continue ;;
	esac
	path=${line%%[$blanks]*}
	args=${line#"$path"}
	args=${args#"${args%%[!$blanks]*}"}
	case $path in
	/*) ;;
	*) path=$root/$path ;;
	esac
	set -- "$@" -m "$path${args:+ $args}"
done < "$list"

mkdir -p "$(dirname "$out")"
"$tool" -o "$out" -c "$cmdline" "$@" "$kernel"
echo "pack-board.sh: $out"
