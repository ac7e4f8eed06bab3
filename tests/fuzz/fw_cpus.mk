# libFuzzer target for the firmware CPU tables (arch/x86/fw_cpus.c: ACPI MADT, MP table).
FUZZ_TARGETS += fuzz_fw_cpus
fuzz_fw_cpus_SRCS := arch/x86/fw_cpus.c tests/fuzz/fuzz_fw_cpus.c
