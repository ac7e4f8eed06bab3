# Unit tests for the domain-building core: the xl.cfg reader, the Multiboot guest image
# parser, the guest's Multiboot info builder and the scheduler policy (simulated).
# Included by the top-level Makefile, which builds each to build/unit/<name>.
UNIT_TESTS += test_xlcfg
XLCFG_SRCS := src/core/xlcfg.c src/core/xlcfg_spec.c src/core/xlcfg_disk.c src/core/xlcfg_vif.c \
              src/core/xlcfg_cpus.c src/core/cpulist.c
test_xlcfg_SRCS := $(XLCFG_SRCS) tests/unit/test_xlcfg.c
# Its list keys: disk and vif specs, the default MAC.
UNIT_TESTS += test_xlcfg_lists
test_xlcfg_lists_SRCS := $(XLCFG_SRCS) tests/unit/test_xlcfg_lists.c
# xl's CPU lists (cpus = in a cfg, vcpu-pin at the prompt).
UNIT_TESTS += test_cpulist
test_cpulist_SRCS := src/core/cpulist.c tests/unit/test_cpulist.c
UNIT_TESTS += test_mbimage
test_mbimage_SRCS := src/core/mbimage.c tests/unit/test_mbimage.c
UNIT_TESTS += test_mbinfo
test_mbinfo_SRCS := src/core/mbinfo.c src/core/multiboot.c tests/unit/test_mbinfo.c
UNIT_TESTS += test_sched_policy
test_sched_policy_SRCS := src/sched/policy.c tests/unit/test_sched_policy.c
# The domain life cycle (domain.c, domain_build.c) with the real cfg reader, loader, guest
# memory (over fake_p2m.c) and devices; the backend, scheduler and clock are stubs.
UNIT_TESTS += test_domain_lifecycle
test_domain_lifecycle_SRCS := src/core/domain.c src/core/domain_build.c $(XLCFG_SRCS) \
    src/core/mbimage.c src/core/mbinfo.c src/core/multiboot.c src/core/guestmem.c \
    src/core/bzimage.c src/core/bzboot.c src/core/load_linux.c src/core/irq.c src/core/domain_virtio.c src/core/domain_devices.c src/core/domain_net.c src/vdev/netswitch.c src/vdev/virtio_net.c src/vdev/virtio_mmio.c src/vdev/virtq.c \
    src/vdev/virtio_blk.c src/vdev/virtio_balloon.c src/vdev/virtio_rng.c \
    src/vdev/mmio.c src/vdev/acpi_pm.c src/vdev/pci.c src/core/acpi_tables.c src/core/acpi_dsdt.c src/core/aml.c src/vdev/lapic.c src/vdev/lapic_irq.c src/vdev/lapic_timer.c src/vdev/ioapic.c \
    src/lib/civil.c src/vdev/bus.c src/vdev/uart.c src/vdev/pic.c src/vdev/pit.c \
    src/vdev/rtc.c src/vdev/i8042.c src/vdev/port80.c tests/unit/fake_p2m.c \
    tests/unit/test_domain_lifecycle.c
test_domain_lifecycle_CFLAGS := -Itests/unit -Wno-format-truncation   # host gcc on domain.c's rename-restart name
# A domain's virtio interrupt lines on edge-triggered I/O APIC pins.
UNIT_TESTS += test_domain_virtio_lines
test_domain_virtio_lines_SRCS := src/core/domain_virtio.c src/vdev/virtio_mmio.c src/vdev/virtq.c \
    src/vdev/ioapic.c src/vdev/bus.c tests/unit/test_domain_virtio_lines.c
