# Host tools for the Linux guest loader (issue 15), checked against Debian's real kernel:
# build/linux/bzplan prints the boot plan src/core/bzimage.c makes for a bzImage
# (tests/system/test_linux_bzplan.py runs it on the kernel tests/linux/fetch-kernel.sh
# downloads into build/linux/). Included by the top-level Makefile.
LINUX_TOOLS := $(BUILD)/linux/bzplan
$(BUILD)/linux/bzplan: tests/linux/bzplan.c src/core/bzimage.c src/include/core/bzimage.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -g -O1 $(INCLUDES) tests/linux/bzplan.c src/core/bzimage.c -o $@

# The Linux guest's boot modules: Debian's kernel (downloaded once) and the test initramfs
# (rebuilt when its script or files change), both under build/linux/. `make run BOARD=linux`
# and `make board BOARD=linux` get them first (boards/linux/modules.list names them).
.PHONY: linux-assets
linux-assets:
	@sh tests/linux/fetch-kernel.sh
	@sh tests/linux/mkinitramfs.sh

# The virtio guests' assets (issue 17): the kernel's modules, the initramfs that loads them
# (build/linux/initrd-virtio.gz) and the ext4 disk images (build/linux/rootfs.img, ro.img).
.PHONY: linux-virtio-assets
linux-virtio-assets: linux-assets
	@sh tests/linux/fetch-modules.sh
	@sh tests/linux/mkinitramfs.sh --virtio
	@sh tests/linux/mkrootfs.sh
ifeq ($(BOARD),linux)
run board: linux-assets
endif
