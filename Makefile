# Kestrel: build the hypervisor image, host tools and tests.
#   make            build/kestrel.elf and the host tools
#   make run        boot the default board in QEMU with miniterm on its serial line
#   make test       install what is missing, build, run unit + system tests
#   make unit       host unit tests only;  make system: QEMU system tests only
#   make soak       the long system tests make test leaves out (pytest marker `soak`)
#   make fuzz       libFuzzer targets, FUZZ_S seconds each (default 60)
#   make bench      benchmarks (ratios taken side by side in one run)
#   make DEBUG=1    also build/kestrel-debug-checks.elf (ASSERTs, poison, guard pages)
#   make PERFC=1    also build/kestrel-perfc.elf (software performance counters)
BUILD   := build
CC      := gcc
LD      := ld
OBJCOPY := objcopy
PYTHON  := /usr/bin/python3
BOARD   ?= qemu
FUZZ_S  ?= 60
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

INCLUDES := -Isrc/include -Iconsole/include -Iarch/x86/include
WARN     := -Wall -Wextra -Werror
HV_CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -nostdinc \
             -isystem $(shell $(CC) -print-file-name=include) $(INCLUDES) \
             -mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-pic -fno-pie \
             -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
             -fno-strict-aliasing -fno-tree-loop-distribute-patterns -DKESTREL_VERSION='"0.1-$(VERSION)"' -MMD -MP
HV_ASFLAGS := $(INCLUDES) -D__ASSEMBLY__ -MMD -MP
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
              --no-warn-rwx-segments -T arch/x86/kestrel.ld

hv-objs :=
include arch/x86/objects.mk src/objects.mk console/objects.mk
HV_OBJS := $(addprefix $(BUILD)/hv/,$(hv-objs) $(hv-variant-objs))
HV_FLOOR_OBJS := $(addprefix $(BUILD)/hv/,$(hv-objs) $(hv-floor-objs))

.PHONY: all tools guests run test test-vmx unit system soak fuzz bench deps board clean
all: $(BUILD)/kestrel.elf tools guests

# In-tree guests (guests/guests.mk defines GUEST_ELFS and their rules).
GUEST_ELFS :=
-include guests/guests.mk
guests: $(GUEST_ELFS)

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

# Two link passes: the first with an empty symbol table gives the text addresses, the
# second embeds their names (the table lies after .text, so no code moves).
$(BUILD)/hv/ksyms-empty.S: tools/gensyms.sh
	@mkdir -p $(dir $@)
	$(Q)sh tools/gensyms.sh --empty > $@
$(BUILD)/hv/ksyms-empty.o: $(BUILD)/hv/ksyms-empty.S
	$(Q)$(CC) -c $< -o $@
$(BUILD)/hv/kestrel.pass1: $(HV_OBJS) $(BUILD)/hv/ksyms-empty.o arch/x86/kestrel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/hv/ksyms-empty.o
$(BUILD)/hv/ksyms.S: $(BUILD)/hv/kestrel.pass1 tools/gensyms.sh
	$(Q)sh tools/gensyms.sh $< > $@
$(BUILD)/hv/ksyms.o: $(BUILD)/hv/ksyms.S
	$(Q)$(CC) -c $< -o $@
# kestrel-debug.elf keeps DWARF for gdb; the boot image is the same, stripped.
$(BUILD)/kestrel-debug.elf: $(HV_OBJS) $(BUILD)/hv/ksyms.o arch/x86/kestrel.ld
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/hv/ksyms.o
	$(Q)cmp -s <(nm $(BUILD)/hv/kestrel.pass1 | grep ' [tT] ') <(nm $@ | grep ' [tT] ') || \
	    { echo "symbol table pass moved code" >&2; rm -f $@; exit 1; }
$(BUILD)/kestrel.elf: $(BUILD)/kestrel-debug.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@
	@echo "  IMAGE   $@: $$(stat -c %s $@) bytes"

SHELL := /bin/bash

# Bench-only image: the same hypervisor with the world-switch floor fast path (no symbols
# pass: it is never debugged, only timed).
$(BUILD)/kestrel-floor.elf: $(HV_FLOOR_OBJS) $(BUILD)/hv/ksyms-empty.o arch/x86/kestrel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_FLOOR_OBJS) $(BUILD)/hv/ksyms-empty.o

-include $(HV_OBJS:.o=.d) $(HV_FLOOR_OBJS:.o=.d)

# The debug and performance-counter images (make DEBUG=1, make PERFC=1).
include variants.mk

# ---- host tools -------------------------------------------------------------------------
tools:
	@if [ -f tools/miniterm/Makefile ]; then $(MAKE) -s -C tools/miniterm; fi
	@if [ -f tools/mbootpack/Makefile ]; then $(MAKE) -s -C tools/mbootpack; fi

board: $(BUILD)/kestrel.elf tools
	sh tools/mbootpack/pack-board.sh $(BOARD)

# ---- unit tests (cmocka, on the host) ------------------------------------------------------
UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)
UNIT_CFLAGS := -std=c11 $(WARN) -g -O1 $(INCLUDES)
UNIT_BINS := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/$(1): $$($(1)_SRCS) $$(wildcard src/include/*/*.h console/include/*/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(UNIT_CFLAGS) $$($(1)_CFLAGS) $$($(1)_SRCS) -o $$@ -lcmocka $$($(1)_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: deps-check $(UNIT_BINS)
	$(PYTHON) tests/run_tests.py --unit $(UNIT_BINS)

# ---- fuzzing (clang libFuzzer + ASan + UBSan) -------------------------------------------
FUZZ_TARGETS :=
include $(wildcard tests/fuzz/*.mk)
FUZZ_CFLAGS := -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined $(INCLUDES)
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
define fuzz_rule
$(BUILD)/fuzz/$(1): $$($(1)_SRCS)
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) $$($(1)_CFLAGS) $$($(1)_SRCS) -o $$@ $$($(1)_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz: deps-check $(FUZZ_BINS)
	$(PYTHON) tests/run_fuzz.py --seconds $(FUZZ_S) $(FUZZ_BINS)

# ---- Linux guest loader host tools (tests/linux) -----------------------------------------
include $(wildcard tests/linux/*.mk)
# ---- firmware (ACPI tables) host tools (tests/firmware) ----------------------------------
include $(wildcard tests/firmware/*.mk)

# ---- everything ------------------------------------------------------------------------
# Debian packages: the base list plus what each test suite declares in tests/deps/*.txt.
DEPS := $(sort $(shell cat tests/deps/*.txt 2>/dev/null | sed 's/\#.*//'))
deps-check:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing missing packages:" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
deps: deps-check

# The system tests also boot the debug and counters images (test_build_variants.py), and
# make test runs a smoke subset of them again on the debug image (tests/system/debug_smoke.txt).
test: deps-check all $(VARIANT_IMAGES) $(UNIT_BINS) $(FUZZ_BINS)
	$(PYTHON) tests/run_tests.py --unit $(UNIT_BINS) --fuzz-replay $(FUZZ_BINS) --system tests/system \
	    --debug-smoke $(BUILD)/kestrel-debug-checks.elf tests/system/debug_smoke.txt

system: deps-check all $(VARIANT_IMAGES)
	$(PYTHON) tests/run_tests.py --system tests/system

# Long runs (a mebibyte through a domain's console or the shell's input): make test proves
# the same features with smaller loads.
soak: deps-check all
	KESTREL_SOAK=1 $(PYTHON) tests/run_tests.py --system tests/system

# The domain suite on Intel VMX with EPT under Bochs: tests/vmx, and tests/system with Bochs
# as the machine instead of QEMU (KESTREL_MACHINE=bochs, tests/system/conftest.py); the files
# that need QEMU or test no domains are skipped there, each with its reason (qemu_only).
# make test runs a part of tests/vmx (tests/system/test_vmx_subset.py).
test-vmx: deps-check all
	KESTREL_MACHINE=bochs $(PYTHON) tests/run_tests.py --system tests/vmx tests/system

run: deps-check all
	sh tools/run-qemu.sh $(BOARD)

bench: deps-check all $(BUILD)/kestrel-floor.elf $(VARIANT_IMAGES)
	$(PYTHON) bench/run_bench.py

clean:
	rm -rf $(BUILD)
	@if [ -f tools/miniterm/Makefile ]; then $(MAKE) -s -C tools/miniterm clean; fi
	@if [ -f tools/mbootpack/Makefile ]; then $(MAKE) -s -C tools/mbootpack clean; fi
