"""Small, seeded experiments that lessons and benchmarks run and tabulate.

``evaluate(trainer)`` measures a 2D trainer against its data (mode coverage for
mixtures, JS divergence on a grid; :func:`measure` does it for any samples, and
:func:`data_row` for the data's own samples: the estimators' floor); ``run(make, steps,
seeds)`` trains fresh trainers and returns one row per seed; ``compare`` does it for
several set-ups; :func:`preset_row` / :func:`run_presets` train named presets, one after
the other in this process; ``summarise`` gives the mean over seeds, ready for :func:`table_html`.
"""
from __future__ import annotations

import html
import time
from collections.abc import Callable

import numpy as np
import torch

from .. import _check, metrics
from ..data import plane_extent

__all__ = ["evaluate", "measure", "data_row", "run", "compare", "preset_row", "run_presets", "summarise", "table_html",
           "coverage_timeline"]

#: the high-quality share that counts as "covered" in :func:`preset_row`'s ``reached`` (with every mode captured)
COVERED_HQ = 0.9


def evaluate(trainer, n: int = 2500, seed: int = 0) -> dict:
    """Mode coverage (if the data are a mixture) and JS divergence of ``n`` generator samples."""
    return measure(trainer.sample(n, generator=torch.Generator().manual_seed(seed)), trainer.data, seed)


def measure(samples, data, seed: int = 0) -> dict:
    """What :func:`evaluate` reports, for any ``samples`` [N, d] against ``data``: ``modes``,
    ``hq`` and ``counts`` (:func:`gan_edu.metrics.mode_coverage`) for mixtures; for 2D data
    ``jsd``, the JS divergence on a 50 x 50 grid over the data's plane (against the mixture's
    density at the cell centres, else against N fresh data samples drawn with ``seed + 1``)."""
    fake = torch.as_tensor(np.asarray(samples), dtype=torch.float32)
    out = {}
    if getattr(data, "centers", None) is not None:
        modes, hq, counts = metrics.mode_coverage(fake, data.centers, data.std)
        out.update(modes=modes, hq=hq, counts=counts.tolist())
    if tuple(data.shape) == (2,):
        x0, x1, y0, y1 = plane_extent(data)
        n = len(fake)
        target = data.density if hasattr(data, "centers") else data.sample(n, generator=torch.Generator().manual_seed(seed + 1))
        out["jsd"] = metrics.js_divergence_2d(fake, target, bins=50, range=((x0, x1), (y0, y1)))
    return out


def data_row(data, n: int = 2500, seed: int = 0) -> dict:
    """:func:`measure` applied to ``n`` samples of the data themselves (drawn with ``seed``): what a
    perfect G would score. The JS divergence is not 0 there -- a grid of 2500 samples against the
    density at the cell centres has a floor -- so a G's numbers are read against these."""
    return {"setup": "the data themselves", **measure(data.sample(n, generator=torch.Generator().manual_seed(seed)),
                                                        data, seed)}


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


def preset_row(name: str, seed: int = 0, steps: int | None = None, n_samples: int = 1000,
               check_every: int | None = None) -> dict:
    """Train preset ``name`` from scratch on ``seed`` for ``steps`` (default: the preset's) and
    measure it with :func:`evaluate`. The row also holds ``n_samples`` of the trained G's samples
    under ``"samples"`` (for pictures), the training ``seconds`` and, with ``check_every``, the
    training seconds until every mode was first captured with >= 90 % high-quality samples
    (``"reached"``, None if never; checked with 2500 samples every ``check_every`` steps, check
    time excluded -- the checks draw from their own random stream and do not change the run)."""
    from .. import presets

    preset = presets.get(name)
    steps = preset.steps if steps is None else _check.positive_int("steps", steps)
    tr = preset.build(seed)
    checks = {"seconds": 0.0, "reached": None}
    t0 = time.perf_counter()

    def check(t) -> None:
        c0 = time.perf_counter()
        m = evaluate(t)
        if checks["reached"] is None and m.get("modes") == t.data.n_modes and m["hq"] >= COVERED_HQ:
            checks["reached"] = c0 - t0 - checks["seconds"]
        checks["seconds"] += time.perf_counter() - c0

    if check_every is None:
        tr.run(steps, progress=False)
    else:
        with tr.attached(step_end=check, every=_check.positive_int("check_every", check_every)):
            tr.run(steps, progress=False)
    seconds = time.perf_counter() - t0 - checks["seconds"]
    samples = tr.sample(n_samples, generator=torch.Generator().manual_seed(0)).numpy()
    row = {"preset": name, "seed": seed, "steps": steps, "seconds": seconds, "loss_d": tr.state.loss_d,
           "loss_g": tr.state.loss_g, **evaluate(tr), "samples": samples}
    if check_every is not None:
        row["reached"] = checks["reached"]
    return row


def run_presets(names, seeds=(0, 1), steps: int | None = None, n_samples: int = 1000,
                progress: bool = True) -> dict[str, list[dict]]:
    """Train several presets (by name) on several seeds, one after the other in this process
    (:func:`preset_row`). ``{name: rows}`` like :func:`compare`; each row also holds ``n_samples``
    of the trained G's samples under ``"samples"``, and ``"seconds"`` is that run's training time."""
    from tqdm.auto import tqdm

    from .. import presets

    names = list(names)
    for name in names:
        presets.get(name)                                   # unknown names fail here, with the list
    out: dict[str, list[dict]] = {name: [] for name in names}
    jobs = [(name, seed) for seed in seeds for name in names]
    for name, seed in tqdm(jobs, desc="training", unit="run", disable=not progress, leave=False):
        out[name].append(preset_row(name, seed, steps, n_samples))
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
