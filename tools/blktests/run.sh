#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: make blktests. Boots the test kernel once (q35, two identical
# NVMe controllers in hot-pluggable PCIe root ports), runs blktests in it
# against a my_nvme namespace and then against the in-tree nvme driver's
# namespace on the other controller, and prints one table: test, result
# with my_nvme, result with nvme, and why a test did not run.
#
# Environment: BLKTESTS, the blktests tree [../shared/blktests, beside
# the repository]; BLKTESTS_TESTS [block]; BLKTESTS_TIMEOUT, seconds for
# the timed tests [20]; SMP [2]; MEM [2G].
#
# Exit status non-zero when a test that passes with nvme does not pass
# with my_nvme, or the guest did not finish.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BLKTESTS=${BLKTESTS:-$(cd "$TOP/.." && pwd)/shared/blktests}
TESTS=${BLKTESTS_TESTS:-block}
TMO=${BLKTESTS_TIMEOUT:-20}
OUT=$TOP/build/blktests
LOG=$OUT/blktests.log
mkdir -p "$OUT"

"$TOP/tools/install-deps.sh" blktests
make -C "$TOP" -s kernel initramfs >/dev/null
"$TOP/tools/blktests/mkoverlay.sh" "$OUT/overlay.cpio.gz" "$BLKTESTS"
cat "$TOP/build/initramfs.cpio" "$OUT/overlay.cpio.gz" > "$OUT/initramfs.cpio"
for img in my nv; do
	rm -f "$OUT/$img.img"
	truncate -s 2G "$OUT/$img.img"
done

echo "blktests: $BLKTESTS ($(cat "$BLKTESTS.VERSION" 2>/dev/null | head -c 80 || echo unknown version))"
echo "blktests: tests '$TESTS', TIMEOUT=$TMO, log in ${LOG#"$TOP"/}"
start=$SECONDS
# shellcheck disable=SC2054 # QEMU's comma syntax
INITRAMFS=$OUT/initramfs.cpio NO_DEFAULT_NVME=1 MACHINE=q35 \
SMP=${SMP:-2} MEM=${MEM:-2G} \
APPEND="mytest=blktests blktests_tests=${TESTS// /,} blktests_timeout=$TMO oops=panic my_nvme.poll_queues=1 nvme.poll_queues=1" \
QEMU_EXTRA="-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
-device pcie-root-port,id=rp1,chassis=1,slot=1
-device pcie-root-port,id=rp2,chassis=2,slot=2
-drive file=$OUT/my.img,if=none,id=bmy,format=raw,discard=unmap
-device nvme,serial=blk-my,drive=bmy,bus=rp1
-drive file=$OUT/nv.img,if=none,id=bnv,format=raw,discard=unmap
-device nvme,serial=blk-nv,drive=bnv,bus=rp2" \
	timeout -k 10 5400 "$TOP/boot/qemu.sh" > "$LOG" 2>&1 || true
echo "blktests: guest ran for $((SECONDS - start)) s"

tr -d '\r' < "$LOG" > "$LOG.txt"
grep -a 'BLKTESTS-DEVS' "$LOG.txt" | sed 's/^.*BLKTESTS-DEVS/devices:/' || true
if ! grep -aq BLKTESTS-DONE "$LOG.txt"; then
	echo "blktests: the guest did not finish; end of the log:" >&2
	tail -n 20 "$LOG.txt" >&2
	exit 1
fi

# "BLKT drv block/003 => dev (description)   [passed]", then indented
# lines: the reason of a "[not run]", the runtime, a diff of a failure.
awk '
	/BLKT (my_nvme|nvme) / {
		sub(/^.*BLKT /, "")
		drv = $1
		sub(/^[^ ]+ /, "")
		if (match($0, /^[a-z]+\/[0-9]+/)) {
			t = substr($0, RSTART, RLENGTH)
			if (match($0, /\[[a-z ]+\]/))
				res[t, drv] = substr($0, RSTART + 1, RLENGTH - 2)
			if (!(t in seen)) { seen[t] = 1; order[n++] = t }
			cur = t
			next
		}
		if (cur != "" && $0 ~ /^    [^ ]/ && $0 !~ /runtime/ &&
		    res[cur, drv] == "not run") {
			r = $0
			sub(/^ +/, "", r)
			why[cur, drv] = (why[cur, drv] == "" ? r : why[cur, drv] "; " r)
		}
	}
	END {
		printf "%-10s %-10s %-10s %s\n", "test", "my_nvme", "nvme", "reason (not run)"
		for (i = 0; i < n; i++) {
			t = order[i]
			m = res[t, "my_nvme"]; v = res[t, "nvme"]
			if (m == "") m = "-"
			if (v == "") v = "-"
			r = why[t, "my_nvme"]
			if (r == "") r = why[t, "nvme"]
			printf "%-10s %-10s %-10s %s\n", t, m, v, r
			if (v == "passed" && m != "passed") bad++
			if (m == "passed") mp++
			if (v == "passed") vp++
		}
		printf "%-10s %-10s %-10s %s\n", "block/039", "excluded", "excluded",
			"needs null_blk but does not require it (blktests bug): fails for any device"
		printf "\n%d test(s): %d passed with my_nvme, %d with nvme; %d pass with nvme but not with my_nvme\n",
			n, mp, vp, bad
		exit bad ? 1 : 0
	}' "$LOG.txt" | tee "$OUT/table.txt"
