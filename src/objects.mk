# Objects of the architecture-neutral core: lib, boot sequence, memory.
hv-objs += src/lib/string.o src/lib/format.o \
           src/core/main.o src/core/version.o src/core/bootopts.o src/core/multiboot.o \
           src/core/panic.o src/core/symbols.o src/core/cmd_boot.o src/core/cmd_cpu.o \
           src/core/cmd_time.o src/core/cmd_diag.o \
           src/mm/frame.o src/mm/heap.o src/mm/cmd_mem.o
