"""Judge the verbs of a shipped bundle on its own cohort's held-out subjects (the demo's verbs section alone).

    python tools/verbs_eval.py --out runs/verbs [--models synthad-cpu] [--steps 10] [--max-subjects 8]

Synthesises the bundle's training cohort again from its provenance (or reuses OUT/cohort), takes the test split the
stages held out, and runs `ldae.demo.verbs_section`: manipulation toward AD against SynthAD's true counterfactuals,
composition, reversibility, variations, interpolation. Writes OUT/verbs.json, OUT/verbs.md and OUT/figures/.
"""

import argparse
import json
import shutil
import time
from pathlib import Path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', type=Path, required=True)
    p.add_argument('--models', default='synthad-cpu', help='shipped bundle name or folder')
    p.add_argument('--steps', type=int, default=10, help='DDIM steps of every inversion and decode')
    p.add_argument('--max-subjects', type=int, default=8)
    a = p.parse_args(argv)
    from ldae.pretrained import pretrained, pretrained_file
    from ldae.synth import synth_cohort
    from ldae.data import read_cohort, assign_splits
    from ldae.demo import verbs_section
    from ldae.core import write_json, write_text

    t0 = time.time()
    m = pretrained(a.models)
    coh = m.provenance['cohort']
    csv = a.out / 'cohort' / 'cohort.csv'
    if not csv.exists():
        synth_cohort(a.out / 'cohort', coh['n_subjects'], tuple(coh['shape']), seed=coh['seed'])
    df = assign_splits(read_cohort(csv), seed=coh['seed'])
    (a.out / 'probe').mkdir(parents=True, exist_ok=True)
    shutil.copy(pretrained_file('ad_cn_probe.json', a.models), a.out / 'probe' / 'ad_cn_probe.json')
    met, md, timing = verbs_section(a.out, df, coh['seed'], 'cpu', True, m, a.steps, a.max_subjects)
    met['timing'] = timing | {'total': round(time.time() - t0, 1)}
    met['models'] = {'name': str(a.models), 'commit': m.provenance.get('commit')}
    write_json(a.out / 'verbs.json', met)
    write_text(a.out / 'verbs.md', md)
    print(md)
    print(json.dumps(met['timing']))


if __name__ == '__main__':
    main()
