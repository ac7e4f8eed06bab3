# Objects of the x86-64 architecture layer: boot, traps, host devices, the shared x86 exit
# handling, and the AMD SVM backend.
hv-objs += arch/x86/boot/head.o arch/x86/entry.o arch/x86/gdt.o arch/x86/traps.o \
           arch/x86/pic.o arch/x86/time.o arch/x86/uart16550.o arch/x86/paging.o \
           arch/x86/reboot.o arch/x86/rtc.o arch/x86/vga.o arch/x86/virt.o arch/x86/vcpu_x86.o \
           arch/x86/guest_walk.o arch/x86/string_io.o arch/x86/fpu.o arch/x86/vmsr.o arch/x86/debugregs.o \
           arch/x86/mmio_insn.o arch/x86/mmio_emul.o arch/x86/mmio_exit.o arch/x86/pvclock.o arch/x86/pvclock_abi.o arch/x86/random.o \
           arch/x86/stack_guard.o \
           arch/x86/fw_cpus.o arch/x86/smp_plan.o arch/x86/percpu.o arch/x86/smpboot.o \
           arch/x86/trampoline.o \
           arch/x86/svm/svm.o arch/x86/svm/svm_entry.o arch/x86/svm/npt.o arch/x86/svm/svm_cr.o
hv-objs += arch/x86/vmx/vmx.o arch/x86/vmx/vmx_exit.o arch/x86/vmx/vmx_entry.o arch/x86/vmx/ept.o
# The exit fast path is a per-build variant: the bench-only floor image swaps this object.
hv-variant-objs := arch/x86/svm/svm_fastpath.o arch/x86/vmx/vmx_fastpath.o
hv-floor-objs := arch/x86/svm/svm_fastpath_floor.o arch/x86/vmx/vmx_fastpath_floor.o
