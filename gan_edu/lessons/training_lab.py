"""Lesson 04's training lab, without the dashboard: its set-ups, its data, and what it catches.

* :func:`build_trainer` -- a seeded 2D trainer from the lab's settings (:data:`DEFAULTS`:
  dataset, loss, optimiser, learning rates, D steps, network width / depth, noise size and
  distribution, batch size, seed); lesson 04 also calls it to run its own experiments;
* :func:`make_data` -- the lab's datasets by name (:data:`DATASETS`, "my points" included)
  and :func:`parse_points` for points typed or loaded as CSV;
* :func:`betas` -- Adam's betas for a loss (WGAN-GP's critic wants (0.5, 0.9));
* :func:`substep_frames` -- one training step caught sub-step by sub-step (sample, classify,
  D's loss and gradients, update D, G's loss and arrows, update G): what slow motion shows;
* :func:`inspect_sample` -- z, G(z), D(G(z)) and the push on one fake sample, as numbers.

The dashboard is :class:`gan_edu.widgets.lab.TrainingLab`.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from .. import _check
from .. import data as data_mod
from ..recorders import fake_gradients, layer_grad_norms
from ..trainer import Trainer
from .factory import tiny_gan

__all__ = ["DATASETS", "DEFAULT_POINTS", "DEFAULTS", "betas", "make_data", "parse_points", "build_trainer",
           "substep_frames", "inspect_sample"]

DATASETS = ("ring", "grid", "two_gaussians", "spiral", "moons", "my points")
DEFAULT_POINTS = [[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0], [0.0, 0.0]]

#: the settings a fresh lab starts from (any can be passed to TrainingLab(...) or build_trainer)
DEFAULTS = dict(data="ring", loss="non_saturating", optimizer="adam", lr_g=1e-3, lr_d=1e-3, d_steps=1,
                width=64, depth=2, latent_dim=2, noise="normal", batch_size=128, seed=0)


def betas(loss: str) -> tuple[float, float]:
    """Adam's (beta1, beta2) for ``loss``: (0.5, 0.9) for WGAN-GP (Gulrajani et al. 2017), else (0.5, 0.999)."""
    return (0.5, 0.9) if loss == "wgan_gp" else (0.5, 0.999)


def make_data(name: str, points=None) -> data_mod.DataSource:
    """The lab's dataset ``name`` (one of :data:`DATASETS`); "my points" uses ``points``
    (default :data:`DEFAULT_POINTS`) with a little jitter."""
    _check.one_of("data", name, DATASETS)
    if name == "my points":
        return data_mod.from_points(points if points is not None and len(points) else DEFAULT_POINTS, jitter=0.03)
    if name == "two_gaussians":
        return data_mod.two_gaussians(separation=2.0, std=0.2)
    if name == "grid":
        return data_mod.grid(n=3, spacing=1.0, std=0.05)
    return data_mod.TOY_DATASETS[name]()


def parse_points(points) -> list[list[float]]:
    """Points for "my points": a list of [x, y], an array [N, 2], or CSV text (one "x, y" per
    line; ";" also separates lines). Returns them as a list of [x, y]."""
    if isinstance(points, str):
        rows = [r for r in points.replace(";", "\n").splitlines() if r.strip()]
        try:
            points = [[float(v) for v in r.replace(",", " ").split()] for r in rows]
        except ValueError:
            raise ValueError("points: each line must be two numbers, like '0.5, -1'") from None
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 1:
        raise ValueError(f"points must be [x, y] pairs (at least one), got shape {arr.shape}")
    return arr.tolist()


def build_trainer(settings: dict, points=None) -> Trainer:
    """A 2D trainer from the lab's settings (see :data:`DEFAULTS`; missing ones take the
    default), seeded by ``settings["seed"]`` (:func:`gan_edu.lessons.factory.tiny_gan`)."""
    s = {**DEFAULTS, **settings}
    seed = _check.integer("seed", s["seed"], minimum=0)
    return tiny_gan(seed, make_data(s["data"], points), latent_dim=s["latent_dim"], hidden=s["width"], depth=s["depth"],
                    noise=s["noise"], device="auto", loss=s["loss"], batch_size=s["batch_size"], lr_g=s["lr_g"],
                    lr_d=s["lr_d"], d_steps=s["d_steps"], optimizer=s["optimizer"], betas=betas(s["loss"]))


# --------------------------------------------------------------------------- slow motion
def substep_frames(trainer: Trainer, heat: Callable[[Trainer], np.ndarray]) -> list[dict]:
    """Run ONE training step and keep six frames, one per sub-step, each a dict of what to draw
    (``real``, ``fake`` [N, 2]; ``heat``: ``heat(trainer)``, D's picture; ``arrows``:
    (points, pushes)) and the numbers of the captions (``d_real``, ``d_fake``, ``loss_d``,
    ``grad_d`` (D's gradient norm), ``loss_g``). Each frame starts from the one before.
    If the step fails, the trainer undoes it and the error propagates."""
    frames: list[dict] = []

    def on_d_forward(t):                          # 1 sample, 2 classify (D as it was before the step)
        if t.state.d_iter == 0:
            s = t.state
            frames.append({"real": s.real.cpu().numpy(), "fake": s.fake.detach().cpu().numpy()})
            frames.append({**frames[0], "heat": heat(t), "d_real": s.d_real, "d_fake": s.d_fake})

    def on_d_backward(t):                         # 3 D's loss and gradients
        if t.state.d_iter == 0:
            norms = layer_grad_norms(t.D)
            frames.append({**frames[1], "loss_d": t.state.loss_d, "grad_d": math.sqrt(sum(v * v for v in norms.values()))})

    def on_d_step(t):                             # 4 D updated (after its last update)
        if t.state.d_iter == t.d_steps - 1:
            frames.append({**frames[2], "heat": heat(t)})

    def on_g_forward(t):
        if t.state.fake.requires_grad:
            t.state.fake.retain_grad()            # to read the push on each fake after backward

    def on_g_backward(t):                         # 5 G's loss and the arrows
        f = t.state.fake
        arrows = (f.detach().cpu().numpy(), None if f.grad is None else -f.grad.cpu().numpy())
        frames.append({**frames[3], "fake": f.detach().cpu().numpy(), "arrows": arrows, "loss_g": t.state.loss_g})

    def on_g_step(t):                             # 6 G updated: the same z, moved
        with torch.no_grad():
            moved = t.G(t.state.z).cpu().numpy()
        frames.append({**frames[4], "fake": moved, "arrows": None})

    with trainer.attached(d_forward_end=on_d_forward, d_backward_end=on_d_backward, d_step_end=on_d_step,
                          g_forward_end=on_g_forward, g_backward_end=on_g_backward, g_step_end=on_g_step):
        trainer.step()
    return frames


def inspect_sample(trainer: Trainer, z: torch.Tensor) -> dict:
    """For one noise vector ``z`` [1, latent_dim]: ``{"z", "G(z)", "D(G(z))", "gradient"}``, the
    last being the push -d loss_G / d G(z) the next G step would give that sample (lists and a float)."""
    pts, grad = fake_gradients(trainer, z=z)
    p = float(trainer.d_prob(pts)[0])
    return {"z": z[0].tolist(), "G(z)": pts[0].tolist(), "D(G(z))": p, "gradient": grad[0].tolist()}
