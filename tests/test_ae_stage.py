"Stage 1 end to end through the command line: fit, resume after a kill, save-latents, and the input errors."

import json, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, torch
import pytest
from conftest import ldae_cmd, fit_args, kill_at_first_checkpoint
from ldae.data import read_cohort, load_latent, load_volume
from ldae.autoencoder import load_autoencoder
from ldae.core import load_checkpoint

FAST = ['data.batch_size=4', 'data.val=0.2', 'data.test=0.2']


@pytest.fixture(scope='module')
def trained(small_cohort, tmp_path_factory):
    out = tmp_path_factory.mktemp('ae')
    r = ldae_cmd(*fit_args('aekl', small_cohort / 'cohort.csv', out, 'train.epochs=2', *FAST, quiet=False), check=True)
    assert 'held-out SSIM' in r.stdout
    # stdout is a pipe, not a terminal: no progress-bar redraws, one line per epoch
    epochs = [line.split()[:3] for line in r.stdout.splitlines() if line.startswith('epoch ')]
    assert '\r' not in r.stdout and epochs == [['epoch', '0', 'train_loss'], ['epoch', '1', 'train_loss']]
    return out


def test_fit_writes_artefacts(trained):
    s = json.loads((trained / 'summary.json').read_text())
    assert 0 < s['test']['ssim'] <= 1 and s['test']['lpips'] is None and s['scale_factor'] > 0
    h = pd.read_csv(trained / 'history.csv')
    assert list(h.epoch) == [0, 1]
    for f in ['ae.ckpt', 'best.ckpt', 'last.ckpt']:
        assert (trained / f).is_file()
    ae = load_autoencoder(trained / 'ae.ckpt')
    assert ae.input_shape == (32, 40, 32) and abs(float(ae.scale_factor) - s['scale_factor']) < 1e-6


def test_resume_after_kill_continues_from_last_step(small_cohort, tmp_path):
    out = tmp_path / 'run'
    args = fit_args('aekl', small_cohort / 'cohort.csv', out, 'train.epochs=6', *FAST)
    kill_at_first_checkpoint(args, out)
    ck = load_checkpoint(out / 'last.ckpt', 'ae_training')
    done_epoch, done_step = int(ck['epoch']), int(ck['step'])
    assert done_epoch < 5
    ldae_cmd(*args, '--resume', check=True)
    h = pd.read_csv(out / 'history.csv')
    assert list(h.epoch) == list(range(6))  # no epoch lost, none repeated
    steps_per_epoch = done_step // (done_epoch + 1)
    assert list(h.step) == [steps_per_epoch * (e + 1) for e in range(6)]  # the step counter continued
    s = json.loads((out / 'summary.json').read_text())
    assert s['resumed_from_epoch'] == done_epoch + 1


def test_resume_without_checkpoint_is_an_error(small_cohort, tmp_path):
    r = ldae_cmd(*fit_args('aekl', small_cohort / 'cohort.csv', tmp_path / 'none', '--resume'))
    assert r.returncode == 2 and 'no ' in r.stderr and 'last.ckpt' in r.stderr


def test_unknown_config_key_is_an_error(small_cohort, tmp_path):
    r = ldae_cmd(*fit_args('aekl', small_cohort / 'cohort.csv', tmp_path / 'x', 'train.epoch=3', quiet=False))
    assert r.returncode == 2 and "unknown config key 'train.epoch'" in r.stderr


def test_save_latents(trained, small_cohort, tmp_path):
    import shutil

    c = tmp_path / 'c'
    shutil.copytree(small_cohort, c)
    before = (c / 'cohort.csv').read_bytes()
    ldae_cmd(
        'save-latents', '--csv', c / 'cohort.csv', '--ae', trained / 'ae.ckpt', '--batch-size', 1, '--quiet', check=True
    )
    assert (c / 'cohort.csv').read_bytes() == before
    new = read_cohort(c / 'cohort_with_compressed_latent.csv')
    assert (new.latent_path != '').all() and list(new.path) == list(pd.read_csv(c / 'cohort.csv').path)
    ae = load_autoencoder(trained / 'ae.ckpt')
    z = load_latent(new._latent.iloc[2], (8, 8, 10, 8))
    with torch.no_grad():
        mu = ae.encode(load_volume(new._path.iloc[2], (32, 40, 32)).as_tensor()[None])[0][0]
    assert torch.equal(z, mu)
    assert np.load(new._latent.iloc[2])['std'].shape == (8, 8, 10, 8)


def test_bad_checkpoints(trained, small_cohort, tmp_path):
    def save_latents_with(ae):
        return ldae_cmd(
            'save-latents', '--csv', small_cohort / 'cohort.csv', '--ae', ae, '--out', tmp_path / 'l', '--quiet'
        )

    (tmp_path / 'corrupt.ckpt').write_bytes(b'\x00' * 100)
    r = save_latents_with(tmp_path / 'corrupt.ckpt')
    assert r.returncode == 2 and 'cannot be read as an ldae checkpoint' in r.stderr
    r = save_latents_with(tmp_path / 'missing.ckpt')
    assert r.returncode == 2 and 'checkpoint not found' in r.stderr
    # a checkpoint of another architecture under the autoencoder kind
    ck = torch.load(trained / 'ae.ckpt', weights_only=True)
    ck['config']['channels'] = [8, 16, 16]
    torch.save(ck, tmp_path / 'other.ckpt')
    r = save_latents_with(tmp_path / 'other.ckpt')
    assert r.returncode == 2 and 'weights do not fit this model' in r.stderr
