"""gan_edu -- learn how generative adversarial networks train, one step at a time.

    import gan_edu as ge
    ge.seed_everything(0)
    ring = ge.data.ring()
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2)
    D = ge.models.MLPDiscriminator(in_dim=2)          # returns logits
    tr = ge.Trainer(G, D, ring, loss="non_saturating")
    tr.run(2000)

Modules: ``data`` (distributions and image sets), ``models`` (G and D), ``losses``
(the objectives, with their formulas), ``metrics`` (mode coverage, divergences, the
optimal discriminator), ``trainer`` (the stepwise trainer and its events),
``recorders`` (opt-in handlers that record what lessons plot).
"""
from __future__ import annotations

import random

try:
    import numpy as np
    import torch
except ImportError as _err:  # pragma: no cover - what a learner sees on a half-installed machine
    raise ImportError(f"gan_edu needs {_err.name}, which is not installed in this Python. Run `make lab` in the gan_edu "
                      "folder (or `pip install -e .`); `python gan_edu/envcheck.py` lists everything missing.") from _err

from . import (
    classifier,
    clinic,
    data,
    discriminator,
    envcheck,
    equilibrium,
    experiments,
    gradflow,
    losses,
    metrics,
    models,
    presets,
    quiz,
    recorders,
    viz,
    widgets,
)
from .history import History
from .trainer import EVENTS, HandlerError, Trainer, TrainingDiverged, TrainState, resolve_device

__version__ = "0.1.0"

__all__ = ["seed_everything", "Trainer", "TrainState", "TrainingDiverged", "HandlerError", "EVENTS", "History",
           "resolve_device", "setup_lesson", "data", "models", "losses", "metrics", "recorders", "viz", "widgets",
           "quiz", "presets", "experiments", "envcheck", "gradflow", "clinic", "equilibrium", "discriminator",
           "classifier", "__version__"]


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and CUDA) with ``seed``.

    Returns a ``torch.Generator`` seeded the same way, to pass to ``sample(..., generator=)``
    where a separate, reproducible stream is wanted."""
    from ._check import integer

    seed = integer("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def setup_lesson(seed: int = 0, threads: int | None = 1) -> None:
    """What each lesson's first cell calls: :func:`seed_everything` and, on the CPU, use
    ``threads`` threads for PyTorch (``None`` keeps PyTorch's default).

    The lessons' networks are tiny: a second thread barely speeds them up, and when
    another program (a browser, a second kernel) wants a core, PyTorch's threads wait on
    each other -- we measured a 10x slowdown on a busy 2-core laptop with the default."""
    from ._check import integer

    if threads is not None and not torch.cuda.is_available():
        torch.set_num_threads(integer("threads", threads, minimum=1))
    seed_everything(seed)
