"""How long does each remedy take to cover the ring?

    python benchmarks/bench_mode_collapse.py [--seeds 0 1 2] [--every 250]

For every ring preset (``ge.presets.names("ring")``) and seed, train it for its preset's
number of steps and check every ``--every`` steps, with 2500 samples, whether all 8 modes
are captured with >= 90 % high-quality samples (3 std). Reports, per preset: the seconds
of training until that first held (training time only, checks excluded; "never" if it did
not within the preset's steps), the final modes / high-quality share, and the seconds per
step relative to ring-vanilla measured in the same run. Presets run interleaved by seed.
Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

import gan_edu as ge


def time_to_coverage(name: str, seed: int, every: int) -> dict:
    preset = ge.presets.get(name)
    tr = preset.build(seed)
    data = tr.data
    trained, reached = 0.0, None
    for _ in range(preset.steps // every):
        t0 = time.perf_counter()
        tr.run(every, progress=False)
        trained += time.perf_counter() - t0
        modes, hq, _ = ge.metrics.mode_coverage(tr.sample(2500, generator=torch.Generator().manual_seed(0)),
                                                data.centers, data.std)
        if reached is None and modes == data.n_modes and hq >= 0.9:
            reached = trained
    return {"seconds": trained, "reached": reached, "modes": modes, "hq": hq, "per_step": trained / tr.state.step}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--every", type=int, default=250)
    ap.add_argument("--presets", nargs="+", default=ge.presets.names("ring"))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)        # as the lessons do (ge.setup_lesson)
    rows = {name: [] for name in args.presets}
    for seed in args.seeds:
        for name in args.presets:
            rows[name].append(time_to_coverage(name, seed, args.every))
            r = rows[name][-1]
            reached = "never" if r["reached"] is None else f"{r['reached']:.1f} s"
            print(f"  {name} seed {seed}: {r['modes']} modes, {r['hq']:.0%} HQ, {reached} to 8 modes at >= 90%", flush=True)
    base = statistics.median(r["per_step"] for r in rows.get("ring-vanilla", next(iter(rows.values()))))
    print(f"\n{'preset':20s}{'steps':>7}{'to 8 modes & 90% HQ (s)':>27}{'final modes':>13}{'final HQ':>10}"
          f"{'train s':>9}{'s/step vs vanilla':>19}")
    for name, rs in rows.items():
        reached = [r["reached"] for r in rs]
        shown = ", ".join("never" if x is None else f"{x:.1f}" for x in reached)
        print(f"{name:20s}{ge.presets.get(name).steps:>7}{shown:>27}{statistics.mean(r['modes'] for r in rs):>13.1f}"
              f"{statistics.mean(r['hq'] for r in rs):>10.0%}{statistics.median(r['seconds'] for r in rs):>9.1f}"
              f"{statistics.median(r['per_step'] for r in rs) / base:>19.2f}")
    return rows


if __name__ == "__main__":
    main()
