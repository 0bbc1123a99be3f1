"Shared fixtures: a small SynthAD cohort written once per test session."

import os, sys, subprocess
from pathlib import Path
import pytest

os.environ.setdefault('MPLBACKEND', 'Agg')


def ldae_cmd(*args, check=False, timeout=600):
    "Run the installed `ldae` command (the same interpreter's entry point) and return the CompletedProcess."
    exe = Path(sys.executable).parent / 'ldae'
    cmd = [str(exe)] if exe.exists() else [sys.executable, '-m', 'ldae.cli']
    r = subprocess.run(
        cmd + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, 'MPLBACKEND': 'Agg'},
    )
    if check and r.returncode != 0:
        raise AssertionError(f'ldae {args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}')
    return r


@pytest.fixture(scope='session')
def small_cohort(tmp_path_factory):
    "A 6-subject SynthAD cohort at 32×40×32 written with `ldae synth`."
    out = tmp_path_factory.mktemp('cohort')
    ldae_cmd('synth', '--out', out, '--n-subjects', 6, '--shape', 32, 40, 32, '--seed', 3, '--quiet', check=True)
    return out


@pytest.fixture(scope='session')
def small_latents(small_cohort, tmp_path_factory):
    "A 1-epoch autoencoder of `small_cohort` and its cached latents: (ae.ckpt, latent CSV)."
    out = tmp_path_factory.mktemp('ae1')
    ldae_cmd(
        'fit',
        '--config',
        'aekl',
        '--csv',
        small_cohort / 'cohort.csv',
        '--out',
        out,
        '--quiet',
        'train.epochs=1',
        'data.val=0.2',
        'data.test=0.2',
        check=True,
    )
    ldae_cmd(
        'save-latents',
        '--csv',
        small_cohort / 'cohort.csv',
        '--ae',
        out / 'ae.ckpt',
        '--out',
        out / 'latents',
        '--quiet',
        check=True,
    )
    return out / 'ae.ckpt', small_cohort / 'cohort_with_compressed_latent.csv'
