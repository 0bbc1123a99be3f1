#!/usr/bin/env python
"""Compare two `ldae demo` metrics.json files, leaving out what depends on the machine's speed.

    python tools/compare_metrics.py results/before/metrics.json results/after/metrics.json

Prints how many values are identical and every value that differs; exits 1 when any differs. Used to check that a
change which should not change behaviour (a refactor) gives the same numbers with the same seed on the same machine:
run `ldae demo --out DIR` (the same options) from a clone of each version, then compare.
"""

import json
import sys

MACHINE = ('timing', 'seconds', 'memory', 'rss', 'versions', 'machine', 'ratio', 'overhead', 'per_second', 'command')


def flatten(d, prefix: str = '') -> dict:
    "{'a': {'b': [1, 2]}} → {'a.b[0]': 1, 'a.b[1]': 2}"
    if isinstance(d, dict):
        return {k: v for key, val in d.items() for k, v in flatten(val, f'{prefix}.{key}' if prefix else key).items()}
    if isinstance(d, list):
        return {k: v for i, val in enumerate(d) for k, v in flatten(val, f'{prefix}[{i}]').items()}
    return {prefix: d}


def compare(a: dict, b: dict) -> tuple[int, list]:
    "(number of identical values, [(key, a's, b's)] for those that differ), leaving out machine-speed keys."
    fa, fb = flatten(a), flatten(b)
    keys = [k for k in sorted(set(fa) | set(fb)) if not any(m in k for m in MACHINE)]
    diff = [(k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k)]
    return len(keys) - len(diff), diff


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = (json.load(open(p)) for p in argv)
    same, diff = compare(a, b)
    print(f'{same} values identical, {len(diff)} differ')
    for k, x, y in diff:
        print(f'  {k}: {x!r} → {y!r}')
    return 1 if diff else 0


if __name__ == '__main__':
    sys.exit(main())
