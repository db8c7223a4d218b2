#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches.sh: make patches. Writes the driver as a git format-patch series
# against pristine Linux 6.12 (Debian's linux-source-6.12, unpacked into a
# throwaway git repository, build/series/linux) to build/patches/: a cover
# letter and one patch per capability, each a driver that builds and
# boots: the core driver (probe to gendisk, recovery, PM), passthrough
# ioctls, debugfs and fault points, the CMB disk, KUnit, documentation.
# Commit messages are tools/patches/NN-*.msg, what each patch adds is
# what tools/patches/NN-*.strip takes out again; the author and
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

# The stages: stage N is the repository's driver and documentation;
# stage k-1 is stage k with patch k's capability taken out again
# (tools/patches/NN-*.strip, tools/patches/strip.py). Patch k is the
# difference between stages k-1 and k, so each prefix of the series is
# a driver that builds and boots (tools/patches-check.sh proves it).
NR=$(ls "$MSG"/[0-9][0-9]-*.msg | wc -l)
STAGES=$S/stages
rm -rf "$STAGES"
mkdir -p "$STAGES/$NR"
(cd "$TOP" && git ls-files -z "$D" Documentation/nvme |
	xargs -0 cp -a --parents -t "$STAGES/$NR")
for k in $(seq "$NR" -1 2); do
	cp -a "$STAGES/$k" "$STAGES/$((k - 1))"
	strip=$(ls "$MSG/$(printf %02d "$k")"-*.strip)
	python3 "$MSG/strip.py" "$STAGES/$((k - 1))" "$strip" ||
		{ echo "patches: ${strip#"$TOP"/} no longer fits the driver" >&2; exit 1; }
done

# maintainers: the MAINTAINERS entry with an F: line for each file of
# the driver and its documentation the tree has so far.
maintainers() {
	local f entry
	entry="MY_NVME NVM EXPRESS PCIE DRIVER
M:	$NAME <$EMAIL>
L:	linux-nvme@lists.infradead.org
S:	Maintained"
	for f in $(cd "$STAGES/$k" && find . -type f | sed 's|^\./||' |
		   LC_ALL=C sort); do
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

for k in $(seq 1 "$NR"); do
	# Our files only: Documentation/nvme/ has upstream's too.
	(cd "$STAGES/$NR" && find . -type f) | (cd "$TREE" && xargs rm -f)
	cp -a "$STAGES/$k/." "$TREE/"
	if [ "$k" = 1 ]; then
		# Hooked into drivers/nvme from the first patch on.
		sed -i 's|^endmenu|source "drivers/nvme/my_nvme/Kconfig"\n\nendmenu|' \
			"$TREE/drivers/nvme/Kconfig"
		sed -i 's|^obj-y\t\t+= host/|obj-$(CONFIG_MY_NVME)\t\t+= my_nvme/\n&|' \
			"$TREE/drivers/nvme/Makefile"
	fi
	if [ -f "$TREE/Documentation/nvme/index.rst" ] &&
	   ! grep -q '^   nvme/index$' "$TREE/Documentation/subsystem-apis.rst"; then
		sed -i 's|^   block/index$|&\n   nvme/index|' \
			"$TREE/Documentation/subsystem-apis.rst"
	fi
	maintainers
	commit "$(printf %02d "$k")"
done

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
