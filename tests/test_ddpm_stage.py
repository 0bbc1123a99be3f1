"Stage 2 end to end through the command line: fit the latent DDPM, resume after a kill, generation, and its errors."

import json
import pandas as pd, torch
import pytest
from conftest import ldae_cmd
from conftest import fit_args, kill_at_first_checkpoint
from ldae.core import load_checkpoint
from ldae.latent_ddpm import load_ddpm

FAST = ['data.batch_size=4', 'data.val=0.2', 'data.test=0.2', 'train.preview_every=1']


def ddpm_args(small_latents, out, *more) -> list:
    "`fit_args` of stage 2 on the small cohort's latents."
    ae, csv = small_latents
    return fit_args('ldae_pretrain', csv, out, '--ae', ae, *more)


@pytest.fixture(scope='module')
def run(small_latents, tmp_path_factory):
    out = tmp_path_factory.mktemp('ddpm')
    r = ldae_cmd(*ddpm_args(small_latents, out, 'train.epochs=2', *FAST), check=True)
    assert 'latent DDPM' in r.stdout and 'ddpm.ckpt' in r.stdout
    return out


def test_fit_ddpm_writes_a_usable_model(small_latents, run):
    ae, csv = small_latents
    out = run
    s = json.loads((out / 'summary.json').read_text())
    assert s['steps'] > 0 and s['latent_shape'] == [8, 8, 10, 8] and s['best_valid_loss'] < 1.5
    assert list(pd.read_csv(out / 'history.csv').epoch) == [0, 1]
    assert len(list((out / 'figures').glob('samples_epoch*.png'))) == 2
    ld = load_ddpm(out / 'ddpm.ckpt', ae=ae)
    x = ld.generate(2, S=5, seed=0)
    assert x.shape == (2, 1, 32, 40, 32) and torch.isfinite(x).all()
    assert torch.equal(x, ld.generate(2, S=5, seed=0))  # same seed, same samples


def test_resume_after_kill_continues_step_and_ema(small_latents, tmp_path):
    out = tmp_path / 'run'
    args = ddpm_args(small_latents, out, 'train.epochs=12', *FAST[:3])
    kill_at_first_checkpoint(args, out)
    ck = load_checkpoint(out / 'last.ckpt', 'ddpm_training')
    done = int(ck['epoch'])
    assert done < 11 and ck['ema_updates'] == ck['step']
    ldae_cmd(*args, '--resume', check=True)
    h = pd.read_csv(out / 'history.csv')
    assert list(h.epoch) == list(range(12))
    ck = load_checkpoint(out / 'last.ckpt', 'ddpm_training')
    assert ck['ema_updates'] == ck['step'] == h.step.iloc[-1]  # EMA once per optimizer step, across the restart
    assert json.loads((out / 'summary.json').read_text())['resumed_from_epoch'] == done + 1


def test_ddpm_needs_ae_and_latents(small_cohort, small_latents, tmp_path):
    ae, csv = small_latents
    r = ldae_cmd(*fit_args('ldae_pretrain', csv, tmp_path / 'a'))
    assert r.returncode == 2 and '--ae' in r.stderr and 'Traceback' not in r.stderr
    r = ldae_cmd(*fit_args('ldae_pretrain', small_cohort / 'cohort.csv', tmp_path / 'b', '--ae', ae))
    assert r.returncode == 2 and 'ldae save-latents' in r.stderr


def test_ddpm_from_another_autoencoder_is_refused(small_latents, run, tmp_path):
    ae, csv = small_latents
    from ldae.autoencoder import load_autoencoder, save_autoencoder

    other = load_autoencoder(ae)
    other.scale_factor.mul_(2)
    save_autoencoder(tmp_path / 'other.ckpt', other)
    with pytest.raises(Exception, match='scale factor'):
        load_ddpm(run / 'ddpm.ckpt', ae=tmp_path / 'other.ckpt')


def test_nan_loss_stops_with_the_step(small_latents, tmp_path):
    nan_lr = ['train.epochs=3', 'train.lr=1e30', 'train.schedule=constant', *FAST]
    r = ldae_cmd(*ddpm_args(small_latents, tmp_path / 'n', *nan_lr))
    assert r.returncode == 1 and 'non-finite loss' in r.stderr and 'at step' in r.stderr and 'Traceback' not in r.stderr


def test_cpu_preset_centres_latents_on_the_training_split(small_latents, run):
    "ddpm.ckpt keeps the mean training latent; (μ − mean)·scale of the training latents has mean 0 and std 1."
    ae, csv = small_latents
    from ldae.data import cohort_splits, LatentDataset

    s = json.loads((run / 'summary.json').read_text())
    assert s['centred'] is True
    df = cohort_splits(csv, 0.2, 0.2, 0)
    tr = df[df.split == 'train']
    mu = torch.stack([LatentDataset(tr).latent(i) for i in range(len(tr))])
    ld = load_ddpm(run / 'ddpm.ckpt', ae=ae)
    assert torch.allclose(ld.latent_mean, mu.mean(0), atol=1e-5)
    z = ld.to_diffusion(mu)
    assert abs(float(z.mean())) < 1e-4 and abs(float(z.std()) - 1) < 1e-3
    from ldae.autoencoder import load_autoencoder

    assert abs(ld.scale_factor - float(load_autoencoder(ae).scale_factor)) > 1e-3  # its own scale, not the AE's
    assert abs(s['ae_latent_spread']['total_std'] - 1) < 0.2  # the AE's scaled latents: std ≈ 1 over the whole cohort


def test_resume_with_other_latent_normalisation_is_refused(small_latents, run):
    r = ldae_cmd(*ddpm_args(small_latents, run, '--resume', 'train.epochs=3', 'data.centre=false', *FAST))
    assert r.returncode == 2 and 'trained on latents centred' in r.stderr and 'Traceback' not in r.stderr
