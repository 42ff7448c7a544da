"""How good are the digits generators, by a judge that is not the kit's own? (issue 14)

For the ``digits-dcgan`` preset (lesson 07, 10) trained with and without a moving average of G
(``ema``), for the class-conditional ``digits-conditional`` preset (lesson 09) and for the
self-conditioned ``digits-selfcond`` (conditioned on k-means clusters of the pixels, never the labels;
its samples draw the clusters at the data's frequencies), each for the preset's own number of steps
and seeds 0..2:

* the **confidence ratio**: the independent judge's (:mod:`gan_edu.lessons.judges`: scikit-learn
  logistic regression on pixels, fitted on the kit's training split) mean max-probability on 1000
  samples / on the held-out real digits. About 1 = samples classified as confidently as real ones;
* the share of samples the judge is confident about (max probability >= 0.9), next to the same
  share for held-out real digits;
* the number of digit classes the judge finds (>= 1 % of the samples each);
* for the conditional preset, the **class agreement**: the share of samples (classes 0..9, 100
  each) the judge puts in the class that was asked for;
* training time in seconds (one thread; the machine may be shared: compare ratios, not seconds).

The presets train on all 1797 digits, so the held-out digits are new to the judge, not to G. So
``--copying`` trains the two unconditional set-ups once more on the judge's training split only and
runs the nearest-neighbour copying check (:func:`gan_edu.evaluation.memorisation_check`) against
the held-out digits: about 5 % of samples flagged when G does not copy, far more when it does.

    python benchmarks/bench_digits_quality.py                 # the full table (about 15 runs of 2000 steps)
    python benchmarks/bench_digits_quality.py --steps 1100 --seeds 0
    python benchmarks/bench_digits_quality.py --only digits-selfcond --copying
    python benchmarks/bench_digits_quality.py --sweep --seeds 0 1    # tuning the unconditional DCGAN instead

``--sweep`` changes one thing at a time in ``digits-dcgan`` (loss, D's normalisation, minibatch
std in D, learning rates, width, latent size, batch) and, for the preset itself, keeps only the
samples D rates highest (D's logit as a density-ratio estimate: rejection sampling as in Azadi et
al. 2019, and the top 10 % of 10 000).
"""
from __future__ import annotations

import argparse
import time

import torch

from gan_edu import data as data_mod
from gan_edu import evaluation, models
from gan_edu.lessons import judges
from gan_edu.presets import digits
from gan_edu.presets.registry import linear_decay
from gan_edu.trainer import Trainer

N = 1000
VARIANTS = {                      # name -> (build(seed, steps), conditional?: True, False or "clusters")
    "digits-dcgan (no ema)": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps), False),
    "digits-dcgan + ema 0.99": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps, ema=0.99), False),
    "digits-dcgan + ema 0.999": (lambda seed, steps: digits.dcgan(seed=seed, steps=steps, ema=0.999), False),
    "conditional (no ema)": (lambda seed, steps: digits.conditional_dcgan(seed=seed, steps=steps, ema=0.0), True),
    "digits-conditional (ema 0.999)": (lambda seed, steps: digits.conditional_dcgan(seed=seed, steps=steps), True),
    "digits-selfcond": (lambda seed, steps: digits.self_conditioned_dcgan(seed=seed, steps=steps), "clusters"),
}
COPYING = {                       # name -> build(data, seed, steps) on the judge's training split
    "digits-dcgan": lambda data, seed, steps: digits.dcgan(data, seed=seed, steps=steps),
    "digits-selfcond": lambda data, seed, steps: digits.self_conditioned_dcgan(data, seed=seed, steps=steps),
}


SWEEP = {                         # name -> changes to digits-dcgan
    "digits-dcgan": {},
    "hinge loss": {"loss": "hinge"},
    "least-squares loss": {"loss": "least_squares"},
    "minibatch std in D": {"minibatch_std": True},
    "spectral norm in D": {"norm": "spectral"},
    "lr_g 1e-3, lr_d 4e-3": {"lr_g": 1e-3, "lr_d": 4e-3},
    "48 features": {"features": 48},
    "latent 32": {"latent_dim": 32},
    "batch 128": {"batch_size": 128},
    "hinge + minibatch std + latent 32": {"loss": "hinge", "minibatch_std": True, "latent_dim": 32},
}


def tuned(seed: int, steps: int, loss="non_saturating", minibatch_std=False, norm="batch", lr_g=None, lr_d=None,
          features=None, latent_dim=None, batch_size=None) -> Trainer:
    """digits-dcgan (the same seeding, networks and schedule) with the given settings changed."""
    s = digits.DCGAN
    features, latent_dim = features or s["features"], latent_dim or s["latent_dim"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models.DCGenerator(latent_dim=latent_dim, image_size=8, channels=1, features=features)
        D = models.DCDiscriminator(image_size=8, channels=1, features=features, norm=norm, minibatch_std=minibatch_std)
    tr = Trainer(G, D, data_mod.digits(), batch_size=batch_size or s["batch_size"], lr_g=lr_g or s["lr"],
                 lr_d=lr_d or s["lr"], betas=s["betas"], seed=seed, loss=loss)
    linear_decay(tr, s["decay_start"], steps, s["decay_factor"])
    return tr


def sweep(judge, seeds, steps: int) -> None:
    real = judges.confidence(judge, judge.held_out_images).mean()
    print("\nsweep: digits-dcgan with one change; for the preset, samples filtered by D\n")
    print("| change | seed | confidence ratio | confident | classes |")
    print("|---|---|---|---|---|")

    def row(name, seed, x):
        conf = judges.confidence(judge, x)
        counts = torch.bincount(judge.proba(x).argmax(1), minlength=10)
        print(f"| {name} | {seed} | {float(conf.mean() / real):.3f} | {float((conf >= 0.9).float().mean()):.0%} | "
              f"{int((counts >= len(x) // 100).sum())}/10 |", flush=True)

    for name, changes in SWEEP.items():
        for seed in seeds:
            tr = tuned(seed, steps, **changes)
            tr.run(steps, progress=False)
            row(name, seed, tr.sample(N, generator=torch.Generator().manual_seed(1000 + seed)))
            if changes:
                continue
            x = tr.sample(10 * N, generator=torch.Generator().manual_seed(1000 + seed))      # 10 000 samples
            with torch.no_grad(), models.eval_mode(tr.D):
                logit = tr.D(x)                       # log(p_data / p_g), if D were optimal
            keep = torch.rand(len(x), generator=torch.Generator().manual_seed(7)) < torch.exp(logit - logit.max())
            row(f"{name}, rejection sampling by D (keeps {float(keep.float().mean()):.0%})", seed, x[keep][:N])
            row(f"{name}, the 10 % D rates highest", seed, x[logit.argsort(descending=True)[:N]])


def measure(judge, build, conditional: bool, seed: int, steps: int) -> dict:
    tr = build(seed, steps)
    start = time.perf_counter()
    tr.run(steps, progress=False)
    seconds = time.perf_counter() - start
    noise = torch.Generator().manual_seed(1000 + seed)
    labels = (tr.data.draw_labels(N, generator=noise) if conditional == "clusters"      # the data's mix of clusters
              else torch.arange(N) % 10 if conditional else None)
    x = tr.sample(N, generator=noise, labels=labels)
    conf, real_conf = judges.confidence(judge, x), judges.confidence(judge, judge.held_out_images)
    counts = torch.bincount(judge.proba(x).argmax(1), minlength=10)
    return {"ratio": float(conf.mean() / real_conf.mean()), "confident": float((conf >= 0.9).float().mean()),
            "real_confident": float((real_conf >= 0.9).float().mean()), "classes": int((counts >= N // 100).sum()),
            "agreement": judges.agreement(judge, x, labels) if conditional is True else None, "seconds": seconds}


def copying(judge, build, seed: int, steps: int):
    """Train on the judge's training split only; the nearest-neighbour check of 1000 samples against the held-out digits."""
    train = judge.split.train
    tr = build(train, seed, steps)
    tr.run(steps, progress=False)
    noise = torch.Generator().manual_seed(1000 + seed)
    labels = tr.data.draw_labels(N, generator=noise) if tr.n_classes else None
    x = tr.sample(N, generator=noise, labels=labels)
    return evaluation.memorisation_check(x, train.images, judge.held_out_images), judges.confidence_ratio(judge, x)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=digits.DCGAN_STEPS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), help="run only these variants")
    parser.add_argument("--copying", action="store_true", help="also the copying check of the unconditional set-ups")
    parser.add_argument("--sweep", action="store_true", help="only the sweep of settings of the unconditional DCGAN")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    judge = judges.independent_classifier(seed=0)
    real = judges.confidence(judge, judge.held_out_images)
    print(f"judge: held-out accuracy {judge.accuracy:.3f}, mean confidence on {len(real)} held-out real digits "
          f"{float(real.mean()):.3f}, confident (>= 0.9) on {float((real >= 0.9).float().mean()):.0%}")
    print(f"{args.steps} steps, seeds {args.seeds}, {N} samples each\n")
    if args.sweep:
        return sweep(judge, args.seeds, args.steps)
    print("| set-up | seed | confidence ratio | confident (real) | classes | class agreement | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, (build, conditional) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        rows = []
        for seed in args.seeds:
            r = measure(judge, build, conditional, seed, args.steps)
            rows.append(r)
            agreement = f"{r['agreement']:.1%}" if conditional is True else "-"
            print(f"| {name} | {seed} | {r['ratio']:.3f} | {r['confident']:.0%} ({r['real_confident']:.0%}) | "
                  f"{r['classes']}/10 | {agreement} | {r['seconds']:.0f} |", flush=True)
        mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("ratio", "confident", "seconds")}
        agreement = f"{sum(r['agreement'] for r in rows) / len(rows):.1%}" if conditional is True else "-"
        print(f"| **{name}** | mean | **{mean['ratio']:.3f}** | {mean['confident']:.0%} | | {agreement} | "
              f"{mean['seconds']:.0f} |", flush=True)
    if args.copying:
        print("\ncopying check: trained on the judge's training split, 1000 samples against its held-out digits\n")
        print("| set-up | seed | flagged (no copying: about 5 %) | exact copies | median distance ratio | confidence ratio |")
        print("|---|---|---|---|---|---|")
        for name, build in COPYING.items():
            for seed in args.seeds:
                check, ratio = copying(judge, build, seed, args.steps)
                print(f"| {name} | {seed} | {check.share:.1%} | {check.exact_copies:.1%} | {check.median_ratio:.2f} | "
                      f"{ratio:.3f} |", flush=True)


if __name__ == "__main__":
    main()
