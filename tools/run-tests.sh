#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh: what "make test" runs. Builds the kernel and the
# initramfs, runs the QEMU suite (tools/testing/run), whose default boot
# also runs the KUnit tests, prints the time of each phase, and ends
# with one combined line
#
#	N passed, N failed
#
# counting every KUnit test case and every QEMU TEST line (skips are not
# counted); a step that
# could not run at all counts as one failure. Exit status is non-zero if
# anything failed. Logs are kept in build/test/.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
T=$TOP/build/test
MAKE=${MAKE:-make}

PASSED=0
FAILED=0

mkdir -p "$T"

# build TARGET: make TARGET with its output in build/test/TARGET.log.
build() {
	local log=$T/$1.log

	echo "== make $1 (log: ${log#"$TOP"/})"
	if "$MAKE" -C "$TOP" "$1" >"$log" 2>&1; then
		echo "   ok"
		return 0
	fi
	echo "   make $1 FAILED; end of the log:"
	tail -n 30 "$log" | sed 's/^/   | /'
	FAILED=$((FAILED + 1))
	return 1
}

# KUnit: the kernel the suite boots has the tests built in, and its
# default boot runs them (kunit.enable=1, tools/testing/configs/default);
# kunit.py parses their KTAP report from that console log and ends with
# e.g.
#   [12:00:00] Testing complete. Ran 25 tests: passed: 24, failed: 1
# (only non-zero counts are listed; possibly with colour codes). make
# kunit still builds and runs them under kunit.py on its own.
run_kunit() {
	local log=$T/kunit.log console=$T/default.log rc summary n p f c e s

	echo "== KUnit, from the default boot (${console#"$TOP"/}; log: ${log#"$TOP"/})"
	python3 "$TOP/build/linux-source-6.12/tools/testing/kunit/kunit.py" \
		parse "$console" >"$log" 2>&1
	rc=$?
	summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
		grep -a 'Testing complete\. Ran [0-9]* tests' | tail -n1)
	if [ -z "$summary" ]; then
		echo "   kunit: FAIL, no KUnit summary (exit status $rc); end of the log:"
		tail -n 30 "$log" | sed 's/^/   | /'
		FAILED=$((FAILED + 1))
		return
	fi
	echo "   kunit: Testing complete.${summary#*Testing complete.}"
	count() {
		local v
		v=$(grep -o "$1: [0-9]*" <<<"$summary" | grep -o '[0-9]*$')
		echo "${v:-0}"
	}
	n=$(grep -o 'Ran [0-9]*' <<<"$summary" | grep -o '[0-9]*$')
	p=$(count passed)
	f=$(count failed)
	c=$(count crashed)
	e=$(count errors)
	s=$(count skipped)
	# Failed test cases, as kunit.py lists them.
	sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a '\[FAILED\]\|\[CRASHED\]' |
		sed 's/^/   /'
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f + c + e))
	if [ "$n" -eq 0 ]; then
		echo "   kunit: FAIL, no test ran"
		FAILED=$((FAILED + 1))
	elif [ "$rc" -ne 0 ] && [ $((f + c + e)) -eq 0 ]; then
		echo "   kunit: FAIL, kunit.py exited with status $rc"
		FAILED=$((FAILED + 1))
	fi
	[ "$s" -eq 0 ] || echo "   kunit: $s skipped (not counted)"
}

# QEMU suite: its last line is "N passed, N failed".
run_qemu_tests() {
	local log=$T/qemu-test.log last

	echo "== tools/testing/run (log: ${log#"$TOP"/})"
	"$TOP/tools/testing/run" 2>&1 | tee "$log"
	last=$(tail -n1 "$log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		PASSED=$((PASSED + BASH_REMATCH[1]))
		FAILED=$((FAILED + BASH_REMATCH[2]))
	else
		echo "   qemu-test: FAIL, no summary line"
		FAILED=$((FAILED + 1))
	fi
}

# phase NAME COMMAND...: run a step, note how long it took.
PHASES=
phase() {
	local name=$1 t0=$SECONDS rc=0
	shift
	"$@" || rc=$?
	PHASES="$PHASES$(printf '   %-16s %5d s' "$name" $((SECONDS - t0)))
"
	return "$rc"
}

START=$SECONDS
kernel_ok=1
phase kernel build kernel || kernel_ok=0
phase initramfs build initramfs || kernel_ok=0
# The module test kernel: a failure fails the "module" configuration's
# cases, not the rest of the suite.
phase module-kernel build module-kernel
if [ "$kernel_ok" -eq 1 ]; then
	phase qemu-suite run_qemu_tests
	phase kunit run_kunit
else
	echo "== QEMU suite and KUnit not run: no kernel or initramfs"
	FAILED=$((FAILED + 1))
fi

echo "== time per phase"
printf '%s' "$PHASES"
printf '   %-16s %5d s\n' total $((SECONDS - START))
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
