"""SynthAD on a 200-subject cohort at 64×80×64: group differences, progression and what `measure_volumes` reads back.

Rendered in memory (only the baseline and month-24 scans), about 2 minutes on 2 cores."""

import numpy as np, pandas as pd
import pytest
from ldae.synth import sample_subject, render_scan, measure_volumes


@pytest.fixture(scope='module')
def cohort200():
    rows = []
    for i in range(200):
        s, ss = sample_subject(0, i)
        for x in [y for y in ss if y['session'] in (0, 24)]:  # what the tests below use
            v, truth = render_scan(s, x, (64, 80, 64))
            m = measure_volumes(v)
            rows.append(
                dict(
                    subject=s['subject'],
                    diagnosis=s['diagnosis'],
                    session=x['session'],
                    age=x['age'],
                    **truth,
                    ventricle_measured=m['ventricle_ml'],
                    hippocampus_measured=m['hippocampus_ml'],
                )
            )
    return pd.DataFrame(rows)


def test_group_means_ordered(cohort200):
    g = cohort200.groupby('diagnosis').ventricle_measured.mean()
    assert g['AD'] > g['MCI'] > g['CN'], g.to_dict()
    h = cohort200.groupby('diagnosis').hippocampus_measured.mean()
    assert h['AD'] < h['MCI'] < h['CN'], h.to_dict()


def test_ventricles_grow_with_age_in_cn(cohort200):
    cn = cohort200[cohort200.diagnosis == 'CN']
    assert np.corrcoef(cn.age, cn.ventricle_measured)[0, 1] > 0.2


def test_measured_agrees_with_truth(cohort200):
    r_v = np.corrcoef(cohort200.ventricle_ml, cohort200.ventricle_measured)[0, 1]
    r_h = np.corrcoef(cohort200.hippocampus_ml, cohort200.hippocampus_measured)[0, 1]
    print(f'Pearson r: ventricles {r_v:.3f}, hippocampus {r_h:.3f} over {len(cohort200)} scans')
    assert r_v >= 0.9 and r_h >= 0.8


def test_ad_ventricles_grow_over_24_months(cohort200):
    ad = (
        cohort200[cohort200.diagnosis == 'AD']
        .pivot(index='subject', columns='session', values='ventricle_measured')
        .dropna(subset=[0, 24])
    )
    assert len(ad) >= 10
    assert (ad[24] > ad[0]).mean() >= 0.9
    truth = (
        cohort200[cohort200.diagnosis == 'AD']
        .pivot(index='subject', columns='session', values='ventricle_ml')
        .dropna(subset=[0, 24])
    )
    assert (truth[24] > truth[0]).all()
