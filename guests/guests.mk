# In-tree guests: ELF32 Multiboot kernels built from guests/lib (the runtime) plus one
# folder per guest (guests/<name>/*.c). Included by the top Makefile; adding a folder with a
# main.c adds a guest. Output: build/guests/<name>.elf, objects under build/guests/obj/.
GUEST_DIR    := guests
GUEST_OUT    := $(BUILD)/guests
GUEST_NAMES  := $(sort $(filter-out lib,$(notdir $(patsubst %/main.c,%,$(wildcard $(GUEST_DIR)/*/main.c)))))
GUEST_CFLAGS := -m32 -march=i686 -std=c11 -Wall -Wextra -Werror -O2 -g -ffreestanding -nostdinc \
                -isystem $(shell $(CC) -print-file-name=include) -Isrc/include -I$(GUEST_DIR)/lib \
                -fno-pic -fno-pie -fno-stack-protector -mno-sse -mgeneral-regs-only \
                -fno-asynchronous-unwind-tables -fno-strict-aliasing \
                -fno-tree-loop-distribute-patterns -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
                 --no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.ld
GUEST_RT_SRCS := $(wildcard $(GUEST_DIR)/lib/*.c) $(GUEST_DIR)/lib/entry.S src/lib/format.c src/lib/string.c
GUEST_RT_OBJS := $(patsubst %,$(GUEST_OUT)/obj/%.o,$(basename $(GUEST_RT_SRCS)))

GUEST_ELFS += $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES))

$(GUEST_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC32    $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS32    $<")
	$(Q)$(CC) -m32 -D__ASSEMBLY__ -MMD -MP -c $< -o $@

# One link rule per guest: the runtime plus every .c in its folder.
define guest_rule
GUEST_OBJS_$(1) := $$(patsubst %.c,$$(GUEST_OUT)/obj/%.o,$$(wildcard $$(GUEST_DIR)/$(1)/*.c))
$$(GUEST_OUT)/$(1).elf: $$(GUEST_OBJS_$(1)) $$(GUEST_RT_OBJS) $$(GUEST_DIR)/lib/guest.ld
	@$$(if $$(Q),echo "  LD32    $$@")
	$$(Q)$$(LD) $$(GUEST_LDFLAGS) -o $$@ $$(GUEST_OBJS_$(1)) $$(GUEST_RT_OBJS)
-include $$(GUEST_OBJS_$(1):.o=.d)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_rule,$(g))))
-include $(GUEST_RT_OBJS:.o=.d)

# ringscribble's disk (boards/hostile/ringscribble.cfg): 64 KiB of the bytes its reads check.
$(GUEST_OUT)/scribble.img: $(GUEST_DIR)/ringscribble/mkdisk.py
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(PYTHON) $< $@ 65536
guests: $(GUEST_OUT)/scribble.img
