#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-tests.sh CASE[,CASE...] | all | list
#
# Runs INSIDE the QEMU guest (BusyBox sh, from the initramfs as
# /tests/guest-tests.sh; boot/init calls it for mytest=<cases>). For every
# case it prints exactly one line
#
#	TEST <name>: PASS
#	TEST <name>: FAIL <reason>
#
# which tools/qemu-test.sh collects from the serial console. Each case runs
# in its own session with a time limit; a case that overruns it (e.g. I/O
# stuck in the driver, process in uninterruptible sleep) is reported as
# failed and abandoned, and later cases that need the disk are failed
# without being run, so a boot always finishes.
#
# "all" runs the cases that only need the default controller (as
# boot/qemu.sh sets it up: serial my_nvme0, drive with discard=unmap):
#	test1 test2 ext2 fio stats vwc discard write-zeroes passthru sysfs
#	shutdown nproc persist-write persist-read dmesg
# Others need a prepared boot (see tools/qemu-test.sh): persist-read on a
# second boot of a persist-write image, two-ctrl with a second controller,
# shared-vector with max_ioqpairs=1,msix_qsize=1, multi-ns, ns-skip and
# fio-4k with the "multi" controller (namespaces of 512 and 4096-byte
# blocks and one with metadata; mytest_ns_bytes=N1,N2 gives the sizes of
# namespaces 1 and 2), mdts1 and big-io with the controllers of serial
# "mdts1" (mdts=1) and "big" (mdts=10), sgl with my_nvme.sgl_threshold=1,
# cmb with cmb_size_mb=16.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

DEV0=/dev/my_nvme0n1		# controller 0, namespace 1
DEV1=/dev/my_nvme1n1		# controller 1, namespace 1
WORK=/tmp/guest-tests		# scratch space (tmpfs)
MNT=/mnt/ext2

# persist-write/-read layout on DEV0: a one-line text header at 60 MiB,
# PERSIST_MB MiB of random data at 64 MiB.
PERSIST_HDR_MB=60
PERSIST_DATA_MB=64
PERSIST_MB=4
PERSIST_MAGIC="MY_NVME_PERSIST v1"

ALL_CASES="test1 test2 ext2 fio stats vwc discard write-zeroes passthru sysfs"
ALL_CASES="$ALL_CASES shutdown nproc persist-write persist-read dmesg"
KNOWN_CASES="test1 test2 ext2 persist-write persist-read fio two-ctrl"
KNOWN_CASES="$KNOWN_CASES dmesg nproc shared-vector stats vwc discard"
KNOWN_CASES="$KNOWN_CASES write-zeroes passthru sysfs shutdown multi-ns"
KNOWN_CASES="$KNOWN_CASES ns-skip fio-4k mdts1 big-io sgl cmb vwc-off intx"

# Serial numbers of the controllers the cases look for (boot/qemu.sh
# gives the default controller my_nvme0; tools/qemu-test.sh the others).
SERIAL0=my_nvme0
SERIAL_MULTI=multi
SERIAL_MDTS1=mdts1
SERIAL_BIG=big
MNT4=/mnt/ext4			# discard's ext4 for fstrim

# Time limit of a case in seconds (generous for TCG on a slow host).
case_limit() {
	case "$1" in
	fio | fio-4k | sgl)	echo 240 ;;
	ext2 | cmb | discard)	echo 120 ;;
	two-ctrl | mdts1 | big-io) echo 90 ;;
	intx)			echo 60 ;;
	test1 | test2 | persist-* | shared-vector) echo 60 ;;
	passthru | shutdown | multi-ns | write-zeroes) echo 60 ;;
	vwc | vwc-off | stats | ns-skip) echo 30 ;;
	*)			echo 20 ;;
	esac
}

# Cases that do not touch the NVMe disk: still run after a hang.
case_needs_disk() {
	case "$1" in
	dmesg | nproc | sysfs)	return 1 ;;
	*)		return 0 ;;
	esac
}

# ---------------------------------------------------------------------------
# Helpers for the case functions. A case returns 0 for PASS; otherwise it
# sets REASON and returns 1. STEPFILE names the step in progress so that the
# runner can say where a timed-out case was stuck.

REASON=
STEPFILE=/dev/null

fail() {
	REASON="$*"
	return 1
}

step() {
	echo "$*" > "$STEPFILE"
}

# run CMD ARGS...: echo and run a command, fail with its exit status.
run() {
	step "$*"
	echo "+ $*"
	"$@"
	rc=$?
	[ "$rc" -eq 0 ] || fail "'$*' exited with status $rc"
}

# Wait up to 10 s for a block device (probing may still be going on).
need_dev() {
	step "waiting for $1"
	i=0
	while [ ! -b "$1" ]; do
		if [ "$i" -ge 20 ]; then
			fail "no block device $1" \
				"(driver not bound or probe failed? see dmesg)"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
	return 0
}

# need_size DEV MIB: the device must hold at least MIB MiB.
need_size() {
	bytes=$(blockdev --getsize64 "$1" 2>/dev/null) ||
		{ fail "blockdev --getsize64 $1 failed"; return 1; }
	[ "$bytes" -ge $(($2 * 1048576)) ] ||
		fail "$1 has $bytes bytes, this case needs $2 MiB"
}

# same_files A B: cmp, with cmp's own message as the reason.
same_files() {
	step "cmp $1 $2"
	echo "+ cmp $1 $2"
	out=$(cmp "$1" "$2" 2>&1) || { fail "data mismatch: $out"; return 1; }
	return 0
}

md5() {
	md5sum "$@" | cut -d' ' -f1
}

# karg NAME: print the value of mytest_NAME=VALUE from the kernel command
# line (tools/qemu-test.sh passes facts about a scenario's set-up so).
karg() {
	# shellcheck disable=SC2013 # words, not lines
	for arg in $(cat /proc/cmdline); do
		case "$arg" in
		"mytest_$1="*)
			echo "${arg#"mytest_$1="}"
			return 0 ;;
		esac
	done
	return 1
}

# rd FILE: VAL = the content of FILE (a sysfs attribute, say).
rd() {
	VAL=$(cat "$1" 2>/dev/null) || { fail "cannot read $1"; return 1; }
	return 0
}

# expect FILE VALUE: FILE must hold exactly VALUE.
expect() {
	rd "$1" || return 1
	echo "$1: $VAL"
	[ "$VAL" = "$2" ] || fail "$1 is '$VAL', expected '$2'"
}

# expect_gt FILE NUMBER: FILE holds a number greater than NUMBER.
expect_gt() {
	rd "$1" || return 1
	echo "$1: $VAL"
	case "$VAL" in
	'' | *[!0-9]*) fail "$1 is '$VAL', not a number"; return 1 ;;
	esac
	[ "$VAL" -gt "$2" ] || fail "$1 is $VAL, expected more than $2"
}

# find_ctrl SERIAL: CTRL = name (my_nvmeN) of the controller with that
# serial number, BDF = its PCI address. Waits up to 10 s for the probe.
find_ctrl() {
	step "looking for the controller with serial $1"
	i=0
	while :; do
		for c in /sys/class/my_nvme/my_nvme*; do
			[ -r "$c/serial" ] || continue
			[ "$(cat "$c/serial")" = "$1" ] || continue
			CTRL=${c##*/}
			BDF=$(readlink "$c/device")
			BDF=${BDF##*/}
			echo "controller with serial $1: $CTRL at $BDF"
			case "$BDF" in
			????:??:??.?) return 0 ;;
			esac
			fail "$c/device points to '$(readlink "$c/device")'," \
				"not a PCI device"
			return 1
		done
		if [ "$i" -ge 20 ]; then
			fail "no controller with serial '$1' in /sys/class/my_nvme" \
				"(driver not bound or probe failed? see dmesg)"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
}

# rand_file FILE MIB: MIB MiB of random data.
rand_file() {
	step "dd if=/dev/urandom of=$1 bs=1M count=$2"
	dd if=/dev/urandom of="$1" bs=1M count="$2" 2>/dev/null ||
		fail "could not create $2 MiB of random data in $1"
}

# zero_file FILE MIB
zero_file() {
	dd if=/dev/zero of="$1" bs=1M count="$2" 2>/dev/null ||
		fail "could not create $2 MiB of zeros in $1"
}

# dwrite FILE DEV MIB_OFFSET [BS]: O_DIRECT write of FILE at MIB_OFFSET.
dwrite() {
	bs=${4:-1M}
	run dd if="$1" of="$2" bs="$bs" seek=$(($3 * 1048576 / $(bytes "$bs"))) \
		oflag=direct conv=notrunc
}

# dread DEV MIB_OFFSET MIB FILE [BS]: O_DIRECT read into FILE.
dread() {
	bs=${5:-1M}
	run dd if="$1" of="$4" bs="$bs" skip=$(($2 * 1048576 / $(bytes "$bs"))) \
		count=$(($3 * 1048576 / $(bytes "$bs"))) iflag=direct
}

# bytes SIZE: 4k, 1M, 4M or a plain number in bytes.
bytes() {
	case "$1" in
	*k) echo $((${1%k} * 1024)) ;;
	*M) echo $((${1%M} * 1048576)) ;;
	*) echo "$1" ;;
	esac
}

# Per-queue statistics in debugfs. The header line names the columns;
# they are looked up by name, never by position.
stats_file() {
	echo "/sys/kernel/debug/my_nvme/$1/stats"
}

# stat_sum CTRL COLUMN [all]: STAT = COLUMN summed over the I/O queues
# (qid > 0), or over all queues with "all".
stat_sum() {
	f=$(stats_file "$1")
	min=1
	[ "${3:-}" = all ] && min=0
	STAT=$(awk -v col="$2" -v min="$min" '
		NR == 1 {
			for (i = 1; i <= NF; i++) {
				if ($i == col) c = i
				if ($i == "qid") q = i
			}
			next
		}
		c && q && $q >= min { s += $c }
		END { if (c && q) print s + 0 }' "$f" 2>/dev/null)
	[ -n "$STAT" ] || fail "no column '$2' (or qid) in $f (debugfs mounted?)"
}

show_stats() {
	echo "$(stats_file "$1"):"
	cat "$(stats_file "$1")"
}

# run_fio NJOBS FIO-ARGS...: run fio with verification, which must
# report NJOBS jobs, all with err=0, no verify errors, and verify reads.
run_fio() {
	njobs=$1
	shift
	step "fio $*"
	echo "+ fio $*"
	fio "$@" > fio.out 2>&1
	rc=$?
	cat fio.out
	[ "$rc" -eq 0 ] || { fail "fio exited with status $rc"; return 1; }
	jobs=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err=' fio.out)
	ok=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err= *0:' fio.out)
	[ "$jobs" -eq "$njobs" ] ||
		{ fail "expected $njobs fio job reports, got $jobs"; return 1; }
	[ "$ok" -eq "$njobs" ] ||
		{ fail "$((jobs - ok)) fio job(s) with err != 0"; return 1; }
	bad=$(grep -Ei 'verify failed|bad magic|bad header|verify type mismatch|crc32c.*(fail|mismatch)' fio.out |
		head -n1)
	[ -z "$bad" ] || { fail "fio verify error: $bad"; return 1; }
	grep -q 'READ: bw=' fio.out || fail "fio did no verify reads"
}

# ---------------------------------------------------------------------------
# The cases.

# The seed project's TEST1, command for command.
case_test1() {
	need_dev "$DEV0" || return 1
	run dd if=/dev/random of=origin.bin bs=1M count=1 || return 1
	run dd if=origin.bin of=/dev/my_nvme0n1 || return 1
	run dd if=/dev/my_nvme0n1 of=readback.bin bs=1M count=1 || return 1
	same_files origin.bin readback.bin
}

# The seed project's TEST2. The seed writes "SIZE = $(wc -c < origin.txt)",
# which is not valid shell (it runs a command named SIZE); the only change
# here is dropping the spaces around "=".
case_test2() {
	need_dev "$DEV0" || return 1
	echo "[WRITE SOMETHING]" > origin.txt
	SIZE=$(wc -c < origin.txt)
	run dd if=origin.txt of=/dev/my_nvme0n1 || return 1
	run dd if=/dev/my_nvme0n1 of=readback.txt bs=1 count="$SIZE" || return 1
	same_files origin.txt readback.txt || return 1
	text=$(cat readback.txt)
	echo "$text"
	[ "$text" = "[WRITE SOMETHING]" ] ||
		fail "cat readback.txt printed '$text', not '[WRITE SOMETHING]'"
}

ext2_cleanup() {
	umount "$MNT" 2>/dev/null
	return 0
}

# mkfs, fill, fsck, remount, verify.
case_ext2() {
	need_dev "$DEV0" || return 1
	mkdir -p src/dir "$MNT"
	run dd if=/dev/urandom of=src/random.bin bs=1M count=8 || return 1
	cp /init src/init
	i=0
	while [ "$i" -lt 64 ]; do
		echo "small file $i on my_nvme" > "src/dir/f$i"
		i=$((i + 1))
	done
	(cd src && find . -type f | sort | xargs md5sum) > sums

	run mkfs.ext2 -F -q "$DEV0" || return 1
	run mount -t ext2 "$DEV0" "$MNT" || return 1
	step "copy files to $MNT"
	cp -a src/. "$MNT/" || { ext2_cleanup; fail "copy to ext2 failed"; return 1; }
	run sync || { ext2_cleanup; return 1; }
	run umount "$MNT" || { ext2_cleanup; return 1; }

	step "e2fsck -fn $DEV0"
	echo "+ e2fsck -fn $DEV0"
	e2fsck -fn "$DEV0"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "e2fsck -fn found problems (exit status $rc)"; return 1; }

	run mount -t ext2 -o ro "$DEV0" "$MNT" || return 1
	step "verify checksums on $MNT"
	out=$(cd "$MNT" && md5sum -c "$WORK/ext2/sums" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || { echo "$out" | grep -v ': OK$'; ext2_cleanup; \
		fail "checksum mismatch after remount"; return 1; }
	same_files /init "$MNT/init" || { ext2_cleanup; return 1; }
	run umount "$MNT"
}

persist_args() {
	echo "offset=$((PERSIST_DATA_MB * 1048576)) size=$((PERSIST_MB * 1048576))"
}

# Random data at a fixed offset plus a header with its md5sum; a second
# boot of the same image runs persist-read.
case_persist_write() {
	need_dev "$DEV0" || return 1
	need_size "$DEV0" $((PERSIST_DATA_MB + PERSIST_MB)) || return 1
	run dd if=/dev/urandom of=data.bin bs=1M count="$PERSIST_MB" || return 1
	sum=$(md5 data.bin)
	echo "$PERSIST_MAGIC $(persist_args) md5=$sum" > header.txt
	cat header.txt
	run dd if=data.bin of="$DEV0" bs=1M seek="$PERSIST_DATA_MB" conv=notrunc ||
		return 1
	run dd if=header.txt of="$DEV0" bs=1M seek="$PERSIST_HDR_MB" conv=notrunc ||
		return 1
	run sync || return 1
	# Read back now too (the last close of the device dropped its page
	# cache, so this comes from the controller).
	step "read back $PERSIST_MB MiB at $PERSIST_DATA_MB MiB"
	got=$(dd if="$DEV0" bs=1M skip="$PERSIST_DATA_MB" count="$PERSIST_MB" \
		2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$got" = "$sum" ] || fail "immediate read-back md5 $got, wrote $sum"
}

case_persist_read() {
	need_dev "$DEV0" || return 1
	need_size "$DEV0" $((PERSIST_DATA_MB + PERSIST_MB)) || return 1
	step "read header at $PERSIST_HDR_MB MiB"
	hdr=$(dd if="$DEV0" bs=512 skip=$((PERSIST_HDR_MB * 2048)) count=1 \
		2>/dev/null | tr -d '\000' | head -n1)
	echo "header: $hdr"
	case "$hdr" in
	"$PERSIST_MAGIC $(persist_args) md5="*) ;;
	*)	fail "no persist-write header at $PERSIST_HDR_MB MiB" \
			"(persist-write not run on this image, or lost)"
		return 1 ;;
	esac
	want=${hdr##*md5=}
	step "read $PERSIST_MB MiB at $PERSIST_DATA_MB MiB"
	got=$(dd if="$DEV0" bs=1M skip="$PERSIST_DATA_MB" count="$PERSIST_MB" \
		2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "data md5 $got, header says $want"
}

# fio: 2 jobs on separate 64 MiB regions, queue depth 32, mixed block sizes,
# O_DIRECT random writes, then fio reads everything back and checks the
# crc32c it stored in each block.
case_fio() {
	need_dev "$DEV0" || return 1
	need_size "$DEV0" 128 || return 1
	# Options before the first --name apply to both jobs.
	run_fio 2 --filename="$DEV0" \
		--ioengine=libaio --direct=1 --iodepth=32 \
		--size=64M --rw=randwrite \
		--bssplit=4k/30:8k/20:16k/20:64k/15:128k/10:512k/5 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--verify_state_save=0 --group_reporting=0 \
		--name=verify-0M --offset=0 \
		--name=verify-64M --offset=64M
}

# Two controllers: different data to each, no cross-talk.
case_two_ctrl() {
	need_dev "$DEV0" || return 1
	need_dev "$DEV1" || return 1
	run dd if=/dev/urandom of=a.bin bs=1M count=4 || return 1
	run dd if=/dev/urandom of=b.bin bs=1M count=4 || return 1
	cmp -s a.bin b.bin && { fail "random data twice the same?"; return 1; }
	# Write both at once, so that both controllers are busy together.
	step "write $DEV0 and $DEV1 in parallel"
	echo "+ dd if=a.bin of=$DEV0 & dd if=b.bin of=$DEV1"
	dd if=a.bin of="$DEV0" bs=1M &
	p0=$!
	dd if=b.bin of="$DEV1" bs=1M &
	p1=$!
	wait "$p0" || { wait "$p1"; fail "write to $DEV0 failed"; return 1; }
	wait "$p1" || { fail "write to $DEV1 failed"; return 1; }
	run dd if="$DEV0" of=ra.bin bs=1M count=4 || return 1
	run dd if="$DEV1" of=rb.bin bs=1M count=4 || return 1
	cmp -s ra.bin b.bin && { fail "$DEV0 returned the data written to $DEV1"; return 1; }
	cmp -s rb.bin a.bin && { fail "$DEV1 returned the data written to $DEV0"; return 1; }
	same_files a.bin ra.bin || return 1
	same_files b.bin rb.bin
}

# Kernel log free of warnings, BUGs, oopses. Run it last in every boot.
case_dmesg() {
	step "dmesg"
	# BUG as a word: not DEBUG, DEBUGCTL, ...
	bad=$(dmesg | grep -E \
		'WARNING|(^|[^A-Za-z_])BUG([^A-Za-z_]|$)|Oops|Call Trace|general protection')
	[ -z "$bad" ] && return 0
	echo "suspicious kernel messages:"
	echo "$bad"
	fail "$(echo "$bad" | wc -l) suspicious dmesg line(s), first:" \
		"$(echo "$bad" | head -n1 | sed 's/^\[[ 0-9.]*\] //')"
}

# nproc must match the CPU count the host gave (mytest_cpus=N).
case_nproc() {
	want=
	# shellcheck disable=SC2013 # words, not lines
	for arg in $(cat /proc/cmdline); do
		case "$arg" in
		mytest_cpus=*) want=${arg#mytest_cpus=} ;;
		esac
	done
	[ -n "$want" ] || { fail "no mytest_cpus=N on the kernel command line"; return 1; }
	got=$(nproc)
	echo "nproc: $got, expected $want"
	[ "$got" = "$want" ] || fail "nproc is $got, the host gave $want CPUs"
}

# One MSI-X vector shared by the admin and the only I/O queue
# (controller with max_ioqpairs=1,msix_qsize=1): I/O must still complete.
# Legacy INTx (the kernel booted with pci=nomsi): one shared line for the
# admin and the single I/O queue, and I/O still works.
case_intx() {
	need_dev "$DEV0" || return 1
	expect /sys/class/my_nvme/my_nvme0/io_queues 1 || return 1
	lines=$(grep my_nvme /proc/interrupts)
	echo "$lines"
	[ -n "$lines" ] || { fail "no my_nvme interrupt in /proc/interrupts"; return 1; }
	echo "$lines" | grep -q MSI && { fail "MSI in use despite pci=nomsi"; return 1; }
	line=$(dmesg | grep -m1 "my_nvme.*vector(s)")
	echo "dmesg: $line"
	echo "$line" | grep -q " 1 INTx vector" ||
		{ fail "driver did not report one INTx vector"; return 1; }
	run dd if=/dev/urandom of=ix.bin bs=1M count=2 || return 1
	run dd if=ix.bin of="$DEV0" bs=64k seek=512 conv=notrunc,fsync || return 1
	run dd if="$DEV0" of=ix-read.bin bs=64k skip=512 count=32 || return 1
	same_files ix.bin ix-read.bin
}

case_shared_vector() {
	need_dev "$DEV0" || return 1
	run dd if=/dev/urandom of=sv.bin bs=1M count=2 || return 1
	run dd if=sv.bin of="$DEV0" bs=64k seek=256 conv=notrunc || return 1
	run dd if="$DEV0" of=sv-read.bin bs=64k skip=256 count=32 || return 1
	same_files sv.bin sv-read.bin || return 1
	lines=$(grep my_nvme /proc/interrupts)
	echo "$lines"
	[ -n "$lines" ] || { fail "no my_nvme vector in /proc/interrupts"; return 1; }
	# Columns 2..(1+ncpus) are per-CPU counts; they must add up to > 0.
	ncpu=$(head -n1 /proc/interrupts | wc -w)
	total=$(echo "$lines" | awk -v n="$ncpu" \
		'{ for (i = 2; i <= n + 1; i++) s += $i } END { print s + 0 }')
	[ "$total" -gt 0 ] || fail "my_nvme interrupts never fired"
}

# ---- Default controller: statistics, cache, discard, zeroes, passthrough,
# sysfs, unbind. Each case uses its own region of DEV0, clear of the
# persist-write data at 60-68 MiB.

# Per-queue statistics (debugfs). 16 KiB O_DIRECT writes span more than
# two controller pages and, being under the default sgl_threshold (32 KiB)
# whatever their segments, must each take a PRP list page; 4 KiB ones fit
# PRP1/PRP2 and must not. Once idle, every queue has completed what it was
# given, interrupts were taken on the I/O queues, and nothing failed.
case_stats() {
	need_dev "$DEV0" || return 1
	c=my_nvme0
	expect /sys/module/my_nvme/parameters/sgl_threshold 32768 || return 1
	run sync || return 1
	show_stats "$c"
	stat_sum "$c" prp_list || return 1
	before=$STAT
	rand_file w16k.bin 1 || return 1
	dwrite w16k.bin "$DEV0" 40 16k || return 1
	stat_sum "$c" prp_list || return 1
	after16=$STAT
	echo "prp_list: $before before, $after16 after 64 writes of 16 KiB"
	[ $((after16 - before)) -ge 64 ] ||
		{ fail "64 writes of 16 KiB added $((after16 - before)) PRP list commands, expected 64"; return 1; }
	dwrite w16k.bin "$DEV0" 41 4k || return 1
	stat_sum "$c" prp_list || return 1
	echo "prp_list: $STAT after 256 writes of 4 KiB"
	[ "$STAT" -eq "$after16" ] ||
		{ fail "4 KiB writes used PRP lists ($after16 -> $STAT)"; return 1; }

	# Idle: submitted == completed on every queue (retry briefly, in case
	# something was still completing), except for the Asynchronous Event
	# Requests the admin queue keeps outstanding (debugfs "recovery").
	f=$(stats_file "$c")
	aers=$(awk '$1 == "aers_outstanding" { print $2 }' \
		"/sys/kernel/debug/my_nvme/$c/recovery")
	[ -n "$aers" ] || { fail "no aers_outstanding in the recovery file"; return 1; }
	echo "AERs outstanding: $aers"
	i=0
	while :; do
		step "compare submitted and completed in $f"
		busy=$(awk -v aers="$aers" '
			NR == 1 {
				for (i = 1; i <= NF; i++) col[$i] = i
				if (!col["qid"] || !col["submitted"] || !col["completed"]) {
					print "header lacks qid, submitted or completed"
					exit
				}
				next
			}
			$col["submitted"] != $col["completed"] + ($col["qid"] == 0 ? aers : 0) {
				print "queue " $col["qid"] ": submitted " \
					$col["submitted"] ", completed " $col["completed"]
			}' "$f" 2>&1)
		[ -z "$busy" ] && break
		if [ "$i" -ge 10 ]; then
			show_stats "$c"
			fail "not idle after 5 s: $(echo "$busy" | head -n1)"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
	show_stats "$c"
	nq=$(awk 'NR > 1 && $1 > 0' "$f" | wc -l)
	expect "/sys/class/my_nvme/$c/io_queues" "$nq" || return 1
	stat_sum "$c" interrupts || return 1
	[ "$STAT" -gt 0 ] || { fail "no interrupts on any I/O queue"; return 1; }
	stat_sum "$c" completed || return 1
	[ "$STAT" -gt 0 ] || { fail "no completions on any I/O queue"; return 1; }
	stat_sum "$c" errors all || return 1
	[ "$STAT" -eq 0 ] || fail "$STAT command(s) failed (errors column)"
}

# Volatile write cache: QEMU's controller reports VWC, so the disk is
# write back with FUA, and fsync sends Flush commands.
case_vwc() {
	need_dev "$DEV0" || return 1
	q=/sys/block/my_nvme0n1/queue
	expect "$q/write_cache" "write back" || return 1
	expect "$q/fua" 1 || return 1
	run sync || return 1
	stat_sum my_nvme0 flushes all || return 1
	before=$STAT
	run dd if=/dev/urandom of="$DEV0" bs=4k count=16 seek=$((44 * 256)) \
		conv=notrunc,fsync || return 1
	stat_sum my_nvme0 flushes all || return 1
	show_stats my_nvme0
	echo "flushes: $before before, $STAT after dd conv=fsync"
	[ "$STAT" -gt "$before" ] ||
		fail "dd conv=fsync sent no Flush (flushes stayed at $before)"
}

# A controller whose volatile write cache is present but disabled (QEMU
# write-cache=off: VWC set, Get Features 06h says disabled). The cache
# can be enabled at any time (Set Features 06h), so the disk must be
# write back with FUA all along: flushes reach the controller, which
# acks them cheaply while the cache is off. Enable the cache: still write
# back, and an fsync still sends a Flush (a driver that decided by the
# setting at probe would now lose acknowledged writes on power failure).
# wce_of GET-FEATURE-OUTPUT: the WCE bit of "Current value:..." (hex).
wce_of() {
	v=$(echo "$1" | sed -n 's/.*Current value: *\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p')
	[ -n "$v" ] && echo $((0x$v & 1))
}

case_vwc_off() {
	need_dev "$DEV0" || return 1
	q=/sys/block/my_nvme0n1/queue
	step "nvme get-feature -f 6 /dev/my_nvme0"
	out=$(timeout 15 nvme get-feature -f 6 /dev/my_nvme0 2>&1)
	echo "$out"
	[ "$(wce_of "$out")" = 0 ] ||
		{ fail "the volatile write cache is not off at boot: $out"; return 1; }
	for phase in disabled enabled; do
		expect "$q/write_cache" "write back" || return 1
		expect "$q/fua" 1 || return 1
		stat_sum my_nvme0 flushes all || return 1
		before=$STAT
		run dd if=/dev/urandom of="$DEV0" bs=4k count=16 \
			conv=notrunc,fsync || return 1
		stat_sum my_nvme0 flushes all || return 1
		echo "cache $phase: flushes $before before, $STAT after dd conv=fsync"
		[ "$STAT" -gt "$before" ] ||
			{ fail "cache $phase: fsync sent no Flush"; return 1; }
		[ "$phase" = enabled ] && break
		run nvme set-feature -f 6 -v 1 /dev/my_nvme0 || return 1
		out=$(timeout 15 nvme get-feature -f 6 /dev/my_nvme0 2>&1)
		echo "$out"
		[ "$(wce_of "$out")" = 1 ] ||
			{ fail "Set Features 06h did not enable the cache: $out"; return 1; }
	done
	show_stats my_nvme0
}

ext4_cleanup() {
	umount "$MNT4" 2>/dev/null
	return 0
}

# Dataset Management: discard 8 MiB of 12 MiB of random data; the
# discarded part reads back as zeros (QEMU drive with discard=unmap), the
# rest is untouched. Then fstrim on ext4.
case_discard() {
	need_dev "$DEV0" || return 1
	q=/sys/block/my_nvme0n1/queue
	expect_gt "$q/discard_max_bytes" 0 || return 1
	expect "$q/max_discard_segments" 256 || return 1
	rand_file data.bin 12 || return 1
	dwrite data.bin "$DEV0" 0 || return 1
	dread "$DEV0" 0 12 before.bin || return 1
	same_files data.bin before.bin || return 1
	run blkdiscard -o 0 -l 8388608 "$DEV0" || return 1
	zero_file expect.bin 8 || return 1
	dd if=data.bin bs=1M skip=8 count=4 2>/dev/null >> expect.bin
	dread "$DEV0" 0 12 after.bin || return 1
	cmp -s after.bin data.bin &&
		{ fail "blkdiscard changed nothing (data still there)"; return 1; }
	same_files expect.bin after.bin || return 1

	mkdir -p "$MNT4"
	run mkfs.ext4 -F -q "$DEV0" || return 1
	run mount -t ext4 "$DEV0" "$MNT4" || return 1
	step "write and delete files on $MNT4"
	for n in 1 2 3; do
		dd if=/dev/urandom of="$MNT4/f$n" bs=1M count=4 2>/dev/null ||
			{ ext4_cleanup; fail "writing $MNT4/f$n failed"; return 1; }
	done
	sync
	rm -f "$MNT4"/f1 "$MNT4"/f2 "$MNT4"/f3
	sync
	step "fstrim -v $MNT4"
	echo "+ fstrim -v $MNT4"
	out=$(fstrim -v "$MNT4" 2>&1)
	rc=$?
	echo "$out"
	ext4_cleanup
	[ "$rc" -eq 0 ] || { fail "fstrim exited with status $rc: $out"; return 1; }
	n=$(echo "$out" | sed -n 's/.*: \([0-9]*\) bytes trimmed.*/\1/p')
	case "$n" in
	'' | 0) fail "fstrim trimmed nothing: $out" ;;
	esac
}

# Write Zeroes: 12 MiB of random data at 16 MiB; zero the first 4 MiB
# with BLKZEROOUT and the last 4 MiB with fallocate(PUNCH_HOLE), which
# the block layer only does with real Write Zeroes (no fallback). The
# middle 4 MiB must be untouched.
case_write_zeroes() {
	need_dev "$DEV0" || return 1
	expect_gt /sys/block/my_nvme0n1/queue/write_zeroes_max_bytes 0 ||
		return 1
	[ -x /tests/blkzeroout ] ||
		{ fail "/tests/blkzeroout missing (tools/blkzeroout.c not built)"; return 1; }
	rand_file data.bin 12 || return 1
	dwrite data.bin "$DEV0" 16 || return 1
	dread "$DEV0" 16 12 before.bin || return 1
	same_files data.bin before.bin || return 1
	run /tests/blkzeroout "$DEV0" $((16 * 1048576)) 4194304 || return 1
	run /tests/blkzeroout -n "$DEV0" $((24 * 1048576)) 4194304 || return 1
	zero_file z4.bin 4 || return 1
	{ cat z4.bin; dd if=data.bin bs=1M skip=4 count=4 2>/dev/null;
	  cat z4.bin; } > expect.bin
	dread "$DEV0" 16 12 after.bin || return 1
	same_files expect.bin after.bin
}

# nvme-cli through the passthrough ioctls, then nvme-ioctl-check.
case_passthru() {
	need_dev "$DEV0" || return 1
	ctrl=/dev/my_nvme0
	[ -c "$ctrl" ] || { fail "no character device $ctrl"; return 1; }

	step "nvme id-ctrl $ctrl"
	echo "+ nvme id-ctrl $ctrl"
	out=$(timeout 15 nvme id-ctrl "$ctrl" 2>&1) ||
		{ echo "$out"; fail "nvme id-ctrl $ctrl failed"; return 1; }
	echo "$out" | head -n 6
	echo "$out" | grep -Eq "^sn +: $SERIAL0 *\$" ||
		{ fail "nvme id-ctrl: sn is not '$SERIAL0'"; return 1; }
	echo "$out" | grep -Eq '^mn +: QEMU NVMe Ctrl *$' ||
		{ fail "nvme id-ctrl: mn is not 'QEMU NVMe Ctrl'"; return 1; }

	step "nvme id-ns $DEV0"
	echo "+ nvme id-ns $DEV0"
	out=$(timeout 15 nvme id-ns "$DEV0" 2>&1) ||
		{ echo "$out"; fail "nvme id-ns $DEV0 failed"; return 1; }
	nsze=$(echo "$out" | sed -n 's/^nsze *: *\([0-9a-fA-Fx]*\).*/\1/p')
	rd /sys/block/my_nvme0n1/size || return 1
	sectors=$VAL
	rd /sys/block/my_nvme0n1/queue/logical_block_size || return 1
	echo "nsze $nsze, /sys/block/my_nvme0n1/size $sectors, block size $VAL"
	[ -n "$nsze" ] || { fail "nvme id-ns printed no nsze"; return 1; }
	[ $((nsze)) -eq $((sectors * 512 / VAL)) ] ||
		{ fail "nsze $nsze != $sectors sectors / ($VAL / 512)"; return 1; }

	step "nvme smart-log $ctrl"
	echo "+ nvme smart-log $ctrl"
	out=$(timeout 15 nvme smart-log "$ctrl" 2>&1)
	rc=$?
	echo "$out" | head -n 3
	[ "$rc" -eq 0 ] || { fail "nvme smart-log exited with status $rc"; return 1; }
	echo "$out" | grep -q '^temperature' ||
		{ fail "nvme smart-log printed no temperature"; return 1; }

	step "nvme get-feature $ctrl -f 7"
	echo "+ nvme get-feature $ctrl -f 7"
	out=$(timeout 15 nvme get-feature "$ctrl" -f 7 2>&1)
	rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] || { fail "nvme get-feature -f 7 exited with status $rc"; return 1; }
	echo "$out" | grep -q 'Number of Queues' ||
		{ fail "nvme get-feature -f 7: unexpected output: $out"; return 1; }

	# nvme write / nvme read of LBA 2048 (1 MiB), checked through the
	# block device too.
	echo "my_nvme passthru $(date +%s) $$" > w.txt
	dd if=w.txt of=w.bin bs=512 count=1 conv=sync 2>/dev/null
	run timeout 15 nvme write "$DEV0" --start-block=2048 --block-count=0 \
		--data-size=512 --data=w.bin || return 1
	run timeout 15 nvme read "$DEV0" --start-block=2048 --block-count=0 \
		--data-size=512 --data=r.bin || return 1
	same_files w.bin r.bin || return 1
	run dd if="$DEV0" of=blk.bin bs=512 skip=2048 count=1 iflag=direct ||
		return 1
	same_files w.bin blk.bin || return 1

	# A raw Read of LBA 0 (the hex dump of the data goes to a file).
	set -- nvme io-passthru "$DEV0" --opcode=2 --namespace-id=1 \
		--data-len=512 --read --cdw10=0
	step "$*"
	echo "+ $*"
	timeout 15 "$@" > io-passthru.out 2>&1
	rc=$?
	head -n 1 io-passthru.out
	[ "$rc" -eq 0 ] ||
		{ fail "'$*' exited with status $rc: $(head -n 1 io-passthru.out)"; return 1; }
	grep -q 'Read is Success' io-passthru.out ||
		{ fail "nvme io-passthru: $(head -n 1 io-passthru.out)"; return 1; }

	[ -x /tests/nvme-ioctl-check ] ||
		{ fail "/tests/nvme-ioctl-check missing"; return 1; }
	step "nvme-ioctl-check"
	echo "+ /tests/nvme-ioctl-check $ctrl $DEV0"
	out=$(timeout 30 /tests/nvme-ioctl-check "$ctrl" "$DEV0" 2>&1)
	rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] || fail "nvme-ioctl-check exited with status $rc:" \
		"$(echo "$out" | grep -m1 '^not ok')"
}

# The controller's class device and its attributes.
case_sysfs() {
	c=/sys/class/my_nvme/my_nvme0
	[ -d "$c" ] || { fail "no $c"; return 1; }
	expect "$c/model" "QEMU NVMe Ctrl" || return 1
	expect "$c/serial" "$SERIAL0" || return 1
	rd "$c/firmware_rev" || return 1
	echo "$c/firmware_rev: $VAL"
	[ -n "$VAL" ] || { fail "$c/firmware_rev is empty"; return 1; }
	expect "$c/state" live || return 1
	expect "$c/io_queues" "$(nproc)" || return 1
	expect "$c/queue_depth" 1024 || return 1
	expect "$c/queue_depth" \
		"$(cat /sys/module/my_nvme/parameters/io_queue_depth)" || return 1
	# QEMU's default MDTS 7: 4 KiB << 7.
	expect "$c/max_transfer_kb" 512 || return 1
	expect /sys/block/my_nvme0n1/queue/max_hw_sectors_kb 512 || return 1
	expect "$c/cmb_size" 0 || return 1
	# The character device node matches the class device.
	rd "$c/dev" || return 1
	[ -c /dev/my_nvme0 ] || { fail "/dev/my_nvme0 is not a character device"; return 1; }
	node=$(stat -c '%t:%T' /dev/my_nvme0)
	want=$(printf '%x:%x' "${VAL%%:*}" "${VAL##*:}")
	echo "$c/dev: $VAL, /dev/my_nvme0: $node (hex)"
	[ "$node" = "$want" ] || { fail "/dev/my_nvme0 is $node, $c/dev says $VAL"; return 1; }
	# Disk -> controller -> PCI function bound to my_nvme.
	disk_ctrl=$(readlink -f /sys/block/my_nvme0n1/device)
	class_ctrl=$(readlink -f "$c")
	echo "/sys/block/my_nvme0n1/device -> $disk_ctrl"
	if [ -z "$class_ctrl" ] || [ "$disk_ctrl" != "$class_ctrl" ]; then
		fail "/sys/block/my_nvme0n1/device is '$disk_ctrl', not $class_ctrl"
		return 1
	fi
	drv=$(readlink -f "$c/device/driver")
	[ "${drv##*/}" = my_nvme ] ||
		fail "$c/device is bound to '${drv##*/}', not my_nvme"
}

# pci_unbind BDF / pci_bind BDF: through the my_nvme driver's sysfs files.
pci_unbind() {
	step "unbind $1"
	echo "+ echo $1 > /sys/bus/pci/drivers/my_nvme/unbind"
	echo "$1" > /sys/bus/pci/drivers/my_nvme/unbind ||
		{ fail "unbinding $1 failed"; return 1; }
}

pci_bind() {
	step "bind $1"
	echo "+ echo $1 > /sys/bus/pci/drivers/my_nvme/bind"
	echo "$1" > /sys/bus/pci/drivers/my_nvme/bind ||
		{ fail "binding $1 failed"; return 1; }
}

# wait_gone PATH: up to 10 s for PATH to disappear.
wait_gone() {
	step "waiting for $1 to go"
	i=0
	while [ -e "$1" ]; do
		if [ "$i" -ge 20 ]; then
			fail "$1 still there 10 s after unbind"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
}

# Unbind: orderly shutdown, disks go away; bind: they come back and work.
case_shutdown() {
	need_dev "$DEV0" || return 1
	find_ctrl "$SERIAL0" || return 1
	[ "$CTRL" = my_nvme0 ] || { fail "serial $SERIAL0 is $CTRL, expected my_nvme0"; return 1; }
	pat="my_nvme $BDF: shutdown complete"
	n0=$(dmesg | grep -c "$pat")
	pci_unbind "$BDF" || return 1
	wait_gone "$DEV0" || return 1
	wait_gone /sys/class/my_nvme/my_nvme0 || return 1
	n1=$(dmesg | grep -c "$pat")
	echo "'$pat' lines: $n0 before unbind, $n1 after"
	[ "$n1" -eq $((n0 + 1)) ] ||
		{ fail "unbind logged no '$pat'"; pci_bind "$BDF"; return 1; }
	pci_bind "$BDF" || return 1
	need_dev "$DEV0" || return 1
	expect /sys/class/my_nvme/my_nvme0/state live || return 1
	rand_file data.bin 2 || return 1
	dwrite data.bin "$DEV0" 32 || return 1
	dread "$DEV0" 32 2 back.bin || return 1
	same_files data.bin back.bin
}

# ---- The "multi" controller: namespaces 1 (512-byte blocks), 2 (4096)
# and 3 (8 bytes of metadata per block, which the driver skips).

# Namespace sizes from mytest_ns_bytes=N1,N2.
ns_bytes() {
	v=$(karg ns_bytes) ||
		{ fail "no mytest_ns_bytes=N1,N2 on the kernel command line"; return 1; }
	NS1_BYTES=${v%%,*}
	NS2_BYTES=${v##*,}
}

case_multi_ns() {
	find_ctrl "$SERIAL_MULTI" || return 1
	ns_bytes || return 1
	c=$CTRL
	for n in 1 2; do
		need_dev "/dev/${c}n$n" || return 1
	done
	expect "/sys/block/${c}n1/queue/logical_block_size" 512 || return 1
	expect "/sys/block/${c}n2/queue/logical_block_size" 4096 || return 1
	# n1: 512-byte blocks, but QEMU reports a 4 KiB preferred deallocate
	# granularity (NPDG = 7, from its 4 KiB physical/discard granularity);
	# NPWG = NOWS = 0, so the physical block size stays the LBA size.
	expect "/sys/block/${c}n1/queue/discard_granularity" 4096 || return 1
	expect "/sys/block/${c}n1/queue/physical_block_size" 512 || return 1
	expect "/sys/block/${c}n1/size" $((NS1_BYTES / 512)) || return 1
	expect "/sys/block/${c}n2/size" $((NS2_BYTES / 512)) || return 1
	for n in 1 2; do
		got=$(blockdev --getsize64 "/dev/${c}n$n")
		want=$NS1_BYTES
		[ "$n" = 2 ] && want=$NS2_BYTES
		[ "$got" = "$want" ] ||
			{ fail "/dev/${c}n$n has $got bytes, the image $want"; return 1; }
	done
	rand_file a.bin 4 || return 1
	rand_file b.bin 4 || return 1
	cmp -s a.bin b.bin && { fail "random data twice the same?"; return 1; }
	dwrite a.bin "/dev/${c}n1" 0 || return 1
	dread "/dev/${c}n2" 0 4 n2-first.bin || return 1
	cmp -s a.bin n2-first.bin &&
		{ fail "data written to ${c}n1 appeared on ${c}n2"; return 1; }
	dwrite b.bin "/dev/${c}n2" 0 || return 1
	dread "/dev/${c}n1" 0 4 ra.bin || return 1
	dread "/dev/${c}n2" 0 4 rb.bin || return 1
	cmp -s ra.bin b.bin &&
		{ fail "${c}n1 returned the data written to ${c}n2"; return 1; }
	same_files a.bin ra.bin || return 1
	same_files b.bin rb.bin
}

case_ns_skip() {
	find_ctrl "$SERIAL_MULTI" || return 1
	c=$CTRL
	# The controller does have namespace 3 ...
	step "nvme list-ns /dev/$c"
	echo "+ nvme list-ns /dev/$c"
	out=$(timeout 15 nvme list-ns "/dev/$c" 2>&1) ||
		{ echo "$out"; fail "nvme list-ns /dev/$c failed"; return 1; }
	echo "$out"
	echo "$out" | grep -Eq ':(0x)?3$' ||
		{ fail "controller $c does not list namespace 3 (set-up?)"; return 1; }
	# ... but no disk for it, and the log says why.
	for p in "/dev/${c}n3" "/sys/block/${c}n3"; do
		[ -e "$p" ] && { fail "$p exists: namespace 3 was not skipped"; return 1; }
	done
	line=$(dmesg | grep -m1 "my_nvme $BDF: namespace 3: .*not supported, skipped")
	echo "dmesg: $line"
	[ -n "$line" ] ||
		{ fail "no 'namespace 3: ... not supported, skipped' for $BDF in dmesg"; return 1; }
	# Namespace 4 has size 0 (an empty image): skipped as well.
	for p in "/dev/${c}n4" "/sys/block/${c}n4"; do
		[ -e "$p" ] && { fail "$p exists: the empty namespace 4 was not skipped"; return 1; }
	done
	line=$(dmesg | grep -m1 "my_nvme $BDF: namespace 4: size 0, skipped")
	echo "dmesg: $line"
	[ -n "$line" ] ||
		{ fail "no 'namespace 4: size 0, skipped' for $BDF in dmesg"; return 1; }
	# The other namespaces still work.
	for n in 1 2; do
		need_dev "/dev/${c}n$n" || return 1
		rand_file d$n.bin 1 || return 1
		dwrite d$n.bin "/dev/${c}n$n" 8 || return 1
		dread "/dev/${c}n$n" 8 1 r$n.bin || return 1
		same_files d$n.bin r$n.bin || return 1
	done
}

# fio with verification on the 4096-byte-block namespace.
case_fio_4k() {
	find_ctrl "$SERIAL_MULTI" || return 1
	dev=/dev/${CTRL}n2
	need_dev "$dev" || return 1
	expect "/sys/block/${CTRL}n2/queue/logical_block_size" 4096 || return 1
	need_size "$dev" 64 || return 1
	run_fio 2 --filename="$dev" \
		--ioengine=libaio --direct=1 --iodepth=16 \
		--size=24M --rw=randwrite \
		--bssplit=4k/30:8k/20:16k/20:64k/15:128k/10:512k/5 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--verify_state_save=0 --group_reporting=0 \
		--name=verify4k-16M --offset=16M \
		--name=verify4k-40M --offset=40M
}

# MDTS 1 (8 KiB): the block layer splits 1 MiB O_DIRECT I/O into
# 8 KiB commands: 4 MiB written and read is at least 1024 commands.
case_mdts1() {
	find_ctrl "$SERIAL_MDTS1" || return 1
	dev=/dev/${CTRL}n1
	need_dev "$dev" || return 1
	expect "/sys/class/my_nvme/$CTRL/max_transfer_kb" 8 || return 1
	expect "/sys/block/${CTRL}n1/queue/max_hw_sectors_kb" 8 || return 1
	stat_sum "$CTRL" submitted || return 1
	before=$STAT
	rand_file data.bin 4 || return 1
	dwrite data.bin "$dev" 0 || return 1
	dread "$dev" 0 4 back.bin || return 1
	same_files data.bin back.bin || return 1
	stat_sum "$CTRL" submitted || return 1
	show_stats "$CTRL"
	echo "I/O commands: $((STAT - before)) for 8 MiB moved"
	[ $((STAT - before)) -ge 1024 ] ||
		fail "8 MiB took $((STAT - before)) commands, expected >= 1024 of 8 KiB"
}

# MDTS 10 (4 MiB): 4 MiB O_DIRECT requests need 1023 PRP entries, more
# than one list page holds (512), so chained PRP lists. The block layer's
# default max_sectors_kb is lower (1280); raise it to the hardware limit,
# and use PRPs for every request (sgl_threshold=0) whatever the segments.
case_big_io() {
	find_ctrl "$SERIAL_BIG" || return 1
	dev=/dev/${CTRL}n1
	q=/sys/block/${CTRL}n1/queue
	thr=/sys/module/my_nvme/parameters/sgl_threshold
	need_dev "$dev" || return 1
	expect "/sys/class/my_nvme/$CTRL/max_transfer_kb" 4096 || return 1
	expect "$q/max_hw_sectors_kb" 4096 || return 1
	rd "$q/max_sectors_kb" || return 1
	old_max=$VAL
	rd "$thr" || return 1
	old_thr=$VAL
	echo 4096 > "$q/max_sectors_kb" ||
		{ fail "cannot set $q/max_sectors_kb to 4096"; return 1; }
	echo 0 > "$thr" || { fail "cannot set $thr to 0"; return 1; }
	stat_sum "$CTRL" prp_chain || return 1
	before=$STAT
	rand_file data.bin 16 || return 1
	dwrite data.bin "$dev" 0 4M && dread "$dev" 0 16 back.bin 4M
	rc=$?
	echo "$old_thr" > "$thr"
	echo "$old_max" > "$q/max_sectors_kb"
	[ "$rc" -eq 0 ] || return 1
	same_files data.bin back.bin || return 1
	stat_sum "$CTRL" prp_chain || return 1
	show_stats "$CTRL"
	echo "prp_chain: $before before, $STAT after"
	[ "$STAT" -gt "$before" ] ||
		fail "4 MiB requests used no chained PRP list (prp_chain stayed $before)"
}

# Boot with my_nvme.sgl_threshold=1: multi-segment requests use SGLs.
case_sgl() {
	need_dev "$DEV0" || return 1
	expect /sys/module/my_nvme/parameters/sgl_threshold 1 || return 1
	stat_sum my_nvme0 sgl || return 1
	before=$STAT
	run_fio 2 --filename="$DEV0" \
		--ioengine=libaio --direct=1 --iodepth=16 \
		--size=32M --rw=randwrite \
		--bssplit=4k/10:16k/20:64k/25:128k/25:256k/10:512k/10 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--verify_state_save=0 --group_reporting=0 \
		--name=sgl-0M --offset=0 \
		--name=sgl-64M --offset=64M || return 1
	stat_sum my_nvme0 sgl || return 1
	show_stats my_nvme0
	echo "sgl: $before before fio, $STAT after"
	[ "$STAT" -gt "$before" ] || { fail "no command used an SGL"; return 1; }
	stat_sum my_nvme0 errors all || return 1
	[ "$STAT" -eq 0 ] || fail "$STAT command(s) failed (errors column)"
}

cmb_cleanup() {
	umount "$MNT" 2>/dev/null
	return 0
}

# The CMB disk (cmb_size_mb=16): ext2 on it survives unbind + bind.
case_cmb() {
	dev=/dev/my_nvme0cmb
	find_ctrl "$SERIAL0" || return 1
	need_dev "$dev" || return 1
	expect "/sys/class/my_nvme/$CTRL/cmb_size" 16777216 || return 1
	got=$(blockdev --getsize64 "$dev")
	[ "$got" = 16777216 ] || { fail "$dev has $got bytes, expected 16 MiB"; return 1; }
	mkdir -p src "$MNT"
	rand_file src/random.bin 4 || return 1
	i=0
	while [ "$i" -lt 32 ]; do
		echo "cmb file $i" > "src/f$i"
		i=$((i + 1))
	done
	(cd src && md5sum ./*) > sums
	nsums=$(wc -l < sums)
	[ "$nsums" -eq 33 ] || { fail "sums lists $nsums files, not 33"; return 1; }
	run mkfs.ext2 -F -q "$dev" || return 1
	run mount -t ext2 "$dev" "$MNT" || return 1
	step "copy files to $MNT"
	cp -a src/. "$MNT/" || { cmb_cleanup; fail "copy to $dev failed"; return 1; }
	run umount "$MNT" || { cmb_cleanup; return 1; }

	pci_unbind "$BDF" || return 1
	wait_gone "$dev" || { pci_bind "$BDF"; return 1; }
	pci_bind "$BDF" || return 1
	need_dev "$dev" || return 1

	step "e2fsck -fn $dev"
	echo "+ e2fsck -fn $dev"
	e2fsck -fn "$dev"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "e2fsck -fn after rebind found problems (exit status $rc)"; return 1; }
	run mount -t ext2 -o ro "$dev" "$MNT" || return 1
	step "verify checksums on $MNT"
	out=$(cd "$MNT" && md5sum -c "$WORK/cmb/sums" 2>&1)
	rc=$?
	cmb_cleanup
	[ "$rc" -eq 0 ] || { echo "$out" | grep -v ': OK$'; \
		fail "checksum mismatch after unbind + bind"; return 1; }
	nok=$(echo "$out" | grep -c ': OK$')
	echo "$nok of $nsums files verified after unbind + bind"
	[ "$nok" -eq "$nsums" ] || fail "only $nok of $nsums files verified"
}

# ---------------------------------------------------------------------------
# Runner.

# --one NAME RESULTFILE: run one case (in a fresh session, see run_case)
# and write "PASS" or "FAIL reason" to RESULTFILE.
run_one() {
	name=$1
	result=$2
	STEPFILE=$result.step
	fn=case_$(echo "$name" | tr - _)
	rm -rf "${WORK:?}/$name"
	if ! mkdir -p "$WORK/$name" || ! cd "$WORK/$name"; then
		echo "FAIL cannot create $WORK/$name" > "$result"
		return
	fi
	if "$fn"; then
		echo "PASS" > "$result"
	else
		echo "FAIL ${REASON:-failed}" > "$result"
	fi
	cd / && rm -rf "${WORK:?}/$name"
}

# Is PID still running (zombies and reaped processes are not)?
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}

HUNG=			# name of a case that timed out

run_case() {
	name=$1
	limit=$(case_limit "$name")
	result=$WORK/$name.result
	echo "--- case $name (limit ${limit}s)"
	if [ -n "$HUNG" ] && case_needs_disk "$name"; then
		echo "TEST $name: FAIL not run, disk presumed stuck since $HUNG timed out"
		return
	fi
	rm -f "$result" "$result.step"
	# Own session, so that a timeout can kill the case and its children.
	setsid "$0" --one "$name" "$result" &
	pid=$!
	start=$(cut -d. -f1 /proc/uptime)
	while alive "$pid"; do
		now=$(cut -d. -f1 /proc/uptime)
		if [ $((now - start)) -ge "$limit" ]; then
			kill -KILL "-$pid" "$pid" 2>/dev/null
			HUNG=$name
			where=$(cat "$result.step" 2>/dev/null)
			echo "TEST $name: FAIL timed out after ${limit}s${where:+ in: $where}"
			return
		fi
		sleep 0.2
	done
	wait "$pid" 2>/dev/null
	if [ -s "$result" ]; then
		echo "TEST $name: $(cat "$result")"
	else
		echo "TEST $name: FAIL no result (case process died)"
	fi
}

main() {
	case "$1" in
	--one)
		run_one "$2" "$3"
		exit 0 ;;
	"" | -h | --help)
		echo "usage: $0 CASE[,CASE...] | all | list" >&2
		exit 2 ;;
	list)
		for c in $KNOWN_CASES; do echo "$c"; done
		exit 0 ;;
	all)
		cases=$ALL_CASES ;;
	*)
		cases=$(echo "$*" | tr ',' ' ') ;;
	esac
	mkdir -p "$WORK"
	for c in $cases; do
		case " $KNOWN_CASES " in
		*" $c "*) run_case "$c" ;;
		*) echo "TEST $c: FAIL unknown case (known: $KNOWN_CASES)" ;;
		esac
	done
}

main "$@"
