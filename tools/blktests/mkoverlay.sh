#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkoverlay.sh OUT.cpio.gz BLKTESTS_DIR
#
# The blktests guest's extra initramfs: appended to the base one (the
# kernel unpacks concatenated archives in order, later files replacing
# earlier ones), it adds what blktests needs and BusyBox does not give:
# bash, GNU coreutils, awk, sed, grep, findutils and diffutils,
# util-linux, xfsprogs, pciutils (setpci), blktrace, procps, psmisc,
# kmod, with their shared libraries; a built copy of the blktests tree
# (the snapshot itself is never touched: it is copied to build/ and built
# there) at /opt/blktests; a udevadm stand-in; and the guest runner at
# /tests/blktests-guest.sh.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: $0 OUT.cpio.gz BLKTESTS_DIR}
SRC=${2:?usage: $0 OUT.cpio.gz BLKTESTS_DIR}
BUILD=$TOP/build/blktests-src

[ -x "$SRC/check" ] || { echo "mkoverlay: no blktests at $SRC" >&2; exit 1; }

# Build a copy: blktests' src/ has small C helpers some tests run.
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp -a "$SRC/." "$BUILD/"
make -C "$BUILD" -s >/dev/null 2>&1 ||
	echo "mkoverlay: warning: building blktests' helpers failed" >&2

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/my_nvme-blktests.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

copy_file() {
	mkdir -p "$STAGE$(dirname "$1")"
	rm -f "$STAGE$1"
	cp -L "$1" "$STAGE$1"
}

copy_with_libs() {
	copy_file "$1"
	{ ldd "$1" 2>/dev/null || true; } | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$STAGE$lib" ] || copy_file "$lib"
	done
}

# Every program of these packages (Debian's merged /usr: /bin and /usr/bin
# are one directory in the guest too).
PKGS="bash coreutils util-linux gawk sed grep findutils diffutils xfsprogs
pciutils blktrace procps psmisc kmod bsdextrautils"
for pkg in $PKGS; do
	{ dpkg -L "$pkg" 2>/dev/null || true; } | { grep -E '^/(usr/)?s?bin/[^/]+$' || true; } |
	while read -r f; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		g=$f
		case "$g" in
		/bin/* | /sbin/*) g=/usr$g ;;
		esac
		mkdir -p "$STAGE$(dirname "$g")"
		rm -f "$STAGE$g"
		cp -L "$f" "$STAGE$g"
		{ ldd "$f" 2>/dev/null || true; } | awk '
			$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }' |
		while read -r lib; do
			[ -e "$STAGE$lib" ] || copy_file "$lib"
		done
	done
done
# awk is gawk; sh stays BusyBox (the guest's scripts are written for it).
ln -sf gawk "$STAGE/usr/bin/awk"
rm -f "$STAGE/usr/bin/sh"

# No udev in the guest: devtmpfs creates the nodes, nothing to wait for.
cat > "$STAGE/usr/bin/udevadm" <<'UDEV'
#!/bin/sh
# udevadm stand-in for the blktests guest: devtmpfs makes the device
# nodes synchronously, so "settle" only lets queued work finish.
case "$1" in
settle) sleep 0.2 ;;
*) echo "udevadm stand-in: '$1' not supported" >&2; exit 1 ;;
esac
UDEV
chmod 0755 "$STAGE/usr/bin/udevadm"

mkdir -p "$STAGE/opt"
cp -a "$BUILD" "$STAGE/opt/blktests"
mkdir -p "$STAGE/tests"
install -m 0755 "$TOP/tools/blktests/guest.sh" "$STAGE/tests/guest-blktests.sh"

(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc --owner root:root --quiet) | gzip -6 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "blktests overlay: $OUT ($(du -h "$OUT" | cut -f1))"
