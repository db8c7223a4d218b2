#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: my_nvme against the in-tree nvme driver, side by side in one
# QEMU boot on two identical emulated controllers. Builds a benchmark
# kernel (build/obj-bench: boot/my_nvme.config plus boot/bench.config,
# no debug options, the in-tree driver built in), boots it with mytest=
# bench (tools/guest-bench.sh) and hands the runs to tools/bench-stats.py,
# which prints per job the median of each driver, the ratio of medians
# and its 95% bootstrap confidence interval, one machine-readable line per
# job, and writes a plot of every round to build/bench/.
#
# Environment: SMP [2], MEM [1G]; BENCH_ROUNDS per driver and job [20];
# BENCH_RUNTIME seconds per run [5]; BENCH_BACKEND null (QEMU null-co,
# read-zeroes: the device costs as little as it can, what is measured is
# the driver) or file (two fully allocated 1 GiB images) [null];
# BENCH_JOBS, a comma list of job names [all]; BENCH_POLL poll queues
# for both drivers [1]; BENCH_DBBUF=0 turns my_nvme's shadow doorbells
# off (nvme has no switch) [1]; BENCH_AA=1 leaves both controllers with
# my_nvme (an A/A run: the "nvme" column is the second my_nvme
# controller, and the intervals show what the bench cannot resolve on
# this machine) [0].
#
# The guest clock: TCG's vCPUs fail the kernel's TSC synchronisation
# check, and without ACPI (no HPET, no PM timer) the kernel would fall
# back to jiffies, which makes every latency a multiple of 4 ms.
# tsc=reliable keeps the TSC (nanoseconds, cheap to read under TCG); the
# output names the clocksource.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$TOP/build/linux-source-6.12
OBJ=$TOP/build/obj-bench
OUTDIR=$TOP/build/bench
SMP=${SMP:-2}
MEM=${MEM:-1G}
ROUNDS=${BENCH_ROUNDS:-20}
RUNTIME=${BENCH_RUNTIME:-5}
BACKEND=${BENCH_BACKEND:-null}
POLL=${BENCH_POLL:-1}
DBBUF=${BENCH_DBBUF:-1}
AA=${BENCH_AA:-0}
mkdir -p "$OUTDIR" "$OBJ"

make -C "$TOP" -s source initramfs >/dev/null
FRAGS="$TOP/boot/my_nvme.config $TOP/boot/bench.config"
if [ ! -f "$OBJ/.config" ] || [ "$TOP/boot/my_nvme.config" -nt "$OBJ/.config" ] ||
   [ "$TOP/boot/bench.config" -nt "$OBJ/.config" ]; then
	make -C "$SRC" O="$OBJ" -s tinyconfig >/dev/null
	# shellcheck disable=SC2086 # a list of files
	(cd "$SRC" && KCONFIG_CONFIG=$OBJ/.config scripts/kconfig/merge_config.sh \
		-m -O "$OBJ" "$OBJ/.config" $FRAGS >/dev/null)
	make -C "$SRC" O="$OBJ" -s olddefconfig >/dev/null
fi
# shellcheck disable=SC2086 # a list of files
"$TOP/tools/check-config.sh" "$OBJ/.config" $FRAGS
echo "bench: building the benchmark kernel in ${OBJ#"$TOP"/}"
make -C "$SRC" O="$OBJ" -s -j"$(nproc)" bzImage

case "$BACKEND" in
null)
	# shellcheck disable=SC2054 # QEMU's comma syntax
	drives="-blockdev driver=null-co,node-name=ba,size=1073741824,read-zeroes=on
-blockdev driver=null-co,node-name=bb,size=1073741824,read-zeroes=on" ;;
file)
	for img in a b; do
		f=$OUTDIR/disk-$img.img
		[ -f "$f" ] || fallocate -l 1G "$f"
	done
	# Both images into the host's page cache, so neither side starts cold.
	cat "$OUTDIR/disk-a.img" "$OUTDIR/disk-b.img" > /dev/null
	drives="-blockdev driver=file,filename=$OUTDIR/disk-a.img,node-name=ba,cache.direct=off
-blockdev driver=file,filename=$OUTDIR/disk-b.img,node-name=bb,cache.direct=off" ;;
*)
	echo "bench: BENCH_BACKEND is null or file, not '$BACKEND'" >&2
	exit 2 ;;
esac

name=$BACKEND
aa_txt=
if [ "$AA" = 1 ]; then
	name=$BACKEND-aa
	aa_txt=", A/A run (my_nvme on both controllers)"
fi
log=$OUTDIR/bench-$name.log
dbbuf=Y
[ "$DBBUF" = 1 ] || dbbuf=N
echo "bench: $BACKEND backend, $SMP CPUs, $ROUNDS rounds of ${RUNTIME}s per driver and job," \
	"poll queues $POLL, shadow doorbells $dbbuf$aa_txt;" \
	"log in ${log#"$TOP"/}"
start=$SECONDS
BZIMAGE=$OBJ/arch/x86/boot/bzImage NO_DEFAULT_NVME=1 SMP=$SMP MEM=$MEM \
APPEND="mytest=bench bench_rounds=$ROUNDS bench_runtime=$RUNTIME bench_jobs=${BENCH_JOBS:-} my_nvme.poll_queues=$POLL nvme.poll_queues=$POLL my_nvme.use_dbbuf=$dbbuf bench_aa=$AA tsc=reliable" \
QEMU_EXTRA="$drives
-device nvme,serial=bench-my,drive=ba
-device nvme,serial=bench-nv,drive=bb" \
	timeout 7200 "$TOP/boot/qemu.sh" > "$log" 2>&1 || true
echo "bench: guest ran for $((SECONDS - start)) s"

grep -aq BENCH-DONE "$log" || { echo "bench: guest did not finish, see $log" >&2;
	grep -a BENCH-ERROR "$log" >&2 || true; exit 1; }
tr -d '\r' < "$log" | grep -a '^BENCH-INFO' | sed 's/^BENCH-INFO /bench: /'
python3 "$TOP/tools/bench-stats.py" "$log" "$OUTDIR" "$name" "$SMP"
