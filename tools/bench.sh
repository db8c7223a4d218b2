#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: my_nvme against the in-tree nvme driver, side by side in one
# QEMU boot on two identical emulated controllers. Builds a second kernel
# (build/obj-bench: the test config plus CONFIG_BLK_DEV_NVME=y), boots it
# with mytest=bench, and prints per-job IOPS and the my_nvme/nvme ratio.
#
# Environment: SMP [2], MEM [1G], BENCH_RUNTIME seconds per run [15],
# BENCH_ROUNDS [3].
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$TOP/build/linux-source-6.12
OBJ=$TOP/build/obj-bench
OUTDIR=$TOP/build/bench
SMP=${SMP:-2}
MEM=${MEM:-1G}
mkdir -p "$OUTDIR" "$OBJ"

make -C "$TOP" -s source initramfs >/dev/null
if [ ! -f "$OBJ/.config" ] || [ "$TOP/boot/my_nvme.config" -nt "$OBJ/.config" ] ||
   [ "$TOP/boot/bench.config" -nt "$OBJ/.config" ]; then
	make -C "$SRC" O="$OBJ" -s tinyconfig >/dev/null
	(cd "$SRC" && KCONFIG_CONFIG=$OBJ/.config scripts/kconfig/merge_config.sh \
		-m -O "$OBJ" "$OBJ/.config" "$TOP/boot/my_nvme.config" \
		"$TOP/boot/bench.config" >/dev/null)
	make -C "$SRC" O="$OBJ" -s olddefconfig >/dev/null
fi
for opt in CONFIG_MY_NVME=y CONFIG_BLK_DEV_NVME=y; do
	grep -qx "$opt" "$OBJ/.config" || { echo "bench: $opt missing" >&2; exit 1; }
done
echo "bench: building the benchmark kernel in $OBJ"
make -C "$SRC" O="$OBJ" -s -j"$(nproc)" bzImage

# Same size, fully allocated, so neither side meets holes the other does.
for img in a b; do
	f=$OUTDIR/disk-$img.img
	[ -f "$f" ] || fallocate -l 1G "$f"
done

# Both images into the host's page cache, so neither side starts cold.
cat "$OUTDIR/disk-a.img" "$OUTDIR/disk-b.img" > /dev/null

log=$OUTDIR/bench.log
echo "bench: booting ($SMP CPUs, $MEM), log in $log"
BZIMAGE=$OBJ/arch/x86/boot/bzImage NO_DEFAULT_NVME=1 SMP=$SMP MEM=$MEM \
APPEND="mytest=bench bench_rounds=${BENCH_ROUNDS:-3} bench_runtime=${BENCH_RUNTIME:-15}" \
QEMU_EXTRA="-drive file=$OUTDIR/disk-a.img,if=none,id=ba,format=raw
-device nvme,serial=bench-a,drive=ba
-drive file=$OUTDIR/disk-b.img,if=none,id=bb,format=raw
-device nvme,serial=bench-b,drive=bb" \
	timeout 1800 "$TOP/boot/qemu.sh" > "$log" 2>&1 || true

grep -q BENCH-DONE "$log" || { echo "bench: guest did not finish, see $log" >&2;
	grep BENCH "$log" >&2 || true; exit 1; }

echo
printf '%-14s %12s %12s %8s\n' job my_nvme_iops nvme_iops ratio
grep '^BENCH ' "$log" | awk '
	{ sum[$2 " " $3] += $4; n[$2 " " $3]++; jobs[$2] = 1 }
	END {
		for (j in jobs) {
			m = sum[j " my_nvme"] / n[j " my_nvme"]
			v = sum[j " nvme"] / n[j " nvme"]
			printf "%-14s %12d %12d %8.2f\n", j, m, v, v ? m / v : 0
		}
	}' | sort
