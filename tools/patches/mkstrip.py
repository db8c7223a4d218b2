#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mkstrip.py BEFORE AFTER [TITLE]: write the strip file of one patch.

The series is written backwards (tools/patches/strip.py): a patch's
.strip file holds the edits that take its capability out of the tree
again. Given the driver as it is before the patch (BEFORE) and after it
(AFTER), both trees holding drivers/nvme/my_nvme and Documentation/nvme,
this prints those edits as strip.py commands: "drop" for the files the
patch adds, "cut" for lines it adds, "swap" for lines it changes, each
with as little context as makes its lines occur once in the file as it
is when strip.py gets there. It then applies them to AFTER (in memory)
and checks that the result is BEFORE, byte for byte.

Use it when a patch's capability has been written in the repository
and the tree before it can be had (an earlier commit, or the tree with
the capability taken out by hand); read what it prints before keeping
it, since context lines chosen for uniqueness may be a neighbour's.
"""
import difflib
import os
import sys

DIRS = ("drivers/nvme/my_nvme", "Documentation/nvme")
SKIP = ("my_nvme_test.c", "my_nvme_recovery_test.c", ".kunitconfig")


def files(tree):
    out = {}
    for d in DIRS:
        base = os.path.join(tree, d)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name)
            if os.path.isfile(path) and name not in SKIP:
                out[os.path.join(d, name)] = open(path).read()
    return out


def occurrences(text, block):
    n, hits = len(block), 0
    for i in range(len(text) - n + 1):
        if text[i:i + n] == block:
            hits += 1
    return hits


def commands(path, after, before):
    """Edits that turn the lines @after into @before, bottom first."""
    cur = list(after)
    ops = difflib.SequenceMatcher(None, after, before,
                                  autojunk=False).get_opcodes()
    out = []
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        removed, added = after[i1:i2], before[j1:j2]
        lo, hi = i1, i2
        # Widen until the lines occur once (and never empty).
        while (hi - lo == 0 or occurrences(cur, cur[lo:hi]) != 1):
            if lo > 0 and (hi - lo) % 2 == 0:
                lo -= 1
            elif hi < len(cur):
                hi += 1
            elif lo > 0:
                lo -= 1
            else:
                sys.exit(f"mkstrip: {path}: no unique context at {i1}")
        old = cur[lo:hi]
        new = cur[lo:i1] + added + cur[i2:hi]
        if not new:
            body = ["cut " + path] + ["-" + l for l in old] + ["end"]
        else:
            body = (["swap " + path] + ["-" + l for l in old] +
                    ["+" + l for l in new] + ["end"])
        out.append(body)
        cur[lo:hi] = new
    if cur != before:
        sys.exit(f"mkstrip: {path}: the edits do not give the tree before")
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    before, after = files(sys.argv[1]), files(sys.argv[2])
    title = sys.argv[3] if len(sys.argv) == 4 else "its capability"
    print("# SPDX-License-Identifier: GPL-2.0")
    print(f"# The tree before this patch: {title} taken out "
          "(tools/patches/strip.py).")
    new_files = [p for p in after if p not in before]
    missing = [p for p in before if p not in after]
    if missing:
        sys.exit(f"mkstrip: the patch removes {missing}: strip.py cannot add files")
    if new_files:
        print()
        print("drop " + " ".join(new_files))
    for path in after:
        if path in new_files or after[path] == before[path]:
            continue
        for body in commands(path, after[path].split("\n"),
                             before[path].split("\n")):
            print()
            print("\n".join(body))


if __name__ == "__main__":
    main()
