#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-bench.sh: runs INSIDE the benchmark guest (mytest=bench). Two
# identical NVMe controllers are present; the one with serial bench-my
# stays with my_nvme, bench-nv goes to the in-tree nvme driver. The same
# fio jobs run on both, many short rounds, the driver order alternating
# ABBA (my, nv | nv, my | ...), so that drift over the run does not
# favour either. For each run it prints
#   BENCHRUN <job> <driver> <round> <busy_jiffies> <total_jiffies> <hz> <irqs> rc=N ios=<ios>
# (CPU time from /proc/stat, interrupts of the driver's queues from
# /proc/interrupts, I/Os the disk completed from its /sys/block stat,
# all over the whole run, fio's ramp-up included, so that CPU time and
# interrupts per I/O count the same window) followed by fio's JSON output
# between BENCHJSON-BEGIN and BENCHJSON-END; tools/bench.sh does the
# statistics.
set -u

RUNTIME=5
ROUNDS=20
JOBS_WANTED=
AA=0
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	bench_rounds=*) ROUNDS=${arg#bench_rounds=} ;;
	bench_runtime=*) RUNTIME=${arg#bench_runtime=} ;;
	bench_jobs=*) JOBS_WANTED=$(echo "${arg#bench_jobs=}" | tr ',' ' ') ;;
	bench_aa=1) AA=1 ;;
	esac
done

bdf_of() {	# bdf_of SERIAL
	for d in /sys/class/my_nvme/*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] || continue
		basename "$(readlink -f "$d/device")"
		return 0
	done
	return 1
}

MY_BDF=$(bdf_of bench-my) || { echo "BENCH-ERROR no controller bench-my"; exit 1; }
NV_BDF=$(bdf_of bench-nv) || { echo "BENCH-ERROR no controller bench-nv"; exit 1; }
MY=
for d in /sys/bus/pci/devices/$MY_BDF/my_nvme/my_nvme*/my_nvme*n1; do
	[ -e "$d" ] && MY=/dev/${d##*/}
done
NV=
if [ "$AA" = 1 ]; then
	# A/A: bench-nv stays with my_nvme; the "nvme" column is a second
	# my_nvme controller, so the ratios show the bench's own noise.
	for d in /sys/bus/pci/devices/$NV_BDF/my_nvme/my_nvme*/my_nvme*n1; do
		[ -e "$d" ] && NV=/dev/${d##*/}
	done
	echo "BENCH-INFO A/A run: both controllers on my_nvme, the nvme column is $NV"
else
	echo "MYTEST-NOT-MINE $NV_BDF"
	echo nvme > "/sys/bus/pci/devices/$NV_BDF/driver_override"
	echo "$NV_BDF" > "/sys/bus/pci/devices/$NV_BDF/driver/unbind"
	echo "$NV_BDF" > /sys/bus/pci/drivers_probe
	sleep 2
	for d in /sys/bus/pci/devices/$NV_BDF/nvme/nvme*/nvme*n1; do
		[ -e "$d" ] && NV=/dev/${d##*/}
	done
fi
if [ ! -b "$MY" ] || [ ! -b "$NV" ]; then
	echo "BENCH-ERROR block devices missing: my_nvme='$MY' nvme='$NV'"
	exit 1
fi
# The namespaces' generic char devices, for the io_uring_cmd jobs.
MYG=/dev/my_ng${MY#/dev/my_nvme}
NVG=/dev/ng${NV#/dev/nvme}
[ "$AA" = 1 ] && NVG=/dev/my_ng${NV#/dev/my_nvme}
if [ ! -c "$MYG" ] || [ ! -c "$NVG" ]; then
	echo "BENCH-ERROR generic devices missing: my_nvme='$MYG' nvme='$NVG'"
	exit 1
fi
CPUS=$(nproc)
echo "BENCH-INFO my_nvme=$MY($MY_BDF) nvme=$NV($NV_BDF) generic=$MYG,$NVG cpus=$CPUS" \
	"clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"rounds=$ROUNDS runtime=$RUNTIME"
for q in "$MY" "$NV"; do
	n=${q#/dev/}
	echo "BENCH-INFO $n io_poll=$(cat /sys/block/$n/queue/io_poll)" \
		"scheduler=$(cat /sys/block/$n/queue/scheduler)"
done
dmesg | grep -E "my_nvme .*I/O queue|nvme nvme[0-9]: [0-9]+/[0-9]+/[0-9]+ default/read/poll" |
	sed 's/^/BENCH-INFO /'

# name engine rw bs iodepth numjobs hipri; the io_uring_cmd jobs run on
# the generic char devices (NVMe passthrough through IORING_OP_URING_CMD).
JOBS="qd1-randread psync randread 4k 1 1 0
randread-qd32 io_uring randread 4k 32 $CPUS 0
randwrite-qd32 io_uring randwrite 4k 32 $CPUS 0
seqread-128k io_uring read 128k 16 1 0
seqwrite-128k io_uring write 128k 16 1 0
qd1-randread-poll io_uring randread 4k 1 1 1
qd1-randread-poll-cmd io_uring_cmd randread 4k 1 1 1
randread-qd32-cmd io_uring_cmd randread 4k 32 $CPUS 0"

busy_total() {	# "busy total" jiffies of all CPUs so far
	awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8; t = b + $5 + $6; print b, t }' /proc/stat
}

ios_of() {	# ios_of DEV: reads + writes the disk has completed
	# Passthrough requests are not in a disk's I/O statistics: 0, and
	# bench-stats.py counts fio's I/Os instead.
	[ -b "$1" ] || { echo 0; return; }
	awk '{ print $1 + $5 }' "/sys/block/${1#/dev/}/stat"
}

irqs_of() {	# irqs_of DRIVER: interrupts of its queues so far
	pat=$MY
	[ "$1" = nvme ] && pat=$NV
	pat=${pat#/dev/}
	pat=${pat%n1}q
	awk -v p="$pat" -v n="$CPUS" '$NF ~ "^" p { for (i = 2; i <= n + 1; i++) s += $i }
		END { print s + 0 }' /proc/interrupts
}

run() {	# run JOB ENGINE RW BS QD NJ HIPRI DEV DRIVER ROUND RUNTIME
	set -- "$@"
	run_i0=$(irqs_of "$9")
	run_n0=$(ios_of "$8")
	b0=$(busy_total)
	# (sh has no local variables: nothing here may reuse the caller's.)
	run_poll=
	[ "$7" = 1 ] && run_poll=--hipri=1
	# fio's I/O count must cover the CPU time's window when the disk's
	# statistics cannot (passthrough): no ramp-up there. A char device
	# cannot be opened O_DIRECT (nor needs it).
	run_extra="--ramp_time=1 --direct=1"
	[ "$2" = io_uring_cmd ] && run_extra=--cmd_type=nvme
	# shellcheck disable=SC2086 # empty or one option
	fio --name="$1" --filename="$8" --ioengine="$2" --rw="$3" --bs="$4" \
		--iodepth="$5" --numjobs="$6" $run_poll $run_extra \
		--size=1g --time_based --runtime="${11}" \
		--group_reporting --percentile_list=50:99:99.9 \
		--output-format=json > /tmp/bench.json 2>/tmp/bench.err
	rc=$?
	b1=$(busy_total)
	run_i1=$(irqs_of "$9")
	run_n1=$(ios_of "$8")
	set -- "$@" $b0 $b1
	echo "BENCHRUN $1 $9 ${10} $((${14} - ${12})) $((${15} - ${13})) $(getconf CLK_TCK 2>/dev/null || echo 100) $((run_i1 - run_i0)) rc=$rc ios=$((run_n1 - run_n0))"
	echo "BENCHJSON-BEGIN"
	cat /tmp/bench.json
	echo "BENCHJSON-END"
}

dev_of() {	# dev_of DRIVER ENGINE: the disk, or its generic char device
	case "$1.$2" in
	my_nvme.io_uring_cmd) echo "$MYG" ;;
	nvme.io_uring_cmd) echo "$NVG" ;;
	my_nvme.*) echo "$MY" ;;
	*) echo "$NV" ;;
	esac
}

selected() {
	[ -z "$JOBS_WANTED" ] && return 0
	case " $JOBS_WANTED " in *" $1 "*) return 0 ;; esac
	return 1
}

# Warm-up, not reported: the first runs pay for cold caches.
echo "$JOBS" | while read -r name eng rw bs qd nj hipri; do
	selected "$name" || continue
	run "$name" "$eng" "$rw" "$bs" "$qd" "$nj" "$hipri" "$(dev_of my_nvme "$eng")" my_nvme 0 2 >/dev/null
	run "$name" "$eng" "$rw" "$bs" "$qd" "$nj" "$hipri" "$(dev_of nvme "$eng")" nvme 0 2 >/dev/null
done

round=1
while [ "$round" -le "$ROUNDS" ]; do
	echo "$JOBS" | while read -r name eng rw bs qd nj hipri; do
		selected "$name" || continue
		# ABBA: my_nvme first in rounds 1, 4, 5, 8, 9, ...
		case $((round % 4)) in
		1 | 0) order="my_nvme nvme" ;;
		*) order="nvme my_nvme" ;;
		esac
		for drv in $order; do
			dev=$(dev_of "$drv" "$eng")
			run "$name" "$eng" "$rw" "$bs" "$qd" "$nj" "$hipri" "$dev" \
				"$drv" "$round" "$RUNTIME"
		done
	done
	round=$((round + 1))
done
ctrls=${MY#/dev/}
[ "$AA" = 1 ] && ctrls="$ctrls ${NV#/dev/}"
for n in $ctrls; do
	n=${n%n1}
	echo "BENCH-STATS $n"
	sed "s/^/BENCH-STATS /" "/sys/kernel/debug/my_nvme/$n/stats" 2>/dev/null
done
echo "BENCH-DONE"
