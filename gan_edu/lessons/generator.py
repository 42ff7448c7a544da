r"""The generator's forward pass and its latent space, measured (lessons 01 and 07).

* running G: :func:`generator_output` (G(z) in eval mode, the one place the lessons run G to
  look at it) and :func:`train_mode_samples` (the same z in training mode, for comparison);
* inside the image generator: :func:`shape_walk` / :func:`format_shape_walk` (each layer's
  name, kind, output shape and parameter count) and :func:`transposed_conv_demo` (one
  transposed convolution done by hand, as a sum of stamped kernels);
* the latent space: :func:`nearby_vs_far` (nearby z -> nearby outputs, as numbers),
  :func:`interpolate` / :func:`walk_vs_blend` (G((1 - a) z0 + a z1) against the pixel blend
  (1 - a) G(z0) + a G(z1)), :func:`dimension_effects` (how much each coordinate of z changes
  the picture) and :func:`collapsed_noise` (noise that imitates a mode-collapsed G).

Everything here runs G without gradients; eval mode (BatchNorm uses its running statistics,
so one sample's output does not depend on the others in its batch) unless said otherwise,
and G's mode is put back afterwards. The pictures of all this are in
:mod:`gan_edu.viz.generator` and the widgets of :mod:`gan_edu.widgets.latent` and
:mod:`gan_edu.widgets.images`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .. import _check, models

__all__ = ["check_generator", "as_z", "one_z", "generator_output", "train_mode_samples", "ShapeStep", "shape_walk",
           "format_shape_walk", "transposed_conv_demo", "Closeness", "nearby_vs_far", "interpolate", "WalkVsBlend",
           "walk_vs_blend", "dimension_effects", "collapsed_noise"]


# --------------------------------------------------------------------------- running G
def check_generator(G) -> nn.Module:
    """``G`` if it is a gan_edu generator (an nn.Module with an integer ``latent_dim``), else TypeError."""
    if not isinstance(G, nn.Module) or not isinstance(getattr(G, "latent_dim", None), int):
        raise TypeError(f"G must be a gan_edu generator (an nn.Module with an integer latent_dim), got {type(G).__name__}")
    return G


def as_z(name: str, z, latent_dim: int) -> torch.Tensor:
    """``z`` as a float tensor [N, latent_dim]; a single vector [latent_dim] becomes [1, latent_dim]."""
    if isinstance(z, torch.Tensor):
        t = z.detach().float()
    else:
        try:
            t = torch.as_tensor(np.asarray(z, dtype=np.float32))
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a tensor or array of numbers, got {type(z).__name__}") from None
    if t.ndim == 1:
        t = t.unsqueeze(0)
    if t.ndim != 2 or t.shape[1] != latent_dim:
        raise ValueError(f"{name} must have shape [{latent_dim}] or [N, {latent_dim}] (latent_dim={latent_dim}), "
                         f"got {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite numbers (found NaN or inf)")
    return t


@torch.no_grad()
def generator_output(G, z) -> torch.Tensor:
    """G(z) in eval mode, without gradients, on the CPU. ``z``: [latent_dim] or [N, latent_dim]."""
    G = check_generator(G)
    z = as_z("z", z, G.latent_dim)
    with models.eval_mode(G):
        return G(z.to(models._device_of(G))).cpu()


@torch.no_grad()
def train_mode_samples(G, z) -> torch.Tensor:
    """G(z) in *training* mode: BatchNorm normalises with the statistics of this batch (as it
    does while G trains). Running statistics are left untouched. For comparison with eval mode."""
    G = check_generator(G)
    z = as_z("z", z, G.latent_dim)
    if z.shape[0] < 2:
        raise ValueError(f"z must hold at least 2 samples in training mode (BatchNorm needs a batch), got {z.shape[0]}")
    norms = [m for m in G.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone()) for m in norms]
    was = G.training
    G.train()
    try:
        return G(z.to(models._device_of(G))).cpu()
    finally:
        for m, (mean, var, nbt) in zip(norms, saved):
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.num_batches_tracked.copy_(nbt)
        G.train(was)


# --------------------------------------------------------------------------- shape walk
class ShapeStep(NamedTuple):
    """One row of the shape walk: the layer's ``name`` and ``kind``, the ``shape`` of its output
    for ONE sample (no batch dimension), its trainable ``params`` and a plain-words ``note``."""

    name: str
    kind: str
    shape: tuple
    params: int
    note: str


def _note(kind: str, before: tuple, after: tuple) -> str:
    if kind == "input":
        return "the noise z"
    if kind == "Linear":
        return f"linear projection: {before[0]} -> {after[0]} numbers"
    if kind == "Unflatten":
        return f"reshape into {after[0]} maps of {after[1]}x{after[2]}"
    if kind.startswith("BatchNorm"):
        return "normalise each channel, then scale and shift"
    if kind == "ReLU":
        return "negatives -> 0"
    if kind == "LeakyReLU":
        return "negatives x 0.2"
    if kind == "ConvTranspose2d":
        return f"transposed conv: {before[1]}x{before[2]} -> {after[1]}x{after[2]}, {before[0]} -> {after[0]} channels"
    if kind == "Tanh":
        return "squash into [-1, 1]"
    return ""


def shape_walk(G, n: int = 2) -> list[ShapeStep]:
    """Each layer of a gan_edu generator with its output shape per sample and its parameters,
    from ``models.trace`` on ``n`` noise samples (the input z is the first row)."""
    G = check_generator(G)
    n = _check.positive_int("n", n)
    z = G.sample_noise(n, generator=torch.Generator().manual_seed(0))
    traced = models.trace(G, z)
    children = dict(G.net.named_children())
    steps, before = [], None
    for layer in traced:
        shape = tuple(layer.shape[1:])
        module = children.get(layer.name)
        params = 0 if module is None else models.count_parameters(module)
        steps.append(ShapeStep(layer.name, layer.kind, shape, params, _note(layer.kind, before or shape, shape)))
        before = shape
    return steps


def format_shape_walk(steps: list[ShapeStep], notes: bool = True) -> str:
    """The shape walk as a text table (deterministic: shapes and counts only)."""
    steps = list(steps)
    if not steps or not all(isinstance(s, ShapeStep) for s in steps):
        raise ValueError("steps must be the list returned by shape_walk(G)")
    rows = [("layer", "kind", "output (one sample)", "params", "what it does" if notes else "")]
    for s in steps:
        rows.append((s.name, s.kind, " x ".join(map(str, s.shape)), f"{s.params:,}", s.note if notes else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        line = f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]:>{widths[3]}}  {r[4]}"
        lines.append(line.rstrip())
    lines.insert(1, "-" * max(len(line) for line in lines))
    lines.append(f"total parameters: {sum(s.params for s in steps):,}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- transposed convolution
def transposed_conv_demo(x=None, kernel=None, stride: int = 2, padding: int = 1) -> dict:
    """A one-channel transposed convolution done by hand: every input pixel stamps a copy of
    the kernel, scaled by its value, onto the output (moved ``stride`` pixels per input pixel);
    overlapping stamps add up; ``padding`` trims that many pixels off each border.

    Returns ``{"input", "kernel", "stamps" (one [H, W] map per input pixel, already trimmed),
    "output" (the sum of the stamps), "torch" (``F.conv_transpose2d`` on the same numbers)}``."""
    x = torch.tensor([[1.0, -0.5], [0.5, 1.0]]) if x is None else torch.as_tensor(x, dtype=torch.float32)
    if kernel is None:
        b = torch.tensor([0.25, 0.75, 0.75, 0.25])
        kernel = torch.outer(b, b)
    kernel = torch.as_tensor(kernel, dtype=torch.float32)
    if x.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"x and kernel must be 2D maps [H, W], got shapes {tuple(x.shape)} and {tuple(kernel.shape)}")
    stride = _check.positive_int("stride", stride)
    padding = _check.integer("padding", padding, minimum=0)
    (h, w), (kh, kw) = x.shape, kernel.shape
    full_h, full_w = (h - 1) * stride + kh, (w - 1) * stride + kw
    if full_h <= 2 * padding or full_w <= 2 * padding:
        raise ValueError(f"padding={padding} trims away the whole {full_h}x{full_w} output")
    stamps = []
    for i in range(h):
        for j in range(w):
            canvas = torch.zeros(full_h, full_w)
            canvas[i * stride:i * stride + kh, j * stride:j * stride + kw] = x[i, j] * kernel
            stamps.append(canvas[padding:full_h - padding, padding:full_w - padding])
    output = torch.stack(stamps).sum(0)
    ref = torch.nn.functional.conv_transpose2d(x[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    return {"input": x, "kernel": kernel, "stamps": stamps, "output": output, "torch": ref,
            "stride": stride, "padding": padding}


# --------------------------------------------------------------------------- nearby z -> nearby outputs
class Closeness(NamedTuple):
    """Mean output distance for ``nearby`` z pairs (distance ``eps`` in z) and for ``far`` pairs
    (two independent draws of z); ``ratio = far / nearby``; ``z_ratio`` is the same ratio
    measured in z-space, for reference."""

    nearby: float
    far: float
    ratio: float
    z_ratio: float


@torch.no_grad()
def nearby_vs_far(G, n: int = 500, eps: float = 0.05, seed: int = 0) -> Closeness:
    """How much closer G's outputs are for nearby z than for random pairs of z.

    ``n`` random z; for each, a neighbour ``z + eps * u`` (``u`` a random unit vector) and an
    independent partner ``z'``. A generator that maps nearby z to nearby outputs has a
    ``ratio`` far above 1 (of the order of ``z_ratio``)."""
    G = check_generator(G)
    n = _check.integer("n", n, minimum=2)
    eps = _check.positive("eps", eps)
    seed = _check.integer("seed", seed, minimum=0)
    g = torch.Generator().manual_seed(seed)
    z = G.sample_noise(n, generator=g).cpu()
    u = torch.randn(z.shape, generator=g)
    u = u / u.norm(dim=1, keepdim=True)
    z_near, z_far = z + eps * u, G.sample_noise(n, generator=g).cpu()
    out = generator_output(G, torch.cat([z, z_near, z_far])).reshape(3 * n, -1)
    x, x_near, x_far = out[:n], out[n:2 * n], out[2 * n:]
    near = float((x_near - x).norm(dim=1).mean())
    far = float((x_far - x).norm(dim=1).mean())
    z_ratio = float((z_far - z).norm(dim=1).mean()) / eps
    return Closeness(near, far, far / near if near > 0 else math.inf, z_ratio)


# --------------------------------------------------------------------------- interpolation
@torch.no_grad()
def interpolate(G, z0, z1, steps: int = 8, alphas=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Walk a straight line in latent space: ``G((1 - a) z0 + a z1)`` for ``steps`` values of
    ``a`` from 0 to 1 (or the given ``alphas``). Returns ``(alphas [S], outputs [S, ...])``;
    the first and last outputs are G(z0) and G(z1)."""
    G = check_generator(G)
    z0 = as_z("z0", z0, G.latent_dim)
    z1 = as_z("z1", z1, G.latent_dim)
    if z0.shape[0] != 1 or z1.shape[0] != 1:
        raise ValueError(f"z0 and z1 must be single vectors [{G.latent_dim}], got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if alphas is None:
        steps = _check.integer("steps", steps, minimum=2)
        a = torch.linspace(0, 1, steps)
    else:
        a = torch.as_tensor(np.asarray(alphas, dtype=np.float32)).reshape(-1)
        if a.numel() < 1 or not bool(((a >= 0) & (a <= 1)).all()):
            raise ValueError(f"alphas must be numbers in [0, 1], got {alphas!r}")
    z = (1 - a)[:, None] * z0 + a[:, None] * z1
    return a, generator_output(G, z)


class WalkVsBlend(NamedTuple):
    """``ends_match``: the walk starts at G(z0) and ends at G(z1); ``middle_gap``: the mean absolute
    difference between the walk's middle G((z0 + z1) / 2) and the blend (G(z0) + G(z1)) / 2."""

    ends_match: bool
    middle_gap: float


def walk_vs_blend(G, z0, z1) -> WalkVsBlend:
    """Compare the latent walk with the pixel (or point) blend at its ends and in its middle."""
    _, walk = interpolate(G, z0, z1, steps=3)
    ends = torch.cat([generator_output(G, z0), generator_output(G, z1)])
    ends_match = bool(torch.allclose(walk[[0, -1]], ends, atol=1e-5))
    gap = float((walk[1] - (walk[0] + walk[-1]) / 2).abs().mean())
    return WalkVsBlend(ends_match, gap)


# --------------------------------------------------------------------------- one coordinate of z
def one_z(name: str, z, latent_dim: int) -> torch.Tensor:
    """``z`` as ONE noise vector [latent_dim] (a copy, on the CPU); any shape holding
    ``latent_dim`` finite numbers is accepted."""
    t = torch.as_tensor(z, dtype=torch.float32).detach().cpu().flatten()
    if t.numel() != latent_dim:
        raise ValueError(f"{name} must have {latent_dim} numbers (G's latent_dim), got shape {tuple(torch.as_tensor(z).shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite numbers (found NaN or inf)")
    return t.clone()


def dimension_effects(G, z, amount: float = 2.0) -> torch.Tensor:
    """How much G's picture changes when ONE coordinate of ``z`` moves by ``amount``: the mean
    absolute pixel change of ``G(z + amount e_d)`` against ``G(z)``, for every d (a tensor [latent_dim])."""
    G = check_generator(G)
    z = one_z("z", z, G.latent_dim)
    amount = _check.number("amount", amount)
    zs = z.repeat(G.latent_dim + 1, 1)                # row 0: z; row d + 1: z + amount e_d
    zs[1:] += amount * torch.eye(G.latent_dim)
    out = generator_output(G, zs)
    return (out[1:] - out[:1]).abs().flatten(1).mean(1)


def collapsed_noise(G, n: int, points: int = 3, spread: float = 0.3, seed: int = 0) -> torch.Tensor:
    """Noise that imitates a mode-collapsed G: ``n`` vectors, each one of ``points`` random
    centres (drawn from G's noise) plus ``spread`` times N(0, I). Fed to G, it makes variants of
    only ``points`` outputs, as a G that collapsed onto a few modes does. Returns [n, latent_dim]."""
    G = check_generator(G)
    n = _check.positive_int("n", n)
    points = _check.positive_int("points", points)
    spread = _check.number("spread", spread, minimum=0.0)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    centres = G.sample_noise(points, generator=g).cpu()
    which = torch.randint(points, (n,), generator=g)
    return centres[which] + spread * torch.randn(n, G.latent_dim, generator=g)
