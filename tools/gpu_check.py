"""The paper preset end to end on a GPU: each stage's training steps with peak memory, DDIM-50 encode + decode in bf16.

    python tools/gpu_check.py --out runs/gpu-check            # on a machine with a CUDA GPU
    python tools/gpu_check.py --out /tmp/gc --smoke           # the cpu preset at 32×40×32 on the CPU (this script)
    python tools/gpu_check.py --out /tmp/gp --cpu --shape 64 80 64   # the paper preset's code paths, small, on the CPU

Synthesises a few SynthAD subjects at the paper's grid (128×160×128 at 1.5 mm), trains each stage for one epoch with
the `paper` preset through `ldae fit` (LPIPS off: its pretrained weights are a download; the adversarial term on),
caches the latents, then times DDIM-50 encoding (inversion to z_T) and decoding of one scan under bf16 autocast,
the best of three (the reference's tutorial took about 8 s per direction; the goal here is ≤ 2 s).
Writes OUT/gpu_check.json and prints a table. Without a GPU (and without --smoke) it says so and does nothing.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch


def ldae(*args) -> str:
    "Run `ldae ARGS…` with this interpreter's entry point; its stdout (an error stops the check, showing stderr)."
    exe = Path(sys.executable).parent / 'ldae'
    cmd = (
        [str(exe)]
        if exe.exists()
        else [sys.executable, '-c', 'import sys; from ldae.cli import main; sys.exit(main())']
    )
    r = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'ldae {" ".join(map(str, args))} failed ({r.returncode}):\n{r.stderr[-4000:]}')
    return r.stdout


def stage_row(out: Path) -> dict:
    "What a stage's summary.json says about cost: seconds per step, peak memory (GiB), steps."
    s = json.loads((out / 'summary.json').read_text())
    pm = s.get('peak_memory', {})
    return dict(
        seconds_per_step=round(float(s['seconds_per_step']), 3),
        steps=int(s['steps']),
        cuda_peak_gib=round(pm['cuda_peak'] / 2**30, 2) if 'cuda_peak' in pm else None,
        rss_peak_gib=round(pm.get('rss_peak', 0) / 2**30, 2),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--subjects', type=int, default=4)
    ap.add_argument('--smoke', action='store_true', help='the cpu preset at 32×40×32 on the CPU (checks this script)')
    ap.add_argument('--cpu', action='store_true', help='run the paper preset on the CPU (with a small --shape)')
    ap.add_argument('--shape', type=int, nargs=3, default=None, help='the grid (default: the preset\'s)')
    a = ap.parse_args(argv)
    gpu = torch.cuda.is_available() and not (a.smoke or a.cpu)
    if not gpu and not (a.smoke or a.cpu):
        print('gpu_check: no CUDA GPU on this machine (torch.cuda.is_available() is False): nothing to check')
        return 0
    preset = 'cpu' if a.smoke else 'paper'
    shape = a.shape or ([32, 40, 32] if a.smoke else [128, 160, 128])
    spacing = [] if a.smoke or a.shape else ['--spacing', 1.5]
    grid = [f'data.shape={shape}'] if a.shape else []
    out = a.out
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    res = dict(
        preset=preset,
        shape=shape,
        device=torch.cuda.get_device_name(0) if gpu else 'cpu',
        torch=torch.__version__,
        stages={},
    )
    cohort = out / 'cohort'
    ldae('synth', '--out', cohort, '--n-subjects', a.subjects, '--shape', *shape, *spacing, '--seed', 0, '--quiet')
    csv = cohort / 'cohort.csv'
    split = ['data.val=0.25', 'data.test=0.25', 'train.epochs=1']
    dev_opt = [] if gpu else ['--device', 'cpu']
    fit = ['fit', '--preset', preset, '--quiet', *dev_opt]
    ldae(*fit, '--config', 'aekl', '--csv', csv, '--out', out / 'ae', *split, *grid, 'loss.perceptual_weight=0')
    res['stages']['autoencoder'] = stage_row(out / 'ae')
    ae = out / 'ae' / 'ae.ckpt'
    ldae('save-latents', '--csv', csv, '--ae', ae, '--out', out / 'latents', '--quiet')
    lcsv = cohort / 'cohort_with_compressed_latent.csv'
    more = ['train.preview_every=0']
    ldae(*fit, '--config', 'ldae_pretrain', '--csv', lcsv, '--ae', ae, '--out', out / 'ddpm', *split, *more)
    res['stages']['latent_ddpm'] = stage_row(out / 'ddpm')
    ddpm = out / 'ddpm' / 'ddpm.ckpt'
    s3 = ['train.val_steps=5']
    ldae(
        *fit,
        '--config',
        'ldae_repr_learn',
        '--csv',
        lcsv,
        '--ae',
        ae,
        '--ddpm',
        ddpm,
        '--out',
        out / 'ldae',
        *split,
        *s3,
    )
    res['stages']['ldae_repr_learn'] = stage_row(out / 'ldae')

    from ldae.pipeline import load_ldae
    from ldae.data import read_cohort
    from ldae.perf import best_seconds

    dev = torch.device('cuda' if gpu else 'cpu')
    m = load_ldae(out / 'ldae' / 'ldae.ckpt', device=dev)
    x = m.load_scans([read_cohort(csv)._path.iloc[0]]).to(dev)
    dtype = torch.bfloat16 if gpu else torch.float32
    with torch.autocast(dev.type, dtype=dtype, enabled=gpu):
        y, z = m.encode(x, steps=50)
        enc = best_seconds(lambda: m.encode(x, steps=50), dev)
        dec = best_seconds(lambda: m.decode(y, z, steps=50), dev)
    res['ddim50_per_scan'] = dict(encode_seconds=round(enc, 3), decode_seconds=round(dec, 3), dtype=str(dtype))
    res['seconds'] = round(time.time() - t0, 1)
    (out / 'gpu_check.json').write_text(json.dumps(res, indent=1))
    print(f"{res['device']}, {preset} preset at {'×'.join(map(str, shape))} (torch {res['torch']})")
    for k, v in res['stages'].items():
        print(
            f"  {k:16s} {v['seconds_per_step']:7.3f} s/step  "
            f"CUDA peak {v['cuda_peak_gib']} GiB  RSS {v['rss_peak_gib']} GiB"
        )
    print(f"  DDIM-50 per scan ({dtype}): encode {enc:.2f} s, decode {dec:.2f} s (goal ≤ 2 s each)")
    print(f"wrote {out / 'gpu_check.json'} in {res['seconds']:.0f} s")
    return 0


if __name__ == '__main__':
    os.environ.setdefault('MPLBACKEND', 'Agg')
    sys.exit(main())
