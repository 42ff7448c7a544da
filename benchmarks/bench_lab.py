"""Does the training lab keep training fast while it draws?

    python benchmarks/bench_lab.py [--seconds 3] [--repeats 7] [--layers all|default|both]

Measured side by side in one run, interleaved: the lab's trainer stepping headless
(``trainer.step()`` in a loop) for N seconds, then the lab playing (stepping on the event
loop and redrawing the view at up to 10 frames per second, the charts every 0.5 s) for N
seconds, with the default layers (real, fake, D's heatmap) and with every layer on (G's
manifold and the gradient arrows too). One torch thread, as the lessons use.

Per set of layers it reports medians over the repeats:

* the wall-clock ratio: steps per second playing / headless (goal >= 0.80 at >= 10 frames/s).
  Honest on an idle machine; on a busy one it is pessimistic, because the lab draws 10 frames
  per *wall* second whatever share of the CPU it gets, so drawing takes a larger share;
* the CPU cost of a step (headless and while playing) and of a frame (thread CPU time, which
  other processes do not inflate; the event loop's own work is added to the frames), and from
  them the ratio on a CPU of one's own: (1 - fps * frame cost) * headless step cost / playing
  step cost.

The spread (min-max over the repeats) is printed with each ratio. Not a test: nothing here
asserts a time.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import torch

from gan_edu.viz.live import LAYERS
from gan_edu.widgets.lab import TrainingLab

LAYER_SETS = {"default": ("real", "fake", "heatmap"), "all": LAYERS}


def headless(lab: TrainingLab, seconds: float) -> tuple[float, float]:
    """Steps per wall second and CPU milliseconds per step, stepping in a loop."""
    tr, n = lab.tr, 0
    t0, c0 = time.perf_counter(), time.thread_time()
    while time.perf_counter() - t0 < seconds:
        tr.step()
        n += 1
    return n / (time.perf_counter() - t0), (time.thread_time() - c0) / n * 1000


def playing(lab: TrainingLab, seconds: float) -> dict:
    """Steps and frames per wall second while playing, and the CPU milliseconds of each."""
    cpu = {"step": 0.0, "draw": 0.0}
    step_fn, draw_fn = lab.player.step_fn, lab.player.draw_fn

    def timed(fn, key):
        def run():
            c = time.thread_time()
            fn()
            cpu[key] += time.thread_time() - c
        return run

    lab.player.step_fn, lab.player.draw_fn = timed(step_fn, "step"), timed(draw_fn, "draw")

    async def scenario():
        steps0, frames0 = lab.player.steps, lab.view.frames
        t0, c0 = time.perf_counter(), time.thread_time()
        lab.play()
        await asyncio.sleep(seconds)
        lab.pause()
        elapsed, total = time.perf_counter() - t0, time.thread_time() - c0
        await asyncio.sleep(0.05)
        return lab.player.steps - steps0, lab.view.frames - frames0, elapsed, total

    try:
        steps, frames, elapsed, total = asyncio.run(scenario())
    finally:
        lab.player.step_fn, lab.player.draw_fn = step_fn, draw_fn
    frames = max(frames, 1)
    # the event loop's own work (slicing, clicks) is charged to the frames: a conservative estimate
    return {"steps_s": steps / elapsed, "fps": frames / elapsed, "step_ms": cpu["step"] / max(steps, 1) * 1000,
            "frame_ms": cpu["draw"] / frames * 1000, "other_ms": max(total - cpu["step"] - cpu["draw"], 0.0) / frames * 1000}


def measure(lab: TrainingLab, layers, seconds: float, fps: float) -> dict:
    """One interleaved pair: headless, then playing with ``layers``."""
    lab.show_layers(*layers)
    h, h_ms = headless(lab, seconds)
    p = playing(lab, seconds)
    own_cpu = (1 - fps * (p["frame_ms"] + p["other_ms"]) / 1000) * h_ms / p["step_ms"]
    return {"headless": h, "playing": p["steps_s"], "fps": p["fps"], "ratio": p["steps_s"] / h, "step_ms": h_ms,
            "play_step_ms": p["step_ms"], "frame_ms": p["frame_ms"], "other_ms": p["other_ms"], "own_cpu": own_cpu}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--layers", choices=("default", "all", "both"), default="both")
    ap.add_argument("--size", default="M", help="view size (S, M, L, XL)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    names = ["default", "all"] if args.layers == "both" else [args.layers]
    lab = TrainingLab(size=args.size)         # the lab's defaults: ring, MLP width 64, batch 128
    headless(lab, 0.5)                        # warm up
    rows = {name: [] for name in names}
    for _ in range(args.repeats):
        for name in names:                    # interleaved: each repeat measures every set once
            rows[name].append(measure(lab, LAYER_SETS[name], args.seconds, lab.fps))
    out = {}
    for name in names:
        med = {k: statistics.median(r[k] for r in rows[name]) for k in rows[name][0]}
        spread = {k: (min(r[k] for r in rows[name]), max(r[k] for r in rows[name])) for k in ("ratio", "own_cpu")}
        out[name] = {**med, "spread": spread}
        print(f"layers {name} ({', '.join(LAYER_SETS[name])}), view size {args.size}, {args.repeats} repeats:")
        print(f"  headless      {med['headless']:8.1f} steps/s   {med['step_ms']:.2f} CPU ms/step")
        print(f"  lab playing   {med['playing']:8.1f} steps/s   {med['play_step_ms']:.2f} CPU ms/step, view at "
              f"{med['fps']:.1f} frames/s, {med['frame_ms']:.1f} CPU ms/frame (+ {med['other_ms']:.1f} of the loop's own)")
        print(f"  playing / headless, wall clock:  {med['ratio']:.3f} (spread {spread['ratio'][0]:.3f}-"
              f"{spread['ratio'][1]:.3f})")
        print(f"  on a CPU of its own at {lab.fps:.0f} frames/s: {med['own_cpu']:.3f} (spread "
              f"{spread['own_cpu'][0]:.3f}-{spread['own_cpu'][1]:.3f})   (goal >= 0.80 at >= 10 frames/s)")
    return out


if __name__ == "__main__":
    main()
