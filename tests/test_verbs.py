"""`ldae manipulate`, `ldae variations`, `ldae interpolate` on a small trained bundle: NIfTI written on the input's
grid with its affine, figures, and bad input refused before anything is written."""

import numpy as np
import nibabel as nib
import pandas as pd
import pytest
from conftest import ldae_cmd
from ldae.pipeline import load_ldae
from ldae.probe import LinearProbe, save_probe


@pytest.fixture(scope='module')
def verb_inputs(bundle, small_cohort, tmp_path_factory):
    d = tmp_path_factory.mktemp('verbs')
    m = load_ldae(bundle / 'ldae.ckpt')
    w = np.random.default_rng(0).normal(size=(1, m.encoder.dim))
    save_probe(d / 'probe.json', LinearProbe(w, [0.0], 'ad_cn', 'diagnosis', ['CN', 'AD']))
    save_probe(d / 'probe7.json', LinearProbe(w[:, :7], [0.0], 'ad_cn', 'diagnosis', ['CN', 'AD']))
    scans = sorted(small_cohort.rglob('*_T1w.nii.gz'))
    return dict(ckpt=bundle / 'ldae.ckpt', probe=d / 'probe.json', probe7=d / 'probe7.json', scans=scans)


def _same_grid(out, src):
    a, b = nib.load(out), nib.load(src)
    assert a.shape == b.shape and np.allclose(a.affine, b.affine, atol=1e-4), (a.affine, b.affine)


def test_manipulate_writes_one_scan_per_alpha(verb_inputs, tmp_path):
    v = verb_inputs
    src = v['scans'][0]
    r = ldae_cmd(
        'manipulate',
        '--ckpt',
        v['ckpt'],
        '--probe',
        v['probe'],
        '--input',
        src,
        '--alpha',
        0,
        1,
        2,
        '--steps',
        3,
        '--out',
        tmp_path,
        '--quiet',
        check=True,
    )
    stem = src.name[:-7]
    files = [tmp_path / f'{stem}_alpha{a}.nii.gz' for a in ('+0', '+1', '+2')]
    for f in files:
        _same_grid(f, src)
    x0, x2 = (nib.load(f).get_fdata() for f in (files[0], files[2]))
    assert np.abs(x2 - x0).max() > 0  # α moved the decode
    tab = pd.read_csv(tmp_path / 'volumes.csv')
    assert list(tab.alpha) == [0, 1, 2] and {'ventricle_ml', 'hippocampus_ml'} <= set(tab.columns)
    assert (tmp_path / 'manipulation.png').stat().st_size > 0 and (tmp_path / 'volumes.png').exists()
    assert 'decodes of' in r.stdout


@pytest.mark.parametrize(
    'args,msg',
    [
        (['--probe', 'probe7', '--alpha', '1'], 'fitted on 7-d vectors'),
        (['--probe', 'probe', '--alpha', 'nan'], 'finite numbers'),
        (['--probe', 'probe', '--steps', '0'], '--steps 0'),
    ],
)
def test_manipulate_bad_input(verb_inputs, tmp_path, args, msg):
    v = verb_inputs
    args = [str(v[a]) if a in ('probe', 'probe7') else a for a in args]
    out = tmp_path / 'out'
    r = ldae_cmd('manipulate', '--ckpt', v['ckpt'], '--input', v['scans'][0], '--out', out, '--quiet', *args)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_variations_and_interpolation(verb_inputs, tmp_path):
    v = verb_inputs
    a, b = v['scans'][0], v['scans'][-1]
    ldae_cmd(
        'variations',
        '--ckpt',
        v['ckpt'],
        '--input',
        a,
        '--n',
        2,
        '--steps',
        3,
        '--seed',
        1,
        '--out',
        tmp_path / 'var',
        '--quiet',
        check=True,
    )
    v0, v1 = (nib.load(tmp_path / 'var' / f'{a.name[:-7]}_var{k}.nii.gz') for k in (0, 1))
    _same_grid(tmp_path / 'var' / f'{a.name[:-7]}_var0.nii.gz', a)
    assert np.abs(v0.get_fdata() - v1.get_fdata()).max() > 0  # two z_T, two scans
    assert (tmp_path / 'var' / 'variations.png').exists()
    ldae_cmd(
        'interpolate',
        '--ckpt',
        v['ckpt'],
        '--input',
        a,
        b,
        '--n',
        3,
        '--steps',
        3,
        '--out',
        tmp_path / 'int',
        '--quiet',
        check=True,
    )
    for k in range(3):
        _same_grid(tmp_path / 'int' / f'interp_{k}.nii.gz', a)
    assert (tmp_path / 'int' / 'interpolation.gif').stat().st_size > 0


@pytest.mark.parametrize(
    'cmd,args,msg',
    [
        ('variations', ['--n', '0'], '--n 0'),
        ('interpolate', ['--n', '1'], '--n 1'),
    ],
)
def test_verbs_bad_counts(verb_inputs, tmp_path, cmd, args, msg):
    v = verb_inputs
    inp = [v['scans'][0]] if cmd == 'variations' else [v['scans'][0], v['scans'][1]]
    r = ldae_cmd(cmd, '--ckpt', v['ckpt'], '--input', *inp, '--out', tmp_path / 'o', '--quiet', *args)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists()


def test_unwritable_output_is_refused(verb_inputs, tmp_path):
    v = verb_inputs
    (tmp_path / 'file').write_text('x')
    r = ldae_cmd(
        'variations', '--ckpt', v['ckpt'], '--input', v['scans'][0], '--out', tmp_path / 'file' / 'sub', '--quiet'
    )
    assert r.returncode == 2 and 'cannot write there' in r.stderr, r.stderr


def test_a_scan_unlike_the_training_data_is_flagged(verb_inputs, tmp_path):
    "nibabel's anatomical.nii (a partial field of view, not in MNI152 space): a warning, or refused with --strict."
    import nibabel.testing
    from pathlib import Path

    anat = Path(nibabel.testing.data_path) / 'anatomical.nii'
    v = verb_inputs
    r = ldae_cmd('reconstruct', '--ckpt', v['ckpt'], '--input', anat, '--out', tmp_path / 'r.nii.gz', '--steps', 2)
    assert r.returncode == 0 and 'does not look like a skull-stripped T1' in r.stderr, r.stderr
    assert 'overlap (Dice)' in r.stderr and (tmp_path / 'r.nii.gz').exists()
    r = ldae_cmd(
        'variations', '--ckpt', v['ckpt'], '--input', anat, '--out', tmp_path / 'v', '--quiet', '--strict', '--n', '2'
    )
    assert r.returncode == 2 and 'anatomical.nii: after preprocessing' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path / 'v').exists()  # refused before anything was written
    r = ldae_cmd('variations', '--ckpt', v['ckpt'], '--input', v['scans'][0], '--out', tmp_path / 'ok', '--strict')
    assert r.returncode == 0 and 'ScanCheckWarning' not in r.stderr, r.stderr  # a SynthAD scan passes
