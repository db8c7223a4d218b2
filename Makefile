# SPDX-License-Identifier: GPL-2.0
#
# my_nvme overlay: builds a Linux 6.12 kernel with drivers/nvme/my_nvme from
# this repository and runs it in QEMU. Nothing here is a copy of the kernel:
# Debian's linux-source-6.12 is unpacked into build/ and our driver directory
# is linked into it.

TOP		:= $(CURDIR)
BUILD		:= $(TOP)/build
SRC		:= $(BUILD)/linux-source-6.12
OBJ		:= $(BUILD)/obj
KUNIT_OBJ	:= $(BUILD)/kunit
TARBALL		:= /usr/src/linux-source-6.12.tar.xz
BZIMAGE		:= $(OBJ)/arch/x86/boot/bzImage
INITRAMFS	:= $(BUILD)/initramfs.cpio
DRIVER		:= drivers/nvme/my_nvme
FRAGMENTS	:= $(TOP)/boot/my_nvme.config $(TOP)/boot/debug.config \
		   $(TOP)/boot/test.config

JOBS		?= $(shell nproc)
KMAKE		= $(MAKE) -C $(SRC) O=$(OBJ) -j$(JOBS)

# Guest machine, overridable on the command line: make boot SMP=4 MEM=1G
DISK		?= $(BUILD)/disk.img
DISK_SIZE	?= 1G
SMP		?= 2
MEM		?= 1G
QEMU_EXTRA	?=
export DISK DISK_SIZE SMP MEM QEMU_EXTRA BZIMAGE INITRAMFS

.PHONY: all deps source kernel menuconfig initramfs disk boot kunit \
	qemu-test test bench blktests module-kernel patches patches-check \
	check checkpatch sparse udev-install clean distclean help

all: kernel

help:
	@echo "make kernel      build bzImage with CONFIG_MY_NVME=y into build/obj"
	@echo "make boot        boot it in QEMU with an NVMe disk, root shell on the console"
	@echo "make menuconfig  kernel menuconfig on the build tree (choices are kept)"
	@echo "make test        KUnit + QEMU suite, ends with 'N passed, N failed'"
	@echo "make kunit       KUnit tests only (tools/testing/kunit/kunit.py)"
	@echo "make qemu-test   QEMU suite only"
	@echo "make bench       fio: my_nvme vs the in-tree nvme driver"
	@echo "make blktests    blktests with my_nvme and with nvme, side by side"
	@echo "make module-kernel  the debug kernel with my_nvme as a module"
	@echo "make patches     the driver as a patch series against 6.12 (build/patches)"
	@echo "make patches-check  apply, build and checkpatch the series step by step"
	@echo "make check       checkpatch, sparse/W=1, patches-check, kernel-doc, docs"
	@echo "make checkpatch  scripts/checkpatch.pl --strict on the driver"
	@echo "make sparse      C=1 W=1 build of the driver"
	@echo "make udev-install  the udev rules for /dev/disk/by-* links to my_nvme disks"

deps:
	@$(TOP)/tools/install-deps.sh

# Unpack once; the stamp keeps later runs from touching the tree.
$(SRC)/.unpacked: | deps
	mkdir -p $(BUILD)
	tar -xf $(TARBALL) -C $(BUILD)
	touch $@

# Link our driver in and add our two lines, idempotently. The symlink keeps
# the tree in sync with every edit; make's timestamps rebuild only what
# changed.
source: $(SRC)/.unpacked
	@ln -sfn $(TOP)/$(DRIVER) $(SRC)/$(DRIVER)
	@grep -q 'my_nvme/Kconfig' $(SRC)/drivers/nvme/Kconfig || \
		sed -i 's|^endmenu|source "drivers/nvme/my_nvme/Kconfig"\n\nendmenu|' \
			$(SRC)/drivers/nvme/Kconfig
	@# Before host/: with both drivers built in, my_nvme registers first
	@# and binds every controller; tests hand one to nvme explicitly.
	@grep -q 'my_nvme/' $(SRC)/drivers/nvme/Makefile || \
		sed -i 's|^obj-y\t\t+= host/|obj-$$(CONFIG_MY_NVME)\t\t+= my_nvme/\n&|' \
			$(SRC)/drivers/nvme/Makefile
	@grep -q 'my_nvme/' $(SRC)/drivers/nvme/Makefile || \
		{ echo "source: cannot hook my_nvme into drivers/nvme/Makefile" >&2; exit 1; }

# tinyconfig + our fragments, made once. When a fragment changes they are
# merged again on top of the existing .config, so menuconfig choices that
# the fragments do not name survive. debug.config adds lockdep, DMA API
# and slab debugging to the test kernel; make bench builds without it.
$(OBJ)/.config: $(FRAGMENTS) | source
	mkdir -p $(OBJ)
	if [ ! -f $@ ]; then $(KMAKE) tinyconfig >/dev/null; fi
	cd $(SRC) && KCONFIG_CONFIG=$(OBJ)/.config \
		scripts/kconfig/merge_config.sh -m -O $(OBJ) $(OBJ)/.config $(FRAGMENTS) >/dev/null
	$(KMAKE) olddefconfig >/dev/null
	$(TOP)/tools/check-config.sh $@ $(FRAGMENTS)
	touch $@

# The module test kernel (build/obj-module): the test kernel's own
# configuration with my_nvme =m and no in-tree nvme driver to take the
# controllers first (boot/module.config). It starts as a copy of the
# built build/obj, so its first build compiles only what those two
# options change (kbuild records the CONFIG_ symbols each object reads)
# and links: about a minute instead of a second whole kernel.
MOD_OBJ		:= $(BUILD)/obj-module
MOD_FRAGMENTS	:= $(FRAGMENTS) $(TOP)/boot/module.config
MOD_INITRAMFS	:= $(BUILD)/module-initramfs.cpio

$(MOD_OBJ)/.config: $(MOD_FRAGMENTS) | kernel
	if [ ! -f $@ ]; then rm -rf $(MOD_OBJ) && cp -a $(OBJ) $(MOD_OBJ); fi
	cd $(SRC) && KCONFIG_CONFIG=$(MOD_OBJ)/.config \
		scripts/kconfig/merge_config.sh -m -O $(MOD_OBJ) $(MOD_OBJ)/.config $(MOD_FRAGMENTS) >/dev/null
	$(MAKE) -C $(SRC) O=$(MOD_OBJ) olddefconfig >/dev/null
	$(TOP)/tools/check-config.sh $@ $(MOD_FRAGMENTS)
	touch $@

module-kernel: source $(MOD_OBJ)/.config initramfs
	$(MAKE) -C $(SRC) O=$(MOD_OBJ) -j$(JOBS) bzImage modules
	rm -rf $(BUILD)/module-root
	$(MAKE) -C $(SRC) O=$(MOD_OBJ) -s INSTALL_MOD_PATH=$(BUILD)/module-root \
		modules_install >/dev/null
	(cd $(BUILD)/module-root && find . -mindepth 1 | LC_ALL=C sort | \
		cpio -o -H newc --owner root:root --quiet) | gzip -6 > $(BUILD)/module-overlay.cpio.gz
	cat $(INITRAMFS) $(BUILD)/module-overlay.cpio.gz > $(MOD_INITRAMFS)
	@echo "module kernel: $(MOD_OBJ)/arch/x86/boot/bzImage, $(MOD_INITRAMFS)"

kernel: source $(OBJ)/.config
	$(KMAKE) bzImage
	@grep -q '^CONFIG_MY_NVME=y' $(OBJ)/.config || \
		echo "warning: CONFIG_MY_NVME is not =y in $(OBJ)/.config"
	@echo "kernel: $(BZIMAGE)"

menuconfig: source $(OBJ)/.config
	$(KMAKE) menuconfig

initramfs: deps
	$(TOP)/boot/mkinitramfs.sh $(INITRAMFS)

disk:
	@mkdir -p $(BUILD)
	@[ -f $(DISK) ] || { truncate -s $(DISK_SIZE) $(DISK) && \
		echo "disk: created $(DISK) ($(DISK_SIZE))"; }

boot: kernel initramfs disk
	$(TOP)/boot/qemu.sh

kunit: source
	cd $(SRC) && ./tools/testing/kunit/kunit.py run --arch=x86_64 \
		--build_dir=$(KUNIT_OBJ) --jobs=$(JOBS) \
		--kunitconfig=$(DRIVER)/.kunitconfig

# make qemu-test CASES="stall-recover cmb" runs just those cases (or
# configurations); tools/testing/run -l lists them.
qemu-test: kernel initramfs
	@# The module test kernel only for the boots that use it.
	@if $(TOP)/tools/testing/run -c $(CASES) | grep -qx 'module\|series'; then \
		$(MAKE) --no-print-directory module-kernel; fi
	$(TOP)/tools/testing/run $(CASES)

test: deps
	$(TOP)/tools/run-tests.sh

bench: deps
	$(TOP)/tools/bench.sh

# The udev rules that give my_nvme disks nvme's /dev/disk/by-* links
# (tools/udev/). DESTDIR for a staging root; on a live system reload
# udev afterwards (udevadm control --reload; udevadm trigger).
UDEV_RULES_DIR	?= /etc/udev/rules.d
udev-install:
	install -D -m 0644 $(TOP)/tools/udev/60-persistent-storage-my_nvme.rules \
		$(DESTDIR)$(UDEV_RULES_DIR)/60-persistent-storage-my_nvme.rules

# blktests (../shared/blktests, or BLKTESTS=...) against my_nvme and the
# in-tree nvme driver on identical controllers; a table of both.
blktests: deps
	$(TOP)/tools/blktests/run.sh

# The driver as a patch series against pristine 6.12 (build/patches/),
# and the proof that it builds step by step and is the driver here.
patches: deps
	$(TOP)/tools/patches.sh

patches-check: patches module-kernel
	$(TOP)/tools/patches-check.sh

# Review tooling: checkpatch, sparse and W=1, the series, kernel-doc,
# the documentation. Not part of make test (it builds a pristine 6.12
# kernel, about 6 minutes in all); .ci/run runs it before make test.
check: checkpatch sparse patches-check

checkpatch: source
	cd $(SRC) && ./scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES -f $(DRIVER)/*.[ch] $(DRIVER)/Kconfig \
		$(DRIVER)/Makefile

# Fails on any sparse or W=1 warning in the driver's files.
sparse: kernel
	rm -f $(OBJ)/$(DRIVER)/*.o
	$(KMAKE) C=1 W=1 $(DRIVER)/ > $(BUILD)/sparse.log 2>&1 || \
		{ cat $(BUILD)/sparse.log; exit 1; }
	@cat $(BUILD)/sparse.log
	@if grep -E '$(DRIVER)/[^ ]*:[0-9]+(:[0-9]+)?: (warning|error)' \
		$(BUILD)/sparse.log; then \
		echo "sparse/W=1: warnings in $(DRIVER)"; exit 1; fi
	@echo "sparse/W=1: $(DRIVER) is clean"

clean:
	-$(KMAKE) clean
	rm -f $(INITRAMFS)

distclean:
	rm -rf $(BUILD)
