"""``python -m gan_edu`` (or ``gan-edu``): train and sample from the command line.

    gan-edu train --data ring --steps 2000 --out runs/ring
    gan-edu train --preset ring-pacgan --out runs/pacgan
    gan-edu train --data digits --steps 3000 --out runs/digits
    gan-edu sample --checkpoint runs/ring/checkpoint.pt --n 64 --out grid.png

``train`` shows a progress bar, then writes into ``--out``: ``checkpoint.pt``,
``metrics.json`` (losses, mean D outputs, and mode coverage or digit-class
coverage), PNG snapshots taken during training and ``training.gif`` for slides.
A folder that is not empty is only overwritten with ``--force``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

TOY = ("ring", "grid", "two_gaussians", "spiral", "moons")
DATA = (*TOY, "digits", "mnist")
# The choices --help lists, written out so that the parser imports no torch (``gan-edu --help`` answers
# at once); tests/test_cli.py checks that they equal the registries in gan_edu.losses and gan_edu.presets.
LOSSES = ("minimax", "non_saturating", "least_squares", "hinge", "wgan_gp")
PRESETS = ("digits-dcgan", "ring-vanilla", "ring-pacgan", "ring-minibatch-std", "ring-unrolled", "ring-wgan-gp",
           "grid-vanilla")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is ONE line on stderr and exit code 2."""

    def error(self, message):  # noqa: D401
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gan-edu", description="Train small GANs and sample from them, on a CPU, offline.",
                epilog="Examples:\n  gan-edu train --data ring --steps 2000 --out runs/ring\n"
                       "  gan-edu train --preset ring-pacgan --out runs/pacgan\n"
                       "  gan-edu sample --checkpoint runs/ring/checkpoint.pt --n 64 --out grid.png",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="{train,sample}", parser_class=_Parser)
    sub.required = True

    t = sub.add_parser("train", help="train a GAN and write checkpoint, metrics, snapshots and a GIF",
                       description="Train a GAN. Pick a --preset (tuned set-ups) or --data and the options below.")
    t.add_argument("--out", required=True, help="output folder (created; must be empty unless --force)")
    t.add_argument("--preset", choices=PRESETS, metavar="NAME",
                   help=f"a tuned set-up: {', '.join(PRESETS)}; it fixes data, models and settings")
    t.add_argument("--data", choices=DATA, default="ring", help="data set (default: ring)")
    t.add_argument("--mnist-root", default="data", help="folder holding MNIST/raw for --data mnist (default: ./data)")
    t.add_argument("--loss", choices=LOSSES, default="non_saturating", help="GAN loss (default: non_saturating)")
    t.add_argument("--steps", type=_positive_int, help="training steps (default: the preset's, else 2000)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    t.add_argument("--batch-size", type=_positive_int, default=None, help="batch size (default 256 for 2D, 64 for images)")
    t.add_argument("--lr-g", type=_positive_float, default=None, help="generator learning rate (default 1e-3 2D, 2e-4 images)")
    t.add_argument("--lr-d", type=_positive_float, default=None, help="discriminator learning rate (same defaults)")
    t.add_argument("--d-steps", type=_positive_int, default=1, help="D updates per G update (default: 1)")
    t.add_argument("--hidden", type=_positive_int, default=128, help="MLP width for 2D data (default: 128)")
    t.add_argument("--depth", type=_positive_int, default=2, help="MLP hidden layers for 2D data (default: 2)")
    t.add_argument("--latent-dim", type=_positive_int, default=None, help="size of z (default 2 for 2D, 16 for images)")
    t.add_argument("--pack", type=_positive_int, default=1, help="PacGAN: D sees this many samples at once (default: 1)")
    t.add_argument("--unroll", type=int, default=0, help="unrolled GAN: D look-ahead steps for G's loss (default: 0)")
    t.add_argument("--minibatch-std", action="store_true", help="add a minibatch-std feature to D")
    t.add_argument("--real-label", type=float, default=1.0, help="real label for D, e.g. 0.9 for label smoothing")
    t.add_argument("--snapshots", type=_positive_int, default=12, help="PNG snapshots / GIF frames (default: 12)")
    t.add_argument("--device", default="auto", help="auto (GPU if present), cpu or cuda (default: auto)")
    t.add_argument("--force", action="store_true", help="write into a non-empty --out folder")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    s = sub.add_parser("sample", help="draw samples from a checkpoint into a PNG",
                       description="Draw samples from a trained generator: a grid of images, or a scatter for 2D.")
    s.add_argument("--checkpoint", required=True, help="a checkpoint.pt written by `gan-edu train`")
    s.add_argument("--n", type=_positive_int, default=64, help="how many samples (default: 64)")
    s.add_argument("--out", required=True, help="PNG file to write")
    s.add_argument("--seed", type=int, default=0, help="random seed for the noise (default: 0)")
    s.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    return p


# --------------------------------------------------------------------------- train
def _make_trainer(args):
    import gan_edu as ge

    if args.preset:
        return ge.presets.build(args.preset, seed=args.seed), ge.presets.get(args.preset).steps
    ge.seed_everything(args.seed)
    if args.data in TOY:
        data = {"ring": ge.data.ring, "grid": ge.data.grid, "two_gaussians": ge.data.two_gaussians,
                "spiral": ge.data.spiral, "moons": ge.data.moons}[args.data]()
        latent = args.latent_dim or 2
        G = ge.models.MLPGenerator(latent_dim=latent, out_dim=2, hidden=args.hidden, depth=args.depth)
        D = ge.models.MLPDiscriminator(in_dim=2 * args.pack, hidden=args.hidden, depth=args.depth,
                                       minibatch_std=args.minibatch_std)
        defaults = dict(batch_size=256, lr=1e-3, betas=(0.5, 0.999))
    else:
        data = ge.data.digits() if args.data == "digits" else ge.data.mnist(args.mnist_root)
        size, channels = data.shape[-1], data.shape[0]
        G = ge.models.DCGenerator(latent_dim=args.latent_dim or 16, image_size=size, channels=channels)
        D = ge.models.DCDiscriminator(image_size=size, channels=channels * args.pack, minibatch_std=args.minibatch_std)
        defaults = dict(batch_size=64, lr=2e-4, betas=(0.5, 0.999))
    if args.loss == "wgan_gp":
        defaults["betas"] = (0.5, 0.9)
    tr = ge.Trainer(G, D, data, loss=args.loss, batch_size=args.batch_size or defaults["batch_size"],
                    lr_g=args.lr_g or defaults["lr"], lr_d=args.lr_d or defaults["lr"], betas=defaults["betas"],
                    d_steps=args.d_steps, seed=args.seed, pack=args.pack, unroll=args.unroll,
                    real_label=args.real_label, device=args.device)
    return tr, 2000


def _frame(tr, z, extent):
    """One picture of the trainer now, as an RGB array."""
    import numpy as np

    from . import viz

    fig = viz.figure(4, 4, 80)
    ax = fig.add_subplot(111)
    if tuple(tr.data.shape) == (2,):
        viz.plot_plane(tr, layers=("heat", "real", "fake"), extent=extent, ax=ax)
    else:
        viz.plot_images(tr.sample(len(z), z=z), nrow=8, title=f"step {tr.state.step}", ax=ax)
    fig.tight_layout()
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def _save_gif(frames, path: Path, seconds_per_frame: float = 0.4) -> None:
    from matplotlib import animation

    from . import viz

    h, w = frames[0].shape[:2]
    fig = viz.figure(w / 80, h / 80, 80)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    image = ax.imshow(frames[0])
    anim = animation.FuncAnimation(fig, lambda i: [image.set_data(frames[i]) or image], frames=len(frames), blit=True)
    anim.save(path, writer=animation.PillowWriter(fps=1 / seconds_per_frame))


def _evaluate(tr) -> dict:
    import torch

    from . import metrics

    out = {}
    data = tr.data
    if getattr(data, "centers", None) is not None:
        modes, hq, counts = metrics.mode_coverage(tr.sample(2500, generator=torch.Generator().manual_seed(0)),
                                                  data.centers, data.std)
        out["mode_coverage"] = {"modes": modes, "of": int(data.n_modes), "hq_fraction": hq, "counts": counts.tolist(),
                                "protocol": "2500 samples; high quality if within 3 std of the nearest centre"}
    if len(data.shape) == 3 and getattr(data, "labels", None) is not None:
        from .lessons import classifier

        judge = classifier.train_classifier(data)          # a small CNN on the real images, seconds on a CPU
        cov = classifier.evaluate_generator(tr, judge)
        out["class_coverage"] = {"classes": cov.classes, "of": len(cov.histogram), "confident": cov.confident,
                                 "kl_to_uniform": cov.kl, "counts": cov.counts.tolist(), "threshold": cov.threshold,
                                 "classifier_accuracy": judge.accuracy,
                                 "protocol": f"{cov.n} samples; confident if the classifier's max probability >= {cov.threshold}"}
    return out


def train(args) -> int:
    import numpy as np
    import torch
    from PIL import Image

    from . import viz

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not args.force:
        raise ValueError(f"--out {str(out)!r} exists and is not empty; choose another folder or add --force")
    if args.unroll < 0:
        raise ValueError(f"--unroll must be >= 0, got {args.unroll}")
    tr, default_steps = _make_trainer(args)
    steps = args.steps or default_steps
    out.mkdir(parents=True, exist_ok=True)
    snap_dir = out / "snapshots"
    snap_dir.mkdir(exist_ok=True)

    z = tr.G.sample_noise(64, generator=torch.Generator().manual_seed(args.seed + 1))
    extent = viz.plane_extent(tr.data) if tuple(tr.data.shape) == (2,) else None
    marks = sorted({int(round(x)) for x in np.linspace(0, steps, args.snapshots + 1)[1:]})
    frames = [_frame(tr, z, extent)]
    Image.fromarray(frames[0]).save(snap_dir / f"step_{0:06d}.png")

    def snapshot(t):
        if t.state.step in marks:
            frames.append(_frame(t, z, extent))
            Image.fromarray(frames[-1]).save(snap_dir / f"step_{t.state.step:06d}.png")

    tr.on("step_end", snapshot)
    t0 = time.perf_counter()
    tr.run(steps, progress=not args.no_progress)
    seconds = time.perf_counter() - t0
    tr.off("step_end", snapshot)

    tr.save(out / "checkpoint.pt")
    _save_gif(frames, out / "training.gif")
    h = tr.history
    metrics = {
        "command": "train", "preset": args.preset, "data": tr.data.name, "loss": tr.loss.name, "steps": tr.state.step,
        "seed": args.seed, "seconds": round(seconds, 3), "steps_per_second": round(tr.state.step / seconds, 2),
        "final": {"loss_d": tr.state.loss_d, "loss_g": tr.state.loss_g, "d_real": tr.state.d_real, "d_fake": tr.state.d_fake},
        "history": {"step": h["loss_d"].steps.tolist(),
                    **{k: [round(v, 5) for v in h[k].values.tolist()] for k in ("loss_d", "loss_g", "d_real", "d_fake")}},
        **_evaluate(tr),
    }
    (out / "metrics.json").write_text(_dumps(metrics))
    summary = f"trained {tr.state.step} steps in {seconds:.1f} s -> {out}"
    if "mode_coverage" in metrics:
        mc = metrics["mode_coverage"]
        summary += f"  (modes {mc['modes']}/{mc['of']}, high quality {mc['hq_fraction']:.0%})"
    if "class_coverage" in metrics:
        cc = metrics["class_coverage"]
        summary += f"  (digit classes {cc['classes']}/{cc['of']}, confident {cc['confident']:.0%})"
    print(summary)
    return 0


def _dumps(obj) -> str:
    """JSON with one key per line but every list of numbers on a single line."""
    import re

    text = json.dumps(obj, indent=1)
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


# --------------------------------------------------------------------------- sample
def sample(args) -> int:
    import torch

    from . import viz
    from .trainer import load_generator

    out = Path(args.out)
    if out.exists() and not args.force:
        raise ValueError(f"--out {str(out)!r} exists; choose another name or add --force")
    if out.suffix.lower() != ".png":
        raise ValueError(f"--out must be a .png file, got {str(out)!r}")
    G = load_generator(args.checkpoint)
    with torch.no_grad():
        x = G(G.sample_noise(args.n, generator=torch.Generator().manual_seed(args.seed)))
    if x.ndim == 4:
        fig = viz.plot_images(x, nrow=int(max(1, round(args.n ** 0.5))), size=4)
    else:
        fig = viz.figure(4, 4)
        ax = fig.add_subplot(111)
        ax.scatter(x[:, 0], x[:, -1], s=6, c=viz.FAKE)
        ax.set_aspect("equal")
        ax.set_title(f"{args.n} samples", fontsize=9)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(f"wrote {args.n} samples to {out}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from .trainer import TrainingDiverged

    try:
        return train(args) if args.command == "train" else sample(args)
    except (ValueError, TypeError, FileNotFoundError, TrainingDiverged) as err:
        msg = " ".join(line.strip() for line in str(err).splitlines()) or type(err).__name__
        print(f"gan-edu: error: {msg}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gan-edu: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
