"Shared fixtures: a small SynthAD cohort written once per test session."

import os, sys, signal, subprocess, time
from pathlib import Path
import pytest

os.environ.setdefault('MPLBACKEND', 'Agg')

# Offline: this process and every child (PYTHONPATH → tests/offline/sitecustomize.py) refuse connections to other
# machines and log each attempt; the session fails if anything tried (pytest_sessionfinish below).
OFFLINE = Path(__file__).parent / 'offline'
NETWORK_LOG = Path(os.environ.setdefault('LDAE_NETWORK_LOG', str(Path(__import__('tempfile').mkdtemp()) / 'net.log')))
os.environ['PYTHONPATH'] = os.pathsep.join([str(OFFLINE), *filter(None, [os.environ.get('PYTHONPATH')])])
sys.path.insert(0, str(OFFLINE))
import sitecustomize  # noqa: E402,F401  (installs the guard in this process)


def pytest_sessionfinish(session, exitstatus):
    if NETWORK_LOG.exists() and NETWORK_LOG.read_text().strip():
        print(f'\nnetwork access during the tests (see {NETWORK_LOG}):\n{NETWORK_LOG.read_text()[:3000]}')
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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


FAST = ['data.batch_size=4', 'data.val=0.2', 'data.test=0.2']


def stage3_args(small_latents, ddpm, out, *more) -> list:
    "`fit_args` of stage 3 on the small cohort's latents and `ddpm`."
    ae, csv = small_latents
    return fit_args('ldae_repr_learn', csv, out, '--ae', ae, '--ddpm', ddpm, *more)


@pytest.fixture(scope='session')
def ddpm(small_latents, tmp_path_factory):
    "A 2-epoch latent DDPM on `small_latents`."
    ae, csv = small_latents
    out = tmp_path_factory.mktemp('ddpm')
    ldae_cmd(
        *fit_args('ldae_pretrain', csv, out, '--ae', ae, 'train.epochs=2', 'train.preview_every=0', *FAST), check=True
    )
    return out / 'ddpm.ckpt'


@pytest.fixture(scope='session')
def bundle(small_latents, ddpm, tmp_path_factory):
    "A 3-epoch stage-3 run on `small_latents` and `ddpm`: its folder (ldae.ckpt, summary.json, …)."
    out = tmp_path_factory.mktemp('ldae')
    more = ['train.epochs=3', 'train.val_steps=3', 'train.schedule=constant', *FAST]
    r = ldae_cmd(*stage3_args(small_latents, ddpm, out, *more), check=True)
    assert 'LDAE stage 3' in r.stdout and 'ldae.ckpt' in r.stdout
    return out


def pytest_addoption(parser):
    parser.addoption(
        '--runslow', action='store_true', help='also run the tests marked slow (retraining: hours on a CPU)'
    )


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: retrains shipped models; runs only with --runslow')


def pytest_collection_modifyitems(config, items):
    if config.getoption('--runslow'):
        return
    skip = pytest.mark.skip(reason='slow (retrains the shipped models): pass --runslow')
    for it in items:
        if 'slow' in it.keywords:
            it.add_marker(skip)


@pytest.fixture(scope='session')
def tiny_demo(tmp_path_factory):
    "`ldae demo --train` on 10 subjects with 1 epoch per stage (shared by the report and the docs-site tests)."
    out = tmp_path_factory.mktemp('demo') / 'demo'
    args = ['demo', '--train', '--out', out, '--n-subjects', 10, '--quiet']
    ldae_cmd(*args, '--ae-epochs', 1, '--ddpm-epochs', 1, '--ldae-epochs', 1, check=True, timeout=1200)  # ~4 min alone
    return out
