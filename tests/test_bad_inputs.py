"Bad input for the data layer: each error names the file/line and what was expected; the user's CSV is never modified."

import shutil
from pathlib import Path
import numpy as np, pandas as pd, nibabel as nib, torch
import pytest
from ldae.core import LDAEInputError
from ldae.data import read_cohort, load_volume, cohort_splits, check_splits, LatentDataset, load_latent, split_csv_path

SHAPE = (32, 40, 32)


@pytest.fixture
def cohort(small_cohort, tmp_path):
    "A private copy of the small cohort (tests may break files)."
    dst = tmp_path / 'c'
    shutil.copytree(small_cohort, dst)
    return dst


def _write(df, path):
    df.to_csv(path, index=False)
    return path


def _nifti(path, data, affine=np.diag([6.0, 6, 6, 1])):
    nib.save(nib.Nifti1Image(np.asarray(data, dtype=np.float32), affine), str(path))
    return path


def test_missing_file(cohort):
    df = pd.read_csv(cohort / 'cohort.csv')
    df.loc[3, 'path'] = 'sub-9999/ses-M00/anat/nope.nii.gz'
    with pytest.raises(LDAEInputError, match=r"line 5: file not found: 'sub-9999/ses-M00/anat/nope.nii.gz'"):
        read_cohort(_write(df, cohort / 'bad.csv'))
    with pytest.raises(LDAEInputError, match='nope.nii.gz: file not found'):
        load_volume(cohort / 'sub-9999/ses-M00/anat/nope.nii.gz', SHAPE)


def test_corrupt_nifti(cohort, tmp_path):
    p = tmp_path / 'corrupt.nii.gz'
    p.write_bytes(b'this is not a nifti file' * 10)
    with pytest.raises(LDAEInputError, match=r'corrupt.nii.gz: cannot be read as a NIfTI volume'):
        load_volume(p, SHAPE)
    good = pd.read_csv(cohort / 'cohort.csv').path[0]
    raw = (cohort / good).read_bytes()
    (cohort / good).write_bytes(raw[: len(raw) // 3])  # truncated gzip
    with pytest.raises(LDAEInputError, match='cannot be read as a NIfTI volume'):
        load_volume(cohort / good, SHAPE)


def test_2d_volume(tmp_path):
    with pytest.raises(LDAEInputError, match=r'2d.nii.gz: image of shape .* is 2D; expected a 3D volume'):
        load_volume(_nifti(tmp_path / '2d.nii.gz', np.random.rand(32, 40)), SHAPE)


def test_4d_volume(tmp_path):
    with pytest.raises(LDAEInputError, match=r'4d.nii.gz: 4D image with 3 volumes.*expected one 3D volume'):
        load_volume(_nifti(tmp_path / '4d.nii.gz', np.random.rand(32, 40, 32, 3)), SHAPE)


@pytest.mark.parametrize('bad', [np.nan, np.inf])
def test_nan_inf_voxels(tmp_path, bad):
    v = np.random.rand(32, 40, 32)
    v[3, 4, 5] = bad
    v[6, 7, 8] = bad
    with pytest.raises(LDAEInputError, match=r'nan.nii.gz: 2 NaN/Inf voxels; expected finite intensities'):
        load_volume(_nifti(tmp_path / 'nan.nii.gz', v), SHAPE)


def test_constant_volume(tmp_path):
    with pytest.raises(LDAEInputError, match=r'const.nii.gz: constant volume \(every voxel = 7.0\)'):
        load_volume(_nifti(tmp_path / 'const.nii.gz', np.full((32, 40, 32), 7.0)), SHAPE)


@pytest.mark.parametrize('col', ['subject', 'path', 'diagnosis', 'age'])
def test_csv_missing_column(cohort, col):
    df = pd.read_csv(cohort / 'cohort.csv').drop(columns=col)
    with pytest.raises(LDAEInputError, match=rf"bad.csv: missing column\(s\) \['{col}'\]"):
        read_cohort(_write(df, cohort / 'bad.csv'))


def test_session_missing_and_not_in_path(cohort):
    df = pd.read_csv(cohort / 'cohort.csv').drop(columns='session')
    read_cohort(_write(df, cohort / 'ok.csv'))  # parsed from ses-M<months> in the path
    df.loc[2, 'path'] = df.path[2].replace('ses-M', 'visit-')
    with pytest.raises(LDAEInputError, match="line 4: no `session` column and no 'ses-M<months>'"):
        read_cohort(_write(df, cohort / 'bad.csv'), check_files=False)


def test_non_numeric_age(cohort):
    df = pd.read_csv(cohort / 'cohort.csv')
    df['age'] = df['age'].astype(object)
    df.loc[1, 'age'] = 'old'
    with pytest.raises(LDAEInputError, match=r"line 3: `age` is 'old'; expected a number"):
        read_cohort(_write(df, cohort / 'bad.csv'))


def test_duplicated_rows(cohort):
    df = pd.read_csv(cohort / 'cohort.csv')
    df = pd.concat([df, df.iloc[[2]]], ignore_index=True)
    with pytest.raises(LDAEInputError, match=rf'line {len(df) + 1}: duplicated row'):
        read_cohort(_write(df, cohort / 'bad.csv'))
    df = pd.read_csv(cohort / 'cohort.csv')
    row = df.iloc[[0]].copy()
    row['age'] = 99.0
    df = pd.concat([df, row], ignore_index=True)
    with pytest.raises(LDAEInputError, match='appears twice'):
        read_cohort(_write(df, cohort / 'bad.csv'))


def test_subject_in_two_splits(cohort):
    df = pd.read_csv(cohort / 'cohort.csv')
    s = df.subject.value_counts().index[0]
    rows = df.index[df.subject == s]
    df.loc[rows[0], 'split'] = 'train'
    df.loc[rows[1], 'split'] = 'test'
    with pytest.raises(
        LDAEInputError, match=rf"subject '{s}' is in several splits .*line {rows[0] + 2}=train.*line {rows[1] + 2}=test"
    ):
        read_cohort(_write(df, cohort / 'bad.csv'))
    df.loc[rows[1], 'split'] = 'holdout'
    with pytest.raises(LDAEInputError, match=r"split 'holdout'; expected one of"):
        read_cohort(_write(df, cohort / 'bad.csv'))


def test_latent_of_wrong_shape(cohort, tmp_path):
    df = read_cohort(cohort / 'cohort.csv').iloc[:3].copy()
    for i in range(3):
        np.savez(tmp_path / f'z{i}.npz', data=np.zeros((3, 4, 5, 4), np.float32))
    np.savez(tmp_path / 'z2.npz', data=np.zeros((3, 8, 10, 8), np.float32))
    df['_latent'] = [str(tmp_path / f'z{i}.npz') for i in range(3)]
    ds = LatentDataset(df, expected_shape=(3, 4, 5, 4))
    assert ds[0].shape == (3, 4, 5, 4)
    with pytest.raises(
        LDAEInputError, match=r'line 4: .*z2.npz: latent of shape \(3, 8, 10, 8\); expected \(3, 4, 5, 4\)'
    ):
        ds[2]
    np.savez(tmp_path / 'nokey.npz', other=np.zeros(3))
    with pytest.raises(LDAEInputError, match="expected key 'data'"):
        load_latent(tmp_path / 'nokey.npz')


def test_user_csv_is_never_modified(cohort):
    df = pd.read_csv(cohort / 'cohort.csv').drop(columns='split')
    csv = _write(df, cohort / 'user.csv')
    before = csv.read_bytes()
    d = cohort_splits(csv, seed=1)
    assert csv.read_bytes() == before and split_csv_path(csv).is_file()
    assert 'split' in d and d.groupby('subject').split.nunique().max() == 1
    assert pd.read_csv(split_csv_path(csv)).split.tolist() == d.split.tolist()


def _patched(path, offset, fmt, value):
    "An uncompressed NIfTI-1 file with one header field overwritten (as a damaged or hand-made header would be)."
    import struct

    raw = bytearray(path.read_bytes())
    struct.pack_into(fmt, raw, offset, *value)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    'name, patch, msg',
    [
        (
            'zero_zoom',
            (80, '<f', (0.0,)),
            r'voxel sizes \(0.0, 6.0, 6.0\) mm in its header; expected three sizes above 0',
        ),
        ('negative_zoom', (84, '<f', (-6.0,)), r'voxel sizes .*-6.0.* expected three sizes above 0'),
        (
            'huge_dims',
            (42, '<3h', (30000, 30000, 30000)),
            r'its header claims \(30000, 30000, 30000\) = 27,000,000,000,000 voxels',
        ),
    ],
)
def test_fuzzed_nifti_headers(tmp_path, name, patch, msg):
    p = _patched(_nifti(tmp_path / f'{name}.nii', np.random.rand(*SHAPE)), *patch)
    with pytest.raises(LDAEInputError, match=rf'{name}.nii: {msg}'):
        load_volume(p, SHAPE)


@pytest.mark.parametrize('dtype', [np.complex64, np.dtype([('R', 'u1'), ('G', 'u1'), ('B', 'u1')])])
def test_nifti_of_non_real_voxels(tmp_path, dtype):
    p = tmp_path / 'odd.nii.gz'
    nib.save(nib.Nifti1Image(np.zeros(SHAPE, dtype), np.diag([6.0, 6, 6, 1])), str(p))
    with pytest.raises(LDAEInputError, match=r'odd.nii.gz: voxels of type .* expected real numbers'):
        load_volume(p, SHAPE)


def test_integer_nifti_is_a_scan(tmp_path):
    "int16 is how most scanners store T1 scans: it must load like float data."
    v = (np.random.rand(*SHAPE) * 1000).astype(np.int16)
    p = tmp_path / 'int16.nii.gz'
    nib.save(nib.Nifti1Image(v, np.diag([6.0, 6, 6, 1])), str(p))
    assert load_volume(p, SHAPE).shape == (1, *SHAPE)


def test_damaged_files_do_not_send_users_the_wrong_way(cohort, tmp_path):
    "Neither MONAI's 'install the reader libraries' nor torch's 'weights_only=False' reaches a user."
    from ldae.core import load_checkpoint

    good = cohort / pd.read_csv(cohort / 'cohort.csv').path[0]
    raw = good.read_bytes()
    (tmp_path / 'cut.nii.gz').write_bytes(raw[: len(raw) // 2])
    (tmp_path / 'noise.nii.gz').write_bytes(np.random.default_rng(0).bytes(5000))
    for f in ['cut.nii.gz', 'noise.nii.gz']:
        with pytest.raises(LDAEInputError) as e:
            load_volume(tmp_path / f, SHAPE)
        assert (
            f in str(e.value) and 'install' not in str(e.value) and 'cannot be read as a NIfTI volume' in str(e.value)
        )
    (tmp_path / 'x.ckpt').write_bytes(b'not a checkpoint')
    with pytest.raises(LDAEInputError) as e:
        load_checkpoint(tmp_path / 'x.ckpt')
    assert 'weights_only' not in str(e.value) and 'not a file written by torch.save' in str(e.value)
