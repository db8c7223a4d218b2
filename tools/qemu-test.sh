#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-test.sh [SCENARIO...]
#
# Host side of the QEMU test suite. Every scenario boots the kernel once
# (boot/qemu.sh, non-interactive) with mytest=<case,case,...> on the kernel
# command line; the guest's boot/init runs tools/guest-tests.sh, which
# prints one "TEST <case>: PASS|FAIL <reason>" line per case on the serial
# console and reboots, which ends QEMU. The console goes to
# build/test/<scenario>.log; this script picks the TEST lines out of it.
# An expected case without a line counts as failed.
#
# Every boot also gets a host-side check, "TEST reboot-shutdown": the
# console log must end with the driver's "shutdown complete" line for every
# controller it probed, logged during the guest's final reboot -f (after
# boot/init's "=== guest tests done" line, before the kernel restarts).
#
# The last line of output is "N passed, N failed"; the exit status is
# non-zero if anything failed. With no arguments all scenarios run, in
# order; name some to run only those (e.g. "tools/qemu-test.sh default").
#
# Environment: BZIMAGE, INITRAMFS, SMP, MEM as for boot/qemu.sh;
# QEMU_TIMEOUT (s) per boot [600]; BOOT_TIMEOUT (s) until /init starts
# [120]; TEST_DISK_SIZE per image [512M]; TEST_APPEND, kernel command line
# for all test boots [oops=panic slub_debug=FZP].
#
# Adding a scenario: write a function scenario_<name> that creates the
# disk images it needs (new_disk) and calls boot_cases, then add <name> to
# SCENARIOS. boot_cases takes VAR=value settings for boot/qemu.sh (DISK,
# NVME_ARGS, DRIVE_ARGS, QEMU_EXTRA, NO_DEFAULT_NVME, SMP, MEM, APPEND), e.g. for
# several namespaces:
#	QEMU_EXTRA="-device nvme,id=nvme9,serial=x
#	            -drive file=$T/ns1.img,if=none,id=ns1,format=raw
#	            -device nvme-ns,drive=ns1,bus=nvme9,nsid=1 ..."
# and for 4K logical blocks NVME_ARGS=",logical_block_size=4096,..." (on
# nvme-ns) or a CMB with NVME_ARGS=",cmb_size_mb=64".

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
T=$TOP/build/test

export BZIMAGE=${BZIMAGE:-$TOP/build/obj/arch/x86/boot/bzImage}
export INITRAMFS=${INITRAMFS:-$TOP/build/initramfs.cpio.gz}
export SMP=${SMP:-2}
export MEM=${MEM:-1G}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
# Kernel command line of every test boot: an Oops leaves the kernel
# half-dead (locks held, IPIs unanswered); panic at once instead, and
# qemu.sh's panic=-1 ends QEMU.
TEST_APPEND=${TEST_APPEND-oops=panic slub_debug=FZP}
BANNER="=== my_nvme guest:"		# printed by boot/init
TEST_DISK_SIZE=${TEST_DISK_SIZE:-512M}

SCENARIOS="default persist two_ctrl shared_vector intx multi sgl cmb nowc"

# ---------------------------------------------------------------------------
# Scenarios.

# The default controller on a fresh image: the seed's tests, a file
# system, fio with verification, statistics, write cache, discard (the
# drive has qemu.sh's default discard=unmap, so discarded blocks read back
# as zeros), Write Zeroes, nvme-cli passthrough, sysfs, unbind + bind, and
# the first half of the persistence test (last: the others overwrite the
# disk, and it proves the rebound controller writes durably).
scenario_default() {
	new_disk "$T/default.img"
	boot_cases default "test1,test2,ext2,fio,stats,vwc,discard,write-zeroes,passthru,sysfs,shutdown,nproc,persist-write,dmesg" \
		DISK="$T/default.img"
}

# Second boot of the same image: is persist-write's data still there?
scenario_persist() {
	[ -f "$T/default.img" ] || new_disk "$T/default.img"
	boot_cases persist "persist-read,dmesg" DISK="$T/default.img"
}

# Two controllers, each with its own image and serial number.
scenario_two_ctrl() {
	new_disk "$T/two-ctrl0.img"
	new_disk "$T/two-ctrl1.img"
	boot_cases two-ctrl "two-ctrl,dmesg" \
		DISK="$T/two-ctrl0.img" \
		QEMU_EXTRA="-drive file=$T/two-ctrl1.img,if=none,id=nvm1,format=raw
			    -device nvme,serial=my_nvme1,drive=nvm1"
}

# One I/O queue pair and a single MSI-X vector shared with the admin queue.
scenario_shared_vector() {
	new_disk "$T/shared-vector.img"
	boot_cases shared-vector "shared-vector,test1,dmesg" \
		DISK="$T/shared-vector.img" \
		NVME_ARGS=",max_ioqpairs=1,msix_qsize=1"
}

# Three controllers, no default one (the cases find them by serial):
#   "mdts1"  mdts=1 (8 KiB transfers)                         mdts1
#   "multi"  nvme-ns namespaces 1 (512-byte blocks), 2 (4096)  multi-ns,
#            and 3 (8 bytes of metadata: skipped)              ns-skip, fio-4k
#   "big"    mdts=10 (4 MiB transfers)                         big-io
# mytest_ns_bytes tells the guest the sizes of namespaces 1 and 2.
scenario_multi() {
	local ns1=256 ns2=128 img
	for img in mdts1 multi-ns3 big; do
		new_disk "$T/$img.img" 64M
	done
	new_disk "$T/multi-ns4.img" 0	# an empty namespace
	new_disk "$T/multi-ns1.img" ${ns1}M
	new_disk "$T/multi-ns2.img" ${ns2}M
	boot_cases multi "multi-ns,ns-skip,fio-4k,mdts1,big-io,dmesg" \
		NO_DEFAULT_NVME=1 \
		APPEND="mytest_ns_bytes=$((ns1 << 20)),$((ns2 << 20))" \
		QEMU_EXTRA="-drive file=$T/mdts1.img,if=none,id=mdts1,format=raw
			    -device nvme,serial=mdts1,drive=mdts1,mdts=1
			    -device nvme,id=nvmeM,serial=multi
			    -drive file=$T/multi-ns1.img,if=none,id=nsA,format=raw
			    -device nvme-ns,drive=nsA,bus=nvmeM,nsid=1,physical_block_size=4096
			    -drive file=$T/multi-ns2.img,if=none,id=nsB,format=raw
			    -device nvme-ns,drive=nsB,bus=nvmeM,nsid=2,logical_block_size=4096,physical_block_size=4096
			    -drive file=$T/multi-ns3.img,if=none,id=nsC,format=raw
			    -device nvme-ns,drive=nsC,bus=nvmeM,nsid=3,ms=8
			    -drive file=$T/multi-ns4.img,if=none,id=nsD,format=raw
			    -device nvme-ns,drive=nsD,bus=nvmeM,nsid=4
			    -drive file=$T/big.img,if=none,id=big,format=raw
			    -device nvme,serial=big,drive=big,mdts=10"
}

# SGLs for every multi-segment request (sgl_threshold=1 at boot).
scenario_sgl() {
	new_disk "$T/sgl.img"
	boot_cases sgl "sgl,dmesg" \
		DISK="$T/sgl.img" APPEND="my_nvme.sgl_threshold=1"
}

# A 16 MiB Controller Memory Buffer: the my_nvme0cmb disk.
scenario_cmb() {
	new_disk "$T/cmb.img"
	boot_cases cmb "cmb,dmesg" \
		DISK="$T/cmb.img" NVME_ARGS=",cmb_size_mb=16"
}

# No MSI or MSI-X at all: legacy INTx.
scenario_intx() {
	new_disk "$T/intx.img"
	boot_cases intx "intx,test1,dmesg" \
		DISK="$T/intx.img" APPEND="pci=nomsi"
}

# The drive's write cache off: the controller reports it disabled.
scenario_nowc() {
	new_disk "$T/nowc.img"
	boot_cases nowc "vwc-off,test1,dmesg" \
		DISK="$T/nowc.img" NVME_ARGS=",write-cache=off"
}

# ---------------------------------------------------------------------------
# Machinery.

PASSED=0
FAILED=0
QPID=

# ^C or kill: take the running QEMU down with us (it runs in the
# background, so the terminal's SIGINT does not reach it).
on_signal() {
	[ -n "$QPID" ] && kill -TERM "$QPID" 2>/dev/null && wait "$QPID"
	echo "qemu-test: interrupted" >&2
	exit 130
}
trap on_signal INT TERM HUP

# new_disk PATH [SIZE]: a fresh, all-zero raw image.
new_disk() {
	rm -f "$1"
	truncate -s "${2:-$TEST_DISK_SIZE}" "$1"
}

# record LINE: print a result line and count it.
record() {
	echo "$1"
	echo "$1" >> "$T/results.txt"
	if [[ $1 =~ TEST\ [^\ ]+:\ PASS$ ]]; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
	fi
}

# boot_cases NAME CASES [VAR=value...]: boot once, run CASES (comma list)
# in the guest, collect one TEST line per case.
boot_cases() {
	local name=$1 cases=$2
	shift 2
	local log=$T/$name.log rc start line c why results panic boot_hung

	echo "== $name: $cases (log: ${log#"$TOP"/})"
	start=$SECONDS
	(
		# Only what the scenario asks for, not the caller's boot setup.
		unset NVME_ARGS DRIVE_ARGS NO_DEFAULT_NVME
		QEMU_EXTRA=
		APPEND=
		for a in "$@"; do
			export "${a?}"
		done
		export QEMU_EXTRA
		export APPEND="mytest=$cases mytest_cpus=$SMP $TEST_APPEND${APPEND:+ $APPEND}"
		# -k: SIGKILL if SIGTERM did not end QEMU.
		exec timeout -k 10 "$QEMU_TIMEOUT" "$TOP/boot/qemu.sh"
	) </dev/null >"$log" 2>&1 &
	QPID=$!
	# Until /init prints its banner, the kernel is still booting (and
	# probing the driver); give up early if that takes too long.
	boot_hung=
	while kill -0 "$QPID" 2>/dev/null; do
		if [ -z "$boot_hung" ] &&
		   [ $((SECONDS - start)) -ge "$BOOT_TIMEOUT" ] &&
		   ! grep -aq "$BANNER" "$log"; then
			boot_hung=1
			kill -TERM "$QPID"
		fi
		sleep 1
	done
	wait "$QPID"
	rc=$?
	QPID=
	echo "   QEMU exited with status $rc after $((SECONDS - start)) s"

	# Serial output has CRLF line ends; kernel messages may precede a
	# TEST line on the same line, so do not anchor at the start.
	results=$(tr -d '\r' <"$log" |
		grep -ao 'TEST [A-Za-z0-9_.-]*: \(PASS\|FAIL\).*')
	# With oops=panic an Oops ends the boot; name its first line.
	panic=
	if grep -aq 'Kernel panic' "$log"; then
		panic=$(tr -d '\r' <"$log" |
			grep -a -m1 -E 'BUG:|Oops:|Kernel panic' |
			sed 's/^\[[ 0-9.]*\] //')
	fi
	if [ -z "$results" ]; then
		echo "   no TEST lines; end of the log:"
		tail -n 15 "$log" | tr -d '\r' | sed 's/^/   | /'
	fi
	for c in ${cases//,/ }; do
		line=$(grep -m1 "^TEST $c: " <<<"$results")
		if [ -z "$line" ]; then
			why="no result (guest hung or crashed)"
			if [ -n "$boot_hung" ]; then
				why="no result (/init not reached in ${BOOT_TIMEOUT}s: boot or driver probe hung)"
			elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
				why="no result (guest hung, QEMU killed after ${QEMU_TIMEOUT}s)"
			elif [ -n "$panic" ]; then
				why="no result (kernel panic: $panic)"
			fi
			line="TEST $c: FAIL $why"
		fi
		record "[$name] $line"
	done
	record "[$name] TEST reboot-shutdown: $(reboot_shutdown "$log")"
}

# reboot_shutdown LOG: "PASS", or "FAIL reason": after the guest's last
# line ("=== guest tests done"), every controller that the driver probed
# (its "my_nvme BDF: NVMe x.y.z, CAP ..." line) logged "my_nvme BDF:
# shutdown complete", and the last of those lines comes before the
# kernel's "reboot: Restarting system".
reboot_shutdown() {
	local log=$1 clean done_at restart_at bdfs bdf at last=0 missing=

	clean=$(tr -d '\r' <"$log")
	done_at=$(grep -an '=== guest tests done' <<<"$clean" | tail -n1 | cut -d: -f1)
	if [ -z "$done_at" ]; then
		echo "FAIL the guest never finished its tests (no '=== guest tests done')"
		return
	fi
	restart_at=$(grep -an 'reboot: Restarting system' <<<"$clean" | tail -n1 | cut -d: -f1)
	if [ -z "$restart_at" ] || [ "$restart_at" -lt "$done_at" ]; then
		echo "FAIL no 'reboot: Restarting system' after the tests (reboot hung or crashed?)"
		return
	fi
	bdfs=$(grep -ao 'my_nvme [0-9a-f]*:[0-9a-f]*:[0-9a-f]*\.[0-7]: NVMe [0-9]' <<<"$clean" |
		awk '{ sub(/:$/, "", $2); print $2 }' | sort -u)
	if [ -z "$bdfs" ]; then
		echo "FAIL the driver probed no controller"
		return
	fi
	for bdf in $bdfs; do
		at=$(tail -n +"$done_at" <<<"$clean" |
			grep -an "my_nvme $bdf: shutdown complete" | tail -n1 | cut -d: -f1)
		if [ -z "$at" ]; then
			missing="$missing $bdf"
			continue
		fi
		at=$((at + done_at - 1))
		[ "$at" -gt "$last" ] && last=$at
	done
	if [ -n "$missing" ]; then
		echo "FAIL no 'shutdown complete' during the final reboot for:$missing"
	elif [ "$last" -gt "$restart_at" ]; then
		echo "FAIL 'shutdown complete' logged after 'reboot: Restarting system'"
	else
		echo "PASS"
	fi
}

main() {
	local s list

	list=${*:-$SCENARIOS}
	for s in $list; do
		s=${s//-/_}
		if ! declare -F "scenario_$s" >/dev/null; then
			echo "qemu-test: unknown scenario '$s' (known: $SCENARIOS)" >&2
			exit 2
		fi
	done
	for f in "$BZIMAGE" "$INITRAMFS"; do
		[ -f "$f" ] || echo "qemu-test: warning: $f missing" \
			"(make kernel initramfs); the boots will fail" >&2
	done

	mkdir -p "$T"
	: >"$T/results.txt"
	for s in $list; do
		"scenario_${s//-/_}"
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
