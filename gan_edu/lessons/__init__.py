"""Lesson support: what one lesson measures or sets up, built from the core.

Each module serves one or two lessons and is imported by name (nothing is loaded up front):

    envcheck     00  is this computer ready? (standard library only at import time)
    scoring      02  D's score: train D alone, accuracy vs confidence, capacity balance
    gradflow     03  where gradients flow; saturating vs non-saturating measured
    clinic       03  the bug clinic: a learner's D step checked against the reference
    experiments  04, 05  seeded multi-run comparisons and their tables
    equilibrium  06  the 1D game, the optimal D*, V(D*, G) = -log 4 + 2 JSD
    classifier   07  a small digit classifier for evaluating generated digits

Lesson modules import the core (``gan_edu.data``, ``models``, ``trainer`` ...) and never a
face (``viz``, ``widgets``, ``quiz``, ``cli``): the figures and widgets call into them.
"""
import importlib

_MODULES = ("envcheck", "scoring", "gradflow", "clinic", "experiments", "equilibrium", "classifier")
__all__ = list(_MODULES)


def __getattr__(name: str):          # ge.lessons.clinic works without importing every lesson module up front
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gan_edu.lessons' has no attribute {name!r}")
