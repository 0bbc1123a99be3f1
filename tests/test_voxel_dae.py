"The voxel-space DAE baseline through `ldae fit --config voxel_dae`: trains, resumes, and its model reconstructs."

import json
import torch
from conftest import ldae_cmd, fit_args
from ldae.voxel_dae import load_voxel_dae
from ldae.data import read_cohort, VolumeDataset

SMALL = [
    'data.val=0.2',
    'data.test=0.2',
    'data.batch_size=4',
    'train.eval_steps=3',
    'train.eval_scans=2',
    'encoder.dim=16',
    'encoder.heads=2',
    'encoder.channels=[8, 8]',
]


def test_fit_voxel_dae_and_resume(small_cohort, tmp_path):
    csv = small_cohort / 'cohort.csv'
    r = ldae_cmd(*fit_args('voxel_dae', csv, tmp_path, 'train.epochs=1', *SMALL), check=True)
    assert 'voxel DAE:' in r.stdout and 'voxel_dae.ckpt' in r.stdout
    s = json.loads((tmp_path / 'summary.json').read_text())
    assert s['test']['n_scans'] == 2 and 0 < s['test']['ssim'] <= 1
    ldae_cmd(*fit_args('voxel_dae', csv, tmp_path, 'train.epochs=2', *SMALL), '--resume', check=True)
    s2 = json.loads((tmp_path / 'summary.json').read_text())
    assert s2['resumed_from_epoch'] == 1 and s2['steps'] == 2 * s['steps']
    m = load_voxel_dae(tmp_path / 'voxel_dae.ckpt')
    assert m.input_shape == (32, 40, 32)
    ds = VolumeDataset(read_cohort(csv).head(1), m.input_shape, m.spacing)
    r = m.reconstruct(ds[0][None], steps=3)
    assert r.shape == (1, 1, 32, 40, 32) and torch.isfinite(r).all()
