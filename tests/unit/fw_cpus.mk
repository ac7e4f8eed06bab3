# Unit tests for SMP boot's host-testable half: the firmware's CPU tables
# (arch/x86/fw_cpus.c: ACPI MADT, MP table) and the boot plan (arch/x86/smp_plan.c).
UNIT_TESTS += test_fw_cpus test_smp_plan
test_fw_cpus_SRCS := arch/x86/fw_cpus.c tests/unit/test_fw_cpus.c
test_smp_plan_SRCS := arch/x86/smp_plan.c tests/unit/test_smp_plan.c
