"""The trainer's settings: every argument checked, and ``configure()`` to change them live.

A setting is checked where it enters (the constructor, :meth:`Settings.configure`, a
checkpoint) by the same functions, with messages that name the argument, show the value
and say what is allowed. ``configure()`` is all-or-nothing: it checks every argument
(and their combination) first and changes nothing unless all are good.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from . import _check
from . import data as data_mod
from . import losses as losses_mod
from . import models as models_mod

__all__ = ["OPTIMIZERS", "LIVE_SETTINGS", "Settings", "resolve_device", "check_settings", "check_fixed",
           "check_betas", "as_data", "as_batch", "check_networks", "check_shapes", "packed", "fast_adam_kwargs"]

OPTIMIZERS = ("adam", "sgd", "rmsprop")
#: the settings ``configure()`` changes between steps (the training lab's live controls)
LIVE_SETTINGS = ("loss", "lr_g", "lr_d", "betas", "d_steps", "real_label", "gp_weight", "optimizer")


def resolve_device(device) -> torch.device:
    """``"auto"`` -> CUDA if available, else CPU. Anything else is passed to ``torch.device``,
    and a CUDA device must exist here."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or a torch.device, got {device!r}") from None
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"device={device!r}, but this PyTorch sees no CUDA GPU (torch.cuda.is_available() is "
                             f"False); use device='auto' (the GPU when there is one) or 'cpu'")
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"device={device!r}, but this machine has {count} CUDA GPU(s): cuda:0..cuda:{count - 1}")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r}, but this PyTorch has no Apple GPU (MPS); use device='auto' or 'cpu'")
    elif dev.type not in ("cpu", "mps"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    return dev


def check_betas(betas) -> tuple[float, float]:
    """Adam's two decay rates: any pair of real numbers in [0, 1) (a tuple, a list, a NumPy array...)."""
    bad = ValueError(f"betas must be two numbers in [0, 1), e.g. (0.5, 0.999); got {betas!r}")
    try:
        values = tuple(_check.number("betas", b, minimum=0.0) for b in betas)
    except (TypeError, ValueError):
        raise bad from None
    if len(values) != 2 or any(b >= 1 for b in values):
        raise bad
    return values


def check_settings(*, loss, lr_g, lr_d, betas, d_steps, real_label, gp_weight, optimizer) -> dict:
    """All live settings checked together (plain Python values back), or a ValueError/TypeError
    naming the first bad one. Checks combinations too: label smoothing needs a loss with labels."""
    out = dict(loss=losses_mod.get(loss),
               lr_g=_check.positive("lr_g", lr_g), lr_d=_check.positive("lr_d", lr_d),
               betas=check_betas(betas), d_steps=_check.positive_int("d_steps", d_steps),
               real_label=_check.number("real_label", real_label, minimum=0.0, strict_min=True, maximum=1.0),
               gp_weight=_check.number("gp_weight", gp_weight, minimum=0.0),
               optimizer=_check.one_of("optimizer", optimizer, OPTIMIZERS))
    if out["real_label"] != 1.0 and not out["loss"].supports_real_label:
        raise ValueError(f"real_label={out['real_label']} (label smoothing) needs a loss with labels (minimax, "
                         f"non_saturating, least_squares), not {out['loss'].name!r}; to switch to "
                         f"{out['loss'].name!r}, pass real_label=1.0 with it")
    return out


def check_fixed(*, batch_size, seed, pack, unroll, history_size, sample_shape) -> dict:
    """The settings fixed at construction, checked (plain Python values back)."""
    out = dict(batch_size=_check.positive_int("batch_size", batch_size), seed=_check.integer("seed", seed, minimum=0, maximum=2**63),
               pack=_check.positive_int("pack", pack), unroll=_check.integer("unroll", unroll, minimum=0, maximum=100),
               history_size=_check.integer("history_size", history_size, minimum=2))
    if out["batch_size"] % out["pack"]:
        raise ValueError(f"batch_size ({batch_size}) must be a multiple of pack ({pack}): "
                         f"D sees the batch in groups of {pack}")
    _check.size("batch_size", out["batch_size"] * math.prod(sample_shape),
                f"a batch of {out['batch_size']} samples of shape {tuple(sample_shape)}")
    return out


def as_data(data) -> data_mod.DataSource:
    """A gan_edu data source as it is, or an array of points ([n, dim]: a tensor, a NumPy array
    or a list of lists) made into one with :func:`gan_edu.data.from_points`."""
    if isinstance(data, data_mod.DataSource):
        return data
    if isinstance(data, (torch.Tensor, list, tuple)) or hasattr(data, "__array__"):
        return data_mod.from_points(data)
    raise TypeError(f"data must be a gan_edu.data source (e.g. ge.data.ring()) or an array of points, "
                    f"got {type(data).__name__}")


def as_batch(name: str, x, sample_shape: tuple, hint: str) -> torch.Tensor:
    """``x`` as a float tensor [N, *sample_shape] (from a tensor, a NumPy array or nested lists),
    or a clear error naming ``name``; ``hint`` says where the shape comes from."""
    want = f"[N, {', '.join(map(str, sample_shape))}]"
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise TypeError(f"{name} must be an array of shape {want} ({hint}), got {type(x).__name__}")
    try:
        t = torch.as_tensor(x, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be an array of numbers of shape {want} ({hint}), got {type(x).__name__}") from None
    if tuple(t.shape[1:]) != tuple(sample_shape) or t.ndim != 1 + len(sample_shape):
        raise ValueError(f"{name} must have shape {want} ({hint}), got shape {list(t.shape)}")
    return t


def check_networks(G, D) -> None:
    if not isinstance(G, nn.Module):
        raise TypeError(f"G must be a torch.nn.Module (e.g. gan_edu.models.MLPGenerator), got {type(G).__name__}")
    if not isinstance(D, nn.Module):
        raise TypeError(f"D must be a torch.nn.Module (e.g. gan_edu.models.MLPDiscriminator), got {type(D).__name__}")
    latent = getattr(G, "latent_dim", None)
    if not isinstance(latent, int) or isinstance(latent, bool) or latent < 1:
        raise ValueError("G must have a positive integer attribute latent_dim (the size of z), as gan_edu generators do")


@models_mod.without_grad
def check_shapes(G: nn.Module, D: nn.Module, data, pack: int, device: torch.device) -> None:
    """Dry-run G and D (in eval mode) on a tiny batch so a mismatch fails now, with a clear message."""
    z = models_mod.sample_noise(2 * pack, G.latent_dim, getattr(G, "noise", "normal"),
                                torch.Generator().manual_seed(0), device)                 # z [2m, latent]
    with models_mod.eval_mode(G, D):
        try:
            fake = G(z)
        except RuntimeError as err:
            raise ValueError(f"G could not take noise of shape {tuple(z.shape)} (latent_dim={G.latent_dim}): {err}") from None
        if tuple(fake.shape[1:]) != tuple(data.shape):
            raise ValueError(f"G makes samples of shape {tuple(fake.shape[1:])} but the data {data.name!r} "
                             f"has samples of shape {tuple(data.shape)}; build G to match the data")
        want = pack * data.shape[0]
        in_dim = getattr(D, "in_dim", None) or getattr(D, "channels", None)
        if in_dim is not None and in_dim != want:
            what = "in_dim" if hasattr(D, "in_dim") else "channels"
            raise ValueError(f"D has {what}={in_dim} but must take {want}: pack={pack} x {data.shape[0]} "
                             f"per sample (PacGAN concatenates {pack} samples); build D with {what}={want}")
        try:
            logits = D(packed(fake, pack))                                                # [2]: one per pack
        except RuntimeError as err:
            raise ValueError(f"D cannot take G's samples of shape {tuple(fake.shape[1:])}: {err}") from None
        if tuple(logits.shape) != (2,):
            raise ValueError(f"D must return one logit per sample, shape [N]; it returned {tuple(logits.shape)}")


def packed(x: torch.Tensor, pack: int) -> torch.Tensor:
    """PacGAN: [B, C, ...] -> [B/m, m*C, ...], m samples side by side per D input."""
    if pack == 1:
        return x
    return x.reshape(x.shape[0] // pack, pack * x.shape[1], *x.shape[2:])


_FAST_ADAM: dict[str, dict] = {}


def fast_adam_kwargs(device: torch.device) -> dict:
    """The fastest Adam this torch offers on ``device``: the fused kernel (one pass over all
    parameters; CPU support since torch 2.4, about 3x faster than the default here), else the
    multi-tensor one. Same maths as the plain loop, equal within float rounding. Probed once per device."""
    key = str(device)
    if key not in _FAST_ADAM:
        _FAST_ADAM[key] = {}
        for kwargs in ({"fused": True}, {"foreach": True}):
            try:
                p = torch.zeros(1, device=device, requires_grad=True)
                opt = torch.optim.Adam([p], **kwargs)
                p.grad = torch.ones_like(p)
                opt.step()
                _FAST_ADAM[key] = kwargs
                break
            except (RuntimeError, TypeError, ValueError):
                continue
    return dict(_FAST_ADAM[key])


class Settings:
    """The settings half of :class:`~gan_edu.trainer.Trainer`: ``configure``, ``config``, the optimisers."""

    def _set(self, settings: dict) -> None:
        for name, value in settings.items():
            setattr(self, name, value)

    def settings(self) -> dict:
        """The live settings now (what :meth:`configure` changes)."""
        return {name: getattr(self, name) for name in LIVE_SETTINGS}

    def configure(self, *, loss=None, lr_g=None, lr_d=None, betas=None, d_steps=None, real_label=None,
                  gp_weight=None, optimizer=None, data=None):
        """Change settings between steps (the training lab's live controls). Only the arguments
        given change, checked like in the constructor, together: if any is refused, nothing
        changes. A new ``optimizer`` starts with fresh state; new ``data`` must have samples of
        the same shape. Returns the trainer."""
        given = dict(loss=loss, lr_g=lr_g, lr_d=lr_d, betas=betas, d_steps=d_steps, real_label=real_label,
                     gp_weight=gp_weight, optimizer=optimizer)
        new = check_settings(**{**self.settings(), **{k: v for k, v in given.items() if v is not None}})
        if data is not None:
            data = as_data(data)
            if tuple(data.shape) != tuple(self.data.shape):
                raise ValueError(f"data must have samples of shape {tuple(self.data.shape)} like the current data, "
                                 f"got {tuple(data.shape)}; build a new Trainer for other shapes")
        opts = None
        if optimizer is not None:
            opts = (self._make_optimizer(self.G, new["lr_g"], new["optimizer"], new["betas"]),
                    self._make_optimizer(self.D, new["lr_d"], new["optimizer"], new["betas"]))
        # ---- everything is checked: from here on nothing can fail
        self._set(new)
        if data is not None:
            self.data = data
        if opts is not None:
            self.opt_g, self.opt_d = opts
        for opt, lr in ((self.opt_g, self.lr_g), (self.opt_d, self.lr_d)):
            for group in opt.param_groups:
                group["lr"] = lr
                if "betas" in group:
                    group["betas"] = self.betas
        return self

    def _make_optimizer(self, net: nn.Module, lr: float, kind: str, betas: tuple[float, float]) -> torch.optim.Optimizer:
        params = [p for p in net.parameters() if p.requires_grad]
        if not params:
            raise ValueError(f"{type(net).__name__} has no trainable parameters")
        if kind == "adam":
            return torch.optim.Adam(params, lr=lr, betas=betas, **fast_adam_kwargs(self.device))
        if kind == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr)
        return torch.optim.SGD(params, lr=lr)

    def config(self) -> dict:
        """The constructor arguments, as plain values (what a checkpoint stores)."""
        return dict(loss=self.loss.name, batch_size=self.batch_size, lr_g=self.lr_g, lr_d=self.lr_d,
                    betas=list(self.betas), d_steps=self.d_steps, seed=self.seed, optimizer=self.optimizer,
                    real_label=self.real_label, gp_weight=self.gp_weight, pack=self.pack, unroll=self.unroll,
                    history_size=self.history.capacity)
