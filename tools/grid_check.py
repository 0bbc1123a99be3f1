"""How well `measure_volumes` reads the ventricles and hippocampi of a SynthAD cohort on its grid.

    python tools/grid_check.py COHORT_DIR   # a folder written by `ldae synth` (cohort.csv)

Prints Pearson r of measured vs true volume (all scans) and the CN/AD means, measured and true.
"""

import sys
import numpy as np
from ldae.data import read_cohort, load_volume
from ldae.synth import measure_volumes
from ldae.template import default_spacing
from nibabel import load

csv = sys.argv[1].rstrip('/') + '/cohort.csv'
df = read_cohort(csv)
shape = load(df._path[0]).shape
sp = default_spacing(shape)
m = [measure_volumes(load_volume(p, shape, sp).as_tensor(), sp) for p in df._path]
df['v'], df['h'] = [x['ventricle_ml'] for x in m], [x['hippocampus_ml'] for x in m]
print(f'{shape} at {sp} mm, {len(df)} scans of {df.subject.nunique()} subjects')
for k, t in [('v', 'ventricle_ml'), ('h', 'hippocampus_ml')]:
    r = np.corrcoef(df[k], df[t])[0, 1]
    g = df.groupby('diagnosis')[[k, t]].mean().round(2)
    print(
        f"{t}: r = {r:.3f};  measured CN {g.loc['CN', k]} AD {g.loc['AD', k]};  "
        f"true CN {g.loc['CN', t]} AD {g.loc['AD', t]}"
    )

# how far the measured volumes separate AD from CN (the protocol of ldae.probe on the cohort's own split, or 5-fold)
from ldae.probe import compare_probes, probe_table

feats = {
    'ventricles': df[['v']].to_numpy(),
    'ventricles + hippocampi': df[['v', 'h']].to_numpy(),
    'true ventricles + hippocampi': df[['ventricle_ml', 'hippocampus_ml']].to_numpy(),
}
print(probe_table(compare_probes(feats, df, 'diagnosis', protocol='kfold', n_boot=200)).iloc[:, :1].to_string())
