"Shared fixtures: a small SynthAD cohort written once per test session."

import os, sys, signal, subprocess, time
from pathlib import Path
import pytest

os.environ.setdefault('MPLBACKEND', 'Agg')


def ldae_cmd(*args, check=False, timeout=600):
    "Run the installed `ldae` command (the same interpreter's entry point) and return the CompletedProcess."
    exe = Path(sys.executable).parent / 'ldae'
    run_main = 'import sys; from ldae.cli import main; sys.exit(main())'
    cmd = [str(exe)] if exe.exists() else [sys.executable, '-c', run_main]
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


def fit_args(config, csv, out, *more, quiet=True) -> list:
    "The arguments of `ldae fit --config CONFIG --csv CSV --out OUT [--quiet] MORE…` (options, config overrides)."
    return ['fit', '--config', config, '--csv', csv, '--out', out, *(['--quiet'] if quiet else []), *more]


def kill_at_first_checkpoint(args, out) -> None:
    "Start `ldae ARGS…` and kill it (SIGKILL, as a crash would) once OUT/last.ckpt exists, or after 300 s."
    exe = Path(sys.executable).parent / 'ldae'
    p = subprocess.Popen([str(exe), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 300 and not (out / 'last.ckpt').exists():
        time.sleep(0.1)
    p.send_signal(signal.SIGKILL)
    p.wait()


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
