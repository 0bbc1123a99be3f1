"`ldae embed` and `ldae probe` end to end: the embeddings file, the protocol on a planted signal, bad inputs."

import hashlib, json
import numpy as np, pandas as pd, torch
import pytest
from conftest import ldae_cmd
from ldae.data import read_cohort
from ldae.pipeline import load_ldae
from ldae.probe import load_probe, read_embeddings


def digest(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def embed(bundle, csv, out, *more, check=True):
    "`ldae embed --ckpt BUNDLE/ldae.ckpt --csv CSV --out OUT MORE… --quiet`."
    return ldae_cmd('embed', '--ckpt', bundle / 'ldae.ckpt', '--csv', csv, '--out', out, *more, '--quiet', check=check)


def test_embed_command_writes_one_row_per_scan(small_cohort, bundle, tmp_path):
    csv = small_cohort / 'cohort.csv'
    before = digest(csv)
    out = tmp_path / 'emb.csv'
    r = embed(bundle, csv, out)
    assert 'y_sem vectors' in r.stdout
    assert digest(csv) == before  # the cohort CSV is untouched
    meta, X = read_embeddings(out)
    df = read_cohort(csv)
    m = load_ldae(bundle / 'ldae.ckpt')
    assert list(meta.path) == list(df.path) and list(meta.columns) == ['subject', 'session', 'path']
    assert X.shape == (len(df), m.encoder.dim)
    y = m.embed(m.load_scans(list(df._path[:3]))).numpy()
    np.testing.assert_allclose(X[:3], y, atol=1e-5)  # what the file holds is what the Python API gives
    assert list(pd.read_csv(out).columns[3:5]) == ['y_sem_0', 'y_sem_1']


def test_embed_latent_and_normalised(small_cohort, bundle, tmp_path):
    csv = small_cohort / 'cohort.csv'
    embed(bundle, csv, tmp_path / 'lat.csv', '--what', 'latent')
    _, L = read_embeddings(tmp_path / 'lat.csv')
    m = load_ldae(bundle / 'ldae.ckpt')
    assert L.shape[1] == int(np.prod(m.ddpm.latent_shape))
    embed(bundle, csv, tmp_path / 'n.csv', '--normalise')
    _, Y = read_embeddings(tmp_path / 'n.csv')
    # standardised with the bundle's training-scan statistics: O(1) values on the cohort's scans
    assert np.abs(Y.mean(0)).max() < 3 and 0.1 < Y.std(0).mean() < 3


def test_embed_errors(small_cohort, bundle, tmp_path):
    csv = small_cohort / 'cohort.csv'
    r = embed(bundle, csv, tmp_path / 'e.npy', check=False)
    assert r.returncode == 2 and 'expected a .csv file name' in r.stderr
    bad = tmp_path / 'bad.ckpt'
    bad.write_bytes(b'not a checkpoint')
    r = ldae_cmd('embed', '--ckpt', bad, '--csv', csv, '--out', tmp_path / 'e.csv', '--quiet')
    assert r.returncode == 2 and str(bad) in r.stderr and not (tmp_path / 'e.csv').exists()


def planted(tmp_path, n=160, d=24, shift=4.0, seed=0, shuffle=False):
    "A cohort CSV (no image files needed) and an embeddings CSV where AD moves the vectors along one direction."
    rng = np.random.default_rng(seed)
    dx = rng.choice(['CN', 'MCI', 'AD'], n, p=[0.4, 0.2, 0.4])
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    rows, X = [], []
    for i in range(n):
        b = rng.normal(size=d) + shift * {'CN': -0.5, 'MCI': 0, 'AD': 0.5}[dx[i]] * u
        for ses in (0, 12):
            X.append(b + 0.3 * rng.normal(size=d))
            split = 'test' if i % 5 == 0 else 'train'
            rows.append(
                dict(
                    subject=f'sub-{i:03d}',
                    session=ses,
                    path=f'sub-{i:03d}/ses-M{ses:02d}.nii.gz',
                    diagnosis=dx[i],
                    age=70 + X[-1][0] * 3,
                    split=split,
                )
            )
    df = pd.DataFrame(rows)
    if shuffle:
        lab = df.groupby('subject').diagnosis.first()
        df['diagnosis'] = df.subject.map(dict(zip(lab.index, rng.permutation(lab.to_numpy()))))
    df.to_csv(tmp_path / 'cohort.csv', index=False)
    emb = pd.concat(
        [df[['subject', 'session', 'path']], pd.DataFrame(X, columns=[f'y_sem_{j}' for j in range(d)])], axis=1
    )
    emb.to_csv(tmp_path / 'emb.csv', index=False)
    return tmp_path / 'cohort.csv', tmp_path / 'emb.csv', np.array(X)


def probe(emb, csv, out, *more):
    return ldae_cmd('probe', '--embeddings', emb, '--csv', csv, '--out', out, '--n-boot', 200, *more)


def test_probe_recovers_a_planted_signal_and_saves_it(tmp_path):
    csv, emb, X = planted(tmp_path)
    r = probe(emb, csv, tmp_path / 'run')
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())['emb']
    assert m['protocol'] == 'split' and m['auc'] > 0.95 and m['auc_ci'][0] > 0.85
    assert m['n_test_subjects'] == len(
        pd.read_csv(csv).query("split == 'test' and diagnosis != 'MCI'").subject.unique()
    )
    assert (tmp_path / 'run' / 'roc.png').stat().st_size > 5000
    assert (tmp_path / 'run' / '3class' / 'metrics.json').exists()
    p = load_probe(tmp_path / 'run' / 'probe.json')
    pred = pd.read_csv(tmp_path / 'run' / 'predictions.csv')
    e = pd.read_csv(emb).set_index('path').loc[pred.path].to_numpy()[:, 2:].astype(float)
    np.testing.assert_allclose(p.predict(e), pred.y_pred, atol=1e-9)  # the saved probe is the one that was scored
    with pytest.raises(ValueError, match='vectors of dimension 3; this probe'):
        p.decision(X[:, :3])


def test_probe_on_shuffled_labels_is_at_chance(tmp_path):
    csv, emb, _ = planted(tmp_path, shuffle=True, seed=1)
    r = probe(emb, csv, tmp_path / 'run', '--protocol', 'kfold')
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())['emb']
    assert m['protocol'] == '5-fold' and abs(m['auc'] - 0.5) < 0.15


def test_probe_age_beats_the_mean_predictor(tmp_path):
    csv, emb, _ = planted(tmp_path)
    r = probe(emb, csv, tmp_path / 'run', '--target', 'age')
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())['emb']
    assert m['mae'] < 0.5 * m['mae_mean_baseline'] and (tmp_path / 'run' / 'age.png').exists()


@pytest.mark.parametrize(
    'case, expect',
    [
        ('missing', 'scan(s) have no embedding'),
        ('extra', 'row(s) are not scans of'),
        ('one_class', 'training subjects have one class only'),
        ('no_target', "missing column(s) ['sex']"),
        ('text_target', "line 5: mmse is 'high'; expected a number"),
        ('nan', 'expected a finite number'),
    ],
)
def test_probe_bad_inputs(tmp_path, case, expect):
    csv, emb, _ = planted(tmp_path, n=40)
    df, e = pd.read_csv(csv), pd.read_csv(emb)
    target = 'diagnosis'
    if case == 'missing':
        e.drop(index=5).to_csv(emb, index=False)
    elif case == 'extra':
        pd.concat([e, e.iloc[:1].assign(path='sub-999/ses-M00.nii.gz')]).to_csv(emb, index=False)
    elif case == 'one_class':
        df.loc[df.split == 'train', 'diagnosis'] = 'CN'
        df.to_csv(csv, index=False)
    elif case == 'no_target':
        target = 'sex'
    elif case == 'text_target':
        df['mmse'] = (30 - df.index % 5).astype(object)
        df.loc[3, 'mmse'] = 'high'
        df.to_csv(csv, index=False)
        target = 'mmse'
    elif case == 'nan':
        e.loc[4, 'y_sem_2'] = np.nan
        e.to_csv(emb, index=False)
    r = probe(emb, csv, tmp_path / 'run', '--target', target)
    assert r.returncode == 2 and expect in r.stderr, r.stderr
    assert not (tmp_path / 'run').exists()  # nothing written
