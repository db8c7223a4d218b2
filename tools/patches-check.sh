#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches-check.sh: make patches-check. Applies build/patches/ (make
# patches) patch by patch to a clean 6.12 tree (a worktree of
# build/series/linux at the pristine commit) and, for every patch:
#  - checkpatch --strict must have nothing to say;
#  - the driver as it stands must build with W=1 and sparse (C=1)
#    without a warning, as a module against the module test kernel
#    (make module-kernel: the same 6.12 source and configuration, the
#    KUnit tests =m too), and the tree's Kconfig must still give
#    CONFIG_MY_NVME=m;
#  - a patch that changes the driver's code boots: the module test
#    kernel in QEMU loads that prefix's my_nvme.ko and runs the core
#    cases (the driver loads, the seed's TEST1 and TEST2, dmesg,
#    kmemleak) and the cases of the capability the patch adds (NEEDS=
#    names it; the capabilities are the names of the patches,
#    NN-<name>.msg; tools/testing/run series). An earlier capability's
#    cases ran on the prefix that added it and run again on the whole
#    driver in make test; PATCHES_CASES=all runs every case a prefix
#    has on every prefix. (Two boots at once take as long as one
#    after the other: a guest is CPU-bound on the two-CPU machine.)
# Then the tree must hold exactly the driver of this repository,
# kernel-doc must find nothing to complain about, and the documentation
# must parse. Exit status non-zero on the first problem, which is
# printed. Each step prints its time.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
S=$TOP/build/series
PATCHES=$TOP/build/patches
TREE=$S/check
SRC=$TOP/build/linux-source-6.12
MOD_OBJ=$TOP/build/obj-module
D=drivers/nvme/my_nvme
LOG=$S/check.log
JOBS=$(nproc)

[ -d "$PATCHES" ] && [ -d "$S/linux/.git" ] ||
	{ echo "patches-check: no series; run make patches first" >&2; exit 1; }
[ -f "$MOD_OBJ/Module.symvers" ] && [ -f "$MOD_OBJ/arch/x86/boot/bzImage" ] ||
	{ echo "patches-check: no module test kernel; run make module-kernel first" >&2; exit 1; }
: > "$LOG"
START=$SECONDS

die() {
	echo "patches-check: $*" >&2
	echo "patches-check: log in ${LOG#"$TOP"/}" >&2
	exit 1
}

git -C "$S/linux" worktree remove -f "$TREE" 2>/dev/null || rm -rf "$TREE"
git -C "$S/linux" worktree prune
git -C "$S/linux" worktree add -q -f --detach "$TREE" pristine
KVER=$(cat "$MOD_OBJ/include/config/kernel.release")

# our_warnings: warnings and errors the log has for the driver's files.
our_warnings() {
	grep -E "[^ ]*my_nvme/[^ ]*:[0-9]+:[0-9]+: (warning|error)|my_nvme/.*: (warning|error):" "$1" || true
}

# kconfig_ok: the tree's Kconfig, with the module kernel's configuration,
# still has the driver as a module (the hook-up in drivers/nvme parses).
kconfig_ok() {
	mkdir -p "$S/kconfig"
	cp "$MOD_OBJ/.config" "$S/kconfig/.config"
	make -C "$TREE" O="$S/kconfig" olddefconfig >> "$LOG" 2>&1 &&
		grep -q '^CONFIG_MY_NVME=m' "$S/kconfig/.config"
}

# series_cases CAP: some case of the series configuration NEEDS CAP.
series_cases() {
	grep -l '^CONFIG=.*series' "$TOP"/tools/testing/cases/* |
		xargs grep -l "^NEEDS=.*\b$1\b" >/dev/null 2>&1
}

# boot_prefix N CAPS...: boot the module kernel with the prefix's module.
boot_prefix() {
	local n=$1 t=$S/boot-$n ko=$TREE/$D/my_nvme.ko out rc new
	shift
	# The capability the patch adds (the last one) is the one tested.
	new=${*: -1}
	[ "${PATCHES_CASES:-}" != all ] && [ "$new" != core ] || new=
	rm -rf "$t"
	mkdir -p "$t/root/lib/modules/$KVER/kernel/$D"
	cp "$ko" "$t/root/lib/modules/$KVER/kernel/$D/"
	(cd "$t/root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --owner root:root --quiet) | gzip -1 > "$t/overlay.cpio.gz"
	cat "$TOP/build/module-initramfs.cpio" "$t/overlay.cpio.gz" > "$t/initramfs.cpio"
	set +e
	# The guest ends every boot with dmesg and kmemleak (guest-run): a
	# prefix that leaks fails here too.
	out=$(T=$t EVERY_BOOT="dmesg kmemleak" SERIES_CAPS="$*" \
		SERIES_NEW=$new \
		SERIES_INITRAMFS=$t/initramfs.cpio \
		"$TOP/tools/testing/run" series 2>&1)
	rc=$?
	set -e
	echo "$out" >> "$LOG"
	echo "$out" | grep -E '^\[series\] TEST' | sed 's/^/      /'
	[ "$rc" -eq 0 ] || die "patch $n: the prefix boots but fails: $(echo "$out" | tail -n 1)"
	echo "      $(echo "$out" | tail -n 1) (caps: $*${new:+; cases of core and $new})"
}

n=0
caps=
for p in "$PATCHES"/0*.patch; do
	case "$p" in */0000-*) continue ;; esac
	n=$((n + 1))
	t0=$SECONDS
	git -C "$TREE" -c user.name=check -c user.email=check@localhost \
		am -q "$p" >> "$LOG" 2>&1 || die "patch $n does not apply: $(basename "$p")"
	subject=$(git -C "$TREE" log -1 --format=%s)
	name=$(basename "$(ls "$TOP/tools/patches/$(printf %02d "$n")"-*.msg)" .msg)
	caps="$caps ${name#[0-9][0-9]-}"
	out=$(cd "$TREE" && ./scripts/checkpatch.pl --strict --no-tree "$p" 2>&1 || true)
	echo "$out" >> "$LOG"
	echo "$out" | grep -q "total: 0 errors, 0 warnings, 0 checks" ||
		die "patch $n: checkpatch --strict: $(echo "$out" | grep -m1 -E '^(ERROR|WARNING|CHECK)')"

	[ -f "$TREE/$D/Kconfig" ] || die "patch $n: no $D/Kconfig: the driver must build from patch 1"
	kconfig_ok || die "patch $n: the tree's Kconfig does not give CONFIG_MY_NVME=m"
	step=$S/step-$n.log
	rm -f "$TREE/$D"/*.o "$TREE/$D"/*.ko
	make -C "$SRC" O="$MOD_OBJ" M="$TREE/$D" -j"$JOBS" W=1 C=1 modules \
		> "$step" 2>&1 || die "patch $n: the driver does not build: $(tail -n 3 "$step")"
	cat "$step" >> "$LOG"
	w=$(our_warnings "$step")
	[ -z "$w" ] || die "patch $n: warnings: $(echo "$w" | head -n 3)"
	[ -f "$TREE/$D/my_nvme.ko" ] || die "patch $n: no my_nvme.ko"
	echo "  [$n] ok: $subject ($(ls "$TREE/$D"/*.o | grep -cv 'my_nvme\.\(mod\.\)\?o$') files built, W=1 C=1 and checkpatch clean, $((SECONDS - t0)) s)"
	# The KUnit tests are built above (=m) and run by make test, in
	# the kernel that has them built in: a patch of tests only needs
	# no boot.
	# A prefix boots where its capability has cases in the series
	# configuration (the first one always): the later capabilities
	# (parity, metadata, zoned, multipath) need QEMU set-ups of their
	# own, their prefixes would run only the core cases again, and
	# make test runs theirs on the whole driver. PATCHES_CASES=all
	# boots every prefix that changes code; PATCHES_BOOT=first only
	# the first (CI on a loaded host).
	if git -C "$TREE" diff --name-only HEAD~1 HEAD -- "$D" |
	   grep -v '_test\.c$' | grep -q '\.[ch]$' &&
	   { [ "$n" -eq 1 ] || { [ "${PATCHES_BOOT:-}" != first ] &&
	     { [ "${PATCHES_CASES:-}" = all ] ||
	       series_cases "${name#[0-9][0-9]-}"; }; }; }; then
		t0=$SECONDS
		boot_prefix "$n" $caps
		echo "      booted in $((SECONDS - t0)) s"
	fi
done
ko=$TREE/$D/my_nvme.ko
echo "  my_nvme.ko: $(stat -c %s "$ko") bytes, $(modinfo -F parm "$ko" | wc -l) parameters"
make -C "$SRC" O="$MOD_OBJ" M="$TREE/$D" clean >> "$LOG" 2>&1

# The series must be the driver, byte for byte.
for f in $(cd "$TOP" && git ls-files "$D" Documentation/nvme); do
	cmp -s "$TOP/$f" "$TREE/$f" || die "$f differs between the series and the repository"
done
extra=$(cd "$TREE" && git diff --name-only pristine HEAD -- "$D" Documentation/nvme |
	while read -r f; do
	[ -e "$TOP/$f" ] || echo "$f"; done)
[ -z "$extra" ] || die "the series has files the repository does not: $extra"
echo "  the tree holds exactly the repository's driver and documentation"

kd=$(cd "$TREE" && scripts/kernel-doc -none "$D"/*.[ch] 2>&1)
[ -z "$kd" ] || die "kernel-doc: $kd"
python3 -c '
import sys, docutils.core
from docutils.parsers.rst import Directive, directives

class TocTree(Directive):
    """Sphinx toctree: docutils has none; check that the entries exist."""
    has_content = True
    option_spec = {"maxdepth": directives.nonnegative_int}

    def run(self):
        import os
        base = os.path.dirname(self.state.document.current_source)
        for entry in self.content:
            if entry.strip() and not os.path.exists(
                    os.path.join(base, entry.strip() + ".rst")):
                raise self.error("toctree entry %s: no such document" % entry)
        return []

directives.register_directive("toctree", TocTree)
for f in sys.argv[1:]:
    docutils.core.publish_doctree(open(f).read(), source_path=f,
        settings_overrides={"report_level": 2, "halt_level": 2})
' "$TREE"/Documentation/nvme/*.rst || die "the documentation does not parse"
echo "  kernel-doc -none: nothing; Documentation/nvme/*.rst parse cleanly"
echo "patches-check: $n patches OK in $((SECONDS - START)) s"
