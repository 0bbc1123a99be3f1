#!/usr/bin/env python
"""Render README.md from nbs/index.ipynb without Quarto (nbdev_readme needs the quarto binary, which cannot be
installed on every machine). Markdown cells are copied; code cells are shown unless `#| echo: false`; `#| hide`
cells are dropped; PNG outputs are written to images/ and linked. `--check` fails if README.md is stale."""

import json, base64, sys, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path=ROOT / 'nbs' / 'index.ipynb', img_dir=ROOT / 'images'):
    nb = json.loads(Path(nb_path).read_text())
    out, imgs, k = [], {}, 0
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            out.append(src.strip() + '\n')
            continue
        dirs = re.findall(r'^#\|\s*(.*)$', src, flags=re.M)
        if any(d.strip() in ('hide', 'export', 'exporti') for d in dirs):
            continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and not any(d.replace(' ', '') == 'echo:false' for d in dirs):
            out.append(f'```python\n{code}\n```\n')
        for o in c.get('outputs', []):
            png = o.get('data', {}).get('image/png')
            if png:
                name = f'index_{k}.png'
                k += 1
                imgs[name] = base64.b64decode(png)
                out.append(f'![](images/{name})\n')
    return '\n'.join(out), imgs


def main(check=False):
    text, imgs = render()
    readme = ROOT / 'README.md'
    if check:
        ok = readme.is_file() and readme.read_text() == text and all((ROOT / 'images' / n).is_file() for n in imgs)
        if not ok:
            print('README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`')
            return 1
        return 0
    (ROOT / 'images').mkdir(exist_ok=True)
    for n, b in imgs.items():
        (ROOT / 'images' / n).write_bytes(b)
    readme.write_text(text)
    print(f'wrote README.md ({len(text)} chars, {len(imgs)} images)')
    return 0


if __name__ == '__main__':
    sys.exit(main('--check' in sys.argv))
