"""Images and the command line: how fast, measured in one run.

    python benchmarks/bench_images.py [--seeds 0 1] [--repeats 3]

1. Seconds of training until the ``digits-dcgan`` preset, on lesson 07's training part of the
   digits (:func:`gan_edu.lessons.classifier.hold_out`), reaches the preset's target (>= 9 of 10
   digit classes and >= 80 % of 1000 samples confidently classified by the small classifier of
   :mod:`gan_edu.lessons.classifier`), checked every 250 steps (checks not timed).
2. Images per second of the DC models: training (batch 64, one D and one G update per step)
   and sampling (G alone, eval mode, batches of 256).
3. Lesson 07's nearest-neighbour check (:func:`gan_edu.lessons.memorisation.memorisation_check`):
   seconds for 1000 samples and the 450 held-out digits against the 1347 training digits.
4. The CLI's wall time for a 2000-step ring run (``gan-edu train --data ring --steps 2000
   --snapshots 1``) against the same 2000 steps through the Python API in a fresh process
   (import, build, run), interleaved repeats, medians: the CLI should add only start-up and
   its output files.

Threads: one, as the lessons use (``ge.setup_lesson``). Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

import gan_edu as ge

API_RUN = """
import time, torch
t0 = time.perf_counter()
import gan_edu as ge
torch.set_num_threads(1)
ge.seed_everything(0)
G = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=128, depth=2)
D = ge.models.MLPDiscriminator(in_dim=2, hidden=128, depth=2)
tr = ge.Trainer(G, D, ge.data.ring(), batch_size=256, lr_g=1e-3, lr_d=1e-3, seed=0)
tr.run(2000, progress=False)
"""


def time_to_target(seed: int, judge, train, every: int = 250) -> dict:
    preset = ge.presets.get("digits-dcgan")
    tr = ge.presets.digits.dcgan(train, seed=seed)
    trained, reached = 0.0, None
    for _ in range(preset.steps // every):
        t0 = time.perf_counter()
        tr.run(every, progress=False)
        trained += time.perf_counter() - t0
        cov = ge.lessons.classifier.evaluate_generator(tr, judge)
        if reached is None and cov.classes >= 9 and cov.confident >= 0.8:
            reached = trained
    return {"reached": reached, "seconds": trained, "classes": cov.classes, "confident": cov.confident}


def images_per_second() -> tuple[float, float]:
    tr = ge.presets.build("digits-dcgan", 0)
    tr.run(20, progress=False)
    t0 = time.perf_counter()
    tr.run(200, progress=False)
    train = 200 * tr.batch_size / (time.perf_counter() - t0)
    z = tr.G.sample_noise(256)
    tr.sample(256, z=z)
    t0 = time.perf_counter()
    for _ in range(20):
        tr.sample(256, z=z)
    sample = 20 * 256 / (time.perf_counter() - t0)
    return train, sample


def memorisation_seconds(split, repeats: int = 3) -> float:
    samples = torch.rand(1000, *split.train.shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ge.lessons.memorisation.memorisation_check(samples, split.train.images, split.held_out.images)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli_vs_api(repeats: int) -> tuple[float, float]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cli_t, api_t = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "gan_edu", "train", "--data", "ring", "--steps", "2000", "--snapshots", "1",
                            "--no-progress", "--out", f"{out}/run"], check=True, capture_output=True, env=env)
            cli_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", API_RUN], check=True, capture_output=True, env=env)
        api_t.append(time.perf_counter() - t0)
    return statistics.median(cli_t), statistics.median(api_t)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)

    data = ge.data.digits()
    split = ge.lessons.classifier.hold_out(data)
    judge = ge.lessons.classifier.train_classifier(data)
    print(f"classifier: {judge.accuracy:.1%} on held-out real digits")
    for seed in args.seeds:
        r = time_to_target(seed, judge, split.train)
        reached = "not within the preset's steps" if r["reached"] is None else f"{r['reached']:.1f} s"
        print(f"digits-dcgan seed {seed}: target reached after {reached} of training; at the end "
              f"{r['classes']}/10 classes, {r['confident']:.0%} confident ({r['seconds']:.1f} s for all steps)")
    train, sample = images_per_second()
    print(f"DC models, 8x8: {train:,.0f} images/s while training, {sample:,.0f} images/s sampling")
    print(f"nearest-neighbour check, 1000 samples + {len(split.held_out)} held-out vs {len(split.train)} training "
          f"digits: {memorisation_seconds(split):.3f} s (median of 3)")
    cli, api = cli_vs_api(args.repeats)
    print(f"2000-step ring run: CLI {cli:.1f} s, Python API {api:.1f} s (both fresh processes, medians of "
          f"{args.repeats}); CLI extra: {cli - api:+.1f} s (its outputs: checkpoint, metrics, 2 snapshots, GIF)")


if __name__ == "__main__":
    main()
