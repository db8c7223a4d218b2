#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-bench.sh: runs INSIDE the benchmark guest. Two identical NVMe
# controllers are present; bind the first to my_nvme and the second to the
# in-tree nvme driver, then run the same fio jobs on each, alternating,
# and print one line per job and driver:
#   BENCH <job> <driver> <iops> <KiB/s>
set -u

# bench_rounds= and bench_runtime= on the kernel command line (bench.sh).
RUNTIME=15
ROUNDS=3
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	bench_rounds=*) ROUNDS=${arg#bench_rounds=} ;;
	bench_runtime=*) RUNTIME=${arg#bench_runtime=} ;;
	esac
done

bind() {	# bind PCI function $1 to driver $2
	dev=/sys/bus/pci/devices/$1
	echo "$2" > "$dev/driver_override"
	[ -e "$dev/driver" ] && echo "$1" > "$dev/driver/unbind"
	echo "$1" > /sys/bus/pci/drivers_probe
}

nvme_fns=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x010802 ] && basename "$d"
done)
set -- $nvme_fns
if [ $# -lt 2 ]; then
	echo "BENCH-ERROR need two NVMe controllers, found $#"
	exit 1
fi
bind "$1" my_nvme
bind "$2" nvme
sleep 2
MY=$(ls /dev/my_nvme*n1 2>/dev/null | head -n1)
NV=$(ls /dev/nvme*n1 2>/dev/null | head -n1)
if [ ! -b "$MY" ] || [ ! -b "$NV" ]; then
	echo "BENCH-ERROR block devices missing: my_nvme='$MY' nvme='$NV'"
	exit 1
fi
echo "bench: my_nvme on $1 ($MY), nvme on $2 ($NV), $(nproc) CPUs"

# name rw bs iodepth numjobs
JOBS="randread-4k randread 4k 32 $(nproc)
randwrite-4k randwrite 4k 32 $(nproc)
read-128k read 128k 8 1
write-128k write 128k 8 1"

run() {	# job rw bs qd jobs dev driver runtime
	# Terse v3: field 8 read IOPS, 7 read KiB/s, 49 write IOPS, 48 write KiB/s.
	fio --name="$1" --filename="$6" --rw="$2" --bs="$3" --iodepth="$4" \
		--numjobs="$5" --ioengine=libaio --direct=1 --size=256m \
		--time_based --runtime="$8" --ramp_time=2 \
		--group_reporting --minimal 2>/dev/null |
	awk -F';' -v j="$1" -v d="$7" \
		'{ printf "BENCH %s %s %d %d\n", j, d, $8 + $49, $7 + $48 }'
}

# Warm-up, not reported: the first runs pay for cold caches on the host.
echo "$JOBS" | while read -r name rw bs qd nj; do
	run "$name" "$rw" "$bs" "$qd" "$nj" "$MY" my_nvme 5 >/dev/null
	run "$name" "$rw" "$bs" "$qd" "$nj" "$NV" nvme 5 >/dev/null
done

round=1
while [ "$round" -le "$ROUNDS" ]; do
	echo "$JOBS" | while read -r name rw bs qd nj; do
		# Alternate which driver goes first to cancel drift.
		if [ $((round % 2)) -eq 1 ]; then
			run "$name" "$rw" "$bs" "$qd" "$nj" "$MY" my_nvme "$RUNTIME"
			run "$name" "$rw" "$bs" "$qd" "$nj" "$NV" nvme "$RUNTIME"
		else
			run "$name" "$rw" "$bs" "$qd" "$nj" "$NV" nvme "$RUNTIME"
			run "$name" "$rw" "$bs" "$qd" "$nj" "$MY" my_nvme "$RUNTIME"
		fi
	done
	round=$((round + 1))
done
echo "BENCH-DONE"
