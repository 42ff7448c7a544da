"""How good are the digits generators, by a judge that is not the kit's own? (issue 14)

For the ``digits-dcgan`` preset (lesson 07, 10) trained with and without a moving average of G
(``ema``), and for the class-conditional ``digits-conditional`` preset (lesson 09), each for the
preset's own number of steps and seeds 0..2:

* the **confidence ratio**: the independent judge's (:mod:`gan_edu.lessons.judges`: scikit-learn
  logistic regression on pixels, fitted on the kit's training split) mean max-probability on 1000
  samples / on the held-out real digits. About 1 = samples classified as confidently as real ones;
* the share of samples the judge is confident about (max probability >= 0.9), next to the same
  share for held-out real digits;
* the number of digit classes the judge finds (>= 1 % of the samples each);
* for the conditional preset, the **class agreement**: the share of samples (classes 0..9, 100
  each) the judge puts in the class that was asked for;
* training time in seconds (one thread; the machine may be shared: compare ratios, not seconds).

The presets train on all 1797 digits, so the held-out digits are new to the judge, not to G.

    python benchmarks/bench_digits_quality.py                 # the full table (about 15 runs of 2000 steps)
    python benchmarks/bench_digits_quality.py --steps 1100 --seeds 0
"""
from __future__ import annotations

import argparse
import time

import torch

from gan_edu.lessons import judges
from gan_edu.presets import digits

N = 1000
VARIANTS = {                      # name -> (build(seed, steps), conditional?)
    "digits-dcgan (no ema)": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps), False),
    "digits-dcgan + ema 0.99": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps, ema=0.99), False),
    "digits-dcgan + ema 0.999": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps, ema=0.999), False),
    "conditional (no ema)": (lambda seed, steps: digits.conditional_dcgan(seed=seed, steps=steps, ema=0.0), True),
    "digits-conditional (ema 0.999)": (lambda seed, steps: digits.conditional_dcgan(seed=seed, steps=steps), True),
}


def measure(judge, build, conditional: bool, seed: int, steps: int) -> dict:
    tr = build(seed, steps)
    start = time.perf_counter()
    tr.run(steps, progress=False)
    seconds = time.perf_counter() - start
    labels = torch.arange(N) % 10 if conditional else None
    x = tr.sample(N, generator=torch.Generator().manual_seed(1000 + seed), labels=labels)
    conf, real_conf = judges.confidence(judge, x), judges.confidence(judge, judge.held_out_images)
    counts = torch.bincount(judge.proba(x).argmax(1), minlength=10)
    return {"ratio": float(conf.mean() / real_conf.mean()), "confident": float((conf >= 0.9).float().mean()),
            "real_confident": float((real_conf >= 0.9).float().mean()), "classes": int((counts >= N // 100).sum()),
            "agreement": judges.agreement(judge, x, labels) if conditional else None, "seconds": seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=digits.DCGAN_STEPS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), help="run only these variants")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    judge = judges.independent_classifier(seed=0)
    real = judges.confidence(judge, judge.held_out_images)
    print(f"judge: held-out accuracy {judge.accuracy:.3f}, mean confidence on {len(real)} held-out real digits "
          f"{float(real.mean()):.3f}, confident (>= 0.9) on {float((real >= 0.9).float().mean()):.0%}")
    print(f"{args.steps} steps, seeds {args.seeds}, {N} samples each\n")
    print("| set-up | seed | confidence ratio | confident (real) | classes | class agreement | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, (build, conditional) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        rows = []
        for seed in args.seeds:
            r = measure(judge, build, conditional, seed, args.steps)
            rows.append(r)
            agreement = f"{r['agreement']:.1%}" if conditional else "-"
            print(f"| {name} | {seed} | {r['ratio']:.3f} | {r['confident']:.0%} ({r['real_confident']:.0%}) | "
                  f"{r['classes']}/10 | {agreement} | {r['seconds']:.0f} |", flush=True)
        mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("ratio", "confident", "seconds")}
        agreement = f"{sum(r['agreement'] for r in rows) / len(rows):.1%}" if conditional else "-"
        print(f"| **{name}** | mean | **{mean['ratio']:.3f}** | {mean['confident']:.0%} | | {agreement} | "
              f"{mean['seconds']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
