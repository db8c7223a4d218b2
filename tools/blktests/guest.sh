#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-blktests.sh: runs INSIDE the blktests guest (mytest=blktests).
# Two identical controllers sit in hot-pluggable PCIe slots: serial
# blk-my stays with my_nvme, blk-nv is handed to the in-tree nvme
# driver. blktests' check runs the selected tests (blktests_tests=,
# default "block") with TEST_DEVS set to each driver's namespace in turn,
# TIMEOUT=blktests_timeout= for the timed ones. Every line of check's
# output is printed as "BLKT <driver> <line>" for tools/blktests/run.sh.
set -u

TESTS=block
TIMEOUT=20
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	blktests_tests=*) TESTS=${arg#blktests_tests=}; TESTS=${TESTS//,/ } ;;
	blktests_timeout=*) TIMEOUT=${arg#blktests_timeout=} ;;
	esac
done

# bdf_of SERIAL: the PCI function of the NVMe controller with that serial.
bdf_of() {
	local d
	for d in /sys/class/my_nvme/*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] || continue
		basename "$(readlink -f "$d/device")"
		return 0
	done
	return 1
}

wait_for() {
	local i
	for i in $(seq 1 40); do
		[ -b "$1" ] && return 0
		sleep 0.25
	done
	return 1
}

MY_BDF=$(bdf_of blk-my) || { echo "BLKTESTS-ERROR no controller blk-my"; exit 1; }
NV_BDF=$(bdf_of blk-nv) || { echo "BLKTESTS-ERROR no controller blk-nv"; exit 1; }
MY_DEV=
for d in /sys/bus/pci/devices/$MY_BDF/my_nvme/my_nvme*/my_nvme*n1; do
	[ -e "$d" ] && MY_DEV=/dev/${d##*/}
done
# The nvme driver's controller: not ours to shut down at the end.
echo "MYTEST-NOT-MINE $NV_BDF"
echo nvme > "/sys/bus/pci/devices/$NV_BDF/driver_override"
echo "$NV_BDF" > "/sys/bus/pci/devices/$NV_BDF/driver/unbind"
echo "$NV_BDF" > /sys/bus/pci/drivers_probe
NV_DEV=
for i in $(seq 1 40); do
	for d in /sys/bus/pci/devices/$NV_BDF/nvme/nvme*/nvme*n1; do
		[ -e "$d" ] && NV_DEV=/dev/${d##*/}
	done
	[ -n "$NV_DEV" ] && break
	sleep 0.25
done
wait_for "$MY_DEV" && wait_for "$NV_DEV" ||
	{ echo "BLKTESTS-ERROR block devices missing: my_nvme '$MY_DEV', nvme '$NV_DEV'"; exit 1; }
echo "BLKTESTS-DEVS my_nvme=$MY_DEV($MY_BDF) nvme=$NV_DEV($NV_BDF) tests='$TESTS' timeout=$TIMEOUT"

mount -t configfs none /sys/kernel/config 2>/dev/null
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null

cd /opt/blktests || exit 1
for drv in my_nvme nvme; do
	dev=$MY_DEV
	[ "$drv" = nvme ] && dev=$NV_DEV
	cat > config <<CFG
TEST_DEVS=($dev)
TIMEOUT=$TIMEOUT
CFG
	echo "BLKT $drv === start $(date +%s)"
	# block/039 uses null_blk without requiring it (this snapshot's
	# bug): with no null_blk it fails the same way for every device.
	# shellcheck disable=SC2086 # a list of groups and tests
	./check -o "/tmp/results-$drv" -x block/039 $TESTS 2>&1 |
		sed -u "s/^/BLKT $drv /"
	echo "BLKT $drv === end $(date +%s)"
done
echo "BLKTESTS-DONE"
