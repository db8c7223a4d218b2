#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""strip.py TREE SPEC: take one capability out of the driver in TREE.

The series (tools/patches.sh) is written backwards: the repository holds
the whole driver; each patch's .strip file says what the tree looked like
before that patch, as the edits that take its capability out again.
Applied from the last patch down, they give every prefix of the series.
A strip file is a list of commands:

  drop PATH...           delete files
  fn PATH NAME...        delete top-level definitions (a function, struct,
                         table or variable) by name, with the comment
                         before them and an EXPORT_SYMBOL*() after
  cut PATH               delete lines; the lines follow, each after "-",
  -<line>                and must occur once, consecutively
  end
  swap PATH              replace lines: "-" lines, once and consecutive,
  -<old>                 become the "+" lines
  +<new>
  end

Lines starting with "#" and blank lines between commands are ignored.
Any command that does not match exactly fails the whole strip, so that
a driver change that a strip no longer fits is found at once.
"""
import os
import re
import sys


def items(lines):
    """(start, end, name) of each top-level item; end exclusive."""
    i, n, out = 0, len(lines), []
    while i < n:
        if lines[i].strip() == '':
            i += 1
            continue
        start = i
        if lines[i].startswith('/*'):
            while not lines[i].rstrip().endswith('*/'):
                i += 1
            i += 1
            if i >= n or lines[i].strip() == '':
                out.append((start, i, None))
                continue
        if lines[i].startswith('#'):
            while lines[i].rstrip().endswith('\\'):
                i += 1
            i += 1
            out.append((start, i, None))
            continue
        depth, j, text = 0, i, ''
        while j < n:
            t = lines[j]
            text += t
            depth += t.count('{') - t.count('}')
            j += 1
            if depth == 0 and (t.rstrip().endswith(';') or t.startswith('}')):
                if t.startswith('}') or '{' not in text:
                    break
        head = text.split('{')[0].split('=')[0]
        m = re.search(r'\b(\w+)\s*\(', head)
        if m and not re.match(r'\s*(static\s+)?(const\s+)?struct\s+\w+\s+\w+\s*(\[|=|;|$)',
                              head):
            name = m.group(1)
        else:
            m = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', head.strip().rstrip(';'))
            name = m.group(1) if m else None
        if j < n and lines[j].startswith('EXPORT_SYMBOL'):
            j += 1
        out.append((start, j, name))
        i = j
    return out


def fail(spec, ln, msg):
    sys.exit(f'strip: {spec}:{ln}: {msg}')


def find_block(lines, block):
    hits = [k for k in range(len(lines) - len(block) + 1)
            if lines[k:k + len(block)] == block]
    return hits


def tidy(lines):
    """No run of blank lines longer than one, no blank line at the end."""
    out = []
    for l in lines:
        if l.strip() == '' and out and out[-1].strip() == '':
            continue
        out.append(l)
    while out and out[-1].strip() == '':
        out.pop()
    return out


def main():
    tree, spec = sys.argv[1], sys.argv[2]
    cmds = open(spec).read().split('\n')
    k = 0
    while k < len(cmds):
        ln, line = k + 1, cmds[k]
        k += 1
        if not line.strip() or line.startswith('#'):
            continue
        words = line.split()
        op, args = words[0], words[1:]
        if op == 'drop':
            for p in args:
                f = os.path.join(tree, p)
                if not os.path.exists(f):
                    fail(spec, ln, f'{p}: no such file')
                os.remove(f)
            continue
        path = os.path.join(tree, args[0])
        if not os.path.exists(path):
            fail(spec, ln, f'{args[0]}: no such file')
        lines = open(path).read().split('\n')
        if op == 'fn':
            its = items(lines)
            drop = set()
            for name in args[1:]:
                found = [(s, e) for s, e, nm in its if nm == name]
                if len(found) != 1:
                    fail(spec, ln, f'{args[0]}: {len(found)} definitions of {name}')
                drop.update(range(*found[0]))
            lines = [l for i, l in enumerate(lines) if i not in drop]
        elif op in ('cut', 'swap'):
            old, new = [], []
            while k < len(cmds) and cmds[k] != 'end':
                c = cmds[k]
                if c.startswith('-'):
                    old.append(c[1:])
                elif c.startswith('+') and op == 'swap':
                    new.append(c[1:])
                else:
                    fail(spec, k + 1, f'unexpected line in {op}: {c!r}')
                k += 1
            k += 1
            hits = find_block(lines, old)
            if len(hits) != 1:
                fail(spec, ln, f'{args[0]}: the {op} block occurs {len(hits)} times')
            lines[hits[0]:hits[0] + len(old)] = new
        else:
            fail(spec, ln, f'unknown command {op}')
        open(path, 'w').write('\n'.join(tidy(lines)) + '\n')


if __name__ == '__main__':
    main()
