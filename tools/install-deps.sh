#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build, the guest and the tests need,
# but only those that are missing, so a warm machine pays nothing.
set -e

PKGS="linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev \
cpio xz-utils lz4 kmod libncurses-dev pkg-config qemu-system-x86 qemu-utils busybox-static fio nvme-cli \
e2fsprogs sparse python3 perl git python3-docutils gnuplot-nox lm-sensors \
smartmontools udev"
# install-deps.sh blktests: what the blktests guest needs on top (make
# blktests copies these tools into its initramfs).
if [ "${1:-}" = blktests ]; then
	PKGS="$PKGS bash coreutils util-linux gawk sed grep findutils diffutils \
xfsprogs pciutils blktrace procps psmisc bsdextrautils liburing-dev"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
