# Objects of the architecture-neutral core: lib, boot sequence, memory, domains, scheduler,
# virtual devices.
hv-objs += src/lib/string.o src/lib/format.o src/lib/gprs.o src/lib/civil.o \
           src/core/cmdline_words.o src/core/uart_config.o \
           src/core/main.o src/core/version.o src/core/bootopts.o src/core/multiboot.o \
           src/core/panic.o src/core/symbols.o src/core/cmd_boot.o src/core/cmd_cpu.o \
           src/core/cmd_time.o src/core/cmd_diag.o \
           src/core/xlcfg.o src/core/xlcfg_spec.o src/core/xlcfg_disk.o src/core/xlcfg_vif.o \
           src/core/xlcfg_cpus.o src/core/cpulist.o \
           src/core/mbimage.o src/core/mbinfo.o \
           src/core/bzimage.o src/core/bzboot.o src/core/load_linux.o \
           src/core/domain.o src/core/domain_build.o src/core/guestmem.o src/core/irq.o src/core/domain_virtio.o src/core/domain_devices.o src/core/cmd_block.o src/core/domain_net.o src/core/cmd_net.o \
           src/core/dom_console.o src/core/vcpu.o src/core/hypercall.o \
           src/core/cmd_domain.o src/core/cmd_dump.o \
           src/core/aml.o src/core/acpi_dsdt.o src/core/acpi_tables.o \
           src/sched/policy.o src/sched/sched.o src/sched/cmd_sched.o \
           src/vdev/bus.o src/vdev/uart.o src/vdev/pic.o src/vdev/pit.o src/vdev/rtc.o \
           src/vdev/i8042.o src/vdev/port80.o src/vdev/mmio.o \
           src/vdev/acpi_pm.o src/vdev/pci.o src/vdev/virtq.o src/vdev/virtio_mmio.o \
           src/vdev/lapic.o src/vdev/lapic_irq.o src/vdev/lapic_timer.o src/vdev/ioapic.o \
           src/mm/frame.o src/mm/heap.o src/mm/cmd_mem.o
# Per-build variants (variants.mk): the default build has no performance counters
# (perfc_none.o: `p` says so); make PERFC=1 links perfc.o instead, make DEBUG=1 adds assert.o.
hv-noperfc-objs := src/core/perfc_none.o
hv-perfc-objs := src/core/perfc.o
hv-debug-objs := src/core/assert.o
hv-objs += $(hv-noperfc-objs)
# The virtio device models (issue 17); the integrator wires them to domains.
hv-objs += src/vdev/virtio_blk.o src/vdev/virtio_balloon.o src/vdev/virtio_rng.o \
           src/vdev/virtio_net.o
# The learning Ethernet switch behind bridges (issue 18).
hv-objs += src/vdev/netswitch.o
