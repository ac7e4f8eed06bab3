#!/bin/sh
# Boot build/kestrel.elf for board BOARD under QEMU (TCG) with COM1 on a unix socket and
# attach a serial client: tools/miniterm/miniterm if it is built, socat otherwise.
#   tools/run-qemu.sh [BOARD]      (make run)
# boards/BOARD/modules.list, if present, lists boot modules, one per line: `path [args]`
# (paths relative to the tree root; empty lines and # comments are skipped).
set -eu
cd "$(dirname "$0")/.."
BOARD=${1:-qemu}
ELF=build/kestrel.elf
[ -f "$ELF" ] || { echo "run-qemu: $ELF is missing; run 'make' first" >&2; exit 1; }

initrd=""
list="boards/$BOARD/modules.list"
if [ -f "$list" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in ''|'#'*) continue ;; esac
        path=${line%% *}
        if [ ! -f "$path" ]; then
            echo "run-qemu: $list: skipping '$path' (not built)" >&2
            continue
        fi
        case "$line" in *,*) echo "run-qemu: $list: commas cannot pass through -initrd" >&2; exit 1 ;; esac
        initrd="${initrd:+$initrd,}$line"
    done < "$list"
fi

tmp=$(mktemp -d /tmp/kestrel-run.XXXXXX)
sock="$tmp/com1.sock"
qemu_pid=""
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM HUP

set -- -accel tcg -cpu max -m 512 -display none -monitor none -nodefaults -no-user-config \
    -chardev "socket,id=com1,path=$sock,server=on,wait=on" -serial chardev:com1 \
    -kernel "$ELF"
[ -n "$initrd" ] && set -- "$@" -initrd "$initrd"

echo "Kestrel ($BOARD): input starts at the (XEN) prompt (try help, list); CTRL-A three times moves it to each domain in turn and back; CTRL-] then q quits."
qemu-system-x86_64 "$@" >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!

# QEMU waits (wait=on) for the client before it runs: wait for the socket to appear.
i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        echo "run-qemu: QEMU exited:" >&2
        cat "$tmp/qemu.log" >&2
        exit 1
    fi
    i=$((i + 1))
    [ "$i" -lt 200 ] || { echo "run-qemu: no serial socket from QEMU" >&2; exit 1; }
    sleep 0.05
done

if [ -x tools/miniterm/miniterm ]; then
    tools/miniterm/miniterm -d "unix:$sock" || true
else
    socat -,raw,echo=0,escape=0x1d "UNIX-CONNECT:$sock" || true
fi
