"""Does the training lab keep training fast while it draws?

    python benchmarks/bench_lab.py [--seconds 4] [--repeats 3]

Measured side by side in one run, interleaved: the lab's trainer stepping headless
(``trainer.step()`` in a loop) for N seconds, then the lab playing (stepping on the
event loop and redrawing the view at up to 10 frames per second, the charts every
0.5 s) for N seconds. Reports steps per second of each, their ratio (goal >= 0.80)
and the frames per second the view reached (goal >= 10). Medians over repeats.
Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from gan_edu.widgets.lab import TrainingLab


def headless(lab: TrainingLab, seconds: float) -> float:
    tr, n = lab.tr, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        tr.step()
        n += 1
    return n / (time.perf_counter() - t0)


def playing(lab: TrainingLab, seconds: float) -> tuple[float, float]:
    async def scenario():
        steps0, frames0 = lab.player.steps, lab.view.frames
        t0 = time.perf_counter()
        lab.play()
        await asyncio.sleep(seconds)
        lab.pause()
        elapsed = time.perf_counter() - t0
        await asyncio.sleep(0.05)
        return (lab.player.steps - steps0) / elapsed, (lab.view.frames - frames0) / elapsed

    return asyncio.run(scenario())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--layers", default="real,fake,heatmap", help="comma-separated view layers")
    args = ap.parse_args(argv)
    lab = TrainingLab()                       # the lab's defaults: ring, MLP width 64, batch 128
    lab.show_layers(*args.layers.split(","))
    headless(lab, 0.5)                        # warm up
    rows = []
    for _ in range(args.repeats):
        h = headless(lab, args.seconds)
        p, fps = playing(lab, args.seconds)
        rows.append((h, p, fps))
    h = statistics.median(r[0] for r in rows)
    p = statistics.median(r[1] for r in rows)
    fps = statistics.median(r[2] for r in rows)
    print(f"layers: {args.layers}")
    print(f"headless      {h:8.1f} steps/s")
    print(f"lab playing   {p:8.1f} steps/s   view at {fps:.1f} frames/s")
    print(f"playing / headless = {p / h:.3f}  (goal >= 0.80 at >= 10 frames/s)")
    return h, p, fps


if __name__ == "__main__":
    main()
