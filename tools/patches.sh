#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches.sh: make patches. Writes the driver as a git format-patch series
# against pristine Linux 6.12 (Debian's linux-source-6.12, unpacked into a
# throwaway git repository, build/series/linux) to build/patches/: a cover
# letter and one patch per file of the driver, lowest layer first, then
# the Kconfig/Makefile hook-up, the KUnit tests and the documentation.
# Commit messages are tools/patches/NN-*.msg; the author and
# Signed-off-by are this repository's git identity. Nothing in the
# repository changes; tools/patches-check.sh proves the series.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=/usr/src/linux-source-6.12.tar.xz
S=$TOP/build/series
TREE=$S/linux
OUT=$TOP/build/patches
MSG=$TOP/tools/patches
D=drivers/nvme/my_nvme
NAME=$(git -C "$TOP" config user.name || echo "my_nvme developers")
EMAIL=$(git -C "$TOP" config user.email || echo "my_nvme@example.org")

"$TOP/tools/install-deps.sh"
mkdir -p "$S"
if ! git -C "$TREE" rev-parse -q --verify pristine >/dev/null 2>&1; then
	echo "patches: unpacking pristine 6.12 into ${TREE#"$TOP"/} (once)"
	rm -rf "$TREE" "$S/linux-source-6.12"
	tar -xf "$TARBALL" -C "$S"
	mv "$S/linux-source-6.12" "$TREE"
	git -C "$TREE" init -q -b base
	# Debian's top-level .gitignore ignores everything ("/*"): -f below.
	git -C "$TREE" -c user.name=base -c user.email=base@localhost add -A -f
	git -C "$TREE" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $(make -s -C "$TREE" kernelversion 2>/dev/null) (Debian linux-source-6.12)"
	git -C "$TREE" tag -f pristine >/dev/null
fi
git -C "$TREE" checkout -q -f pristine
git -C "$TREE" clean -q -fdx
git -C "$TREE" checkout -q -B my_nvme pristine

# The Kconfig and Makefile of the driver without its KUnit parts, for
# the hook-up patch that comes before the tests.
kconfig_no_kunit() {
	awk '/^config MY_NVME_KUNIT_TEST/ { skip = 1 } !skip' "$TOP/$D/Kconfig" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
makefile_no_kunit() {
	grep -v 'KUNIT_TEST' "$TOP/$D/Makefile" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# maintainers FILE...: the MAINTAINERS entry with F: lines for FILEs
# added so far (each patch that adds files extends it, so that none
# adds a file MAINTAINERS does not know).
MAINT_FILES=()
maintainers() {
	local f entry
	MAINT_FILES+=("$@")
	entry="MY_NVME NVM EXPRESS PCIE DRIVER
M:	$NAME <$EMAIL>
L:	linux-nvme@lists.infradead.org
S:	Maintained"
	for f in $(printf '%s\n' "${MAINT_FILES[@]}" | LC_ALL=C sort -u); do
		entry="$entry
F:	$f"
	done
	git -C "$TREE" show pristine:MAINTAINERS |
	awk -v entry="$entry" '
		!done && /^NAND FLASH SUBSYSTEM$/ { print entry; print ""; done = 1 }
		{ print }' > "$TREE/MAINTAINERS"
}

commit() {	# commit NN: commit everything with tools/patches/NN-*.msg
	local msg
	msg=$(ls "$MSG/$1"-*.msg)
	git -C "$TREE" add -A -f
	{ cat "$msg"; echo; echo "Signed-off-by: $NAME <$EMAIL>"; } |
		git -C "$TREE" -c user.name="$NAME" -c user.email="$EMAIL" \
			commit -q -F -
}

add() {		# add FILE...: copy files of the repository into the tree
	local f
	for f in "$@"; do
		mkdir -p "$TREE/$(dirname "$f")"
		cp "$TOP/$f" "$TREE/$f"
	done
}

n=0
# One patch per file, but for debugfs.c and fault.c (its fault points).
for files in my_nvme.h queue.c admin.c blk.c chardev.c cmb.c \
	     "debugfs.c fault.c" pci.c; do
	n=$((n + 1))
	for f in $files; do
		add "$D/$f"
		maintainers "$D/$f"
	done
	commit "$(printf %02d "$n")"
done

# 09: Kconfig and Makefile, hooked into drivers/nvme.
mkdir -p "$TREE/$D"
kconfig_no_kunit > "$TREE/$D/Kconfig"
makefile_no_kunit > "$TREE/$D/Makefile"
sed -i 's|^endmenu|source "drivers/nvme/my_nvme/Kconfig"\n\nendmenu|' "$TREE/drivers/nvme/Kconfig"
sed -i 's|^obj-y\t\t+= host/|obj-$(CONFIG_MY_NVME)\t\t+= my_nvme/\n&|' "$TREE/drivers/nvme/Makefile"
maintainers "$D/Kconfig" "$D/Makefile"
commit 09

# 10: KUnit.
add "$D/Kconfig" "$D/Makefile" "$D/.kunitconfig" "$D/my_nvme_test.c" \
	"$D/my_nvme_recovery_test.c"
maintainers "$D/.kunitconfig" "$D/my_nvme_test.c" "$D/my_nvme_recovery_test.c"
commit 10

# 11: documentation, hooked into the subsystem index.
add Documentation/nvme/index.rst Documentation/nvme/my_nvme.rst
sed -i 's|^   block/index$|&\n   nvme/index|' "$TREE/Documentation/subsystem-apis.rst"
maintainers Documentation/nvme/index.rst Documentation/nvme/my_nvme.rst
commit 11

rm -rf "$OUT"
git -C "$TREE" format-patch -q --cover-letter --subject-prefix=PATCH \
	-o "$OUT" pristine..my_nvme
cover=$(ls "$OUT"/0000-*.patch)
python3 - "$cover" "$TOP/tools/patches/cover.txt" <<'PY'
import sys
path, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, blurb = text.partition("\n\n")
s = open(path).read()
s = s.replace("*** SUBJECT HERE ***", subject.strip())
s = s.replace("*** BLURB HERE ***", blurb.strip())
open(path, "w").write(s)
PY
echo "patches: $(ls "$OUT" | wc -l) files in ${OUT#"$TOP"/}:"
ls "$OUT" | sed 's/^/  /'
