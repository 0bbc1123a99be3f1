"Stage 3 end to end through the command line: fit the representation, the bundle, `ldae reconstruct`, resume, errors."

import json
import numpy as np, nibabel as nib, pandas as pd, torch
import pytest
from conftest import ldae_cmd
from conftest import fit_args, kill_at_first_checkpoint, stage3_args, FAST
from ldae.core import load_checkpoint
from ldae.pipeline import load_ldae
from ldae.data import read_cohort


def reconstruct(ckpt, inputs, out, *more, check=False):
    "`ldae reconstruct --ckpt CKPT --input INPUTS… --out OUT MORE…`."
    return ldae_cmd('reconstruct', '--ckpt', ckpt, '--input', *inputs, '--out', out, *more, check=check)


def test_fit_writes_bundle_and_history(bundle):
    s = json.loads((bundle / 'summary.json').read_text())
    assert s['steps'] > 0 and 0 < s['best_ssim_ysem'] <= 1
    h = pd.read_csv(bundle / 'history.csv')
    assert list(h.epoch) == [0, 1, 2] and 'ssim_ysem' in h
    m = load_ldae(bundle / 'ldae.ckpt')
    assert m.ae.input_shape == (32, 40, 32)
    assert (m.steps, m.scale, m.stop) == (100, 1.5, 0.0)  # the cpu config's `sample`
    ck = load_checkpoint(bundle / 'last.ckpt', 'ldae_training')
    assert not any(k.startswith('denoiser.ddpm') for k in ck['state_dict'])  # no frozen ε_θ in training checkpoints


def test_reconstruct_command_keeps_affine(small_cohort, bundle, tmp_path):
    df = read_cohort(small_cohort / 'cohort.csv')
    src = df._path[0]
    reconstruct(bundle / 'ldae.ckpt', [src], tmp_path / 'r.nii.gz', '--steps', 5, '--quiet', check=True)
    a, b = nib.load(src), nib.load(tmp_path / 'r.nii.gz')
    assert b.shape == a.shape == (32, 40, 32) and np.allclose(a.affine, b.affine)
    v = b.get_fdata()
    assert np.isfinite(v).all() and 0 <= v.min() and v.max() <= 1 and v.std() > 0.05
    reconstruct(bundle / 'ldae.ckpt', df._path[:2], tmp_path / 'many', '--steps', 3, '--quiet', check=True)
    assert len(list((tmp_path / 'many').glob('*_recon.nii.gz'))) == 2
    more = ['--steps', 5, '--scale', 0, '--quiet']
    r = reconstruct(bundle / 'ldae.ckpt', [src], tmp_path / 'r0.nii.gz', *more, check=True)
    assert 'guidance scale 0' in r.stdout and 'guidance scale 1.5' not in r.stdout
    r0 = nib.load(tmp_path / 'r0.nii.gz').get_fdata()
    assert not np.array_equal(r0, v)  # the bundle's scale 1.5 used G_ψ
    m = load_ldae(bundle / 'ldae.ckpt')
    with torch.no_grad():
        lddim = m.ddpm.reconstruct(m.load_scans(src), 5).clamp(0, 1)[0, 0].numpy()
    assert np.abs(r0 - lddim).max() < 1e-4  # scale 0: plain DDIM inversion and decoding


def test_reconstruct_errors(small_cohort, bundle, tmp_path):
    r = reconstruct(bundle / 'ldae.ckpt', [tmp_path / 'missing.nii.gz'], tmp_path / 'x.nii.gz')
    assert r.returncode == 2 and 'missing.nii.gz' in r.stderr and 'Traceback' not in r.stderr
    r = reconstruct(bundle / 'last.ckpt', [small_cohort / 'cohort.csv'], tmp_path / 'x.nii.gz')
    assert r.returncode == 2 and "'ldae_training' checkpoint; expected 'ldae'" in r.stderr
    for opt, bad, want in [
        ('--scale', -1, 'ldae reconstruct: scale=-1.0; expected a finite number ≥ 0'),
        ('--stop', 2, 'ldae reconstruct: stop=2.0; expected a fraction'),
        ('--steps', 0, 'ldae reconstruct: steps=0; expected a whole number ≥ 1'),
        ('--scale', 'nan', 'scale=nan'),
    ]:
        r = reconstruct(tmp_path / 'no_such.ckpt', [small_cohort / 'cohort.csv'], tmp_path / 'x.nii.gz', opt, bad)
        assert (
            r.returncode == 2 and want in r.stderr and 'Traceback' not in r.stderr
        )  # checked before reading the bundle


def test_different_codes_decode_differently(small_cohort, bundle):
    m = load_ldae(bundle / 'ldae.ckpt')
    df = read_cohort(small_cohort / 'cohort.csv')
    x = m.load_scans([df._path[0], df._path[len(df) - 1]])
    y = m.semantic(x)
    zT = m.noise(1).expand(2, -1, -1, -1, -1)
    r = m.decode(y, zT, steps=5)
    assert (r[0] - r[1]).abs().max() > 0  # same z_T, two codes → two scans


def test_resume_after_kill(small_latents, ddpm, tmp_path):
    out = tmp_path / 'run'
    args = stage3_args(small_latents, ddpm, out, 'train.epochs=6', 'train.val_steps=2', *FAST)
    kill_at_first_checkpoint(args, out)
    done = int(load_checkpoint(out / 'last.ckpt', 'ldae_training')['epoch'])
    assert done < 5
    ldae_cmd(*args, '--resume', check=True)
    h = pd.read_csv(out / 'history.csv')
    assert list(h.epoch) == list(range(6))
    ck = load_checkpoint(out / 'last.ckpt', 'ldae_training')
    assert ck['ema_updates'] == ck['step'] == h.step.iloc[-1]


def test_stage3_needs_ddpm(small_latents, tmp_path):
    ae, csv = small_latents
    r = ldae_cmd(*fit_args('ldae_repr_learn', csv, tmp_path / 'a', '--ae', ae))
    assert r.returncode == 2 and '--ddpm' in r.stderr


def test_bundle_carries_latent_normalisation_and_encoder_input_statistics(small_latents, ddpm, bundle):
    "The bundle keeps ddpm.ckpt's latent mean and scale; the cpu encoder's input statistics are the training scans'."
    from ldae.latent_ddpm import load_ddpm
    from ldae.data import cohort_splits, VolumeDataset

    ae, csv = small_latents
    m, d = load_ldae(bundle / 'ldae.ckpt'), load_ddpm(ddpm, ae=ae)
    assert d.latent_mean is not None and torch.equal(m.ddpm.latent_mean, d.latent_mean)
    assert m.ddpm.scale_factor == d.scale_factor
    df = cohort_splits(csv, 0.2, 0.2, 0)
    tr = df[df.split == 'train']
    x = torch.stack([VolumeDataset(tr, (32, 40, 32)).volume(i) for i in range(len(tr))])
    assert torch.allclose(m.encoder.input_mean, x.mean(0), atol=1e-5)
    assert abs(float(m.encoder.input_scale) * float(x.std(0).square().mean().sqrt()) - 1) < 1e-3
    assert type(m.encoder.norm).__name__ == 'BatchNorm1d' and m.denoiser.shift.config['width'] == 0.5
    # the cpu G_ψ's offset field comes back trained (it starts at zero: a loaded zero field would mean it was lost)
    assert m.denoiser.shift.config['latent_shape'] == list(m.ddpm.latent_shape)
    assert m.denoiser.shift.field.weight.abs().sum() > 0


def test_stage3_refuses_batchnorm_with_batches_of_one_and_a_changed_monitor(small_latents, ddpm, bundle, tmp_path):
    r = ldae_cmd(*stage3_args(small_latents, ddpm, tmp_path / 'b1', 'data.batch_size=1', *FAST[1:]))
    assert r.returncode == 2 and 'batch_size' in r.stderr and 'Traceback' not in r.stderr
    more = ['--resume', 'train.epochs=4', 'train.monitor=valid_loss', *FAST]
    r = ldae_cmd(*stage3_args(small_latents, ddpm, bundle, *more))
    assert r.returncode == 2 and "picked its best epoch by 'ssim_ysem'" in r.stderr
