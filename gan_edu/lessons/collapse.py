"""Lesson 05: mode collapse, measured.

**A run, recorded.** :func:`record` trains a ring or grid preset from scratch on its own seed
(so the same call always gives the same run: a prediction's experiment can be re-run any
number of times) and keeps, every ``every`` steps, G's samples for one fixed set of noise
vectors and a copy of D. The :class:`CollapseRun` it returns is what the lesson reads:

* ``run.near`` [T, K] -- how many samples have mode k as their nearest centre, at each check
  (where G's samples *are*, whether or not they sit inside a mode);
* ``run.captured`` [T, K] -- how many of them are *high quality*, within 3 std of mode k
  (:func:`gan_edu.metrics.mode_coverage`; a mode is captured when this is at least 1);
* ``run.final`` -- the end of the run measured as the results table measures it (2500
  samples: modes captured, high-quality share, JS divergence on a grid), and ``run.outcome``,
  the answer to the lesson's prediction ("all" 8 modes, "some" 4 to 7, "few" 3 or fewer).

**What collapse looks like here.** :func:`clump` measures how bunched G's samples are (their
spread, and the share within ``radius`` of their mean: near 0 for samples spread over the
ring, near 1 for one clump); :func:`travel` follows the clump's centre around the ring, and
:func:`tilt` measures how close each recorded D is to a tilted plane and which way it rises.

**The remedies table** trains five presets on three seeds: minutes, so the lesson runs one
remedy live (:func:`live_row`) and reads the whole table from a *supplement*
(:data:`SUPPLEMENT`, written by ``benchmarks/bench_mode_collapse.py --write``, with the command,
versions and date inside, and a :func:`fingerprint` of every preset's set-up so a test can tell
when the table no longer matches the code). :data:`TRAINED` lists every GAN trained here in
this process, so the lesson can say how many it trained.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from .. import _check, metrics, presets
from . import experiments

__all__ = ["NOISE_SEED", "CollapseRun", "record", "outcome_key", "Clump", "clump", "turns", "travel", "Tilt", "tilt",
           "TRAINED", "trained", "setup_changes", "live_row", "SUPPLEMENT", "fingerprint", "supplement",
           "write_supplement", "load_supplement", "supplement_table", "supplement_samples"]

#: the seed of the fixed noise vectors whose samples a recorded run follows
NOISE_SEED = 7
#: the precomputed remedies table (package data; ``benchmarks/bench_mode_collapse.py --write`` makes it)
SUPPLEMENT = Path(__file__).with_name("supplements") / "05_ring_remedies.json"
#: every GAN trained by :func:`record` and :func:`live_row` in this process: (preset, seed, steps)
TRAINED: list[tuple[str, int, int]] = []


# --------------------------------------------------------------------------- a run, recorded
@dataclass
class CollapseRun:
    """One preset trained from scratch, with what it looked like every ``every`` steps (see the module
    docstring). ``samples`` [T, n, 2]: G's samples for the same ``n`` noise vectors at each of the
    ``steps`` [T]; ``discriminators``: a copy of D at each check (eval mode); ``final`` /
    ``final_samples``: the end, measured with 2500 samples; ``seconds``: training time, checks excluded."""

    name: str
    seed: int
    data: object = field(repr=False)
    steps: np.ndarray = field(repr=False)
    samples: np.ndarray = field(repr=False)
    discriminators: list = field(repr=False)
    final: dict = field(repr=False)
    final_samples: np.ndarray = field(repr=False)
    seconds: float = 0.0

    def __post_init__(self):
        centers = np.asarray(self.data.centers, dtype=np.float64)
        d2 = ((self.samples[:, :, None, :] - centers[None, None]) ** 2).sum(-1)          # [T, n, K]
        k = centers.shape[0]
        self.near = np.stack([np.bincount(a, minlength=k) for a in d2.argmin(-1)])       # [T, K]
        self.captured = np.stack([metrics.mode_coverage(x, centers, self.data.std).counts for x in self.samples])

    @property
    def captured_now(self) -> np.ndarray:
        """[T]: modes captured (at least one high-quality sample) at each check."""
        return (self.captured > 0).sum(axis=1)

    @property
    def captured_ever(self) -> np.ndarray:
        """[T]: modes captured at least once at this check or an earlier one."""
        return np.maximum.accumulate(self.captured > 0, axis=0).sum(axis=1)

    @property
    def outcome(self) -> str:
        """The prediction's answer for the end of this run (see :func:`outcome_key`)."""
        return outcome_key(self.final["modes"], self.data.n_modes)

    def at(self, step: int) -> int:
        """The index of the check at ``step`` (ValueError listing the checked steps if there is none)."""
        hits = np.flatnonzero(self.steps == step)
        if hits.size == 0:
            raise ValueError(f"step {step} was not checked; checks were every {self.steps[0]} steps up to {self.steps[-1]}")
        return int(hits[0])


def record(name: str = "ring-vanilla", seed: int = 0, steps: int | None = None, every: int = 100,
           n: int = 1000) -> CollapseRun:
    """Train preset ``name`` from scratch on ``seed`` for ``steps`` (default: the preset's), keeping
    ``n`` samples (the same noise every time) and a copy of D every ``every`` steps."""
    preset = presets.get(name)
    steps = preset.steps if steps is None else _check.positive_int("steps", steps)
    every = _check.positive_int("every", every)
    n = _check.integer("n", n, minimum=1)
    tr = preset.build(seed)
    if getattr(tr.data, "centers", None) is None or tuple(tr.data.shape) != (2,):
        raise ValueError(f"record() follows a 2D mixture (a ring or grid preset); {name!r} trains on {tr.data!r}")
    z = tr.G.sample_noise(n, generator=torch.Generator().manual_seed(NOISE_SEED))
    marks, samples, ds, spent = [], [], [], [0.0]

    def keep(t) -> None:
        c0 = time.perf_counter()
        marks.append(t.state.step)
        samples.append(t.sample(n, z=z).numpy())
        ds.append(copy.deepcopy(t.D).eval())
        spent[0] += time.perf_counter() - c0

    t0 = time.perf_counter()
    with tr.attached(step_end=keep, every=every):
        tr.run(steps, progress=False)
    seconds = time.perf_counter() - t0 - spent[0]
    TRAINED.append((name, seed, steps))
    final_samples = tr.sample(2500, generator=torch.Generator().manual_seed(0)).numpy()
    return CollapseRun(name, seed, tr.data, np.asarray(marks), np.stack(samples), ds,
                       experiments.measure(final_samples, tr.data), final_samples, seconds)


def outcome_key(modes: int, n_modes: int = 8) -> str:
    """The answer key of prediction 05-vanilla-modes: "all" (every mode), "some" (at least half), "few"."""
    modes = _check.integer("modes", modes, minimum=0, maximum=n_modes)
    return "all" if modes == n_modes else "some" if modes >= n_modes / 2 else "few"


# --------------------------------------------------------------------------- what collapse looks like
class Clump(NamedTuple):
    """How bunched ``samples`` are: ``centre`` (their mean), ``spread`` (root-mean-square distance
    from it), ``share_within`` (the share within ``radius`` of it), ``centre_to_mode`` (distance from
    the centre to the nearest mode), ``mode_std`` (one mode's standard deviation, for scale)."""

    centre: np.ndarray
    spread: float
    share_within: float
    radius: float
    centre_to_mode: float
    mode_std: float


def clump(samples, data, radius: float = 0.5) -> Clump:
    """:class:`Clump` of ``samples`` [N, 2] against mixture ``data``. For the ring (modes 0.77 apart)
    ``radius=0.5`` holds one clump whole and none of the data: samples spread over the ring have
    their mean near the centre of the ring, 1 away from every one of them."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    radius = _check.positive("radius", radius)
    centre = x.mean(axis=0)
    dist = np.linalg.norm(x - centre, axis=1)
    to_modes = np.linalg.norm(np.asarray(data.centers, dtype=np.float64) - centre, axis=1)
    return Clump(centre, float(np.sqrt((dist ** 2).mean())), float((dist <= radius).mean()), radius,
                 float(to_modes.min()), float(data.std))


def turns(angles) -> float:
    """How far a sequence of directions (radians) turned in all, in whole turns: the sum of the
    angle between consecutive ones, each taken the short way round (so consecutive directions
    must be less than half a turn apart for the count to be exact)."""
    moved = np.angle(np.exp(1j * np.diff(np.asarray(angles, dtype=np.float64))))     # wrapped into (-pi, pi]
    return float(np.abs(moved).sum() / (2 * math.pi))


def travel(run: CollapseRun) -> float:
    """How far the centre of G's samples went around the ring over the run, in turns (:func:`turns`
    of its angle seen from the ring's centre, check to check)."""
    centres = run.samples.mean(axis=1)                                    # [T, 2]
    return turns(np.arctan2(centres[:, 1], centres[:, 0]))


class Tilt(NamedTuple):
    """D as a tilted plane, at each check: ``r2`` [T], how much of the variation of D's logit over the
    data's square a plane explains (1: exactly a plane); ``angle`` [T], the direction in which that
    plane rises (towards "real"), in radians."""

    r2: np.ndarray
    angle: np.ndarray


@torch.no_grad()
def tilt(run: CollapseRun, n: int = 41) -> Tilt:
    """Fit a plane a*x + b*y + c to each recorded D's logit on an ``n`` x ``n`` grid over the square
    that holds the data (its centres' extent plus 3 std) by least squares: how plane-like D is, and
    which way it rises."""
    centers = np.asarray(run.data.centers, dtype=np.float64)
    lo, hi = centers.min() - 3 * run.data.std, centers.max() + 3 * run.data.std
    g = np.linspace(lo, hi, _check.integer("n", n, minimum=3))
    pts = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)             # [n*n, 2]
    design = np.column_stack([pts, np.ones(len(pts))])
    x = torch.as_tensor(pts, dtype=torch.float32)
    r2, angle = [], []
    for D in run.discriminators:
        logit = D(x.to(next(D.parameters()).device)).cpu().double().numpy().ravel()
        coef, *_ = np.linalg.lstsq(design, logit, rcond=None)
        spread = ((logit - logit.mean()) ** 2).sum()
        r2.append(1 - ((design @ coef - logit) ** 2).sum() / spread if spread > 0 else 1.0)
        angle.append(math.atan2(coef[1], coef[0]))
    return Tilt(np.asarray(r2), np.asarray(angle))


# --------------------------------------------------------------------------- what was trained
def trained() -> str:
    """The GANs :data:`TRAINED` lists (each distinct run once), in words, one a line."""
    runs = list(dict.fromkeys(TRAINED))
    if not runs:
        return "No GAN has been trained by this lesson yet."
    parts = [f"\n  {name} (seed {seed}, {steps} steps)" for name, seed, steps in runs]
    return f"{len(runs)} GAN{'s' if len(runs) > 1 else ''}, {sum(s for *_, s in runs)} steps in all:" + "".join(parts)


def setup_changes(name: str, base: str = "ring-vanilla") -> list[str]:
    """What preset ``name`` changes from preset ``base``, read off the trainers they build: the
    steps, every trainer setting that differs (``pack=2``, ``d_steps=5`` ...) and D's layers if
    they differ -- e.g. ``["steps 7000 (not 4000)", "pack=2 (not 1)", "D: Linear(4 -> 128) ..."]``."""
    a, b = presets.get(name), presets.get(base)
    ta, tb = a.build(0), b.build(0)
    out = [] if a.steps == b.steps else [f"steps {a.steps} (not {b.steps})"]
    ca, cb = ta.config(), tb.config()
    out += [f"{k}={ca[k]} (not {cb[k]})" for k in ca if k != "seed" and ca[k] != cb.get(k)]
    if repr(ta.D) != repr(tb.D):
        layers = [type(m).__name__ + (f"({m.in_features} -> {m.out_features})" if hasattr(m, "in_features") else "")
                  for m in ta.D.modules() if not list(m.children())]
        out.append("D: " + ", ".join(layers))
    return out


def live_row(name: str, seed: int = 0) -> dict:
    """:func:`gan_edu.lessons.experiments.preset_row` for one preset and seed, trained here and now."""
    row = experiments.preset_row(name, seed)
    TRAINED.append((name, seed, row["steps"]))
    return row


# --------------------------------------------------------------------------- the supplement
def fingerprint(name: str) -> str:
    """A short hash of everything that decides preset ``name``'s run: its steps, the trainer's
    settings, the networks' layers and initial weights at seed 0, the data and the handlers
    (e.g. the learning-rate decay). If it changes, a table made with the old set-up is stale."""
    preset = presets.get(name)
    tr = preset.build(0)
    weights = [round(float(p.detach().double().sum()), 6) for p in (*tr.G.parameters(), *tr.D.parameters())]
    handlers = sorted(getattr(fn, "__qualname__", type(fn).__name__) for fns in tr.handlers.values() for fn, _ in fns)
    config = {k: v for k, v in tr.config().items() if k != "ema" or v}    # ema=0 (added later) changes no run
    spec = {"steps": preset.steps, "config": config, "G": repr(tr.G), "D": repr(tr.D), "weights": weights,
            "data": repr(tr.data), "handlers": handlers}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def supplement(results: dict, seeds, command: str, made: str, versions: dict) -> dict:
    """The supplement's contents from ``results`` = ``{preset: [rows]}`` (rows of
    :func:`~gan_edu.lessons.experiments.preset_row`): every row's numbers, the first seed's samples
    of each preset (3 decimals, a tenth of a mode's std: for the side-by-side picture), the data's own row, each preset's
    steps and :func:`fingerprint`, and how it was made (``command``, date ``made``, ``versions``)."""
    keys = ("preset", "seed", "steps", "seconds", "reached", "modes", "hq", "jsd", "counts", "loss_d", "loss_g")
    rows = [{k: r[k] for k in keys if k in r} for rs in results.values() for r in rs]
    samples = {name: np.round(np.asarray(next(r for r in rs if r["seed"] == min(seeds))["samples"], dtype=np.float64), 3).tolist()
               for name, rs in results.items()}
    data = presets.build(next(iter(results)), 0).data
    return {"what": "Lesson 05's remedies table: every ring preset trained from scratch on each seed with its own "
                    "number of steps, one CPU thread, measured with 2500 samples (seconds: training time on the "
                    "machine that made it, checks excluded)",
            "command": command, "made": made, **versions, "seeds": list(seeds),
            "presets": {name: {"steps": presets.get(name).steps, "fingerprint": fingerprint(name),
                               "description": presets.get(name).description} for name in results},
            "rows": rows, "data": experiments.data_row(data), "samples": samples}


def write_supplement(contents: dict, path=SUPPLEMENT) -> Path:
    """Write ``contents`` as JSON to ``path`` atomically (a temporary file in the same folder, then
    renamed into place), readable by everyone: one line per row, one line per preset's samples."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def block(value) -> str:                 # a list or dict: one compact line per item
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return "[\n  " + ",\n  ".join(json.dumps(v) for v in value) + "\n ]"
        if isinstance(value, dict) and value and all(isinstance(v, (dict, list)) for v in value.values()):
            return "{\n  " + ",\n  ".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                                            for k, v in value.items()) + "\n }"
        return json.dumps(value)

    text = "{\n" + ",\n".join(f" {json.dumps(k)}: {block(v)}" for k, v in contents.items()) + "\n}\n"
    json.loads(text)                         # what is written must read back
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_supplement(path=SUPPLEMENT) -> dict:
    """Read the supplement; FileNotFoundError / ValueError say what is missing and how to make it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the remedies table {path} is missing; make it with: python "
                                "benchmarks/bench_mode_collapse.py --seeds 0 1 2 --write (about 5 minutes)")
    sup = json.loads(path.read_text())
    missing = {"command", "made", "presets", "rows", "data", "samples"} - set(sup)
    if missing:
        raise ValueError(f"{path} is not the remedies table: it lacks {sorted(missing)}")
    return sup


def supplement_table(sup: dict) -> list[dict]:
    """One row per preset (mean over seeds; ``modes_min``: the worst seed; ``covered``: on how many
    seeds it captured every mode with >= 90 % high quality at some check; ``cost``: seconds per step
    relative to the first preset's, measured in the same run), then the data's own row."""
    results: dict[str, list[dict]] = {}
    for r in sup["rows"]:
        results.setdefault(r["preset"], []).append(r)
    table = experiments.summarise(results)
    base = table[0]["seconds"] / table[0]["steps"] if table else None
    for row in table:
        rs = results[row["setup"]]
        row["covered"] = f"{sum(r.get('reached') is not None for r in rs)} of {len(rs)}"
        row["cost"] = row["seconds"] / row["steps"] / base          # seconds per step, relative to the first preset
    return table + [sup["data"]]


def supplement_samples(sup: dict) -> dict[str, np.ndarray]:
    """``{preset: samples [n, 2]}``: seed 0's samples of each preset, as stored."""
    return {name: np.asarray(x, dtype=np.float64) for name, x in sup["samples"].items()}
