r"""Generators and discriminators: small MLPs for points, DCGAN-style nets for images.

A generator maps noise to a sample, :math:`G: z \mapsto x`, with
:math:`z \sim \mathcal N(0, I)` (or uniform on :math:`[-1, 1]^d`), ``latent_dim``
numbers per sample. It never sees real data.

A discriminator maps a sample to ONE real number per sample: a **logit**
:math:`\ell = D(x)`. The probability that :math:`x` is real is
:math:`\sigma(\ell) = 1 / (1 + e^{-\ell})`; plots that say "D(x)" show
:math:`\sigma(\ell)`. The losses take the logits (numerically safer than
taking a log of a sigmoid).

Every model keeps the arguments it was built with in ``.config`` so a
checkpoint can rebuild it (``build(class_name, config)``).
"""
from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict
from typing import NamedTuple

import torch
from torch import nn

from . import _check

__all__ = [
    "MLPGenerator", "MLPDiscriminator", "DCGenerator", "DCDiscriminator", "MinibatchStd",
    "sample_noise", "trace", "count_parameters", "build", "is_batch_coupled", "eval_mode", "without_grad", "NOISES",
]

NOISES = ("normal", "uniform")
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh, "elu": nn.ELU}


def sample_noise(n: int, latent_dim: int, kind: str = "normal", generator: torch.Generator | None = None,
                 device: torch.device | str | None = None) -> torch.Tensor:
    """z for ``n`` samples, shape [n, latent_dim]: ``normal`` is N(0, I); ``uniform`` is U[-1, 1] per coordinate."""
    n = _check.positive_int("n", n)
    latent_dim = _check.positive_int("latent_dim", latent_dim)
    _check.one_of("noise", kind, NOISES)
    _check.size("sample_noise", n * latent_dim, f"z for n={n} samples of latent_dim={latent_dim}")
    if kind == "normal":
        z = torch.randn(n, latent_dim, generator=generator)
    else:
        z = torch.rand(n, latent_dim, generator=generator) * 2 - 1
    return z if device is None else z.to(device)


class _Generator(nn.Module):
    """What every generator here shares: ``latent_dim``, ``noise``, ``sample_noise`` and
    ``out_shape`` (the shape of one sample it makes)."""

    latent_dim: int
    noise: str
    out_shape: tuple[int, ...]

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return sample_noise(n, self.latent_dim, self.noise, generator, device=_device_of(self))


def _device_of(module: nn.Module) -> torch.device:
    p = next(module.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _activation(name: str) -> nn.Module:
    _check.one_of("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()


#: the deepest MLP the constructors build (a typo such as depth=10**6 would take minutes to build)
MAX_DEPTH = 100


def _mlp_sizes(widths: list[int]) -> int:
    """Number of parameters of linear layers widths[0] -> widths[1] -> ... (weights and biases)."""
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def _check_size(model: str, config: dict, count: int) -> None:
    shown = ", ".join(f"{k}={v!r}" for k, v in config.items() if isinstance(v, int) and not isinstance(v, bool))
    _check.size(f"{model}({shown})", count, "the network")


class MinibatchStd(nn.Module):
    r"""Minibatch standard deviation (Karras et al. 2018, ProGAN §3).

    Splits the batch into groups of ``group_size``, measures how much the
    samples in a group differ (std over the group, averaged over features),
    and appends that number as one extra feature. A collapsed generator makes
    near-identical samples, so this feature gives it away to D.
    """

    def __init__(self, group_size: int = 4):
        super().__init__()
        self.group_size = _check.positive_int("group_size", group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        g = min(self.group_size, n)
        if n % g:
            g = n  # fall back to the whole batch when it does not split evenly
        rest = x.shape[1:]
        y = x.reshape(g, n // g, *rest)                                   # [g, n/g, ...]
        var = (y - y.mean(dim=0)).pow(2).mean(dim=0)                     # [n/g, ...] (Tensor.var is slow here)
        std = (var + 1e-8).sqrt()
        stat = std.reshape(n // g, -1).mean(dim=1)                        # [n/g]
        stat = stat.repeat(g)                                             # [n]: one per sample
        if x.ndim == 2:
            return torch.cat([x, stat.unsqueeze(1)], dim=1)               # [n, F + 1]
        extra = stat.reshape(n, 1, *([1] * (x.ndim - 2))).expand(n, 1, *rest[1:])
        return torch.cat([x, extra], dim=1)                               # [n, C + 1, H, W]


class MLPGenerator(_Generator):
    """z [N, latent_dim] -> x [N, out_dim] through ``depth`` hidden layers of width ``hidden``.

    ``out_activation="tanh"`` squashes outputs to [-1, 1] (use it when the data
    lives there); by default the output is linear, so any 2D point can be reached.
    """

    def __init__(self, latent_dim: int = 2, out_dim: int = 2, hidden: int = 128, depth: int = 2,
                 activation: str = "relu", out_activation: str | None = None, noise: str = "normal"):
        super().__init__()
        self.latent_dim = latent_dim = _check.positive_int("latent_dim", latent_dim)
        self.out_dim = out_dim = _check.positive_int("out_dim", out_dim)
        hidden = _check.positive_int("hidden", hidden)
        depth = _check.integer("depth", depth, minimum=1, maximum=MAX_DEPTH)
        _check.one_of("activation", activation, ACTIVATIONS)
        self.noise = _check.one_of("noise", noise, NOISES)
        if out_activation is not None:
            _check.one_of("out_activation", out_activation, (None, *ACTIVATIONS))
        self.config = dict(latent_dim=latent_dim, out_dim=out_dim, hidden=hidden, depth=depth,
                           activation=activation, out_activation=out_activation, noise=noise)
        _check_size("MLPGenerator", self.config, _mlp_sizes([latent_dim, *[hidden] * depth, out_dim]))
        self.out_shape = (out_dim,)
        layers, width = OrderedDict(), latent_dim
        for i in range(1, depth + 1):
            layers[f"linear{i}"] = nn.Linear(width, hidden)              # [N, hidden]
            layers[f"{activation}{i}"] = _activation(activation)
            width = hidden
        layers["out"] = nn.Linear(width, out_dim)                         # [N, out_dim]
        if out_activation is not None:
            layers[out_activation] = _activation(out_activation)
        self.net = nn.Sequential(layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """x [N, in_dim] -> logits [N]. LeakyReLU(0.2) hidden layers by default.

    ``minibatch_std=True`` adds a :class:`MinibatchStd` feature before the last
    layer; ``spectral_norm=True`` constrains each linear layer's largest singular
    value to 1 (Miyato et al. 2018), a common stabiliser.
    """

    def __init__(self, in_dim: int = 2, hidden: int = 128, depth: int = 2, activation: str = "leaky_relu",
                 minibatch_std: bool = False, spectral_norm: bool = False, group_size: int = 4):
        super().__init__()
        self.in_dim = in_dim = _check.positive_int("in_dim", in_dim)
        hidden = _check.positive_int("hidden", hidden)
        depth = _check.integer("depth", depth, minimum=1, maximum=MAX_DEPTH)
        _check.one_of("activation", activation, ACTIVATIONS)
        minibatch_std = _check.boolean("minibatch_std", minibatch_std)
        spectral_norm = _check.boolean("spectral_norm", spectral_norm)
        group_size = _check.positive_int("group_size", group_size)
        self.config = dict(in_dim=in_dim, hidden=hidden, depth=depth, activation=activation,
                           minibatch_std=minibatch_std, spectral_norm=spectral_norm, group_size=group_size)
        _check_size("MLPDiscriminator", self.config,
                    _mlp_sizes([in_dim, *[hidden] * depth]) + _mlp_sizes([hidden + minibatch_std, 1]))
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        layers, width = OrderedDict(), in_dim
        for i in range(1, depth + 1):
            layers[f"linear{i}"] = sn(nn.Linear(width, hidden))          # [N, hidden]
            layers[f"{activation}{i}"] = _activation(activation)
            width = hidden
        if minibatch_std:
            layers["minibatch_std"] = MinibatchStd(group_size)            # [N, hidden + 1]
            width += 1
        layers["out"] = sn(nn.Linear(width, 1))                           # [N, 1]
        layers["logit"] = nn.Flatten(0)                                   # [N]: one logit each
        self.net = nn.Sequential(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _dcgan_init(module: nn.Module) -> None:
    """Radford et al. 2016: conv weights ~ N(0, 0.02), BatchNorm scale ~ N(1, 0.02)."""
    for m in module.modules():
        if getattr(getattr(m, "weight", None), "is_meta", False):
            continue                      # built on the meta device (to check a checkpoint): no numbers to draw
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def _check_image_size(image_size) -> int:
    image_size = _check.positive_int("image_size", image_size)
    if image_size % 4 or image_size < 8:
        raise ValueError(f"image_size must be a multiple of 4 and at least 8 (e.g. 8, 16, 28), got {image_size}")
    return image_size


class DCGenerator(_Generator):
    """DCGAN-style: project z and reshape to a small feature map, then two
    transposed convolutions each double the size; BatchNorm + ReLU between,
    tanh at the end so pixels are in [-1, 1]. For 8x8: 2x2 -> 4x4 -> 8x8."""

    def __init__(self, latent_dim: int = 16, image_size: int = 8, channels: int = 1, features: int = 32,
                 noise: str = "normal"):
        super().__init__()
        self.latent_dim = latent_dim = _check.positive_int("latent_dim", latent_dim)
        self.image_size = image_size = _check_image_size(image_size)
        self.channels = channels = _check.positive_int("channels", channels)
        f = _check.positive_int("features", features)
        self.noise = _check.one_of("noise", noise, NOISES)
        self.config = dict(latent_dim=latent_dim, image_size=image_size, channels=channels,
                           features=f, noise=noise)
        self.out_shape = (channels, image_size, image_size)
        s = image_size // 4
        _check_size("DCGenerator", self.config, latent_dim * 4 * f * s * s + 8 * f + 4 * f * 2 * f * 16 + 4 * f
                    + 2 * f * channels * 16 + channels)
        self.net = nn.Sequential(OrderedDict([
            ("project", nn.Linear(latent_dim, 4 * f * s * s, bias=False)),           # [N, 4f*s*s]
            ("reshape", nn.Unflatten(1, (4 * f, s, s))),                             # [N, 4f, s, s]
            ("bn0", nn.BatchNorm2d(4 * f)),
            ("relu0", nn.ReLU()),
            ("up1", nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1, bias=False)),          # [N, 2f, 2s, 2s]
            ("bn1", nn.BatchNorm2d(2 * f)),
            ("relu1", nn.ReLU()),
            ("up2", nn.ConvTranspose2d(2 * f, channels, 4, 2, 1)),                   # [N, C, 4s, 4s]
            ("tanh", nn.Tanh()),                                                     # pixels in [-1, 1]
        ]))
        _dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class DCDiscriminator(nn.Module):
    """DCGAN-style: two strided convolutions each halve the size (LeakyReLU 0.2),
    then a linear layer gives one logit per image. ``norm``: "batch" (DCGAN),
    "spectral" (spectral normalisation) or "none"."""

    def __init__(self, image_size: int = 8, channels: int = 1, features: int = 32, norm: str = "batch",
                 minibatch_std: bool = False):
        super().__init__()
        self.image_size = image_size = _check_image_size(image_size)
        self.channels = channels = _check.positive_int("channels", channels)
        f = _check.positive_int("features", features)
        _check.one_of("norm", norm, ("batch", "spectral", "none"))
        minibatch_std = _check.boolean("minibatch_std", minibatch_std)
        self.config = dict(image_size=image_size, channels=channels, features=f, norm=norm,
                           minibatch_std=minibatch_std)
        sn = nn.utils.parametrizations.spectral_norm if norm == "spectral" else (lambda m: m)
        s = image_size // 4
        _check_size("DCDiscriminator", self.config, channels * f * 16 + f + f * 2 * f * 16 + (4 * f if norm == "batch" else 2 * f)
                    + (2 * f + minibatch_std) * s * s + 1)
        layers = OrderedDict([
            ("conv1", sn(nn.Conv2d(channels, f, 4, 2, 1))),                          # [N, f, 2s, 2s]
            ("lrelu1", nn.LeakyReLU(0.2)),
            ("conv2", sn(nn.Conv2d(f, 2 * f, 4, 2, 1, bias=norm != "batch"))),      # [N, 2f, s, s]
        ])
        if norm == "batch":
            layers["bn2"] = nn.BatchNorm2d(2 * f)
        layers["lrelu2"] = nn.LeakyReLU(0.2)
        c = 2 * f
        if minibatch_std:
            layers["minibatch_std"] = MinibatchStd()                                 # [N, 2f+1, s, s]
            c += 1
        layers["flatten"] = nn.Flatten()                                             # [N, c*s*s]
        layers["out"] = sn(nn.Linear(c * s * s, 1))                                  # [N, 1]
        layers["logit"] = nn.Flatten(0)                                              # [N]
        self.net = nn.Sequential(layers)
        _dcgan_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


# --------------------------------------------------------------------------- helpers
class Layer(NamedTuple):
    name: str
    kind: str
    output: torch.Tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.output.shape)


@contextlib.contextmanager
def eval_mode(*nets: nn.Module):
    """``with eval_mode(G, D):`` -- the networks in eval mode (BatchNorm uses its running
    statistics, no batch statistics are updated) for the block, then each back in the mode it
    was in, also when the block raises."""
    modes = [net.training for net in nets]
    try:                                  # eval() inside the try: an interrupt between two nets still restores both
        for net in nets:
            net.eval()
        yield nets[0] if len(nets) == 1 else nets
    finally:
        for net, mode in zip(nets, modes):
            net.train(mode)


def without_grad(fn):
    """Like ``@torch.no_grad()``, but an interrupt at any moment cannot leave autograd switched
    off for the whole process (the mode is set inside the ``try`` that restores it)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        mode = torch.is_grad_enabled()
        try:
            torch.set_grad_enabled(False)
            return fn(*args, **kwargs)
        finally:
            torch.set_grad_enabled(mode)
    return wrapper


@without_grad
def trace(model: nn.Module, x: torch.Tensor) -> list[Layer]:
    """Run ``x`` through ``model.net`` one layer at a time and keep every output.

    Returns ``[Layer(name, kind, output), ...]`` starting with the input itself, so a
    lesson can show each layer's shape and activations. The model is put in eval
    mode for the trace (BatchNorm uses its running statistics) and restored.
    """
    if not isinstance(getattr(model, "net", None), nn.Sequential):
        raise TypeError("trace needs a gan_edu model (one with an nn.Sequential called .net)")
    with eval_mode(model):
        out = [Layer("input", "input", x)]
        for name, layer in model.net.named_children():
            x = layer(x)
            out.append(Layer(name, type(layer).__name__, x))
        return out


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def is_batch_coupled(model: nn.Module) -> bool:
    """True if one sample's output depends on the rest of its batch (BatchNorm in
    training mode, minibatch std). Such a discriminator must see real and fake
    batches separately."""
    return any(isinstance(m, (nn.modules.batchnorm._BatchNorm, MinibatchStd)) for m in model.modules())


MODELS = {cls.__name__: cls for cls in (MLPGenerator, MLPDiscriminator, DCGenerator, DCDiscriminator)}


def build(class_name: str, config: dict) -> nn.Module:
    """Rebuild a model from its class name and ``.config`` (checkpoints use this)."""
    _check.one_of("class_name", class_name, MODELS)
    return MODELS[class_name](**config)
