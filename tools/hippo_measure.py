"""Compare ways of reading hippocampal volume from intensities against SynthAD's truth, on cohorts of several grids.

    python tools/hippo_measure.py COHORT_DIR [COHORT_DIR …]

Variants (fh = grey-matter fraction of a voxel, summed over the template's hippocampal probability map):
  ramp: fh = clip((v − C)/(G − C), 0, 1), C the darkest CSF of the ventricle region (what `measure_volumes` does);
  tent: the same below G, and clip((W − v)/(W − G), 0, 1) above it (a voxel brighter than grey matter is part white
        matter, not hippocampus).
"""

import sys
import numpy as np
from nibabel import load
from ldae.data import read_cohort, load_volume
from ldae.template import default_spacing
from ldae.synth import _measure_rois, tissue_levels

for d in sys.argv[1:]:
    df = read_cohort(d.rstrip('/') + '/cohort.csv')
    shape = load(df._path[0]).shape
    sp = default_spacing(shape)
    roi = _measure_rois(tuple(shape), sp)
    res = {'ramp': [], 'tent': []}
    for p in df._path:
        v = load_volume(p, shape, sp).as_tensor().numpy()[0]
        W, G, C = tissue_levels(v, roi)
        C2 = float(np.percentile(v[roi['vroi']], 2))
        C2 = C if C2 >= G else C2
        ramp = np.clip((v - C2) / (G - C2), 0, 1)
        tent = np.where(v <= G, ramp, np.clip((W - v) / (W - G), 0, 1))
        for k, f in (('ramp', ramp), ('tent', tent)):
            res[k].append(float((f * roi['hip']).sum() * roi['vox']))
    t = df.hippocampus_ml.to_numpy()
    print(f'{shape} at {sp} mm, {len(df)} scans')
    for k, m in res.items():
        m = np.array(m)
        cn, ad = m[df.diagnosis == 'CN'].mean(), m[df.diagnosis == 'AD'].mean()
        print(f'  {k}: r = {np.corrcoef(m, t)[0, 1]:.3f}  CN {cn:.2f}  AD {ad:.2f} ml')
