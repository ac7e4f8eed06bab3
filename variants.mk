# Build variants of the hypervisor image (issue 19), Xen's debug=y and perfc=y: the same
# sources compiled again with the variant's flags in an object directory of its own, and
# linked with the variant's own objects in place of the default ones. Included by the
# Makefile after the default image's rules; the default image (build/kestrel.elf) is never
# one of these.
#   make DEBUG=1           build/kestrel-debug-checks.elf  (-DKESTREL_DEBUG: ASSERT()s,
#                          poisoned freed memory, stack guard pages, loglvl=all, "debug=y")
#   make PERFC=1           build/kestrel-perfc.elf         (-DKESTREL_PERFC: counters, perfc.o)
#   make DEBUG=1 PERFC=1   build/kestrel-debug-checks-perfc.elf
# The two ifdefs this needs are in src/include/core/debug.h and core/perfc.h only.

# hv_variant(tag, cflags, objects out, objects in): build/kestrel-<tag>.elf (stripped) and
# build/hv-<tag>/kestrel-<tag>.syms.elf (with DWARF, for gdb), by the default image's two
# link passes (the second embeds the symbol table for stack traces).
define hv_variant
HV_OBJS_$(1) := $$(addprefix $(BUILD)/hv-$(1)/,$$(filter-out $(3),$$(hv-objs)) $(4) $$(hv-variant-objs))
$(BUILD)/hv-$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  CC      $$< [$(1)]")
	$$(Q)$$(CC) $$(HV_CFLAGS) $(2) -c $$< -o $$@
$(BUILD)/hv-$(1)/%.o: %.S
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  AS      $$< [$(1)]")
	$$(Q)$$(CC) $$(HV_ASFLAGS) $(2) -c $$< -o $$@
$(BUILD)/hv-$(1)/kestrel.pass1: $$(HV_OBJS_$(1)) $(BUILD)/hv/ksyms-empty.o arch/x86/kestrel.ld
	@echo "  LD      $$@"
	$$(Q)$$(LD) $$(HV_LDFLAGS) -o $$@ $$(HV_OBJS_$(1)) $(BUILD)/hv/ksyms-empty.o
$(BUILD)/hv-$(1)/ksyms.S: $(BUILD)/hv-$(1)/kestrel.pass1 tools/gensyms.sh
	$$(Q)sh tools/gensyms.sh $$< > $$@
$(BUILD)/hv-$(1)/ksyms.o: $(BUILD)/hv-$(1)/ksyms.S
	$$(Q)$$(CC) -c $$< -o $$@
$(BUILD)/hv-$(1)/kestrel-$(1).syms.elf: $$(HV_OBJS_$(1)) $(BUILD)/hv-$(1)/ksyms.o arch/x86/kestrel.ld
	$$(Q)$$(LD) $$(HV_LDFLAGS) -o $$@ $$(HV_OBJS_$(1)) $(BUILD)/hv-$(1)/ksyms.o
	$$(Q)cmp -s <(nm $(BUILD)/hv-$(1)/kestrel.pass1 | grep ' [tT] ') <(nm $$@ | grep ' [tT] ') || \
	    { echo "symbol table pass moved code" >&2; rm -f $$@; exit 1; }
$(BUILD)/kestrel-$(1).elf: $(BUILD)/hv-$(1)/kestrel-$(1).syms.elf
	$$(Q)$$(OBJCOPY) --strip-debug $$< $$@
	@echo "  IMAGE   $$@: $$$$(stat -c %s $$@) bytes"
-include $$(HV_OBJS_$(1):.o=.d)
endef

$(eval $(call hv_variant,debug-checks,-DKESTREL_DEBUG,,$(hv-debug-objs)))
$(eval $(call hv_variant,perfc,-DKESTREL_PERFC,$(hv-noperfc-objs),$(hv-perfc-objs)))
$(eval $(call hv_variant,debug-checks-perfc,-DKESTREL_DEBUG -DKESTREL_PERFC,$(hv-noperfc-objs),\
                         $(hv-debug-objs) $(hv-perfc-objs)))

# What make DEBUG=1 / PERFC=1 adds to `all`; make test and make bench build the two it runs.
DEBUG ?= 0
PERFC ?= 0
VARIANT_TAG := $(if $(filter 1,$(DEBUG)),debug-checks)$(if $(filter 1,$(DEBUG)),$(if $(filter 1,$(PERFC)),-))$(if $(filter 1,$(PERFC)),perfc)
VARIANT_IMAGES := $(BUILD)/kestrel-debug-checks.elf $(BUILD)/kestrel-perfc.elf
all: $(if $(VARIANT_TAG),$(BUILD)/kestrel-$(VARIANT_TAG).elf)
