#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio
#
# Build the guest's initramfs: a static BusyBox with all its applets, our
# /init (boot/init), the guest scripts (tools/guest-*.sh: guest-bench.sh,
# ...) and helper programs (tools/*.c, built static) under /tests, and the
# host's dynamically linked fio, nvme-cli and e2fsprogs tools together with
# every shared library they need (as listed by ldd, ELF interpreter
# included). Needs no root: files are staged in a temporary directory and
# cpio records them all as root:root. The image is rebuilt only when one of
# its inputs is newer than OUT.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: $0 OUT.cpio}
case "$OUT" in
/*) ;;
*) OUT=$PWD/$OUT ;;
esac

BUSYBOX=/bin/busybox			# Debian package busybox-static
INIT=$TOP/boot/init
# Guest-side scripts (tools/guest-*.sh) go to /tests/; small helper
# programs (tools/*.c, e.g. nvme-ioctl-check.c) are compiled statically
# into /tests/<name>.
GUEST_SCRIPTS=$(ls "$TOP"/tools/guest-*.sh)
# The case-per-file suite (tools/testing): guest runner, library, cases.
TESTING=$TOP/tools/testing
GUEST_C=$(ls "$TOP"/tools/*.c 2>/dev/null || true)
CC=${CC:-gcc}
# Dynamic tools: "path in guest" (copied from the same path on the host).
# Links (mkfs.ext2 -> mke2fs, fsck.ext2 -> e2fsck) are recreated as links.
TOOLS="/usr/bin/fio /usr/sbin/nvme /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/bin/lsblk
/usr/bin/sensors /usr/sbin/smartctl /usr/bin/udevadm /usr/sbin/blkzone"
TOOL_LINKS="/usr/sbin/mkfs.ext2:mke2fs /usr/sbin/mkfs.ext4:mke2fs
/usr/sbin/fsck.ext2:e2fsck /usr/sbin/fsck.ext4:e2fsck
/usr/lib/systemd/systemd-udevd:/usr/bin/udevadm"
# systemd-udevd's rules for block devices (the udev case), and ours,
# installed with make udev-install.
UDEV_RULES="/usr/lib/udev/rules.d/50-udev-default.rules
/usr/lib/udev/rules.d/60-block.rules
/usr/lib/udev/rules.d/60-persistent-storage.rules"
# Plain data files copied if present on the host.
DATA_FILES="/etc/mke2fs.conf /etc/sensors3.conf"

for f in "$BUSYBOX" "$INIT" "$TOP/tools/testing/guest-run" $TOOLS $UDEV_RULES; do
	[ -e "$f" ] || { echo "mkinitramfs: missing $f (make deps?)" >&2; exit 1; }
done
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "mkinitramfs: $BUSYBOX is not static (install busybox-static)" >&2
	exit 1
fi

# Up to date? Compare against every input, including this script.
if [ -f "$OUT" ]; then
	# shellcheck disable=SC2086 # TOOLS is a list
	newer=$(find "$0" "$INIT" $GUEST_SCRIPTS $GUEST_C "$BUSYBOX" $TOOLS "$TESTING" \
		"$TOP/tools/udev" \
		-newer "$OUT" 2>/dev/null | head -n1 || true)
	if [ -z "$newer" ]; then
		echo "initramfs: $OUT is up to date"
		exit 0
	fi
fi

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/my_nvme-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# Debian 12 style merged /usr: /bin, /sbin, /lib, /lib64 point into /usr,
# so every path ldd prints (/lib/..., /usr/lib/...) lands in one place.
mkdir -p "$STAGE"/usr/bin "$STAGE"/usr/sbin "$STAGE"/usr/lib "$STAGE"/usr/lib64
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$STAGE/$d"
done
mkdir -p "$STAGE"/{dev,proc,sys,tmp,run,mnt,root,etc,tests,var}
chmod 1777 "$STAGE/tmp"

# BusyBox and one symlink per applet, at the place BusyBox itself suggests
# (bin/sh, sbin/reboot, usr/bin/timeout, ...).
install -m 0755 "$BUSYBOX" "$STAGE/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
	case "$applet" in
	*/*) ;;
	*) continue ;;		# "linuxrc": not wanted
	esac
	[ -e "$STAGE/$applet" ] || [ -L "$STAGE/$applet" ] ||
		ln -s /bin/busybox "$STAGE/$applet"
done

# Copy one file to the same path inside the stage (following symlinks
# for the content, so a versioned .so ends up under its soname path).
copy_file() {
	mkdir -p "$STAGE$(dirname "$1")"
	rm -f "$STAGE$1"	# may be a BusyBox applet link
	cp -L "$1" "$STAGE$1"
}

# A binary or library plus its shared libraries. ldd prints
# "libfoo.so => /path/libfoo.so (0x...)" and, for the ELF interpreter,
# "/lib64/ld-linux-x86-64.so.2 (0x...)".
copy_with_libs() {
	copy_file "$1"
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$STAGE$lib" ] || copy_file "$lib"
	done
}

for t in $TOOLS; do
	copy_with_libs "$t"
done
for l in $TOOL_LINKS; do
	rm -f "$STAGE${l%%:*}"
	mkdir -p "$STAGE$(dirname "${l%%:*}")"
	ln -s "${l#*:}" "$STAGE${l%%:*}"
done
for f in $DATA_FILES; do
	[ -f "$f" ] && copy_file "$f"
done
for f in $UDEV_RULES; do
	copy_file "$f"
done
make -s -C "$TOP" udev-install DESTDIR="$STAGE" >/dev/null

# Guest configuration.
install -m 0755 "$INIT" "$STAGE/init"
for f in $GUEST_SCRIPTS; do
	install -m 0755 "$f" "$STAGE/tests/"
done
mkdir -p "$STAGE/tests/testing"
cp -r "$TESTING/guest-run" "$TESTING/lib" "$TESTING/cases" "$STAGE/tests/testing/"
for f in $GUEST_C; do
	bin=$STAGE/tests/$(basename "$f" .c)
	"$CC" -static -O2 -Wall -o "$bin" "$f" ||
		echo "mkinitramfs: warning: could not build $f, left out" >&2
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$STAGE/etc/passwd"
echo 'root:x:0:' > "$STAGE/etc/group"
echo 'my-nvme-guest' > "$STAGE/etc/hostname"
ln -s /proc/mounts "$STAGE/etc/mtab"		# e2fsck/mke2fs look here
cat > "$STAGE/etc/profile" <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-vt100}
PS1='\h:\w# '
alias ll='ls -l'
# PID 1 is a shell script, not an init that handles SIGUSR2/SIGTERM:
# shut down directly (these sync first, as BusyBox does without -n).
# Without ACPI a power-off only halts the CPUs; a reboot ends QEMU
# (-no-reboot) and runs the same driver shutdown, so poweroff reboots.
poweroff() { /sbin/reboot -f; }
halt() { /sbin/reboot -f; }
reboot() { /sbin/reboot -f; }
EOF

# Sorted, owned by root, newc format as the kernel wants it. Not
# compressed: fio's libraries make it ~90 MiB, and inflating that under
# TCG (KASAN kernel) delays /init by ~2 s on every one of the suite's
# boots, while QEMU loads the raw file from the page cache at once.
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc --owner root:root --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "initramfs: $OUT ($(du -h "$OUT" | cut -f1))"
