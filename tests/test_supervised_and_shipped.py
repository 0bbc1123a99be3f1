"The supervised baseline through `ldae fit`, and a shipped bundle made from a trained one: export, verify, load."

import json
import numpy as np, pandas as pd
import pytest
from conftest import ldae_cmd
from pathlib import Path
from ldae.pretrained import export_bundle, pretrained, reproduction_check, pretrained_file
from ldae.pretrained import list_pretrained, pretrained_info
from ldae.probe import load_probe
from ldae.pipeline import load_ldae
from ldae.supervised import load_supervised

SMALL = [
    'data.val=0.2',
    'data.test=0.2',
    'data.batch_size=4',
    'train.epochs=2',
    'encoder.dim=16',
    'encoder.heads=2',
    'encoder.channels=[8, 8]',
]


@pytest.mark.parametrize('config', ['classification', 'regression'])
def test_fit_supervised_baseline(small_cohort, tmp_path, config):
    csv = small_cohort / 'cohort.csv'
    r = ldae_cmd('fit', '--config', config, '--csv', csv, '--out', tmp_path, '--quiet', *SMALL)
    if r.returncode == 2:  # a 6-subject split can lack AD or CN among train/val: refused, saying so, nothing written
        assert 'one class only' in r.stderr or 'no scans' in r.stderr, r.stderr
        assert not (tmp_path / 'supervised.ckpt').exists()
        return
    assert r.returncode == 0, r.stderr
    assert f'supervised {config}' in r.stdout
    s = json.loads((tmp_path / 'summary.json').read_text())
    m = load_supervised(tmp_path / 'supervised.ckpt')
    assert m.task == ('ad_cn' if config == 'classification' else 'regression')
    pred = pd.read_csv(tmp_path / 'test_predictions.csv')
    assert len(pred) == s['test']['n_test_scans'] and np.isfinite(pred.y_pred).all()
    if config == 'regression':  # predictions are in years, around the training mean
        assert abs(pred.y_pred.mean() - float(m.y_mean)) < 30


def test_supervised_refuses_a_wrong_target(small_cohort, tmp_path):
    r = ldae_cmd(
        'fit',
        '--config',
        'classification',
        '--csv',
        small_cohort / 'cohort.csv',
        '--out',
        tmp_path,
        '--quiet',
        'target=age',
        *SMALL,
    )
    assert r.returncode == 2 and "predicts `diagnosis` (AD vs CN), not 'age'" in r.stderr


def test_shipped_bundle_reproduces_its_record(bundle, tmp_path):
    prov = export_bundle(bundle / 'ldae.ckpt', tmp_path / 'b', command='(test)', seed=0)
    full, half = (bundle / 'ldae.ckpt').stat().st_size, prov['files']['ldae.ckpt']['bytes']
    assert half < 0.6 * full
    m = pretrained(tmp_path / 'b')
    again = reproduction_check(m, **{k: prov['reproduction'][k] for k in ('seed', 'n_subjects', 'steps')})
    assert abs(again['ae_ssim'] - prov['reproduction']['ae_ssim']) < 1e-6  # same weights, same fresh scans
    ref = reproduction_check(load_ldae(bundle / 'ldae.ckpt'))  # float32 weights: half precision costs < 0.005 SSIM
    assert abs(ref['ae_ssim'] - prov['reproduction']['ae_ssim']) < 5e-3
    assert abs(ref['ldae_ssim'] - prov['reproduction']['ldae_ssim']) < 5e-3
    assert m.ysem_stats is not None and m.provenance['command'] == '(test)'


def test_corrupt_shipped_file_is_refused(bundle, tmp_path):
    export_bundle(bundle / 'ldae.ckpt', tmp_path / 'b')
    p = tmp_path / 'b' / 'ldae.ckpt'
    p.write_bytes(p.read_bytes()[:-100])  # a truncated download
    with pytest.raises(ValueError, match='ldae.ckpt: corrupt'):
        pretrained(tmp_path / 'b')
    (tmp_path / 'b' / 'provenance.json').write_text('{not json')
    with pytest.raises(ValueError, match='damaged provenance file'):
        pretrained_file('ldae.ckpt', tmp_path / 'b')


@pytest.mark.parametrize('name', list_pretrained())
def test_the_shipped_models_reproduce_their_record(name):
    "Every bundle in the package loads strictly and reproduces its recorded SSIM on freshly synthesised scans."
    m = pretrained(name)  # hash-checked, strict state-dict loading
    rec = m.provenance['reproduction']
    again = reproduction_check(m, **{k: rec[k] for k in ('seed', 'n_subjects', 'steps')})
    # the same weights and scans; only float rounding of another CPU may differ
    assert abs(again['ae_ssim'] - rec['ae_ssim']) < 2e-3, (again, rec)
    assert abs(again['ldae_ssim'] - rec['ldae_ssim']) < 2e-3, (again, rec)
    assert m.ysem_stats is not None
    for f in ('supervised.ckpt', 'ad_cn_probe.json', 'age_probe.json'):
        assert f in m.provenance['files'], f
    p = load_probe(pretrained_file('ad_cn_probe.json', name))
    assert p.weights.shape[-1] == m.encoder.dim


@pytest.mark.slow
@pytest.mark.parametrize('name', list_pretrained())
def test_retraining_reaches_the_shipped_quality(name, tmp_path):
    "Retrain with the recorded command (hours on 2 CPU cores) and compare with the recorded reproduction SSIM."
    import shlex, subprocess, sys

    prov = pretrained_info(name)
    args = shlex.split(prov['command'])[2:]  # after `python tools/train_models.py`
    i = args.index('--out')
    args[i + 1] = str(tmp_path / 'run')
    j = args.index('--export')
    args[j + 1] = str(tmp_path / 'bundle')
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(root / 'tools' / 'train_models.py'), *args, '--quiet'], check=True, cwd=root)
    new = pretrained_info(tmp_path / 'bundle')['reproduction']
    old = prov['reproduction']
    assert new['ae_ssim'] > old['ae_ssim'] - 0.01 and new['ldae_ssim'] > old['ldae_ssim'] - 0.01, (new, old)
