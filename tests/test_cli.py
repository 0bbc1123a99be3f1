"The `ldae` command: help, options reaching the config, synth (determinism, reload), demo (report + metrics), errors."

import json, hashlib
from pathlib import Path
import numpy as np, pandas as pd, nibabel as nib
import pytest
from conftest import ldae_cmd
from ldae.cli import build_parser, fit_config
from ldae.data import cohort_splits, read_cohort, VolumeDataset, cohort_dls
from ldae.demo import demo_config


def test_help_lists_commands():
    r = ldae_cmd('--help')
    assert r.returncode == 0
    for c in ['synth', 'demo']:
        assert c in r.stdout
    r = ldae_cmd('synth', '--help')
    assert r.returncode == 0 and '--n-subjects' in r.stdout and '--seed' in r.stdout and '--device' in r.stdout


def test_no_command_is_an_error():
    assert ldae_cmd().returncode != 0


FIT = ['fit', '--config', 'aekl', '--csv', 'cohort.csv', '--out', 'run']


@pytest.mark.parametrize(
    'args,seed',
    [
        ([], 0),  # the cpu preset's train.seed
        (['--preset', 'paper'], 42),  # the paper preset's
        (['--seed', '3'], 3),
        (['--seed=3'], 3),
        (['--se', '3'], 3),
        (['--se=3'], 3),
        (['--seed=0', '--preset=paper'], 0),  # an explicit 0 is not "the preset's"
        (['--pre', 'paper', '--se', '0'], 0),
        (['train.seed=5'], 5),
        (['train.seed=5', '--se=3'], 3),  # --seed wins over an override
    ],
)
def test_fit_seed_reaches_the_config(args, seed):
    assert fit_config(build_parser().parse_args(FIT + args))['train']['seed'] == seed


@pytest.mark.parametrize('seed', [['--seed', '7'], ['--seed=7'], ['--se', '7'], ['--se=7']])
@pytest.mark.parametrize(
    'stage,epochs,minutes',
    [
        ('aekl', ['--ae-epochs', '2'], ['--ae-minutes', '1.5']),
        ('ldae_pretrain', ['--ddpm-epochs=2'], ['--ddpm-minutes=1.5']),
        ('ldae_repr_learn', ['--ldae-ep', '2'], ['--ldae-min=1.5']),
    ],
)
def test_demo_options_reach_the_stage_configs(seed, stage, epochs, minutes):
    a = build_parser().parse_args(['demo', *seed, *epochs, *minutes])
    key = {'aekl': 'ae', 'ldae_pretrain': 'ddpm', 'ldae_repr_learn': 'ldae'}[stage]
    cfg = demo_config(stage, a.seed, getattr(a, f'{key}_epochs'), getattr(a, f'{key}_minutes'))
    assert (cfg['train']['seed'], cfg['train']['epochs'], cfg['train']['max_minutes']) == (7, 2, 1.5)


def test_demo_zero_epochs_is_an_error(tmp_path):
    r = ldae_cmd('demo', '--train', '--out', tmp_path / 'demo', '--ae-epochs', 0, '--n-subjects', 4, '--quiet')
    assert r.returncode == 2 and '0 epochs' in r.stderr and 'Traceback' not in r.stderr


def test_demo_train_flag_and_models_option(tmp_path):
    a = build_parser().parse_args(['demo'])
    assert (a.train, a.models, a.shape, a.n_subjects) == (None, 'synthad-cpu', None, None)
    assert build_parser().parse_args(['demo', '--train']).train is True
    r = ldae_cmd('demo', '--out', tmp_path / 'demo', '--models', tmp_path / 'nowhere', '--quiet')
    assert r.returncode == 2 and 'no such shipped bundle' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path / 'demo').exists()


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob('*.nii.gz')):
        h.update(str(p.relative_to(folder)).encode())
        h.update(nib.load(p).get_fdata(dtype=np.float32).tobytes())
    return h.hexdigest()


def _synth(out, *seed):
    "`ldae synth` of the 6-subject cohort of `small_cohort` (conftest) into `out`, with the --seed spelling `seed`."
    ldae_cmd('synth', '--out', out, '--n-subjects', 6, '--shape', 32, 40, 32, *seed, '--quiet', check=True)


def test_synth_is_deterministic(small_cohort, tmp_path):
    _synth(tmp_path / 'again', '--seed=3')
    assert (small_cohort / 'cohort.csv').read_bytes() == (tmp_path / 'again' / 'cohort.csv').read_bytes()
    assert _digest(small_cohort) == _digest(tmp_path / 'again')
    _synth(tmp_path / 'other', '--seed', 4)
    assert _digest(small_cohort) != _digest(tmp_path / 'other')


def test_synth_cohort_layout_and_reload(small_cohort):
    df = pd.read_csv(small_cohort / 'cohort.csv')
    columns = 'subject path diagnosis session age latent_path severity ventricle_ml hippocampus_ml split'.split()
    assert list(df.columns) == columns
    assert df.path.str.match(r'sub-\d{4}/ses-M\d{2}/anat/sub-\d{4}_ses-M\d{2}_T1w\.nii\.gz').all()
    assert df.groupby('subject').split.nunique().max() == 1
    img = nib.load(small_cohort / df.path[0])
    assert img.shape == (32, 40, 32) and np.allclose(np.diag(img.affine)[:3], 6.0)
    before = (small_cohort / 'cohort.csv').read_bytes()
    d = cohort_splits(small_cohort / 'cohort.csv')
    assert (small_cohort / 'cohort.csv').read_bytes() == before
    ds = VolumeDataset(d, (32, 40, 32), target='self')
    x, y = ds[len(ds) - 1]
    assert x.shape == (1, 32, 40, 32) and float(x.min()) == 0.0 and float(x.max()) == 1.0
    xb, _ = cohort_dls(d, 'volume', bs=2, shape=(32, 40, 32), target='self').one_batch()
    assert xb.shape == (2, 1, 32, 40, 32)


@pytest.mark.parametrize(
    'args,msg',
    [
        (['--n-subjects', '0'], 'n_subjects=0'),
        (['--shape', '32', '40', '4'], 'shape'),
        (['--sessions', '-6'], 'sessions'),
        (['--device', 'tpu'], "'tpu'"),
    ],
)
def test_synth_bad_arguments(tmp_path, args, msg):
    r = ldae_cmd('synth', '--out', tmp_path / 'x', '--quiet', *args)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr


def test_demo_writes_report_and_metrics_contract(tiny_demo):
    out = tiny_demo
    m = json.loads(
        (out / 'metrics.json').read_text(),
        parse_constant=lambda c: pytest.fail(f'metrics.json holds {c}: not valid JSON (null expected)'),
    )
    for k in ['cohort', 'ae', 'lddim', 'ldae', 'probe', 'manipulation', 'interpolation', 'timing', 'versions']:
        assert k in m
    assert m['cohort']['n_subjects'] == 10 and m['cohort']['shape'] == [32, 40, 32]
    assert m['cohort']['n_scans'] == len(pd.read_csv(out / 'cohort' / 'cohort.csv'))
    # every section computed its numbers: none is a made-up value
    assert (
        0 < m['ae']['ssim'] <= 1
        and m['ae']['lpips'] is None
        and all(0 < m['lddim']['ssim'][s] <= 1 for s in ['10', '20', '50', '100'])
    )
    assert (
        all(0 < m['ldae']['ssim_encoded'][s] <= 1 for s in ['10', '20', '50', '100'])
        and 0 < m['ldae']['ssim_ysem_only'] <= 1
    )
    assert (
        m['ldae']['ventricle_spread_ml'] > 0 and (m['ldae']['ventricle_err_ml_ysem_only'] or 0) >= 0
    )  # None when no 1-epoch decode is T1-like
    assert m['versions']['torch']
    md = (out / 'report.md').read_text()
    # the verbs section: a fraction where decodes could be measured, else null; never a number without a run
    assert '## Manipulation, variations, interpolation' in md
    f = m['manipulation']['monotone_fraction']
    assert f is None or 0 <= f <= 1
    if m['manipulation'].get('n_subjects') is None:
        assert 'Not run' in md and f is None
    assert set(m['variation']) >= {'ventricle_sd_ml', 'between_subject_sd_ml'}
    # 10 subjects: the probes run when the split holds both classes, else say why; never a number without a fit
    assert '## Linear probes' in md
    if m['probe']['ad_cn_auc'] is None:
        assert 'Not run: the demo cohort is too small' in md
    else:
        assert 0 <= m['probe']['ad_cn_auc'] <= 1 and m['probe']['chance_ad_cn_auc'] == 0.5
        assert (out / 'figures' / 'probe_roc.png').exists() and (out / 'probe' / 'ad_cn_probe.json').exists()
    assert 'Cohort (SynthAD)' in md and 'Pearson r' in md
    # the epoch options reach the stages, and the report names them in its command line
    assert m['ae']['epochs'] == 1 and '--seed 0 --ae-epochs 1 --ddpm-epochs 1 --ldae-epochs 1 --train`' in md
    for fig in [
        'cohort_examples',
        'cohort_volumes',
        'ddpm_samples',
        'lddim_reconstruction',
        'ldae_reconstruction',
        'ldae_slice_attention',
    ]:
        assert (out / 'figures' / f'{fig}.png').stat().st_size > 10_000 and f'figures/{fig}.png' in md
    html = (out / 'report.html').read_text()
    assert '<table>' in html and '<img' in html


def test_bench_writes_its_contract(tmp_path):
    "`ldae bench` on the shipped models (a quick setting): bench.json's keys, bench.md, the scaling figure."
    args = ['--steps', 2, '--subjects', 1, '--speed-steps', 2, '--scaling', 2, '--batches', 1, 2, '--quiet']
    r = ldae_cmd('bench', '--out', tmp_path, *args, check=True)
    assert 'LDAE vs voxel DAE' in r.stdout
    b = json.loads((tmp_path / 'bench.json').read_text())
    assert {'speed', 'quality', 'downstream', 'versions', 'machine'} <= set(b)
    s = b['speed']
    assert s['ldae_vs_voxel_dae'] > 1
    assert s['guided_vs_unguided'] > 1  # a guided step runs ε_θ and the estimator G_ψ, an unguided one ε_θ alone
    assert abs(s['loop_overhead']) < 0.5  # the DDIM loop adds little to its network calls (noise either side of 0)
    assert s['ldae_vs_voxel_dae_per_step'] > 1  # a step on the latent grid costs less than one on the scan grid
    assert 'per denoising step' in r.stdout and 'one denoising step at batch 1' in (tmp_path / 'bench.md').read_text()
    assert [(g['S'], g['batch']) for g in s['scaling']] == [(2, 1), (2, 2)]
    assert all(q['lpips'] is None for q in b['quality'])  # no LPIPS weights offline: unavailable, never a number
    assert '| LDAE encoded | 2 |' in (tmp_path / 'bench.md').read_text()
    assert b['machine']['compiled'] is False and 'Both models eager' in (tmp_path / 'bench.md').read_text()
    assert (tmp_path / 'figures' / 'bench_scaling.png').stat().st_size > 1000
    r = ldae_cmd('bench', '--out', tmp_path / 'x', '--subjects', 0)
    assert r.returncode == 2 and '--subjects [0]: expected ≥ 1' in r.stderr and not (tmp_path / 'x').exists()
