"""The house rules that keep the library readable in order: imports go backwards, the project stands alone."""

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / 'ldae'


def notebook_numbers() -> dict:
    "Module name → the number of the notebook it is generated from (e.g. 'latent_ddpm' → 40)."
    out = {}
    for p in LIB.glob('*.py'):
        m = re.search(r'File to edit: \.\./nbs/(\d+)_\w+\.ipynb', p.read_text())
        if m:
            out[p.stem] = int(m.group(1))
    return out


def ldae_imports(path: Path) -> set:
    "The ldae modules a file imports (top level and inside functions)."
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level == 1:
                found.add(node.module.split('.')[0])
            elif node.module.startswith('ldae.'):
                found.add(node.module.split('.')[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split('.')[1] for a in node.names if a.name.startswith('ldae.'))
    return found


def test_every_module_comes_from_a_numbered_notebook():
    nums = notebook_numbers()
    modules = {p.stem for p in LIB.glob('*.py')} - {'__init__', '_modidx'}
    assert modules == set(nums), f'modules without a numbered notebook: {sorted(modules - set(nums))}'
    assert len(set(nums.values())) == len(nums), 'two modules from notebooks with the same number'


def test_imports_go_to_earlier_notebooks():
    nums = notebook_numbers()
    bad = []
    for mod, n in sorted(nums.items(), key=lambda kv: kv[1]):
        for dep in sorted(ldae_imports(LIB / f'{mod}.py')):
            if dep in nums and dep != mod and nums[dep] >= n:  # a module may name itself (spawned workers)
                bad.append(f'{mod} ({n}) imports {dep} ({nums[dep]})')
    assert not bad, 'imports against the reading order:\n' + '\n'.join(bad)


def test_networks_import_no_sampling_or_training_code():
    nums = notebook_numbers()
    for mod, n in nums.items():
        if 30 <= n < 40:
            deps = {d for d in ldae_imports(LIB / f'{mod}.py') if d in nums}
            assert all(nums[d] < 10 or 30 <= nums[d] < 40 for d in deps), f'{mod} imports {deps}'


def tracked_text_files():
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    skip = ('.png', '.gif', '.jpg', '.nii.gz', '.npz', '.ckpt', '.safetensors')
    return [ROOT / f for f in files if not f.endswith(skip) and (ROOT / f).is_file()]


# The planning documents of the team that wrote ldae (a spec, a style guide, notes on the reference code) are not
# shipped; citing them by name or section sends a reader nowhere. The names are written in pieces so that this file
# does not cite them itself.
PLANNING_DOCS = ['SP' + 'EC', 'ST' + 'YLE']
OUTSIDE = [
    r'\b(' + '|'.join(PLANNING_DOCS) + r')( §|\.md)',
    '[Rr]efer' + r'ence[- ]facts',
    r'\.\./' + 'shared',
]


@pytest.mark.parametrize('pattern', OUTSIDE)
def test_the_project_stands_alone(pattern):
    "Nothing cites documents that are not in the repository."
    hits = []
    for p in tracked_text_files():
        for i, line in enumerate(p.read_text(errors='ignore').splitlines(), 1):
            if re.search(pattern, line):
                hits.append(f'{p.relative_to(ROOT)}:{i}: {line.strip()[:100]}')
    assert not hits, '\n'.join(hits[:20])


def test_configs_carry_no_dated_lab_log():
    for p in (LIB / 'configs').glob('*.yaml'):
        text = p.read_text()
        assert not re.search(r'20\d\d-\d\d-\d\d', text), f'{p.name} has a dated log'
        comments = [line for line in text.splitlines() if line.lstrip().startswith('#')]
        assert len(comments) <= 25, f'{p.name}: {len(comments)} comment lines; the why belongs on the decisions page'
