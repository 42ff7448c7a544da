"""Argument checks shared by every public constructor.

Each helper raises a ``ValueError`` (or ``TypeError``) whose message names the
argument, shows the value it got and says what is allowed, so that a learner
who mistypes something sees at once what to change. NumPy numbers are numbers
(``np.int64(2)`` is an integer); each helper returns a plain Python value, so
what is stored (and saved in a checkpoint) never depends on where a number came from.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An int (not bool) within ``[minimum, maximum]``."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    return integer(name, value, minimum=1)


#: the most numbers one tensor or one network may hold (2**28 float32 numbers = 1 GiB): far more than
#: any lesson needs, and small enough that a typo (``hidden=10**6``) is refused before memory runs out
MAX_NUMBERS = 2**28


def size(name: str, count: int, what: str) -> int:
    """``count`` (the numbers ``what`` would hold) must be at most :data:`MAX_NUMBERS`."""
    if count > MAX_NUMBERS:
        raise ValueError(f"{name}: {what} would hold {count:,} numbers ({4 * count / 2**30:,.1f} GiB of float32); "
                         f"at most {MAX_NUMBERS:,} (1 GiB) are allowed -- use smaller sizes")
    return count


def number(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
           strict_min: bool = False) -> float:
    """A finite real number within bounds; ``strict_min`` excludes the minimum itself."""
    if not _is_real(value):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None:
        if strict_min and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value!r}")
        if not strict_min and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")
    return value


def positive(name: str, value) -> float:
    return number(name, value, minimum=0.0, strict_min=True)


def one_of(name: str, value, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def boolean(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


CROSS_ENTROPY_LOSSES = ("minimax", "non_saturating")


def cross_entropy_trainer(trainer, why: str):
    """``trainer`` must be a gan_edu Trainer playing the cross-entropy game: loss ``"minimax"`` or
    ``"non_saturating"`` (D's output read as a probability) and ``pack=1`` (one sample per logit).
    ``why`` opens the error message (e.g. "lesson 02 trains D with binary cross-entropy")."""
    if not all(hasattr(trainer, a) for a in ("step_d", "G", "data", "loss", "pack")):
        raise TypeError(f"trainer must be a gan_edu Trainer, got {type(trainer).__name__}")
    if trainer.loss.name not in CROSS_ENTROPY_LOSSES:
        raise ValueError(f"{why}: the trainer's loss must be one of {', '.join(map(repr, CROSS_ENTROPY_LOSSES))}, "
                         f"got {trainer.loss.name!r}")
    if trainer.pack != 1:
        raise ValueError(f"{why}: the trainer needs pack=1 (one sample per logit), got pack={trainer.pack}")
    return trainer


def array(name: str, value, *, finite: bool = True, allow_empty: bool = False, hint: str = ""):
    """``value`` (a list, numpy array, tensor or number) as a float64 numpy array, or a clear error:
    text, booleans, complex numbers, ragged rows, and (unless allowed) empty arrays and NaN/inf are
    refused by ``name``. ``hint`` ends the NaN/inf message (e.g. the likely cause)."""
    import numpy as np

    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of numbers (a list, numpy array or tensor), "
                        f"got {type(value).__name__}")
    if hasattr(value, "detach") and hasattr(value, "numpy"):         # a torch tensor (torch not imported here)
        value = value.detach().cpu()
        try:
            value = value.numpy()
        except TypeError:                                             # bfloat16 / half: no numpy twin
            value = value.float().numpy()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a rectangular array of numbers (every row the same length)") from None
    if arr.dtype == bool:
        raise TypeError(f"{name} must hold numbers, got True/False values")
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex numbers")
    if arr.dtype.kind in "US":
        raise TypeError(f"{name} must hold numbers, got text such as {arr.ravel()[0].item()!r}")
    if arr.dtype.kind == "O":
        for bad in arr.ravel():
            if not _is_real(bad):
                    raise TypeError(f"{name} must hold numbers, got {bad!r} ({type(bad).__name__})")
    arr = arr.astype(np.float64)
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one number")
    if finite:
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(f"{name} must be finite numbers, but {int(bad.sum())} of its {arr.size} values "
                             f"are NaN or inf{hint}")
    return arr
