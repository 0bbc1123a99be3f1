"Every `ldae fit` stage under `torchrun` with two CPU processes (gloo): one checkpoint set, resume across world sizes."

import json, os, subprocess, sys
from pathlib import Path
import pandas as pd
import pytest
from conftest import ldae_cmd, fit_args, stage3_args, FAST
from ldae.core import load_checkpoint

SMALL_ENCODER = ['encoder.dim=16', 'encoder.heads=2', 'encoder.channels=[8, 8]']


def launch(*args, procs=2, timeout=600):
    "`ldae ARGS…` started by torchrun as `procs` processes on this machine (one thread each)."
    exe = Path(sys.executable).parent / 'ldae'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc-per-node={procs}', str(exe)]
    env = {**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'}
    r = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0, f'{args} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}'
    return r


def one_checkpoint_set(out: Path, model: str, epochs: int):
    "OUT holds one set of checkpoints, no temporary file, a history of `epochs` epochs; the summary says 2 processes."
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert [n for n in names if n.endswith('.ckpt')] == sorted([model, 'best.ckpt', 'last.ckpt']), names
    assert not [n for n in names if 'tmp' in n], names
    assert list(pd.read_csv(out / 'history.csv').epoch) == list(range(epochs))
    assert json.loads((out / 'summary.json').read_text())['world_size'] == 2


def test_autoencoder_two_processes(small_cohort, tmp_path):
    out = tmp_path / 'ae'
    r = launch(*fit_args('aekl', small_cohort / 'cohort.csv', out, 'train.epochs=2', *FAST, quiet=False))
    assert r.stdout.count('autoencoder: best epoch') == 1  # rank 0 reports, rank 1 is silent
    assert r.stdout.count('epoch 1 ') == 1
    one_checkpoint_set(out, 'ae.ckpt', 2)


def test_ddpm_two_processes(small_latents, tmp_path):
    ae, csv = small_latents
    out = tmp_path / 'ddpm'
    launch(*fit_args('ldae_pretrain', csv, out, '--ae', ae, 'train.epochs=2', 'train.preview_every=1', *FAST))
    one_checkpoint_set(out, 'ddpm.ckpt', 2)
    ck = load_checkpoint(out / 'last.ckpt', 'ddpm_training')
    assert ck['ema_updates'] == ck['step'] > 0  # the EMA moved once per optimizer step, not once per process
    assert len(list((out / 'figures').glob('samples_epoch*.png'))) == 2  # one figure per epoch, not per process


def test_stage3_two_processes(small_latents, ddpm, tmp_path):
    out = tmp_path / 'ldae'
    more = ['train.epochs=2', 'train.val_steps=3', 'train.schedule=constant', *FAST]
    launch(*stage3_args(small_latents, ddpm, out, *more))
    one_checkpoint_set(out, 'ldae.ckpt', 2)


def test_supervised_with_batchnorm_two_processes(small_cohort, tmp_path):
    out = tmp_path / 'sup'
    launch(*fit_args('regression', small_cohort / 'cohort.csv', out, 'train.epochs=2', *FAST, *SMALL_ENCODER))
    one_checkpoint_set(out, 'supervised.ckpt', 2)  # BatchNorm statistics averaged: the replica check passed


def test_resume_across_world_sizes(small_cohort, tmp_path):
    out = tmp_path / 'ae'
    args = fit_args('aekl', small_cohort / 'cohort.csv', out, *FAST)
    launch(*args, 'train.epochs=1')  # two processes
    ldae_cmd(*args, 'train.epochs=2', '--resume', check=True)  # one
    launch(*args, 'train.epochs=3', '--resume')  # two again
    h = pd.read_csv(out / 'history.csv')
    assert list(h.epoch) == [0, 1, 2]
    steps = list(h.step)  # one process takes more optimizer steps per epoch than two with the same per-process batch
    assert steps[1] - steps[0] > steps[2] - steps[1] > 0, steps
    s = json.loads((out / 'summary.json').read_text())
    assert s['resumed_from_epoch'] == 2 and s['world_size'] == 2


def test_embed_and_reconstruct_shared_by_two_processes(small_cohort, bundle, tmp_path):
    csv, ckpt = small_cohort / 'cohort.csv', bundle / 'ldae.ckpt'
    ldae_cmd('embed', '--ckpt', ckpt, '--csv', csv, '--out', tmp_path / 'one.csv', '--quiet', check=True)
    r = launch('embed', '--ckpt', ckpt, '--csv', csv, '--out', tmp_path / 'two.csv', '--quiet')
    assert r.stdout.count('wrote ') == 1
    one, two = pd.read_csv(tmp_path / 'one.csv'), pd.read_csv(tmp_path / 'two.csv')
    assert list(two.path) == list(one.path)  # every scan once, in the CSV's order
    assert abs(two.iloc[:, 3:].to_numpy() - one.iloc[:, 3:].to_numpy()).max() < 1e-4
    scans = sorted(small_cohort.glob('sub-*/ses-*/anat/*.nii.gz'))[:3]
    r = launch('reconstruct', '--ckpt', ckpt, '--input', *scans, '--out', tmp_path / 'rec', '--steps', 3, '--quiet')
    assert sorted(p.name for p in (tmp_path / 'rec').iterdir()) == sorted(
        p.name.replace('_T1w.nii.gz', '_T1w_recon.nii.gz') for p in scans
    )
    assert r.stdout.count('reconstructed 3 scan(s)') == 1
