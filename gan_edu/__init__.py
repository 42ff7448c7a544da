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

import numpy as np
import torch

from . import data, losses, metrics, models, quiz, recorders, viz, widgets
from .history import History
from .trainer import EVENTS, HandlerError, Trainer, TrainingDiverged, TrainState, resolve_device

__version__ = "0.1.0"

__all__ = ["seed_everything", "Trainer", "TrainState", "TrainingDiverged", "HandlerError", "EVENTS", "History",
           "resolve_device", "data", "models", "losses", "metrics", "recorders", "viz", "widgets", "quiz",
           "__version__"]


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
