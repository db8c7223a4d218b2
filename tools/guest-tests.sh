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
# "all" runs the cases that only need the default controller:
#	test1 test2 ext2 persist-write persist-read fio nproc dmesg
# Others need a prepared boot (see tools/qemu-test.sh): persist-read on a
# second boot of a persist-write image, two-ctrl with a second controller,
# shared-vector with max_ioqpairs=1,msix_qsize=1.

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

ALL_CASES="test1 test2 ext2 persist-write persist-read fio nproc dmesg"
KNOWN_CASES="test1 test2 ext2 persist-write persist-read fio two-ctrl"
KNOWN_CASES="$KNOWN_CASES dmesg nproc shared-vector"

# Time limit of a case in seconds (generous for TCG on a slow host).
case_limit() {
	case "$1" in
	fio)			echo 240 ;;
	ext2)			echo 120 ;;
	two-ctrl)		echo 90 ;;
	test1 | test2 | persist-* | shared-vector) echo 60 ;;
	*)			echo 20 ;;
	esac
}

# Cases that do not touch the NVMe disk: still run after a hang.
case_needs_disk() {
	case "$1" in
	dmesg | nproc)	return 1 ;;
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
	step "fio randwrite + verify on $DEV0"
	# Options before the first --name apply to both jobs.
	set -- fio --filename="$DEV0" \
		--ioengine=libaio --direct=1 --iodepth=32 \
		--size=64M --rw=randwrite \
		--bssplit=4k/30:8k/20:16k/20:64k/15:128k/10:512k/5 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--verify_state_save=0 --group_reporting=0 \
		--name=verify-0M --offset=0 \
		--name=verify-64M --offset=64M
	echo "+ $*"
	"$@" > fio.out 2>&1
	rc=$?
	cat fio.out
	[ "$rc" -eq 0 ] || { fail "fio exited with status $rc"; return 1; }
	jobs=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err=' fio.out)
	ok=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err= *0:' fio.out)
	[ "$jobs" -eq 2 ] || { fail "expected 2 fio job reports, got $jobs"; return 1; }
	[ "$ok" -eq 2 ] || { fail "$((jobs - ok)) fio job(s) with err != 0"; return 1; }
	bad=$(grep -Ei 'verify failed|bad magic|bad header|verify type mismatch|crc32c.*(fail|mismatch)' fio.out |
		head -n1)
	[ -z "$bad" ] || { fail "fio verify error: $bad"; return 1; }
	grep -q 'READ: bw=' fio.out || fail "fio did no verify reads"
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
