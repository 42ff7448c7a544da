r"""The generator's forward pass and its latent space, measured (lessons 01 and 07).

* running G: :func:`generator_output` (G(z) in eval mode, the one place the lessons run G to
  look at it) and :func:`train_mode_samples` (the same z in training mode, for comparison);
* inside the image generator: :func:`shape_walk` / :func:`format_shape_walk` (each layer's
  name, kind, output shape and parameter count) and :func:`transposed_conv_demo` (one
  transposed convolution done by hand, as a sum of stamped kernels);
* lesson 01's 2D generators: :func:`ring_generators` (the seeded MLP generator before and after
  a short training on the ring, the same every call) and :func:`without_nonlinearity` /
  :func:`affine_residual` (the same stack without its ReLUs is one affine map);
* transposed convolutions: :func:`checkerboard_demo` (why kernel 4 with stride 2 reduces
  checkerboard artefacts but does not avoid them);
* the latent space: :func:`nearby_vs_far` (nearby z -> nearby outputs, as numbers),
  :func:`interpolate` / :func:`walk_vs_blend` / :func:`blend_gaps` (G((1 - a) z0 + a z1) against
  the pixel blend (1 - a) G(z0) + a G(z1)), :func:`path_off_ring` (the walk follows the ring, the
  blend cuts across), :func:`walk_evenness`, :func:`train_copier` and :func:`nearest_distance`
  (a G trained only to copy training images walks just as smoothly: smoothness says nothing
  about memorising), :func:`dimension_effects` (how much each coordinate of z changes the
  picture) and :func:`collapsed_noise` (noise that imitates a mode-collapsed G).

Everything here runs G without gradients; eval mode (BatchNorm uses its running statistics,
so one sample's output does not depend on the others in its batch) unless said otherwise,
and G's mode is put back afterwards. The pictures of all this are in
:mod:`gan_edu.viz.generator` and the widgets of :mod:`gan_edu.widgets.latent` and
:mod:`gan_edu.widgets.images`.
"""
from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .. import _check, models
from .. import data as data_mod
from ..trainer import Trainer
from .factory import networks

__all__ = ["check_generator", "as_z", "one_z", "generator_output", "train_mode_samples", "ShapeStep", "shape_walk",
           "format_shape_walk", "transposed_conv_demo", "checkerboard_demo", "Closeness", "nearby_vs_far", "interpolate",
           "WalkVsBlend", "walk_vs_blend", "blend_gaps", "path_off_ring", "walks_off_ring", "walk_evenness", "Copier", "train_copier",
           "nearest_distance", "RingGenerators", "ring_generators", "without_nonlinearity", "affine_residual",
           "dimension_effects", "collapsed_noise"]


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
    """A few words on what a layer does (short: the table must fit a notebook's output at 100 % zoom)."""
    if kind == "input":
        return "the noise z"
    if kind == "Linear":
        return f"project: {before[0]} -> {after[0]} numbers"
    if kind == "Unflatten":
        return f"reshape: {after[0]} maps of {after[1]}x{after[2]}"
    if kind.startswith("BatchNorm"):
        return "normalise, then scale and shift"
    if kind == "ReLU":
        return "negatives -> 0"
    if kind == "LeakyReLU":
        return "negatives x 0.2"
    if kind == "ConvTranspose2d":
        return f"{before[1]}x{before[2]} -> {after[1]}x{after[2]}, {before[0]} -> {after[0]} channels"
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


def format_shape_walk(steps: list[ShapeStep], notes: bool = True, params: bool = True) -> str:
    """The shape walk as a text table (deterministic: shapes and counts only); ``params=False``
    leaves out the parameter counts (for a table shown before a question about them)."""
    steps = list(steps)
    if not steps or not all(isinstance(s, ShapeStep) for s in steps):
        raise ValueError("steps must be the list returned by shape_walk(G)")
    rows = [("layer", "kind", "per sample", "params" if params else "", "what it does" if notes else "")]
    for s in steps:
        rows.append((s.name, s.kind, " x ".join(map(str, s.shape)), f"{s.params:,}" if params else "",
                     s.note if notes else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        cells = [f"{r[0]:<{widths[0]}}", f"{r[1]:<{widths[1]}}", f"{r[2]:<{widths[2]}}"]
        cells += [f"{r[3]:>{widths[3]}}"] if params else []
        lines.append("  ".join([*cells, r[4]]).rstrip())
    lines.insert(1, "-" * max(len(line) for line in lines))
    if params:
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


def _interior_spread(m: torch.Tensor, border: int = 1) -> float:
    """(max - min) / mean |value| over a map without its ``border`` outermost pixels: 0 when flat."""
    inner = m[border:m.shape[0] - border, border:m.shape[1] - border]
    scale = float(inner.abs().mean())
    return float(inner.max() - inner.min()) / scale if scale > 0 else 0.0


@torch.no_grad()
def checkerboard_demo(layer: nn.ConvTranspose2d | None = None, size: int = 4, seed: int = 0) -> dict:
    """Why "kernel 4, stride 2" reduces checkerboard artefacts but does not avoid them: three
    transposed convolutions (stride 2, padding 1) of a CONSTANT ``size`` x ``size`` input.

    ``"uneven"``: kernel 3 of ones -- the output counts how many stamps land on each pixel, and
    kernel 3 is not a multiple of stride 2, so the counts alternate (a checkerboard of 1, 2, 4).
    ``"even"``: kernel 4 (a multiple of 2) with the smooth kernel of :func:`transposed_conv_demo`:
    every inner pixel gets 4 stamps and the same total weight, so the inside is flat (only the
    border, which gets fewer stamps, differs). ``"learned"``: kernel 4 with the weights of
    ``layer``'s first output channel (e.g. an untrained generator's last layer; every input channel
    set to 1, which is one stamp of the sum of its kernels; the bias, a constant, is left out), or a
    seeded random 4x4 kernel when ``layer`` is None: even counts, but the kernel's four interleaved
    quarters carry different total weights, so a checkerboard comes back. Each entry:
    ``{"kernel" [k, k], "output" [H, W], "spread", "source"}`` with ``spread`` = (max - min) / mean
    |value| inside the 1-pixel border and ``source`` saying where the kernel came from."""
    size = _check.integer("size", size, minimum=3)
    b = torch.tensor([0.25, 0.75, 0.75, 0.25])
    kernels = {"uneven": torch.ones(3, 3), "even": torch.outer(b, b)}
    if layer is None:
        kernels["learned"] = torch.randn(4, 4, generator=torch.Generator().manual_seed(seed))
    elif isinstance(layer, nn.ConvTranspose2d) and layer.stride == (2, 2) and layer.kernel_size == (4, 4):
        kernels["learned"] = layer.weight.detach().cpu()[:, 0].sum(0)      # weight: [C_in, C_out, 4, 4]
    else:
        raise TypeError(f"layer must be a ConvTranspose2d with kernel 4 and stride 2 (or None), got {layer!r}")
    sources = {"uneven": "ones", "even": "smooth", "learned": "random" if layer is None else "layer"}
    out = {}
    for name, k in kernels.items():
        y = torch.nn.functional.conv_transpose2d(torch.ones(1, 1, size, size), k[None, None], stride=2, padding=1)[0, 0]
        out[name] = {"kernel": k, "output": y, "spread": _interior_spread(y), "source": sources[name]}
    return out


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


def blend_gaps(G, n: int = 100, seed: int = 0) -> torch.Tensor:
    """For ``n`` random pairs (z0, z1): how far the walk's middle G((z0 + z1) / 2) is from the blend's
    middle (G(z0) + G(z1)) / 2 (mean absolute difference), as a share of the mean absolute difference
    between the two ends. 0 for a linear G. A tensor [n]."""
    G = check_generator(G)
    n = _check.positive_int("n", n)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    z0, z1 = G.sample_noise(n, generator=g).cpu(), G.sample_noise(n, generator=g).cpu()
    ends0, ends1, middle = (generator_output(G, z).flatten(1) for z in (z0, z1, (z0 + z1) / 2))
    gap = (middle - (ends0 + ends1) / 2).abs().mean(1)
    return gap / (ends0 - ends1).abs().mean(1).clamp_min(1e-12)


def path_off_ring(G, z0, z1, radius: float = 1.0, steps: int = 40) -> tuple[float, float]:
    """For a 2D generator and the ring of ``radius``: the mean distance from the circle of the walk
    G((1 - a) z0 + a z1) and of the straight chord between its ends (the "blend" of the two end
    points), over ``steps`` values of a. Returns ``(walk, chord)``."""
    a, walk = interpolate(G, z0, z1, steps)
    if walk.ndim != 2 or walk.shape[1] != 2:
        raise ValueError(f"path_off_ring needs a generator of 2D points, got outputs of shape {tuple(walk.shape)}")
    radius = _check.positive("radius", radius)
    chord = (1 - a)[:, None] * walk[0] + a[:, None] * walk[-1]
    off = [float((p.norm(dim=1) - radius).abs().mean()) for p in (walk, chord)]
    return off[0], off[1]


def walks_off_ring(G, n: int = 100, seed: int = 0, radius: float = 1.0) -> tuple[float, float]:
    """:func:`path_off_ring` averaged over ``n`` straight walks between random pairs of z (drawn with
    their own stream seeded by ``seed``): ``(walk, chord)`` mean distances from the ring's circle."""
    G = check_generator(G)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    pairs = [G.sample_noise(2, generator=g).cpu() for _ in range(_check.positive_int("n", n))]
    offs = torch.tensor([path_off_ring(G, z0, z1, radius) for z0, z1 in pairs])
    return float(offs[:, 0].mean()), float(offs[:, 1].mean())


def walk_evenness(G, z0, z1, steps: int = 16) -> float:
    """The largest change between two neighbouring pictures of the walk from z0 to z1 (``steps``
    equal steps of a), as a share of the walk's total length (the sum of all the changes): 1 /
    ``steps`` for a perfectly even walk, near 1 when the walk jumps at one place."""
    _, out = interpolate(G, z0, z1, steps=_check.integer("steps", steps, minimum=2) + 1)
    moves = (out[1:] - out[:-1]).flatten(1).norm(dim=1)
    total = float(moves.sum())
    return float(moves.max()) / total if total > 0 else 0.0


def nearest_distance(x, images) -> torch.Tensor:
    """For each sample of ``x`` [N, ...], the distance (root of the summed squared pixel differences)
    to its nearest image in ``images`` [M, ...]: about 0 for a copy. A tensor [N]."""
    x, images = torch.as_tensor(x).detach().float().cpu(), torch.as_tensor(images).detach().float().cpu()
    if x.shape[1:] != images.shape[1:]:
        raise ValueError(f"x and images must hold samples of one shape, got {tuple(x.shape[1:])} and {tuple(images.shape[1:])}")
    return torch.cdist(x.flatten(1), images.flatten(1)).min(dim=1).values


class Copier(NamedTuple):
    """A generator trained only to copy: ``G(z[k])`` reproduces ``images[k]`` (``index[k]`` in the
    data set). ``error``: the largest distance between a copy and its original after training."""

    G: nn.Module
    z: torch.Tensor
    images: torch.Tensor
    index: torch.Tensor
    error: float


def train_copier(images, n: int = 8, seed: int = 0, steps: int = 150, lr: float = 0.01, **config) -> Copier:
    """A memorising generator, made on purpose: a seeded :class:`~gan_edu.models.DCGenerator`
    (``config``, e.g. ``latent_dim=16, image_size=8``) trained with plain regression -- no D, no game
    -- so that ``n`` fixed noise vectors give ``n`` training images (chosen at random with ``seed``).
    It stores its images in its weights and looks them up by z: the thing a GAN must not become.
    Trained in eval mode (BatchNorm with fixed statistics), so what it learned is what it shows, and
    on the values before its final tanh (pixels of exactly +-1 would saturate it and stop learning).
    It must end with a tanh (as the DCGAN generator does)."""
    images = torch.as_tensor(images).detach().float().cpu()
    n = _check.integer("n", n, minimum=2, maximum=len(images))
    steps = _check.positive_int("steps", steps)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models.DCGenerator(**{"latent_dim": 16, "image_size": images.shape[-1], "channels": images.shape[1], **config})
    index = torch.randperm(len(images), generator=g)[:n]
    x, z = images[index], G.sample_noise(n, generator=g).cpu()
    G.eval()
    body, target = G.net[:-1], torch.atanh(x.clamp(-0.99, 0.99))   # fit before the tanh: no saturated pixel stalls
    opt = torch.optim.Adam(G.parameters(), lr=_check.positive("lr", lr))
    for _ in range(steps):
        opt.zero_grad()
        ((body(z) - target) ** 2).mean().backward()
        opt.step()
    error = float((generator_output(G, z) - x).flatten(1).norm(dim=1).max())
    return Copier(G, z, x, index, error)


# --------------------------------------------------------------------------- lesson 01's 2D generators
class RingGenerators(NamedTuple):
    """Lesson 01's MLP generator (2 -> 2, ReLU) before and after a short GAN training on the ring."""

    untrained: nn.Module
    trained: nn.Module
    steps: int


_RING_CACHE: dict = {}


def ring_generators(seed: int = 0, steps: int = 500, hidden: int = 128, batch_size: int = 128) -> RingGenerators:
    """The seeded generator of :func:`~gan_edu.lessons.factory.networks` (``hidden`` wide, 2D noise,
    2D points) before training and after ``steps`` training steps against its discriminator on
    ``ge.data.ring()`` (``batch_size``, the trainer seeded with ``seed``).

    The same arguments always give the same networks, so they are trained once per session and every
    call hands out fresh copies: a lesson cell and a prediction's experiment can both call it, and
    nothing done to one copy reaches another."""
    key = (_check.integer("seed", seed, minimum=0), _check.positive_int("steps", steps),
           _check.positive_int("hidden", hidden), _check.positive_int("batch_size", batch_size))
    if key not in _RING_CACHE:
        G, D = networks(seed=seed, hidden=hidden)
        untrained = copy.deepcopy(G)
        Trainer(G, D, data_mod.ring(), batch_size=batch_size, seed=seed, device="cpu").run(steps, progress=False)
        _RING_CACHE[key] = (untrained.eval(), G.eval())
    untrained, trained = _RING_CACHE[key]
    return RingGenerators(copy.deepcopy(untrained), copy.deepcopy(trained), steps)


def without_nonlinearity(G) -> nn.Module:
    """A copy of an MLP generator with every activation between its layers replaced by the identity:
    the same weights, no nonlinearity."""
    G = check_generator(G)
    if not isinstance(G, models.MLPGenerator):
        raise TypeError(f"G must be an MLPGenerator, got {type(G).__name__}")
    plain = copy.deepcopy(G)
    for name, module in list(plain.net.named_children()):
        if not isinstance(module, nn.Linear):
            setattr(plain.net, name, nn.Identity())
    return plain


def affine_residual(G, z) -> float:
    """How far G is from an affine map z -> A z + b on the samples ``z`` [N, latent_dim]: the
    largest error of the least-squares affine fit, as a share of the spread of G's outputs.
    About 1e-6 (rounding) for a stack of linear layers; far from 0 once a ReLU bends the map."""
    z = as_z("z", z, check_generator(G).latent_dim).double()
    out = generator_output(G, z.float()).flatten(1).double()
    design = torch.cat([z, torch.ones(len(z), 1, dtype=z.dtype)], 1)
    coef = torch.linalg.lstsq(design, out).solution
    return float((design @ coef - out).abs().max() / out.std(0).max().clamp_min(1e-12))


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
