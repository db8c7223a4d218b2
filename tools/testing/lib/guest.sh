# SPDX-License-Identifier: GPL-2.0
#
# lib/guest.sh: helpers for the QEMU test cases, sourced inside the guest
# (BusyBox sh) by tools/testing/guest-run before a case file. A case's
# test() returns 0 for PASS; otherwise it sets REASON (fail) and returns
# 1. requires() returns 1 with SKIP_REASON set to skip the case.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

DEV0=/dev/my_nvme0n1		# controller 0, namespace 1
DEV1=/dev/my_nvme1n1		# controller 1, namespace 1
WORK=/tmp/guest-tests		# scratch space (tmpfs)
MNT=/mnt/ext2
MNT4=/mnt/ext4

# Serial numbers of the controllers the cases look for (boot/qemu.sh
# gives the default controller my_nvme0; the configs the others).
SERIAL0=my_nvme0
SERIAL_MULTI=multi
SERIAL_MDTS1=mdts1
SERIAL_BIG=big

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
# line (a config's APPEND passes facts about its set-up so).
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

# has_cap NAME: the driver under test has capability NAME (a case's
# NEEDS=; fewer for a prefix of the patch series).
has_cap() {
	case ",$(karg caps)," in
	*",$1,"*) return 0 ;;
	esac
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

# bind_to BDF DRIVER: hand a PCI function to DRIVER (my_nvme or nvme).
bind_to() {
	step "bind $1 to $2"
	echo "+ bind $1 to $2"
	d=/sys/bus/pci/devices/$1
	echo "$2" > "$d/driver_override" || { fail "driver_override of $1"; return 1; }
	if [ -e "$d/driver" ]; then
		echo "$1" > "$d/driver/unbind" || { fail "unbinding $1"; return 1; }
	fi
	echo "$1" > /sys/bus/pci/drivers_probe || { fail "probing $1 for $2"; return 1; }
	drv=$(readlink -f "$d/driver")
	[ "${drv##*/}" = "$2" ] || fail "$1 is bound to '${drv##*/}', not $2"
}

# wait_gone PATH [SECONDS]: up to SECONDS (10) for PATH to disappear.
wait_gone() {
	step "waiting for $1 to go"
	i=0
	while [ -e "$1" ]; do
		if [ "$i" -ge $((${2:-10} * 2)) ]; then
			fail "$1 still there after ${2:-10} s"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
}

# wce_of GET-FEATURE-OUTPUT: the WCE bit of "Current value:..." (hex).
wce_of() {
	v=$(echo "$1" | sed -n 's/.*Current value: *\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p')
	[ -n "$v" ] && echo $((0x$v & 1))
}

# ---- Recovery helpers ------------------------------------------------------

# now_ms: milliseconds since boot.
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# hmp COMMAND...: ask the host to send COMMAND to QEMU's human monitor
# (tools/testing/run watches the console for these lines), then give it
# a moment. Every boot has a monitor (tools/testing/run).
hmp() {
	step "hmp $*"
	echo "@@HMP $*@@"
	sleep "${HMP_WAIT:-2}"
}

# recovery CTRL NAME: a counter of debugfs my_nvme/CTRL/recovery.
recovery() {
	awk -v k="$2" '$1 == k { print $2 }' \
		"/sys/kernel/debug/my_nvme/$1/recovery" 2>/dev/null
}

# recovery_snap CTRL FILE / recovery_delta CTRL FILE: counters now, and
# what changed since the snapshot, as "name +N" words.
recovery_snap() {
	cat "/sys/kernel/debug/my_nvme/$1/recovery" > "$2" 2>/dev/null
}

recovery_delta() {
	cat "/sys/kernel/debug/my_nvme/$1/recovery" 2>/dev/null |
	awk 'NR == FNR { old[$1] = $2; next }
	     $2 ~ /^[0-9]+$/ && $2 != old[$1] { printf "%s +%d ", $1, $2 - old[$1] }
	     END { print "" }' "$2" -
}

# set_param NAME VALUE: a my_nvme module parameter.
set_param() {
	echo "$2" > "/sys/module/my_nvme/parameters/$1" ||
		{ fail "cannot set my_nvme.$1 to $2"; return 1; }
}

# wait_state CTRL STATE [SECONDS]: sysfs state becomes STATE.
wait_state() {
	step "waiting for $1 to be $2"
	i=0
	while [ "$(cat "/sys/class/my_nvme/$1/state" 2>/dev/null)" != "$2" ]; do
		if [ "$i" -ge $((${3:-30} * 5)) ]; then
			fail "$1 is '$(cat "/sys/class/my_nvme/$1/state" 2>/dev/null)'," \
				"not $2, after ${3:-30} s"
			return 1
		fi
		sleep 0.2
		i=$((i + 1))
	done
}

# fio_start NAME FIO-ARGS...: fio in the background, output in NAME.out.
fio_start() {
	name=$1
	shift
	echo "+ fio $* &"
	fio "$@" > "$name.out" 2>&1 &
	echo $! > "$name.pid"
}

# fio_check NAME NJOBS: wait for fio_start's fio; it must exit 0 with
# NJOBS job reports, err=0, no verify error and verify reads. FIO_ERRORS
# is the number of jobs with err != 0 (reported, for the figures).
fio_check() {
	step "waiting for fio $1"
	wait "$(cat "$1.pid")"
	rc=$?
	cat "$1.out"
	jobs=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err=' "$1.out")
	ok=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err= *0:' "$1.out")
	FIO_ERRORS=$((jobs - ok))
	[ "$rc" -eq 0 ] || { fail "fio exited with status $rc"; return 1; }
	[ "$jobs" -eq "$2" ] ||
		{ fail "expected $2 fio job reports, got $jobs"; return 1; }
	[ "$ok" -eq "$2" ] ||
		{ fail "$FIO_ERRORS fio job(s) with err != 0"; return 1; }
	bad=$(grep -Ei 'verify failed|bad magic|bad header|verify type mismatch|crc32c.*(fail|mismatch)' "$1.out" |
		head -n1)
	[ -z "$bad" ] || { fail "fio verify error: $bad"; return 1; }
	grep -q 'READ: bw=' "$1.out" || fail "fio did no verify reads"
}

# fio_verify_args DEV SIZE OFFSET...: crc32c-verified random writes, one
# job per OFFSET, QD 16, mixed sizes; the verify pass reads it all back.
fio_verify_args() {
	dev=$1
	size=$2
	shift 2
	echo "--filename=$dev --ioengine=libaio --direct=1 --iodepth=16"
	echo "--size=$size --rw=randwrite --bssplit=4k/40:16k/30:64k/20:128k/10"
	echo "--verify=crc32c --do_verify=1 --verify_fatal=1"
	echo "--verify_state_save=0 --group_reporting=0"
	for off in "$@"; do
		echo "--name=verify-$off --offset=$off"
	done
}

# first_io_ms DEV: read one block (O_DIRECT) and print when it completed.
first_io_ms() {
	dd if="$1" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
	now_ms
}

# figures KEY=VALUE...: one machine-readable line of what a case saw.
figures() {
	echo "FIGURES $CASE_NAME $*"
}

# dmesg_since MARK: kernel messages after the line containing MARK.
dmesg_since() {
	dmesg | awk -v m="$1" 'found { print } index($0, m) { found = 1 }'
}

# dmesg_mark: write a unique marker to the kernel log, print it.
dmesg_mark() {
	m="mytest-mark-$CASE_NAME-$(now_ms)"
	echo "$m" > /dev/kmsg
	echo "$m"
}

# kmemleak_scan: scan until every object that existed before the first
# scan could have been reported, then count the reports. LEAKS_TOTAL is
# every suspect, LEAKS_MINE those with my_nvme in the allocation
# backtrace, LEAK_FIRST the first of those; the reports stay in
# kmemleak.txt. mm/kmemleak.c reports an object only when it is at
# least 5 s old (MSECS_MIN_AGE) and its checksum did not change since
# the previous scan, which takes the checksum of every object, young or
# old. So: one scan at once, a second, and a third only if the second
# ended less than 6 s after the first began (its report, the last thing
# a scan does, must come 5 s after that; under KASAN a scan takes more
# than 3 s, and two are usually enough). The page cache is dropped
# first: its objects are referenced (never reported), but each one is
# scanned.
kmemleak_scan() {
	f=/sys/kernel/debug/kmemleak
	step "kmemleak scan"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo clear > "$f" 2>/dev/null
	t0=$(now_ms)
	echo scan > "$f" || { fail "cannot trigger a kmemleak scan"; return 1; }
	t1=$(now_ms)
	echo scan > "$f"
	t2=$(now_ms)
	left=$((t0 + 6000 - t2))
	third=
	if [ "$left" -gt 0 ]; then
		sleep "$(awk -v ms="$left" 'BEGIN { printf "%.1f", ms / 1000 }')"
		echo scan > "$f"
		third=", a third after $left ms"
	fi
	echo "kmemleak: scans of $((t1 - t0)) and $((t2 - t1)) ms$third"
	cat "$f" > kmemleak.txt
	LEAKS_TOTAL=$(grep -c '^unreferenced object' kmemleak.txt)
	LEAKS_MINE=$(awk '/^unreferenced object/ { if (obj && mine) n++; obj = 1; mine = 0; next }
		/my_nvme/ { mine = 1 }
		END { if (obj && mine) n++; print n + 0 }' kmemleak.txt)
	LEAK_FIRST=$(awk '/^unreferenced object/ { hdr = $0; mine = 0; next }
		/my_nvme/ && !done { print hdr " at" $0; done = 1 }' kmemleak.txt |
		tr -s ' ' | head -n1)
	[ "$LEAKS_MINE" -eq 0 ] || cat kmemleak.txt
	return 0
}

# persist-write/-read layout on DEV0: a one-line text header at 60 MiB,
# PERSIST_MB MiB of random data at 64 MiB.
PERSIST_HDR_MB=60
PERSIST_DATA_MB=64
PERSIST_MB=4
PERSIST_MAGIC="MY_NVME_PERSIST v1"

persist_args() {
	echo "offset=$((PERSIST_DATA_MB * 1048576)) size=$((PERSIST_MB * 1048576))"
}

# ---- Fault points (debugfs, drivers/nvme/my_nvme/fault.c) -----------------

# fault_arm CTRL POINT [FILE=VALUE...]: make fault point POINT of CTRL
# (my_nvme0, ..., or "defaults": the template a controller copies when
# it is probed) fire every time (probability 100, times -1, quietly),
# after setting its FILEs (e.g. admin=Y opcode=0x6 after=0x7c times=1).
fault_arm() {
	d=/sys/kernel/debug/my_nvme/$1/$2
	shift 2
	[ -d "$d" ] || { fail "no fault point $d"; return 1; }
	echo 0 > "$d/verbose"
	echo 1 > "$d/interval"
	echo -1 > "$d/times"
	for kv in "$@"; do
		echo "${kv#*=}" > "$d/${kv%%=*}" ||
			{ fail "cannot set $d/${kv%%=*} to ${kv#*=}"; return 1; }
	done
	echo 100 > "$d/probability"
	echo "fault point $d armed${*:+: $*}"
}

# fault_disarm CTRL POINT: stop it; its trigger and opcode filter back
# to their defaults (any opcode, at once).
fault_disarm() {
	d=/sys/kernel/debug/my_nvme/$1/$2
	[ -d "$d" ] || return 0
	echo 0 > "$d/probability"
	echo -1 > "$d/times"
	for f in opcode after; do
		[ -w "$d/$f" ] && echo 0xffffffff > "$d/$f"
	done
	[ -w "$d/armed" ] && echo N > "$d/armed"
	return 0
}

# fault_disarm_all CTRL: every fault point of CTRL (or "defaults").
fault_disarm_all() {
	for p in fault_inject fail_map fail_enable fail_shutdown fail_cqe fail_csts id_ns; do
		fault_disarm "$1" "$p"
	done
}

# stat_all CTRL COLUMN: STAT summed over every queue, admin included.
stat_all() {
	stat_sum "$1" "$2" all
}

# elapsed_ok MS LIMIT_MS WHAT: MS must not exceed LIMIT_MS.
elapsed_ok() {
	[ "$1" -le "$2" ] ||
		fail "$3 took $1 ms, more than the bound of $2 ms"
}

# admin_timeout_ms: the my_nvme admin timeout now in force.
admin_timeout_ms() {
	echo $(($(cat /sys/module/my_nvme/parameters/admin_timeout) * 1000))
}

io_timeout_ms() {
	echo $(($(cat /sys/module/my_nvme/parameters/io_timeout) * 1000))
}

# fio_running NAME: is fio_start's fio still running?
fio_running() {
	kill -0 "$(cat "$1.pid")" 2>/dev/null
}

# fio_end NAME SECONDS: wait up to SECONDS for fio_start's fio to exit
# (it is killed after that); FIO_RC its status, FIO_ERRORS the jobs that
# ended with an error. Fails if fio had to be killed.
fio_end() {
	step "waiting for fio $1 to end"
	i=0
	while fio_running "$1"; do
		if [ "$i" -ge $(($2 * 5)) ]; then
			kill -9 "$(cat "$1.pid")" 2>/dev/null
			fail "fio $1 still running after $2 s (hung on the disk?)"
			return 1
		fi
		sleep 0.2
		i=$((i + 1))
	done
	wait "$(cat "$1.pid")"
	FIO_RC=$?
	jobs=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err=' "$1.out")
	ok=$(grep -c ': (groupid=[0-9]*, jobs=[0-9]*): err= *0:' "$1.out")
	FIO_ERRORS=$((jobs - ok))
	grep -m2 -E 'err=|error' "$1.out"
	bad=$(grep -Ei 'verify failed|bad magic|bad header|verify type mismatch|crc32c.*(fail|mismatch)' "$1.out" |
		head -n1)
	[ -z "$bad" ] || { fail "fio verify error (data read back wrong): $bad"; return 1; }
	return 0
}

# ref_write DEV MIB_OFFSET: 1 MiB of random data at MIB_OFFSET, written
# O_DIRECT and flushed; ref_check DEV MIB_OFFSET reads it back. What a
# case writes so before a fault must be there after it.
ref_write() {
	rand_file "ref-$2.bin" 1 || return 1
	dwrite "ref-$2.bin" "$1" "$2" || return 1
	run blockdev --flushbufs "$1"
}

ref_check() {
	dread "$1" "$2" 1 "ref-$2.back" || return 1
	same_files "ref-$2.bin" "ref-$2.back"
}
