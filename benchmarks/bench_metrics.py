"""Lesson 10's metrics: how long each one takes on 1,797 x 1,797 samples, measured in one run.

    python benchmarks/bench_metrics.py [--repeats 3]

Real: the classifier's penultimate features (512 per image) of all 1,797 8x8 digits; "generated":
the same digits with noise of std 0.25 (another 1,797). Each metric of :mod:`gan_edu.evaluation`
is timed on them with its defaults (KID: 100 subsets of 1,000; precision/recall/density/coverage:
k = 5; the memorisation check: 1,797 generated and 1,797 held-out against 1,797 training images,
in pixels and in features). Then the whole lab of lesson 10 (:mod:`gan_edu.lessons.metrics_lab`:
training its classifier, and every metric for all 12 corruptions of about 450 digits).

One thread, as the lessons use. CPU seconds (the process's, what a busy machine does not inflate)
and wall seconds, medians of ``--repeats``. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

import gan_edu as ge
from gan_edu import evaluation as ev
from gan_edu.lessons import classifier as clf_mod
from gan_edu.lessons import metrics_lab


def timed(fn, repeats: int) -> tuple[float, float]:
    """(median CPU seconds, median wall seconds) of ``fn()`` over ``repeats`` calls."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)

    data = ge.data.digits()
    judge = clf_mod.train_classifier(data)
    real_images = data.images
    fake_images = metrics_lab.add_noise(real_images, 0.25, torch.Generator().manual_seed(0))
    real, fake = ev.penultimate_features(judge, real_images), ev.penultimate_features(judge, fake_images)
    p_real, p_fake = judge.proba(real_images), judge.proba(fake_images)
    n, d = real.shape
    print(f"{n} real x {len(fake)} generated samples, {d} features; one thread; medians of {args.repeats}\n")
    cases = {
        "features (classifier, 1,797 images)": lambda: ev.penultimate_features(judge, fake_images),
        "Fréchet distance": lambda: ev.frechet_distance(real, fake),
        "Fréchet baseline (two halves)": lambda: ev.frechet_baseline(real),
        "KID (100 subsets of 1,000)": lambda: ev.kernel_distance(real, fake),
        "precision/recall/density/coverage (k=5)": lambda: ev.prdc(real, fake),
        "class coverage + class KL": lambda: ev.class_balance(p_fake, p_real, threshold=0.9),
        "memorisation check, pixels": lambda: ev.memorisation_check(fake_images, real_images, real_images),
        "memorisation check, features": lambda: ev.memorisation_check(fake_images, real_images, real_images, model=judge),
    }
    print(f"{'metric':44} {'CPU s':>7} {'wall s':>7}")
    for name, fn in cases.items():
        cpu, wall = timed(fn, args.repeats)
        print(f"{name:44} {cpu:7.3f} {wall:7.3f}")

    c0, w0 = time.process_time(), time.perf_counter()
    setup = metrics_lab.prepare(seed=0)                  # splits the digits and trains the lab's classifier
    prep_cpu, prep_wall = time.process_time() - c0, time.perf_counter() - w0
    cpu, wall = timed(lambda: metrics_lab.run(setup), args.repeats)
    print(f"\nlesson 10's lab: prepare (train its classifier, reference features) {prep_cpu:.1f} CPU s, {prep_wall:.1f} wall s; "
          f"the table (12 corruptions of {setup.n} digits, every metric) {cpu:.1f} CPU s, {wall:.1f} wall s; "
          f"together {prep_cpu + cpu:.1f} CPU s")

if __name__ == "__main__":
    main()
