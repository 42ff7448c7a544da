"""Snapshots (in memory) and checkpoints (on disk) of a trainer, checked before they are used.

``snapshot()`` / ``restore(snap)`` copy everything training changes; ``restore`` first checks
that the snapshot fits this trainer (same networks, same optimiser) and changes nothing if not.

A checkpoint file (``save(path)`` / ``Trainer.load(path)`` / :func:`load_generator`) holds only
tensors and plain values, read with ``torch.load(weights_only=True)``: a file with anything
else is refused, never unpickled. ``load`` checks *everything* before it builds anything: the
format and version, each model's class and settings (built first on PyTorch's "meta" device,
which allocates nothing, so a file asking for 10^12 units is refused by its size), every weight's
name, shape, dtype and finiteness, the optimisers' state against the parameters it belongs to
(a wrong-shaped Adam state would crash the fused kernel), the trainer's settings, counters,
random state and history. Every problem is a ``ValueError`` naming the file and what is wrong.

``save`` writes to a temporary file in the same folder and renames it over the old one
(``os.replace``), so a crash or ``kill -9`` mid-save leaves the previous checkpoint whole (the
next save removes the temporary file the killed one left); and it refuses to write a file that
``load`` would refuse.

Versions: ``version`` changes only when an older gan_edu could not read the file. This
gan_edu writes version 1 and reads every version up to 1; the optional entries ``scalars`` and
``written_by`` (added later) may be absent. A file from a newer gan_edu is refused by name.
"""
from __future__ import annotations

import glob
import math
import os
import secrets
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import _check
from . import data as data_mod
from . import losses as losses_mod
from . import models as models_mod
from . import settings as settings_mod

__all__ = ["FORMAT", "VERSION", "Checkpoints", "load_generator", "read", "write_atomic"]

FORMAT = "gan_edu.checkpoint"
VERSION = 1
COUNTERS = ("step", "d_updates", "g_updates")
SCALARS = ("loss_d", "loss_g", "d_real", "d_fake", "d_fake_g")
#: what each optimiser keeps per parameter (the keys a checkpoint's state must have, no more)
STATE_KEYS = {"adam": {"step", "exp_avg", "exp_avg_sq"}, "rmsprop": {"step", "square_avg"}, "sgd": {"momentum_buffer"}}
#: group settings that would change what the step computes or where: only these values are accepted
FIXED_GROUP_VALUES = {"amsgrad": (False,), "capturable": (False,), "differentiable": (False,), "nesterov": (False,),
                      "centered": (False,), "momentum": (0, 0.0), "dampening": (0, 0.0), "weight_decay": (0, 0.0),
                      "maximize": (False,)}
#: the group settings that tell the optimisers apart
GROUP_KEYS = {"adam": ("lr", "betas", "eps"), "rmsprop": ("lr", "alpha", "eps"), "sgd": ("lr", "momentum")}
TRAINER_KEYS = ("loss", "batch_size", "lr_g", "lr_d", "betas", "d_steps", "seed", "optimizer", "real_label",
                "gp_weight", "pack", "unroll", "history_size")


class Checkpoints:
    """The snapshot and checkpoint half of :class:`~gan_edu.trainer.Trainer`."""

    # ------------------------------------------------------------------ in memory
    def snapshot(self) -> dict:
        """A deep copy of everything training changes: G, D, both optimisers, the counters, the
        latest scalars and the random state. ``restore(snap)`` goes back to it (and forgets later history)."""
        s = self.state
        return {"G": _clone(self.G.state_dict()), "D": _clone(self.D.state_dict()),
                "opt_g": _clone(self.opt_g.state_dict()), "opt_d": _clone(self.opt_d.state_dict()),
                "counters": {k: getattr(s, k) for k in COUNTERS}, "scalars": {k: getattr(s, k) for k in SCALARS},
                "rng": self.rng.get_state()}

    def restore(self, snapshot: dict | None = None):
        """Go back to ``snapshot`` (from :meth:`snapshot`), or to ``last_good`` if none is given.
        The snapshot is checked against this trainer first; if it does not fit, nothing changes."""
        snap = snapshot if snapshot is not None else self.last_good
        if snap is None:
            raise ValueError("nothing to restore: pass a snapshot from trainer.snapshot() "
                             "(last_good is only set after a failed step)")
        if not isinstance(snap, dict) or not {"G", "D", "opt_g", "opt_d", "counters", "rng"} <= snap.keys():
            raise ValueError("snapshot must be a dict made by trainer.snapshot()")
        where = "snapshot"
        for name, net, opt in (("G", self.G, "opt_g"), ("D", self.D, "opt_d")):
            _check_weights(where, name, net.state_dict(), snap[name], finite=False)
            _check_optimizer(where, name, opt, self.optimizer, net, snap[opt], finite=False)
        counters = _check_counters(where, snap["counters"])
        scalars = _check_scalars(where, snap.get("scalars", {}))
        _check_rng(where, snap["rng"])
        # ---- the snapshot fits: from here on nothing can fail
        self.G.load_state_dict(snap["G"])
        self.D.load_state_dict(snap["D"])
        self.opt_g.load_state_dict(_clone(snap["opt_g"]))
        self.opt_d.load_state_dict(_clone(snap["opt_d"]))
        self.lr_g, self.lr_d = self.opt_g.param_groups[0]["lr"], self.opt_d.param_groups[0]["lr"]   # as they were then
        if "betas" in self.opt_g.param_groups[0]:
            self.betas = tuple(self.opt_g.param_groups[0]["betas"])
        self.rng.set_state(snap["rng"])
        for k, v in {**counters, **scalars}.items():
            setattr(self.state, k, v)
        self.state.stop = False
        self.history.truncate(self.state.step)
        return self

    # ------------------------------------------------------------------ on disk
    def save(self, path) -> None:
        """Write a checkpoint that :meth:`load` reads back (tensors and plain values only),
        atomically: the file at ``path`` is always either the old checkpoint or the new one."""
        for name, net in (("G", self.G), ("D", self.D)):
            if type(net).__name__ not in models_mod.MODELS or not hasattr(net, "config"):
                raise ValueError(f"save() rebuilds gan_edu models only; {name} is a {type(net).__name__}. "
                                 f"Save your own modules with torch.save(trainer.{name}.state_dict(), path)")
        if self.loss.name not in losses_mod.LOSSES or losses_mod.LOSSES[self.loss.name] is not self.loss:
            raise ValueError(f"save() needs a built-in loss; this trainer uses {self.loss!r}")
        s = self.state
        ckpt = _plain({
            "format": FORMAT, "version": VERSION,
            "written_by": {"gan_edu": _kit_version(), "torch": str(torch.__version__)},
            "G": {"class": type(self.G).__name__, "config": dict(self.G.config), "state": self.G.state_dict()},
            "D": {"class": type(self.D).__name__, "config": dict(self.D.config), "state": self.D.state_dict()},
            "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
            "trainer": self.config(), "data": self.data.spec(),
            "counters": {k: getattr(s, k) for k in COUNTERS}, "scalars": {k: getattr(s, k) for k in SCALARS},
            "rng": self.rng.get_state(), "history": self.history.state_dict(),
        })
        try:
            check(ckpt, "the checkpoint to save", data=self.data)
        except ValueError as err:
            raise ValueError(f"save() refused to write a checkpoint that could not be loaded back: {err}") from None
        write_atomic(path, ckpt)

    @classmethod
    def load(cls, path, data=None, device="auto"):
        """Rebuild a trainer from :meth:`save`. Everything in the file is checked before anything
        is built; a file that is not a usable gan_edu checkpoint gives a ValueError saying why.
        ``data`` replaces the data the checkpoint describes (e.g. MNIST moved to another folder)."""
        device = settings_mod.resolve_device(device)
        ckpt = read(path)
        checked = check(ckpt, repr(str(path)), data=data)
        G, D = _build(ckpt["G"]), _build(ckpt["D"])
        tr = cls(G, D, checked["data"], device=device, **checked["trainer"])
        tr.opt_g.load_state_dict(ckpt["opt_g"])
        tr.opt_d.load_state_dict(ckpt["opt_d"])
        tr.configure(lr_g=tr.lr_g, lr_d=tr.lr_d, betas=tr.betas)     # the groups follow the trainer's settings
        for k, v in {**checked["counters"], **checked["scalars"]}.items():
            setattr(tr.state, k, v)
        tr.rng.set_state(ckpt["rng"])
        tr.history.load_state_dict(ckpt["history"])
        return tr


def load_generator(path) -> nn.Module:
    """Only the generator of a checkpoint written by :meth:`Trainer.save` (eval mode, CPU),
    checked like :meth:`Trainer.load` checks it, without rebuilding the data or the discriminator."""
    ckpt = read(path)
    where = repr(str(path))
    _entry(where, ckpt, "G", dict)
    _check_model(where, "G", ckpt["G"])
    return _build(ckpt["G"]).eval()


# --------------------------------------------------------------------------- reading and writing
def read(path) -> dict:
    """The checkpoint at ``path`` as a dict, if it is one this gan_edu can read (format, version)."""
    where = repr(str(path))
    if Path(path).is_dir():
        raise ValueError(f"{where} is a folder, not a checkpoint file")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {where}") from None
    except PermissionError:
        raise PermissionError(f"cannot read the checkpoint {where}: permission denied") from None
    except Exception as err:  # any failure to read it safely means "not ours"
        raise ValueError(f"{where} is not a gan_edu checkpoint (it could not be read safely: "
                         f"{type(err).__name__})") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{where} is not a gan_edu checkpoint (no 'format': {FORMAT!r} entry)")
    version = ckpt.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{where} is a gan_edu checkpoint with a broken version entry ({version!r})")
    if version > VERSION:
        raise ValueError(f"{where} was written by a newer gan_edu (checkpoint version {version}); this gan_edu "
                         f"reads versions 1 to {VERSION}: update gan_edu to load it")
    return ckpt


def write_atomic(path, obj) -> None:
    """``torch.save(obj)`` to a temporary file next to ``path``, flushed to disk, then renamed over
    ``path``: whatever happens meanwhile, ``path`` holds the old file or the new one, whole."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {str(path)!r}: it is a folder; give a file name such as "
                                f"{str(path / 'checkpoint.pt')!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {str(path)!r}: the folder {str(path.parent)!r} does not exist")
    _remove_stale_temporaries(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of ``path`` left by a writer that was killed mid-save (its process is gone)."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*-*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):           # someone else's process (or no way to tell): leave its file
        return True
    return True


# --------------------------------------------------------------------------- checking
def check(ckpt: dict, where: str, data=None) -> dict:
    """Check every entry of a checkpoint dict (see the module docstring); returns the checked
    trainer settings, data source, counters and scalars. Builds nothing but meta-device models."""
    for key, kind in (("G", dict), ("D", dict), ("opt_g", dict), ("opt_d", dict), ("trainer", dict),
                      ("data", dict), ("counters", dict), ("rng", torch.Tensor), ("history", dict)):
        _entry(where, ckpt, key, kind)
    G = _check_model(where, "G", ckpt["G"])
    D = _check_model(where, "D", ckpt["D"])
    trainer = _check_trainer(where, ckpt["trainer"], G)
    for name, net in (("G", G), ("D", D)):
        _check_optimizer(where, name, f"opt_{name.lower()}", trainer["optimizer"], net, ckpt[f"opt_{name.lower()}"])
    counters = _check_counters(where, ckpt["counters"])
    scalars = _check_scalars(where, ckpt.get("scalars", {}))
    _check_rng(where, ckpt["rng"])
    _check_history(where, ckpt["history"])
    if data is None:
        try:
            data = data_mod.from_spec(ckpt["data"])
        except Exception as err:  # data.py's own errors, said in one line with what to do
            raise ValueError(f"{where}: its data could not be rebuilt from {_short(ckpt['data'])} ({type(err).__name__}: "
                             f"{err}); pass data=... to Trainer.load") from None
    return {"trainer": trainer, "data": data, "counters": counters, "scalars": scalars}


def _entry(where: str, d: dict, key: str, kind: type):
    if key not in d:
        raise ValueError(f"{where} is not a complete gan_edu checkpoint: the {key!r} entry is missing")
    if not isinstance(d[key], kind):
        raise ValueError(f"{where}: the {key!r} entry must be a {kind.__name__}, got {type(d[key]).__name__}")
    return d[key]


def _check_model(where: str, name: str, entry: dict) -> nn.Module:
    """The model an entry describes, built on the meta device (no memory), its weights checked against it."""
    cls, config = entry.get("class"), entry.get("config")
    if cls not in models_mod.MODELS:
        raise ValueError(f"{where}: {name}'s class must be one of {', '.join(models_mod.MODELS)}, got {_short(cls)}")
    if not isinstance(config, dict) or not all(isinstance(k, str) for k in config):
        raise ValueError(f"{where}: {name}'s config must be a dict of settings, got {_short(config)}")
    try:
        with torch.device("meta"):
            net = models_mod.build(cls, config)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {name}'s config {_short(config)} does not build a {cls}: {err}") from None
    if not isinstance(entry.get("state"), dict):
        raise ValueError(f"{where}: {name}'s weights ('state') are missing or not a dict")
    _check_weights(where, name, net.state_dict(), entry["state"])
    return net


def _check_weights(where: str, name: str, expected: dict, given: dict, finite: bool = True) -> None:
    if not isinstance(given, dict):
        raise ValueError(f"{where}: {name}'s weights must be a dict, got {type(given).__name__}")
    missing, extra = [k for k in expected if k not in given], [k for k in given if k not in expected]
    if missing or extra:
        raise ValueError(f"{where}: {name}'s weights do not fit its network: missing {missing[:4]}, "
                         f"unexpected {[str(k) for k in extra[:4]]}")
    for key, want in expected.items():
        _check_tensor(where, f"{name}'s weight {key!r}", given[key], tuple(want.shape), want.dtype, finite)


def _check_tensor(where: str, what: str, t, shape: tuple, dtype: torch.dtype, finite: bool = True) -> None:
    if not isinstance(t, torch.Tensor):
        raise ValueError(f"{where}: {what} must be a tensor, got {type(t).__name__}")
    if t.layout != torch.strided or t.is_quantized or t.dtype != dtype:
        raise ValueError(f"{where}: {what} must be a dense {dtype} tensor, got {t.dtype} ({t.layout})")
    if tuple(t.shape) != shape:
        raise ValueError(f"{where}: {what} has shape {list(t.shape)} but must have shape {list(shape)}")
    if finite and t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{where}: {what} holds NaN or inf values")


def _check_optimizer(where: str, name: str, key: str, kind: str, net: nn.Module, sd, finite: bool = True) -> None:
    """An optimiser's state_dict against the parameters of ``net`` it belongs to."""
    params = [p for p in net.parameters() if p.requires_grad]
    if not isinstance(sd, dict) or not isinstance(sd.get("state"), dict) or not isinstance(sd.get("param_groups"), list):
        raise ValueError(f"{where}: {key} must be an optimiser state_dict (a dict with 'state' and 'param_groups')")
    groups = sd["param_groups"]
    if len(groups) != 1 or not isinstance(groups[0], dict) or groups[0].get("params") != list(range(len(params))):
        raise ValueError(f"{where}: {key} does not belong to {name}: it must hold one group of {name}'s "
                         f"{len(params)} parameters")
    _check_group(where, key, kind, groups[0])
    for index, st in sd["state"].items():
        if not isinstance(index, int) or not 0 <= index < len(params) or not isinstance(st, dict):
            raise ValueError(f"{where}: {key} has state for a parameter {name} does not have ({_short(index)})")
        if set(st) != STATE_KEYS[kind]:
            raise ValueError(f"{where}: {key}'s state of parameter #{index} has entries {sorted(map(str, st))}; "
                             f"{kind} keeps {sorted(STATE_KEYS[kind])}")
        for entry, value in st.items():
            what = f"{key}'s {entry!r} of parameter #{index}"
            if entry == "step":
                value = _check_step(where, what, value)
            elif value is not None or kind != "sgd":
                _check_tensor(where, what, value, tuple(params[index].shape), params[index].dtype, finite)


def _check_group(where: str, key: str, kind: str, group: dict) -> None:
    for k, v in group.items():
        if k == "params":
            continue
        if k in FIXED_GROUP_VALUES and v not in FIXED_GROUP_VALUES[k]:
            raise ValueError(f"{where}: {key} has {k}={_short(v)}; gan_edu's optimisers use {k}={FIXED_GROUP_VALUES[k][0]}")
        ok = v is None or isinstance(v, bool) or (_check._is_real(v) and math.isfinite(v)) or (
            isinstance(v, (tuple, list)) and all(_check._is_real(x) and math.isfinite(x) for x in v))
        if not ok:
            raise ValueError(f"{where}: {key} has a setting {k}={_short(v)} that is not a finite number or a flag")
    missing = [k for k in GROUP_KEYS[kind] if k not in group]
    if missing:
        raise ValueError(f"{where}: {key} is not the state of a {kind} optimiser (no {', '.join(missing)})")
    try:
        _check.positive(f"{key} lr", group["lr"])
        if kind == "adam":
            settings_mod.check_betas(group["betas"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {key}: {err}") from None


def _check_step(where: str, what: str, value):
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex() or value.layout != torch.strided:
            raise ValueError(f"{where}: {what} must be one number, got a tensor of shape {list(value.shape)}")
        value = value.item()
    if not _check._is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {what} must be a count >= 0, got {_short(value)}")
    return value


def _check_trainer(where: str, cfg: dict, G: nn.Module) -> dict:
    missing, extra = [k for k in TRAINER_KEYS if k not in cfg], [str(k) for k in cfg if k not in TRAINER_KEYS]
    if missing or extra:
        raise ValueError(f"{where}: the trainer settings do not fit this gan_edu: missing {missing}, unexpected {extra}")
    live = {k: cfg[k] for k in settings_mod.LIVE_SETTINGS}
    fixed = {k: cfg[k] for k in ("batch_size", "seed", "pack", "unroll", "history_size")}
    try:
        live = settings_mod.check_settings(**live)
        settings_mod.check_fixed(**fixed, sample_shape=G.out_shape)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: trainer settings: {err}") from None
    return {**fixed, **live, "loss": live["loss"].name}


def _check_counters(where: str, counters) -> dict:
    if not isinstance(counters, dict) or set(counters) != set(COUNTERS):
        raise ValueError(f"{where}: counters must be a dict with {', '.join(COUNTERS)}, got {_short(counters)}")
    try:
        return {k: _check.integer(f"counters[{k!r}]", counters[k], minimum=0, maximum=2**62) for k in COUNTERS}
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {err}") from None


def _check_scalars(where: str, scalars) -> dict:
    if not isinstance(scalars, dict) or not all(k in SCALARS and _check._is_real(v) for k, v in scalars.items()):
        raise ValueError(f"{where}: scalars must map {', '.join(SCALARS)} to numbers, got {_short(scalars)}")
    return {k: float(v) for k, v in scalars.items()}


def _check_rng(where: str, rng) -> None:
    ok = isinstance(rng, torch.Tensor) and rng.dtype == torch.uint8 and rng.layout == torch.strided and rng.ndim == 1
    if ok:
        try:
            torch.Generator().set_state(rng)
        except (RuntimeError, ValueError, TypeError):
            ok = False
    if not ok:
        raise ValueError(f"{where}: the random state ('rng') is not the state of a torch.Generator")


def _check_history(where: str, history: dict) -> None:
    capacity, series = history.get("capacity"), history.get("series")
    problem = None
    if not _check._is_int(capacity) or capacity < 2 or not isinstance(series, dict):
        problem = "it needs an integer capacity >= 2 and a dict of series"
    else:
        for name, s in series.items():
            steps, values, stride = (s.get("steps"), s.get("values"), s.get("stride")) if isinstance(s, dict) else (None,) * 3
            if not (isinstance(name, str) and isinstance(steps, list) and isinstance(values, list)
                    and _check._is_int(stride) and stride >= 1 and len(steps) == len(values) <= capacity + 1
                    and all(_check._is_int(x) for x in steps) and all(_check._is_real(v) for v in values)):
                problem = f"the series {_short(name)} is not a list of (step, value) pairs with a stride"
                break
    if problem:
        raise ValueError(f"{where}: the history is broken: {problem}")


# --------------------------------------------------------------------------- helpers
def _build(entry: dict) -> nn.Module:
    net = models_mod.build(entry["class"], entry["config"])
    net.load_state_dict(entry["state"])
    return net


def _clone(obj):
    """A copy of nested dicts / lists / tuples with every tensor cloned (much faster than deepcopy)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return {k: _clone(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_clone(v) for v in obj)
    return obj


def _plain(obj):
    """``obj`` with NumPy numbers and arrays made plain Python numbers and tensors (what a safe load reads)."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj.copy())
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    return obj


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kit_version() -> str:
    from . import __version__
    return __version__
