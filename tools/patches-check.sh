#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches-check.sh: make patches-check. Applies build/patches/ (make
# patches) patch by patch to a clean 6.12 tree (a worktree of
# build/series/linux at the pristine commit) and, for every patch:
# checkpatch --strict must have nothing to say, and every file of the
# driver present so far must compile with W=1 and sparse (C=1) without
# a warning. From the Kconfig patch on, the driver is built as a module
# (boot/module.config); after the last patch my_nvme.ko must link. Then
# the tree must hold exactly the driver of this repository, kernel-doc
# must find nothing to complain about, and the documentation must parse.
# Exit status non-zero on the first problem, which is printed.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
S=$TOP/build/series
PATCHES=$TOP/build/patches
TREE=$S/check
OBJ=$TOP/build/obj-series
D=drivers/nvme/my_nvme
LOG=$S/check.log
JOBS=$(nproc)

[ -d "$PATCHES" ] && [ -d "$S/linux/.git" ] ||
	{ echo "patches-check: no series; run make patches first" >&2; exit 1; }
: > "$LOG"

die() {
	echo "patches-check: $*" >&2
	echo "patches-check: log in ${LOG#"$TOP"/}" >&2
	exit 1
}

git -C "$S/linux" worktree remove -f "$TREE" 2>/dev/null || rm -rf "$TREE"
git -C "$S/linux" worktree prune
git -C "$S/linux" worktree add -q -f --detach "$TREE" pristine

kmake() {
	make -C "$TREE" O="$OBJ" -j"$JOBS" "$@" >> "$LOG" 2>&1
}

# A kernel of the pristine tree to build the driver against (once; the
# configuration is tinyconfig plus our fragments, modules on).
config() {
	mkdir -p "$OBJ"
	[ -f "$OBJ/.config" ] || kmake tinyconfig
	# SG_POOL has no prompt, and before the Kconfig patch nothing
	# selects it for the driver: virtio-blk does (blk.c needs it).
	# The fault points (fault.c) are built, and so checked, only with
	# fault injection in debugfs.
	printf '%s\n' CONFIG_VIRTIO_MENU=y CONFIG_VIRTIO_PCI=y \
		CONFIG_VIRTIO_BLK=y CONFIG_DEBUG_KERNEL=y CONFIG_FAULT_INJECTION=y \
		CONFIG_FAULT_INJECTION_DEBUG_FS=y > "$S/check.config"
	(cd "$TREE" && KCONFIG_CONFIG=$OBJ/.config scripts/kconfig/merge_config.sh \
		-m -O "$OBJ" "$OBJ/.config" "$TOP/boot/my_nvme.config" \
		"$TOP/boot/module.config" "$S/check.config" >> "$LOG" 2>&1)
	kmake olddefconfig
}
echo "patches-check: building the pristine kernel in ${OBJ#"$TOP"/} (incremental)"
config
kmake bzImage modules_prepare || die "the pristine tree does not build"

# our_warnings: warnings and errors the log has for the driver's files.
our_warnings() {
	grep -E "$D/[^ ]*:[0-9]+:[0-9]+: (warning|error)|$D/.*: (warning|error):" "$1" || true
}

n=0
for p in "$PATCHES"/0*.patch; do
	case "$p" in */0000-*) continue ;; esac
	n=$((n + 1))
	git -C "$TREE" -c user.name=check -c user.email=check@localhost \
		am -q "$p" >> "$LOG" 2>&1 || die "patch $n does not apply: $(basename "$p")"
	subject=$(git -C "$TREE" log -1 --format=%s)
	out=$(cd "$TREE" && ./scripts/checkpatch.pl --strict --no-tree "$p" 2>&1 || true)
	echo "$out" >> "$LOG"
	echo "$out" | grep -q "total: 0 errors, 0 warnings, 0 checks" ||
		die "patch $n: checkpatch --strict: $(echo "$out" | grep -m1 -E '^(ERROR|WARNING|CHECK)')"

	step=$S/step-$n.log
	: > "$step"
	if [ -f "$TREE/$D/Kconfig" ]; then
		config
		grep -q '^CONFIG_MY_NVME=m' "$OBJ/.config" ||
			die "patch $n: CONFIG_MY_NVME=m did not take"
		rm -f "$OBJ/$D"/*.o
		make -C "$TREE" O="$OBJ" -j"$JOBS" W=1 C=1 "$D/" > "$step" 2>&1 ||
			die "patch $n: the driver does not build: $(tail -n 3 "$step")"
	else
		for f in "$TREE/$D"/*.c; do
			[ -e "$f" ] || continue
			rel=$D/$(basename "$f" .c).o
			make -C "$TREE" O="$OBJ" W=1 C=1 KBUILD_MODPOST_WARN=1 \
				"$rel" >> "$step" 2>&1 ||
				die "patch $n: $rel does not compile: $(grep -m1 error "$step")"
		done
	fi
	cat "$step" >> "$LOG"
	w=$(our_warnings "$step")
	[ -z "$w" ] || die "patch $n: warnings: $(echo "$w" | head -n 3)"
	echo "  [$n] ok: $subject ($(ls "$TREE/$D"/*.c 2>/dev/null | wc -l) .c files built, checkpatch clean)"
done

echo "patches-check: the last patch built as a module"
kmake modules || die "modules do not build"
ko=$(find "$OBJ/$D" -name my_nvme.ko)
[ -n "$ko" ] || die "no my_nvme.ko"
echo "  my_nvme.ko: $(stat -c %s "$ko") bytes, $(modinfo -F parm "$ko" | wc -l) parameters"

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
echo "patches-check: $n patches OK"
