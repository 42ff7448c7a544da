"""gan_edu -- learn how generative adversarial networks train, one step at a time.

    import gan_edu as ge
    ge.seed_everything(0)
    ring = ge.data.ring()
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2)
    D = ge.models.MLPDiscriminator(in_dim=2)          # returns logits
    tr = ge.Trainer(G, D, ring, loss="non_saturating")
    tr.run(2000)

The package has three layers; an arrow means "may import":

    faces           viz/ (figures), widgets/ (dashboards), quiz/ (checkpoints), cli
       │
       ▼
    lesson support  lessons/ (what one lesson measures: envcheck, scoring, gradflow, clinic,
       │            experiments, equilibrium, classifier, ...)
       ▼
    core            data, models, losses, trainer (+ events, settings, undo, checkpoint),
                    history, metrics, evaluation, presets, recorders, timeline -- torch and numpy only

Core never imports a lesson module or a face; lesson modules never import a face
(``tests/test_layers.py`` checks both). ``import gan_edu`` itself imports nothing heavy:
``ge.Trainer``, ``ge.data``, ``ge.viz`` ... are loaded on first use (PEP 562), so
``gan-edu --help`` answers without importing torch.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"

# name -> module that defines it, loaded on first attribute access
_SUBMODULES = {
    # core
    "data": "data", "models": "models", "losses": "losses", "metrics": "metrics", "trainer": "trainer",
    "history": "history", "recorders": "recorders", "timeline": "timeline", "presets": "presets",
    "evaluation": "evaluation",
    # lesson support
    "lessons": "lessons",
    # faces
    "viz": "viz", "widgets": "widgets", "quiz": "quiz", "cli": "cli",
}
_NAMES = {
    "Trainer": "trainer", "TrainState": "trainer", "TrainingDiverged": "trainer", "HandlerError": "trainer",
    "EVENTS": "trainer", "resolve_device": "trainer", "History": "history",
}
# Modules that moved into lessons/ or quiz/ keep their old import paths (lessons and users import them).
_MOVED = {
    "envcheck": "lessons.envcheck", "discriminator": "lessons.scoring", "gradflow": "lessons.gradflow",
    "clinic": "lessons.clinic", "equilibrium": "lessons.equilibrium", "classifier": "lessons.classifier",
    "experiments": "lessons.experiments", "checkpoints": "quiz.questions",
}

__all__ = ["seed_everything", "setup_lesson", "__version__", *_NAMES, *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES or name in _MOVED:
        return _load(_SUBMODULES.get(name) or _MOVED[name])
    if name in _NAMES:
        return getattr(_load(_NAMES[name]), name)
    raise AttributeError(f"module 'gan_edu' has no attribute {name!r}")


def _load(module: str):
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as err:   # what a learner sees on a half-installed machine
        if err.name and err.name.partition(".")[0] != __name__:
            raise ModuleNotFoundError(
                f"gan_edu.{module} needs {err.name}, which is not installed in this Python. Run `make lab` in the "
                f"gan_edu folder (or `pip install -e .`); `python -m gan_edu.lessons.envcheck` lists everything "
                f"missing.", name=err.name) from err
        raise


def __dir__():
    return sorted({*globals(), *__all__, *_MOVED})


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import gan_edu.envcheck`` gives the module object of ``gan_edu.lessons.envcheck`` (one
    module under two names, so state and ``isinstance`` checks are shared)."""

    def find_spec(self, fullname, path=None, target=None):
        head, _, rest = fullname.partition(".")
        if head != __name__ or not rest:
            return None
        old, _, tail = rest.partition(".")
        if old not in _MOVED:
            return None
        spec = importlib.util.spec_from_loader(fullname, self)
        spec.loader_state = f"{__name__}.{_MOVED[old]}" + (f".{tail}" if tail else "")
        return spec

    def create_module(self, spec):
        return importlib.import_module(spec.loader_state)

    def exec_module(self, module):
        pass


if not any(isinstance(f, _Alias) for f in sys.meta_path):
    sys.meta_path.insert(0, _Alias())      # before the path finder, which would load a second copy


def seed_everything(seed: int = 0):
    """Seed Python's ``random``, NumPy and PyTorch (CPU and CUDA) with ``seed``.

    Returns a ``torch.Generator`` seeded the same way, to pass to ``sample(..., generator=)``
    where a separate, reproducible stream is wanted."""
    import random

    import numpy as np
    import torch

    from ._check import integer

    seed = integer("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def setup_lesson(seed: int = 0, threads: int | None = 1) -> None:
    """What each lesson's first cell calls: :func:`seed_everything` and, on the CPU, use
    ``threads`` threads for PyTorch -- never more than the CPUs this process is granted
    (``None``: all of them).

    The lessons' networks are tiny: a second thread barely speeds them up, and when
    another program (a browser, a second kernel) wants a core, PyTorch's threads wait on
    each other -- we measured a 10x slowdown on a busy 2-core laptop with the default.
    "Granted" is the tightest of CPU affinity, the cgroup CPU quota (what a hub's or a
    container's CPU limit sets) and a hub's declared ``CPU_LIMIT`` (:mod:`gan_edu._cpus`),
    not the host's core count: 30 kernels on a 16-core server must not start 16 threads each.
    ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` are set to the same number, so processes the
    lesson starts (a pool of runs) inherit it."""
    import os

    import torch

    from ._check import integer
    from ._cpus import cpu_grant

    if threads is not None:
        threads = integer("threads", threads, minimum=1)
    if not torch.cuda.is_available():
        granted = cpu_grant().threads
        n = granted if threads is None else min(threads, granted)
        torch.set_num_threads(n)
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(n)
    seed_everything(seed)
