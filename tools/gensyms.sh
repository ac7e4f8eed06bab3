#!/bin/sh
# Emit the assembly for the hypervisor's symbol table (section .ksyms) from an ELF's text
# symbols, for stack traces with names. With --empty, emit an empty table for the first
# link pass. Usage: gensyms.sh [--empty] [ELF] > ksyms.S
set -e
emit_header() {
    printf '\t.section .ksyms, "a"\n\t.balign 8\n'
    printf '\t.globl ksyms_count, ksyms_end, ksyms_addrs, ksyms_name_offsets, ksyms_names\n'
}
if [ "$1" = "--empty" ]; then
    emit_header
    printf 'ksyms_count: .quad 0\nksyms_end: .quad 0\nksyms_addrs:\nksyms_name_offsets:\nksyms_names: .byte 0\n'
    exit 0
fi
elf="$1"
end=$(nm "$elf" | awk '$3 == "__text_end" { print $1 }')
nm -n "$elf" | awk -v end="$end" 'BEGIN { n = 0 }
    NF == 3 && $1 ~ /^[0-9a-f]+$/ && $2 ~ /^[tTW]$/ && $3 !~ /^(isr_[0-9]+|__text_end|__text_start|_start)$/ && $3 !~ /^\./ {
        addr[n] = $1; name[n] = $3; n++
    }
    END {
        printf "\t.section .ksyms, \"a\"\n\t.balign 8\n"
        printf "\t.globl ksyms_count, ksyms_end, ksyms_addrs, ksyms_name_offsets, ksyms_names\n"
        printf "ksyms_count: .quad %d\n", n
        printf "ksyms_end: .quad 0x%s\n", end
        printf "ksyms_addrs:\n"
        for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", addr[i]
        printf "ksyms_name_offsets:\n"
        off = 0
        for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
        printf "ksyms_names:\n"
        for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
    }'
