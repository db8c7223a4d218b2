#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh: boot the my_nvme kernel in QEMU (TCG, no KVM needed) with an
# emulated NVMe controller on a raw disk image, console on stdio.
#
# Environment (defaults in brackets; the Makefile exports most of them):
#   BZIMAGE          kernel [build/obj/arch/x86/boot/bzImage]
#   INITRAMFS        initramfs [build/initramfs.cpio]
#   SMP, MEM         vCPUs and RAM [2, 1G]; a plain SMP=N becomes
#                    "N,sockets=N" so that the guest sees N CPUs without ACPI
#   GUEST_ACPI       set to 1 to boot the guest with ACPI; by default it
#                    boots with acpi=off: on the debug kernel (KASAN,
#                    kmemleak, lockdep) under TCG the AML interpreter makes
#                    a boot and every driver bind take tens of seconds, and
#                    nothing here needs ACPI (the MP table lists the CPUs,
#                    poweroff and reboot both end QEMU through -no-reboot)
#   DISK, DISK_SIZE  raw image of the default controller, created with
#                    DISK_SIZE if missing [build/disk.img, 1G]
#   APPEND           extra kernel command line, e.g. "mytest=test1"
#   NVME_ARGS        extra ",key=val" for the default nvme device,
#                    e.g. ",max_ioqpairs=1,msix_qsize=1"
#   DRIVE_ARGS       ",key=val" for the default controller's -drive
#                    [,discard=unmap: Dataset Management really deallocates,
#                    so discarded blocks read back as zeros; QEMU's own
#                    default, discard=ignore, makes it a silent no-op]
#   NO_DEFAULT_NVME  set to 1 to leave the default controller out
#   MACHINE          QEMU machine type, e.g. q35 [QEMU's default, pc]
#   NVME_ROOT_PORT   set to 1 (needs MACHINE=q35) to put the default
#                    controller behind a PCI Express root port (rp0), where
#                    it offers function level reset and can be hot-unplugged
#   QEMU_EXTRA       more QEMU arguments, appended word-split, e.g. a second
#                    controller: "-drive file=d1.img,if=none,id=nvm1,format=raw
#                    -device nvme,serial=my_nvme1,drive=nvm1"
#   QEMU             QEMU binary [qemu-system-x86_64]
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)

BZIMAGE=${BZIMAGE:-$TOP/build/obj/arch/x86/boot/bzImage}
INITRAMFS=${INITRAMFS:-$TOP/build/initramfs.cpio}
SMP=${SMP:-2}
GUEST_ACPI=${GUEST_ACPI:-}
MEM=${MEM:-1G}
DISK=${DISK:-$TOP/build/disk.img}
DISK_SIZE=${DISK_SIZE:-1G}
APPEND=${APPEND:-}
NVME_ARGS=${NVME_ARGS:-}
DRIVE_ARGS=${DRIVE_ARGS-,discard=unmap}
NO_DEFAULT_NVME=${NO_DEFAULT_NVME:-}
MACHINE=${MACHINE:-}
NVME_ROOT_PORT=${NVME_ROOT_PORT:-}
QEMU_EXTRA=${QEMU_EXTRA:-}
QEMU=${QEMU:-qemu-system-x86_64}

case "$SMP" in
*[!0-9]*) ;;
*) SMP="$SMP,sockets=$SMP" ;;
esac
[ "$GUEST_ACPI" = 1 ] || APPEND="acpi=off${APPEND:+ $APPEND}"

for f in "$BZIMAGE" "$INITRAMFS"; do
	[ -f "$f" ] || { echo "qemu.sh: $f not found (make kernel initramfs)" >&2; exit 1; }
done

# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
args=(
	-accel tcg,thread=multi
	-smp "$SMP"
	-m "$MEM"
	-kernel "$BZIMAGE"
	-initrd "$INITRAMFS"
	# panic=-1: reboot at once on a panic, which -no-reboot turns
	# into QEMU exiting, so a crashed guest never sits there.
	-append "console=ttyS0 panic=-1 $APPEND"
	-nographic
	-no-reboot
	# The guest kernel has no networking: no default NIC (nor its PXE ROM).
	-nic none
)

[ -n "$MACHINE" ] && args+=(-machine "$MACHINE")

if [ "$NO_DEFAULT_NVME" != 1 ]; then
	bus=
	if [ "$NVME_ROOT_PORT" = 1 ]; then
		# Native PCIe hotplug on the port (QEMU's q35 default is
		# ACPI hotplug, which a guest without ACPI cannot drive: its
		# pciehp would see an empty, powered-off slot).
		args+=(-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		       -device pcie-root-port,id=rp0,chassis=1,slot=1)
		bus=,bus=rp0
	fi
	if [ ! -e "$DISK" ]; then
		mkdir -p "$(dirname "$DISK")"
		truncate -s "$DISK_SIZE" "$DISK"
		echo "qemu.sh: created $DISK ($DISK_SIZE)"
	fi
	args+=(
		-drive "file=$DISK,if=none,id=nvm0,format=raw$DRIVE_ARGS"
		-device "nvme,id=nvme0,serial=my_nvme0,drive=nvm0$bus$NVME_ARGS"
	)
fi

# QEMU_EXTRA is split on whitespace on purpose (no quoting inside it),
# without filename globbing.
set -f
# shellcheck disable=SC2206
extra=($QEMU_EXTRA)
set +f

echo "qemu.sh: to leave QEMU type 'poweroff' in the guest, or Ctrl-A then X"
exec "$QEMU" "${args[@]}" "${extra[@]}"
