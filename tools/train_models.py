"""Train the demo's models (autoencoder, latent DDPM, stage 3) on the SynthAD demo cohort, resumably.

    python tools/train_models.py --out runs/models-48 --shape 48 56 48 --seed 0

Each stage that finished (its summary.json exists) is skipped; one that was interrupted continues from its
last.ckpt; so the same command, run again after a stop, goes on where it was. Per-stage times go to
OUT/train_times.json. Extra `stage:key=value` arguments override a stage's cpu preset (e.g. aekl:train.epochs=20).
"""

import argparse
import json
import time
from pathlib import Path

from ldae.synth import synth_cohort
from ldae.data import read_cohort, assign_splits, write_cohort
from ldae.demo import demo_config
from ldae.ae_learner import fit_autoencoder
from ldae.latents import save_latents
from ldae.ddpm_learner import fit_ddpm
from ldae.repr_learner import fit_ldae


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--shape', type=int, nargs=3, default=[48, 56, 48])
    ap.add_argument('--n-subjects', type=int, default=120)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('overrides', nargs='*', help='stage:key=value, stage one of aekl, ldae_pretrain, ldae_repr_learn')
    a = ap.parse_args(argv)
    out, show = a.out, not a.quiet
    ov = {'aekl': [f'data.shape={a.shape}'], 'ldae_pretrain': [], 'ldae_repr_learn': []}
    for o in a.overrides:
        stage, kv = o.split(':', 1)
        ov[stage].append(kv)
    times_p = out / 'train_times.json'
    times = json.loads(times_p.read_text()) if times_p.exists() else {}

    def stage(name, fn):
        if name in times:
            print(f'{name}: done before ({times[name]:.0f} s)')
            return
        t0 = time.time()
        fn()
        times[name] = times.get(name + '_partial', 0) + time.time() - t0
        times_p.write_text(json.dumps(times, indent=1))

    csv = out / 'cohort' / 'cohort.csv'

    def cohort():
        synth_cohort(out / 'cohort', n_subjects=a.n_subjects, shape=a.shape, seed=a.seed, show_progress=show)
        write_cohort(assign_splits(read_cohort(csv), seed=a.seed), csv)

    def ae():
        cfg = demo_config('aekl', a.seed, extra=ov['aekl'])
        fit_autoencoder(cfg, csv, out / 'ae', resume=(out / 'ae' / 'last.ckpt').exists(), show_progress=show)
        save_latents(csv, out / 'ae' / 'ae.ckpt', out / 'latents', show_progress=show)

    lcsv = out / 'cohort' / 'cohort_with_compressed_latent.csv'

    def ddpm():
        cfg = demo_config('ldae_pretrain', a.seed, extra=ov['ldae_pretrain'])
        fit_ddpm(
            cfg,
            lcsv,
            out / 'ddpm',
            ae=out / 'ae' / 'ae.ckpt',
            resume=(out / 'ddpm' / 'last.ckpt').exists(),
            show_progress=show,
        )

    def ldae():
        cfg = demo_config('ldae_repr_learn', a.seed, extra=ov['ldae_repr_learn'])
        fit_ldae(
            cfg,
            lcsv,
            out / 'ldae',
            ae=out / 'ae' / 'ae.ckpt',
            ddpm=out / 'ddpm' / 'ddpm.ckpt',
            resume=(out / 'ldae' / 'last.ckpt').exists(),
            show_progress=show,
        )

    out.mkdir(parents=True, exist_ok=True)
    for name, fn in [('cohort', cohort), ('ae', ae), ('ddpm', ddpm), ('ldae', ldae)]:
        stage(name, fn)
    print(json.dumps(times))


if __name__ == '__main__':
    main()
