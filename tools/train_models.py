"""Train the demo's models (autoencoder, latent DDPM, stage 3, supervised baseline, probes), resumably; export them.

    python tools/train_models.py --out runs/models-48 --shape 48 56 48 --seed 0 [--export ldae/models/synthad-cpu]

Each stage that finished (listed in OUT/train_times.json) is skipped; one that was interrupted continues from its
last.ckpt; so the same command, run again after a stop, goes on where it was. OUT/train_times.json holds each stage's
seconds over all its attempts (updated every 30 s) and `done`, the finished stages. Extra `stage:key=value` arguments
override a stage's cpu preset (e.g. aekl:train.epochs=20). With --export, the trained bundle, the supervised baseline
and the y_sem probes are written as a shipped bundle (`ldae.pretrained`) with their provenance. --ldae-seeds 1 2
trains stage 3 again from those seeds on the same autoencoder and DDPM, probes each, and writes OUT/seeds.json.
--voxel-dae trains the voxel-space DAE baseline (`voxel_dae` cpu preset on the same cohort and grid) in OUT/voxel_dae
and probes its y_sem under the same protocol (OUT/probe-voxel/metrics.json), after everything else.
--base RUN links RUN's cohort, autoencoder, DDPM and latents into OUT (marked done) so that OUT trains stage 3 on
them, e.g. with other stage-3 overrides; --base synthad-cpu (a shipped bundle's name or ldae.ckpt) writes OUT/ae/ae.ckpt
and OUT/ddpm/ddpm.ckpt from the bundle instead of training them (the cohort is synthesised as usual, or linked with
--cohort-from RUN) and caches the latents with that autoencoder.
"""

import argparse
import functools
import json
import sys
import threading
import time
from pathlib import Path

from ldae.core import write_json
from ldae.synth import synth_cohort
from ldae.data import read_cohort, assign_splits, write_cohort
from ldae.demo import demo_config
from ldae.ae_learner import fit_autoencoder
from ldae.latents import save_latents
from ldae.ddpm_learner import fit_ddpm
from ldae.repr_learner import fit_ldae
from ldae.config import load_config
from ldae.pretrained import list_pretrained, pretrained_info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--shape', type=int, nargs=3, default=[48, 56, 48])
    ap.add_argument('--n-subjects', type=int, default=120)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument(
        '--export', type=Path, default=None, help='write the shipped bundle here (e.g. ldae/models/synthad-cpu)'
    )
    ap.add_argument(
        '--ldae-seeds',
        type=int,
        nargs='*',
        default=[],
        help='more stage-3 seeds on the same autoencoder and DDPM (OUT/ldae-s<seed>, probes in OUT/probe-s<seed>)',
    )
    ap.add_argument('--voxel-dae', action='store_true', help='also train and probe the voxel-space DAE baseline')
    ap.add_argument('--base', default=None, help="a run folder or a shipped bundle whose autoencoder and DDPM to reuse")
    ap.add_argument('--cohort-from', type=Path, default=None, help="with --base BUNDLE: link this run's cohort")
    ap.add_argument(
        'overrides',
        nargs='*',
        help='stage:key=value, stage one of aekl, ldae_pretrain, ldae_repr_learn, classification, voxel_dae',
    )
    a = ap.parse_args(argv)
    out, show = a.out, not a.quiet
    ov = {
        'aekl': [f'data.shape={a.shape}'],
        'ldae_pretrain': [],
        'ldae_repr_learn': [],
        'classification': [f'data.shape={a.shape}'],
        'voxel_dae': [f'data.shape={a.shape}'],
    }
    for o in a.overrides:
        stage, kv = o.split(':', 1)
        if kv.startswith('train.seed='):  # demo_config sets train.seed last: it would be silently replaced
            sys.exit(f'{o}: every stage trains with --seed; for other stage-3 seeds use --ldae-seeds')
        ov[stage].append(kv)
    out.mkdir(parents=True, exist_ok=True)
    times_p = out / 'train_times.json'
    times = json.loads(times_p.read_text()) if times_p.exists() else {}
    base_run = Path(a.base) if a.base and Path(a.base).is_dir() else None
    links = {'cohort', 'ae', 'ddpm', 'latents'} if base_run else {'cohort'} if a.cohort_from else set()
    for d in sorted(links):  # reuse another run's folders: linked, and their stages counted as done here
        src = ((base_run or a.cohort_from) / d).resolve()
        if not src.is_dir():
            sys.exit(f'{src}: no such folder (the run to reuse must have cohort/, ae/, ddpm/ and latents/)')
        if (out / d).exists():
            pass
        elif base_run:
            (out / d).symlink_to(src, target_is_directory=True)
        else:  # a cohort for another autoencoder: its own folder (the latents table is written there), scans linked
            (out / d).mkdir()
            for f in src.iterdir():
                if f.suffix == '.csv' and f.name != 'cohort.csv':
                    continue
                elif f.suffix == '.csv':
                    (out / d / f.name).write_bytes(f.read_bytes())
                else:
                    (out / d / f.name).symlink_to(f.resolve())
        if d != 'latents' and d not in times.get('done', []):
            times.setdefault('done', []).append(d)
            times[d] = 0.0
            times.setdefault('note', f'{", ".join(sorted(links))} linked from {src.parent} (their times are there)')
    write_json(times_p, times)
    lock = threading.Lock()

    def save():
        with lock:
            write_json(times_p, times)

    def heartbeat(key, stop, every=30.0):
        "Add the elapsed seconds to times[key] every `every` s: a killed attempt keeps all but the last ≤ 30 s."

        def add(now, last):  # a gap far longer than `every` is a paused process (SIGSTOP): count one period
            with lock:
                times[key] = times.get(key, 0.0) + (now - last if now - last < 3 * every else every)

        last = time.time()
        while not stop.wait(every):
            now = time.time()
            add(now, last)
            last = now
            save()
        add(time.time(), last)

    def stage(name, fn):
        if name in times.get('done', []):
            print(f'{name}: done before ({times[name]:.0f} s over all attempts)')
            return
        stop = threading.Event()
        hb = threading.Thread(target=heartbeat, args=(name, stop), daemon=True)
        hb.start()
        try:
            fn()
        finally:
            stop.set()
            hb.join()
        times.setdefault('done', []).append(name)
        save()

    csv = out / 'cohort' / 'cohort.csv'

    def cohort():
        synth_cohort(out / 'cohort', n_subjects=a.n_subjects, shape=a.shape, seed=a.seed, show_progress=show)
        write_cohort(assign_splits(read_cohort(csv), seed=a.seed), csv)

    def ae():
        cfg = demo_config('aekl', a.seed, extra=ov['aekl'])
        fit_autoencoder(cfg, csv, out / 'ae', resume=(out / 'ae' / 'last.ckpt').exists(), show_progress=show)
        save_latents(csv, out / 'ae' / 'ae.ckpt', out / 'latents', show_progress=show)

    @functools.cache  # the autoencoder and DDPM stages read the bundle once
    def base_bundle():
        from ldae.pipeline import load_ldae
        from ldae.pretrained import bundle_checkpoint

        m = load_ldae(bundle_checkpoint(a.base))
        if tuple(m.ae.input_shape) != tuple(a.shape):
            sys.exit(f'--base {a.base}: its autoencoder works on {tuple(m.ae.input_shape)}, not --shape {a.shape}')
        return m

    def ae_from_base():
        from ldae.autoencoder import save_autoencoder

        m = base_bundle()
        sp, note = m.ae.spacing, f'from {a.base}'
        save_autoencoder(out / 'ae' / 'ae.ckpt', m.ae, input_shape=list(m.ae.input_shape), spacing=sp, note=note)
        save_latents(csv, out / 'ae' / 'ae.ckpt', out / 'latents', show_progress=show)

    def ddpm_from_base():
        from ldae.latent_ddpm import save_ddpm

        save_ddpm(out / 'ddpm' / 'ddpm.ckpt', base_bundle().ddpm, note=f'from {a.base}')

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

    def ldae(seed=a.seed, d='ldae'):
        cfg = demo_config('ldae_repr_learn', seed, extra=ov['ldae_repr_learn'])
        fit_ldae(
            cfg,
            lcsv,
            out / d,
            ae=out / 'ae' / 'ae.ckpt',
            ddpm=out / 'ddpm' / 'ddpm.ckpt',
            resume=(out / d / 'last.ckpt').exists(),
            show_progress=show,
        )

    def supervised():
        from ldae.supervised import fit_supervised

        cfg = demo_config('classification', a.seed, extra=ov['classification'])
        fit_supervised(
            cfg, csv, out / 'supervised', resume=(out / 'supervised' / 'last.ckpt').exists(), show_progress=show
        )

    def probes(d='ldae', p='probe'):
        from ldae.pipeline import load_ldae
        from ldae.probe import embed_cohort, write_embeddings, align, run_probe, save_probe

        m = load_ldae(out / d / 'ldae.ckpt')
        emb = embed_cohort(m, csv, show_progress=show)
        write_embeddings(out / p / 'y_sem.csv', emb)
        df, X = align(emb, emb.iloc[:, 3:].to_numpy(), read_cohort(csv))
        res = {}
        for target, fname in [('diagnosis', 'ad_cn_probe.json'), ('age', 'age_probe.json')]:
            r = run_probe(X, df, target, seed=a.seed, name=f'y_sem {target}')
            save_probe(out / p / fname, r['probe'])
            res[target] = {k: v for k, v in r['metrics'].items() if k != 'hyper'}
        (out / p / 'metrics.json').write_text(json.dumps(res, indent=1))

    def voxel_dae():
        from ldae.voxel_dae import fit_voxel_dae

        cfg = demo_config('voxel_dae', a.seed, extra=ov['voxel_dae'])
        fit_voxel_dae(
            cfg, csv, out / 'voxel_dae', resume=(out / 'voxel_dae' / 'last.ckpt').exists(), show_progress=show
        )

    def probes_voxel():
        import numpy as np
        import torch
        from ldae.core import progress
        from ldae.data import load_volume
        from ldae.voxel_dae import load_voxel_dae
        from ldae.probe import embeddings_frame, write_embeddings, run_probe

        m = load_voxel_dae(out / 'voxel_dae' / 'voxel_dae.ckpt')
        df = read_cohort(csv)
        Y = []
        for i in progress(range(0, len(df), 16), show, 'embed the cohort (voxel DAE y_sem)'):
            x = torch.stack([load_volume(p, m.input_shape, m.spacing).as_tensor() for p in df._path[i : i + 16]])
            Y.append(m.semantic(x).float().cpu().numpy())
        Y = np.concatenate(Y)
        write_embeddings(out / 'probe-voxel' / 'y_sem.csv', embeddings_frame(df, Y))
        res = {}
        for target in ('diagnosis', 'age'):
            r = run_probe(Y, df, target, seed=a.seed, name=f'voxel DAE y_sem {target}')
            res[target] = {k: v for k, v in r['metrics'].items() if k != 'hyper'}
        (out / 'probe-voxel' / 'metrics.json').write_text(json.dumps(res, indent=1))

    bundle = a.base is not None and base_run is None
    stages = [
        ('cohort', cohort),
        ('ae', ae_from_base if bundle else ae),
        ('ddpm', ddpm_from_base if bundle else ddpm),
        ('ldae', ldae),
        ('probes', probes),  # before the supervised baseline: y_sem's numbers first (it does not depend on it)
        ('supervised', supervised),
    ]
    for sd in a.ldae_seeds:  # the same representation learning from other seeds: is y_sem's quality a fluke?
        stages += [
            (f'ldae-s{sd}', lambda sd=sd: ldae(sd, f'ldae-s{sd}')),
            (f'probes-s{sd}', lambda sd=sd: probes(f'ldae-s{sd}', f'probe-s{sd}')),
        ]
    if a.voxel_dae:
        stages += [('voxel_dae', voxel_dae), ('probes-voxel', probes_voxel)]
    for name, fn in stages:
        stage(name, fn)
    print(json.dumps(times))
    if a.ldae_seeds:  # y_sem's probe on the test subjects for every stage-3 seed, side by side
        rows = {}
        for sd, p in [(a.seed, 'probe')] + [(sd, f'probe-s{sd}') for sd in a.ldae_seeds]:
            r = json.loads((out / p / 'metrics.json').read_text())
            rows[sd] = {
                'ad_cn_auc': r['diagnosis']['auc'],
                'ad_cn_auc_ci': r['diagnosis']['auc_ci'],
                'age_mae': r['age']['mae'],
                'age_mae_mean_baseline': r['age']['mae_mean_baseline'],
            }
        write_json(out / 'seeds.json', rows)
        print(json.dumps(rows, indent=1))

    def summaries():
        "Each stage's summary.json; an autoencoder and DDPM taken from a shipped bundle: the bundle's own."
        got = {s: out / s / 'summary.json' for s in ('ae', 'ddpm', 'ldae', 'supervised')}
        got = {s: json.loads(f.read_text()) for s, f in got.items() if f.exists()}
        if bundle and a.base in list_pretrained():
            prov = pretrained_info(a.base)
            got = {**{s: prov['summaries'][s] for s in ('ae', 'ddpm')}, **got}
        return got

    if a.export:
        from ldae.pretrained import export_bundle

        cmd = 'python tools/train_models.py ' + ' '.join(sys.argv[1:])
        cfgs = {s: demo_config(s, a.seed, extra=ov[s]) for s in ov}
        prov = export_bundle(
            out / 'ldae' / 'ldae.ckpt',
            a.export,
            extras=[
                out / 'supervised' / 'supervised.ckpt',
                out / 'probe' / 'ad_cn_probe.json',
                out / 'probe' / 'age_probe.json',
            ],
            command=cmd,
            seed=a.seed,
            cohort=dict(generator='SynthAD (ldae.synth)', n_subjects=a.n_subjects, shape=a.shape, seed=a.seed),
            configs=cfgs,
            train_seconds=times,
            summaries=summaries(),
            probes=json.loads((out / 'probe' / 'metrics.json').read_text()),
        )
        size = sum(f['bytes'] for f in prov['files'].values())
        print(f"exported {a.export}: {size / 1e6:.1f} MB; reproduction check {prov['reproduction']}")


if __name__ == '__main__':
    main()
