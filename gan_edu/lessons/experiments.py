"""Small, seeded experiments that lessons and benchmarks run and tabulate.

``evaluate(trainer)`` measures a 2D trainer against its data (mode coverage for
mixtures, JS divergence on a grid); ``run(make, steps, seeds)`` trains fresh
trainers and returns one row per seed; ``compare`` does it for several set-ups and
``summarise`` gives the mean over seeds, ready for :func:`table_html`.
"""
from __future__ import annotations

import html
import multiprocessing
import os
import time
from collections.abc import Callable

import numpy as np
import torch

from .. import _check, metrics
from ..data import plane_extent

__all__ = ["evaluate", "run", "compare", "run_presets", "summarise", "table_html", "coverage_timeline"]


def evaluate(trainer, n: int = 2500, seed: int = 0) -> dict:
    """Mode coverage (if the data are a mixture) and JS divergence of ``n`` generator samples."""
    data = trainer.data
    fake = trainer.sample(n, generator=torch.Generator().manual_seed(seed))
    out = {}
    if getattr(data, "centers", None) is not None:
        modes, hq, counts = metrics.mode_coverage(fake, data.centers, data.std)
        out.update(modes=modes, hq=hq, counts=counts.tolist())
    if tuple(data.shape) == (2,):
        x0, x1, y0, y1 = plane_extent(data)
        target = data.density if hasattr(data, "centers") else data.sample(n, generator=torch.Generator().manual_seed(seed + 1))
        out["jsd"] = metrics.js_divergence_2d(fake, target, bins=50, range=((x0, x1), (y0, y1)))
    return out


def run(make: Callable[[int], object], steps: int, seeds=(0, 1, 2), progress: bool = False, keep: bool = False) -> list[dict]:
    """Train ``make(seed)`` for ``steps`` steps for each seed; one row per seed with the
    :func:`evaluate` numbers, the wall time in seconds and the final losses (and the trained
    trainer under ``"trainer"`` if ``keep``)."""
    steps = _check.positive_int("steps", steps)
    rows = []
    for seed in seeds:
        tr = make(seed)
        t0 = time.perf_counter()
        tr.run(steps, progress=progress)
        seconds = time.perf_counter() - t0
        rows.append({"seed": seed, "seconds": seconds, "loss_d": tr.state.loss_d, "loss_g": tr.state.loss_g,
                     **evaluate(tr), **({"trainer": tr} if keep else {})})
    return rows


def compare(setups: dict[str, Callable[[int], object]], steps: int | dict, seeds=(0, 1, 2), progress: bool = True,
            keep: bool = False) -> dict:
    """``{name: rows}`` for several set-ups (``steps`` may be a dict per name); see :func:`run`."""
    from tqdm.auto import tqdm

    out = {}
    for name in tqdm(list(setups), desc="set-ups", disable=not progress, leave=False):
        n = steps[name] if isinstance(steps, dict) else steps
        out[name] = run(setups[name], n, seeds, keep=keep)
    return out


def _preset_job(name: str, seed: int, steps: int | None, n_samples: int) -> dict:
    """One worker's job: train preset ``name`` on ``seed`` with one CPU thread, measure it."""
    from .. import presets

    torch.set_num_threads(1)
    preset = presets.get(name)
    tr = preset.build(seed)
    steps = steps or preset.steps
    t0 = time.perf_counter()
    tr.run(steps, progress=False)
    seconds = time.perf_counter() - t0
    samples = tr.sample(n_samples, generator=torch.Generator().manual_seed(0)).numpy()
    return {"seed": seed, "steps": steps, "seconds": seconds, "loss_d": tr.state.loss_d, "loss_g": tr.state.loss_g,
            **evaluate(tr), "samples": samples}


def run_presets(names, seeds=(0, 1), workers: int | None = None, steps: int | None = None, n_samples: int = 1000,
                progress: bool = True) -> dict[str, list[dict]]:
    """Train several presets (by name) on several seeds, spread over ``workers`` processes
    (default: one per CPU core, each using one thread). ``{name: rows}`` like :func:`compare`;
    each row also holds ``n_samples`` of the trained G's samples under ``"samples"`` (for pictures),
    and ``"seconds"`` is that run's own training time. Workers are started with "spawn": in a
    script, call this under ``if __name__ == "__main__":`` (notebooks need nothing)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm.auto import tqdm

    from .. import presets

    names = list(names)
    for name in names:
        presets.get(name)                                   # unknown names fail here, with the list
    jobs = [(name, seed) for seed in seeds for name in names]
    workers = _check.positive_int("workers", workers) if workers is not None else max(1, min(len(jobs), os.cpu_count() or 1))
    out: dict[str, list[dict]] = {name: [] for name in names}
    bar = tqdm(total=len(jobs), desc="training", unit="run", disable=not progress, leave=False)
    if workers == 1:
        for name, seed in jobs:
            out[name].append(_preset_job(name, seed, steps, n_samples))
            bar.update(1)
    else:
        ctx = multiprocessing.get_context("spawn")          # safe with PyTorch, in notebooks too
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(_preset_job, name, seed, steps, n_samples): name for name, seed in jobs}
            for future in as_completed(futures):
                out[futures[future]].append(future.result())
                bar.update(1)
    bar.close()
    for rows in out.values():
        rows.sort(key=lambda r: r["seed"])
    return out


def summarise(results: dict) -> list[dict]:
    """Mean (and min) over seeds of every numeric column, one row per set-up."""
    table = []
    for name, rows in results.items():
        row = {"setup": name, "seeds": len(rows)}
        for key in rows[0]:
            vals = [r[key] for r in rows]
            if key in ("seed", "counts", "trainer", "samples") or not all(isinstance(v, (int, float)) for v in vals):
                continue
            row[key] = float(np.mean(vals))
            if key == "modes":
                row["modes_min"] = int(min(vals))
        table.append(row)
    return table


def table_html(rows: list[dict], columns: dict[str, tuple[str, str]]) -> str:
    """An HTML table: ``columns`` maps a row key to (header, format), e.g. ``{"hq": ("HQ %", "{:.0%}")}``."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns.values())
    body = "".join("<tr>" + "".join(f"<td>{html.escape(fmt.format(r[k])) if k in r else ''}</td>" for k, (_, fmt) in columns.items())
                   + "</tr>" for r in rows)
    return f"<table class='ge-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def coverage_timeline(trainer, steps: int, every: int = 50, n: int = 1000,
                      progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Train ``steps`` more steps (a progress bar unless ``progress=False``), counting G's samples
    per mode every ``every`` steps. Returns ``(step_numbers [T], counts [T, K])``: which modes G covers, over time."""
    data = trainer.data
    if getattr(data, "centers", None) is None:
        raise ValueError("coverage_timeline needs mixture data with centers (ring, grid, ...)")
    every = _check.positive_int("every", every)
    z = trainer.G.sample_noise(n, generator=torch.Generator().manual_seed(7))
    marks, counts = [], []

    def measure(tr):
        _, _, c = metrics.mode_coverage(tr.sample(n, z=z), data.centers, data.std)
        marks.append(tr.state.step)
        counts.append(c)

    with trainer.attached(step_end=measure, every=every):
        trainer.run(steps, progress=progress)
    return np.asarray(marks), np.asarray(counts)
