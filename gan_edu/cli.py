"""``python -m gan_edu`` (or ``gan-edu``): train and sample from the command line.

    gan-edu train --data ring --steps 2000 --out runs/ring
    gan-edu train --preset ring-pacgan --out runs/pacgan
    gan-edu train --preset ring-pacgan --lr-g 1e-3 --out runs/pacgan-slow   # a preset, one setting changed
    gan-edu train --data digits --steps 3000 --out runs/digits
    gan-edu train --data digits --conditional --out runs/cdigits    # or: --preset digits-conditional
    gan-edu sample --checkpoint runs/ring/checkpoint.pt --n 64 --out grid.png
    gan-edu sample --checkpoint runs/cdigits/checkpoint.pt --out rows.png   # one row per class (--class 7: only 7s)
    gan-edu evaluate --checkpoint runs/digits/checkpoint.pt [--json]
    gan-edu class-report progress/*.json --out report

``train`` shows a progress bar, then writes into ``--out``: ``checkpoint.pt``,
``metrics.json`` (losses, mean D outputs, and mode coverage or digit-class
coverage), PNG snapshots taken during training and ``training.gif`` for slides.
A folder that is not empty is only overwritten with ``--force``. ``evaluate`` scores a digits
generator with every metric of lesson 10, next to the same numbers for real digits.

Nothing is thrown away. Ctrl-C stops training after the step that is running, saves that step
in ``checkpoint.pt`` and the metrics so far in ``metrics.json``, and says so; running the same
command again resumes from there (so does ``--resume``, which can also change the learning
rates or train a finished run for longer). A checkpoint is also saved at every snapshot, so
even a killed process loses at most the steps since the last one. Every file is written to a
temporary name and renamed into place: it is whole or it is the previous one.

Every failure is one line on stderr saying what to do, never a traceback; the exit code is 2
for a mistake on the command line, 1 for a failure, 130 for Ctrl-C. ``GAN_EDU_DEBUG=1`` shows
the traceback of an unexpected error.

The parser imports neither torch nor the rest of the package, so ``--help`` answers at once.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
import warnings
from pathlib import Path

TOY = ("ring", "grid", "two_gaussians", "spiral", "moons")
DATA = (*TOY, "digits", "mnist")
# The choices --help lists, written out so that the parser imports no torch (``gan-edu --help`` answers
# at once); tests/test_cli.py checks that they equal the registries in gan_edu.losses and gan_edu.presets.
LOSSES = ("minimax", "non_saturating", "least_squares", "hinge", "wgan_gp")
PRESETS = ("digits-dcgan", "digits-conditional", "digits-selfcond", "ring-vanilla", "ring-pacgan", "ring-minibatch-std",
           "ring-unrolled", "ring-wgan-gp", "grid-vanilla")

EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130

# What a run is made of. A preset fixes its data and models (STRUCTURE); the TUNABLE settings can be
# changed on top of a preset and when resuming; IDENTITY and STRUCTURE cannot change when resuming.
IDENTITY = ("preset", "seed")
STRUCTURE = ("data", "mnist_root", "hidden", "depth", "latent_dim", "pack", "unroll", "minibatch_std", "conditional")
#: settings added after runs were first recorded, with the value an older record means
LATER_SETTINGS = {"conditional": False}
TUNABLE = ("loss", "batch_size", "lr_g", "lr_d", "d_steps", "real_label")
SETTINGS = (*IDENTITY, *STRUCTURE, *TUNABLE, "steps", "snapshots")

CHECKPOINT, RECORD, GIF, SNAPSHOTS = "checkpoint.pt", "metrics.json", "training.gif", "snapshots"
#: the most parameters a generator loaded by ``sample`` may have (1 GiB of float32)
MAX_PARAMETERS = 2 ** 28
#: the most samples ``sample`` draws: a scatter of 2D points, or a grid of images
MAX_POINTS, MAX_IMAGES = 100_000, 1024
#: the most samples ``evaluate`` scores (its distance matrices grow with the square), and its default: the size
#: of lesson 10's real-digits baseline, ``metrics_lab.prepare(seed=0).n`` (written out so --help imports no torch;
#: tests/test_cli_evaluate.py checks that they agree)
MAX_EVALUATE, EVALUATE_N = 2000, 449


class UsageError(ValueError):
    """A mistake on the command line (exit code 2)."""


class Stopped(Exception):
    """The command stopped and has said what it kept (``code`` is the exit code)."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


class _StartUp:
    """Ctrl-C (or SIGTERM) while the program starts -- importing torch, reading a checkpoint, building
    the trainer -- is remembered, not raised: a KeyboardInterrupt in the middle of an import can leave
    half-loaded modules (or be swallowed by library code, so the run never stops). The command acts
    on it at the next safe point (:meth:`check`); ``gan-edu train``'s session takes it over."""

    def __init__(self):
        self.signum = None
        self.installed = False

    def defer(self) -> None:
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self._remember)
            self.installed = True
        except ValueError:                    # not the main thread (an embedding program): Ctrl-C as usual
            pass

    def _remember(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum

    def check(self, doing: str) -> None:
        """Stop now (exit 130, or 128 + the signal) if a signal came during start-up."""
        if self.signum is not None:
            what = "interrupted" if self.signum == signal.SIGINT else "terminated"
            raise Stopped(f"{what} {doing}; nothing was written", 128 + int(self.signum))

    def release(self) -> None:
        """Back to Python's usual Ctrl-C (a KeyboardInterrupt), after acting on a pending signal."""
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self.installed = False


_start_up = _StartUp()


# --------------------------------------------------------------------------- the parser (no torch)
class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is ONE line on stderr and exit code 2."""

    def error(self, message):  # noqa: D401
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _whole(text: str, minimum: int, maximum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    if value > maximum:
        raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
    return value


def _up_to(maximum: int, minimum: int = 1):
    """A parser type for whole numbers in [minimum, maximum] (the maxima keep a typo from filling memory)."""
    return lambda text: _whole(text, minimum, maximum)


_positive_int = _up_to(10 ** 9)
_count = _up_to(2 ** 32 - 1, minimum=0)


def _number(text: str, minimum: float, maximum: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > minimum and (maximum is None or value <= maximum)):     # also refuses nan
        raise argparse.ArgumentTypeError(f"must be > {minimum:g}" + (f" and <= {maximum:g}" if maximum else "")
                                         + f", got {text}")
    return value


def _positive_float(text: str) -> float:
    return _number(text, 0.0, 1e3)


def _label(text: str) -> float:
    return _number(text, 0.0, 1.0)


def _device(text: str) -> str:
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", text):
        raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda, cuda:N or mps, got {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gan-edu", description="Train small GANs and sample from them, on a CPU, offline.",
                epilog="Examples:\n  gan-edu train --data ring --steps 2000 --out runs/ring\n"
                       "  gan-edu train --preset ring-pacgan --out runs/pacgan\n"
                       "  gan-edu train --data digits --conditional --out runs/cdigits\n"
                       "  gan-edu sample --checkpoint runs/ring/checkpoint.pt --n 64 --out grid.png\n"
                       "  gan-edu evaluate --checkpoint runs/digits/checkpoint.pt\n"
                       "  gan-edu class-report progress/*.json --out report\n\n"
                       "Exit codes: 0 done, 1 failed, 2 wrong command line, 130 interrupted (Ctrl-C).",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="{train,sample,evaluate,class-report}", parser_class=_Parser)
    sub.required = True
    _train_parser(sub)

    s = sub.add_parser("sample", help="draw samples from a checkpoint into a PNG",
                       description="Draw samples from a trained generator: a grid of images, or a scatter for 2D. "
                                   "A conditional generator draws one row per class, the same noise in each "
                                   "column (or, with --class K, only class K).")
    s.add_argument("--checkpoint", required=True, help="a checkpoint.pt written by `gan-edu train`")
    s.add_argument("--n", type=_positive_int, default=64,
                   help=f"how many samples (default: 64; at most {MAX_POINTS} points or {MAX_IMAGES} images)")
    s.add_argument("--out", required=True, help="PNG file to write")
    s.add_argument("--seed", type=_count, default=0, help="random seed for the noise (default: 0)")
    s.add_argument("--class", dest="klass", type=_count, metavar="K",
                   help="conditional generators: draw only class K (default: one row per class)")
    s.add_argument("--force", action="store_true", help="overwrite --out if it exists")

    _evaluate_parser(sub)

    c = sub.add_parser("class-report", help="gather students' quiz progress files into one class report",
                       description="Gather the quiz progress files of a class (gan_edu.quiz) into one report.")
    c.add_argument("paths", nargs="+", metavar="PATH", help="students' progress files (or folders holding them)")
    c.add_argument("--out", required=True, help="folder for the report (must be empty unless --force)")
    c.add_argument("--force", action="store_true", help="overwrite a report already in --out")
    return p


def _evaluate_parser(sub) -> None:
    e = sub.add_parser(
        "evaluate", help="score a digits generator with the metrics of lesson 10 (FD, KID, precision, recall, ...)",
        description="Score the generator of a checkpoint of the 8x8 digits (gan-edu train --data digits, or "
                    "--preset digits-dcgan) with the metrics of lesson 10: FD, KID, precision, recall, density, "
                    "coverage, digit classes, class KL and the memorised share, next to the same numbers for real "
                    "digits (what a perfect generator scores).",
        epilog="Features: the 512 penultimate-layer features of the kit's own digit classifier, trained on the spot "
               "on 899 of the digits (seconds, no downloaded weights). So this is not FID: the numbers compare only "
               "with this command's, never with FIDs in papers. Reference: 449 digits the classifier never saw "
               "(lesson 10's split, seed 0); the real-digits column scores 449 other unseen digits the same way. "
               "A generator trained on all 1797 digits has seen the reference too: the output says so.")
    e.add_argument("--checkpoint", required=True, help="a checkpoint.pt of a digits generator, written by gan-edu train")
    e.add_argument("--n", type=_up_to(MAX_EVALUATE, minimum=6), default=EVALUATE_N,
                   help=f"samples to score (default: {EVALUATE_N}, the size of the real-digits baseline; FD depends on n, so "
                        f"compare generators at the same n; 6 to {MAX_EVALUATE})")
    e.add_argument("--seed", type=_count, default=0, help="random seed for the generator's noise (default: 0)")
    e.add_argument("--json", action="store_true", help="print the result as JSON (for scripts) instead of a table")


def _train_parser(sub) -> None:
    """Every setting defaults to None here, so that what was typed can be told from a default."""
    t = sub.add_parser("train", help="train a GAN and write checkpoint, metrics, snapshots and a GIF",
                       description="Train a GAN. Pick a --preset (a tuned set-up) or --data and the options "
                                   "below. Ctrl-C saves the last step; the same command then resumes.",
                       epilog="With --preset, --loss --batch-size --lr-g --lr-d --d-steps --real-label --seed --steps "
                              "apply on top of the preset; the data and model flags are refused (the preset fixes "
                              "them). A preset's learning-rate decay keeps its own schedule under --steps.")
    t.add_argument("--out", required=True, help="output folder (created; must be empty unless --force or --resume)")
    t.add_argument("--preset", choices=PRESETS, metavar="NAME",
                   help=f"a tuned set-up: {', '.join(PRESETS)}; it fixes data and models")
    t.add_argument("--data", choices=DATA, help="data set (default: ring)")
    t.add_argument("--mnist-root", help="folder holding MNIST/raw for --data mnist (default: ./data)")
    t.add_argument("--loss", choices=LOSSES, help="GAN loss (default: non_saturating)")
    t.add_argument("--steps", type=_positive_int, help="training steps in all (default: the preset's, else 2000)")
    t.add_argument("--seed", type=_count, help="random seed (default: 0)")
    t.add_argument("--batch-size", type=_up_to(65536), help="batch size (default 256 for 2D, 64 for images)")
    t.add_argument("--lr-g", type=_positive_float, help="generator learning rate (default 1e-3 2D, 2e-4 images)")
    t.add_argument("--lr-d", type=_positive_float, help="discriminator learning rate (same defaults)")
    t.add_argument("--d-steps", type=_up_to(100), help="D updates per G update (default: 1)")
    t.add_argument("--hidden", type=_up_to(4096), help="MLP width for 2D data (default: 128)")
    t.add_argument("--depth", type=_up_to(16), help="MLP hidden layers for 2D data (default: 2)")
    t.add_argument("--latent-dim", type=_up_to(1024), help="size of z (default 2 for 2D, 16 for images)")
    t.add_argument("--pack", type=_up_to(64), help="PacGAN: D sees this many samples at once (default: 1)")
    t.add_argument("--unroll", type=_up_to(100, minimum=0), help="unrolled GAN: D look-ahead steps for G's loss (default: 0)")
    t.add_argument("--minibatch-std", action="store_true", default=None, help="add a minibatch-std feature to D")
    t.add_argument("--conditional", action="store_true", default=None,
                   help="class-conditional G and D (labelled images: --data digits or mnist)")
    t.add_argument("--real-label", type=_label, help="real label for D, e.g. 0.9 for label smoothing (default: 1)")
    t.add_argument("--snapshots", type=_up_to(10_000), help="PNG snapshots / GIF frames / checkpoints (default: 12)")
    t.add_argument("--device", type=_device, default="auto", help="auto (GPU if present), cpu or cuda (default: auto)")
    t.add_argument("--force", action="store_true", help="start over in a non-empty --out folder")
    t.add_argument("--resume", action="store_true",
                   help="continue the run in --out (interrupted, or finished: then give a larger --steps)")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")


# --------------------------------------------------------------------------- train: which run, with what
def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def _explicit(args) -> dict:
    """The settings typed on the command line."""
    return {k: getattr(args, k) for k in SETTINGS if getattr(args, k) is not None}


def _resolve(explicit: dict) -> dict:
    """All settings of a new run: what was typed, else the defaults (None = the preset's own)."""
    s = dict.fromkeys(SETTINGS) | explicit
    s["seed"] = explicit.get("seed", 0)
    s["snapshots"] = explicit.get("snapshots", 12)
    if s["preset"]:
        fixed = [_flag(k) for k in STRUCTURE if k in explicit]
        if fixed:
            raise UsageError(f"{', '.join(fixed)} cannot be combined with --preset {s['preset']}: the preset fixes its "
                             f"data and models; drop {fixed[0]}, or drop --preset and build your own set-up")
        return s
    images = s["data"] in ("digits", "mnist")
    if s["conditional"] and not images:
        raise UsageError(f"--conditional needs labelled images (--data digits or --data mnist); --data "
                         f"{s['data'] or 'ring'} is 2D points without classes")
    defaults = dict(data="ring", loss="non_saturating", steps=2000, d_steps=1, hidden=128, depth=2, pack=1,
                    unroll=0, minibatch_std=False, conditional=False, real_label=1.0, batch_size=64 if images else 256,
                    lr_g=2e-4 if images else 1e-3, lr_d=2e-4 if images else 1e-3, latent_dim=16 if images else 2,
                    mnist_root="data" if s["data"] == "mnist" else None)
    return {k: defaults[k] if s[k] is None and k in defaults else s[k] for k in SETTINGS}


def _for_resume(record: dict, explicit: dict) -> dict:
    """The recorded settings with the typed ones on top; the data, models and seed cannot change."""
    s = dict(record["settings"])
    for k, v in explicit.items():
        if s["preset"] and k in STRUCTURE:
            raise UsageError(f"{_flag(k)} cannot be combined with --preset {s['preset']} (the run being resumed): the "
                             f"preset fixes its data and models; drop {_flag(k)}")
        if k in (*IDENTITY, *STRUCTURE) and v != s.get(k):
            raise UsageError(f"{_flag(k)} {v} differs from the run being resumed ({_flag(k)} {s.get(k)}); drop "
                             f"{_flag(k)} to resume it, or use --force to start a new run")
        s[k] = v
    return s


def _read_record(out: Path):
    """What --out holds: ("new", None), ("run", record) for a run of `gan-edu train`, or ("other", None)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a file, not a folder; choose a folder name")
    if not out.exists():
        return "new", None
    from . import _files

    if not [p for p in out.iterdir() if not _files.is_temporary(p)]:
        return "new", None
    try:
        record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "other", None
    ok = isinstance(record, dict) and isinstance(record.get("settings"), dict) \
        and isinstance(record.get("steps_planned"), int) and isinstance(record.get("checkpoint_step"), (int, type(None)))
    if ok:                                   # a run recorded before a setting existed had that setting's old value
        record["settings"] = {**LATER_SETTINGS, **record["settings"]}
    return ("run", record) if ok and set(record["settings"]) == set(SETTINGS) else ("other", None)


def _plan(args, out: Path) -> dict:
    """Start a new run, or resume the one in --out: settings, steps in all, and what to say."""
    kind, record = _read_record(out)
    explicit = _explicit(args)
    if args.resume and args.force:
        raise UsageError("--resume and --force cannot be combined: --resume continues the run in --out, --force "
                         "starts it over")
    if args.resume:
        if kind != "run":
            raise ValueError(f"nothing to resume in {str(out)!r}: it holds no run of gan-edu train (no readable {RECORD})")
        s = _for_resume(record, explicit)
        return _resume_plan(out, record, s, explicit.get("steps", record["steps_planned"]))
    s = _resolve(explicit)
    if kind == "new" or args.force:
        return {"settings": s, "steps": s["steps"], "resume": False, "clear": kind != "new", "note": None}
    if kind == "other":
        raise ValueError(f"--out {str(out)!r} exists and is not empty; choose another folder or add --force")
    done, planned = record["checkpoint_step"] or 0, record["steps_planned"]
    if record["status"] == "finished":
        raise ValueError(f"--out {str(out)!r} holds a finished run ({done} steps); add --force to start over, "
                         f"or --resume --steps N (N > {done}) to train it longer")
    if s != record["settings"]:
        diff = [f"{_flag(k)} {s[k]} (the run has {record['settings'][k]})" for k in SETTINGS if s[k] != record["settings"][k]]
        raise ValueError(f"--out {str(out)!r} holds an unfinished run (step {done} of {planned}) with other settings: "
                         f"{', '.join(diff)}; to continue it: gan-edu train --out {out} --resume; "
                         f"to start over: add --force")
    return _resume_plan(out, record, s, planned)


def _resume_plan(out: Path, record: dict, s: dict, steps) -> dict:
    done = record["checkpoint_step"]
    if done is None:            # stopped before its first checkpoint: nothing to lose, start it again
        return {"settings": s, "steps": steps, "resume": False, "clear": True,
                "note": f"the run in {out} stopped before saving a checkpoint; starting it again"}
    if steps is not None and (steps < done or (steps == done and record["status"] == "finished")):
        raise UsageError(f"the run in {str(out)!r} is at step {done} already; give --steps larger than {done}")
    return {"settings": s, "steps": steps, "resume": True, "clear": False, "note": None}


# --------------------------------------------------------------------------- train: building the trainer
def _check_device(device: str):
    import torch

    if device.startswith("cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(device.partition(":")[2] or 0)
        if index >= count:
            raise ValueError(f"--device {device}: " + ("no CUDA GPU is usable on this machine" if not count else
                             f"this machine has {count} CUDA GPU(s), numbered from 0") + "; use --device cpu or auto")
    if device == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ValueError("--device mps: Apple's GPU (MPS) is not available here; use --device cpu or auto")
    return device


def _make_trainer(s: dict, device: str):
    """The trainer for settings ``s`` (a preset with tunable settings on top, or built from the flags),
    and the steps to train in all when the settings leave it to the preset."""
    import gan_edu as ge

    if s["preset"]:
        tr = ge.presets.build(s["preset"], seed=s["seed"])
        if device != "auto" and tr.device.type != device.partition(":")[0]:
            raise UsageError(f"--device {device} cannot be combined with --preset {s['preset']} on this machine: "
                             f"presets train on {tr.device.type}; drop --device")
        tune = {k: s[k] for k in TUNABLE if k != "batch_size" and s[k] is not None}
        try:
            tr.configure(**tune)
            if s["batch_size"] is not None:
                if s["batch_size"] % tr.pack:
                    raise ValueError(f"--batch-size must be a multiple of the preset's pack ({tr.pack})")
                tr.batch_size = s["batch_size"]
        except (ValueError, TypeError) as err:
            raise UsageError(f"these settings do not go with --preset {s['preset']}: {err}") from None
        return tr, ge.presets.get(s["preset"]).steps
    data = _make_data(s)
    ge.seed_everything(s["seed"])
    try:
        if len(data.shape) == 1:
            G = ge.models.MLPGenerator(latent_dim=s["latent_dim"], out_dim=2, hidden=s["hidden"], depth=s["depth"])
            D = ge.models.MLPDiscriminator(in_dim=2 * s["pack"], hidden=s["hidden"], depth=s["depth"],
                                           minibatch_std=s["minibatch_std"])
        elif s["conditional"]:               # labels 0..K-1 go into G (one-hot) and D (projection)
            size, channels, k = data.shape[-1], data.shape[0], len(data.classes)
            G = ge.models.ConditionalDCGenerator(latent_dim=s["latent_dim"], n_classes=k, image_size=size, channels=channels)
            D = ge.models.ConditionalDCDiscriminator(n_classes=k, image_size=size, channels=channels * s["pack"],
                                                     minibatch_std=s["minibatch_std"])
        else:
            size, channels = data.shape[-1], data.shape[0]
            G = ge.models.DCGenerator(latent_dim=s["latent_dim"], image_size=size, channels=channels)
            D = ge.models.DCDiscriminator(image_size=size, channels=channels * s["pack"], minibatch_std=s["minibatch_std"])
        betas = (0.5, 0.9) if s["loss"] == "wgan_gp" else (0.5, 0.999)
        tr = ge.Trainer(G, D, data, loss=s["loss"], batch_size=s["batch_size"], lr_g=s["lr_g"], lr_d=s["lr_d"],
                        betas=betas, d_steps=s["d_steps"], seed=s["seed"], pack=s["pack"], unroll=s["unroll"],
                        real_label=s["real_label"], device=device)
    except (ValueError, TypeError) as err:
        raise UsageError(f"these settings do not go together: {err}") from None
    return tr, s["steps"]


def _make_data(s: dict):
    import gan_edu as ge

    if s["data"] == "digits":
        return ge.data.digits()
    if s["data"] == "mnist":
        try:
            return ge.data.mnist(s["mnist_root"])
        except ValueError as err:
            raise ValueError(f"--data mnist: {err}") from None
    return ge.data.TOY_DATASETS[s["data"]]()


def _continue_from(tr, path: Path, keep_lr: set) -> None:
    """Put the state saved in ``path`` into ``tr`` (built from the same settings, so the preset's
    handlers are attached), checking first that the checkpoint belongs to this run. The learning
    rates are the saved ones (a schedule may have lowered them), except those in ``keep_lr``
    (changed on the command line)."""
    import torch

    from .trainer import Trainer

    # Handlers that keep state between steps (a preset's learning-rate decay remembers the rate it
    # decays from) first see the start of the run, as they did in the run being resumed.
    for fn, _ in list(tr.handlers.get("step_end", ())):
        fn(tr)
    try:
        with torch.random.fork_rng(devices=[]):        # building the copy leaves the global RNG as a fresh run has it
            saved = Trainer.load(path, data=tr.data, device=str(tr.device))
    except FileNotFoundError:
        raise ValueError(f"{str(path)!r} is missing; add --force to start the run over") from None
    except (ValueError, TypeError, KeyError, RuntimeError) as err:
        raise ValueError(f"{str(path)!r} cannot be resumed from ({_one_line(err)}); add --force to start over") from None
    same = [(type(a), a.config) == (type(b), b.config) for a, b in ((saved.G, tr.G), (saved.D, tr.D))]
    cfg, mine = saved.config(), tr.config()
    if not all(same) or any(cfg[k] != mine[k] for k in ("seed", "pack", "unroll", "optimizer", "history_size")):
        raise ValueError(f"{str(path)!r} does not belong to the run recorded in {RECORD} (other models or settings); "
                         f"add --force to start over")
    # the rates changed on the command line win; restore() brings back the saved settings too
    lr = {k: mine[k] if k in keep_lr else cfg[k] for k in ("lr_g", "lr_d")}
    tr.restore(saved.snapshot())
    tr.history.load_state_dict(saved.history.state_dict())
    tr.configure(**lr)


# --------------------------------------------------------------------------- train: the run
class _Run:
    """One session of ``gan-edu train``: trains to ``steps``, and on the way writes snapshots, a
    checkpoint at every snapshot, and the record (metrics.json). On Ctrl-C it finishes the step
    that is running, saves, says where, and stops with exit code 130."""

    def __init__(self, tr, out: Path, plan: dict, steps: int, progress: bool):
        import numpy as np
        import torch

        self.tr, self.out, self.settings, self.steps, self.progress = tr, out, plan["settings"], steps, progress
        self.seconds = plan.get("seconds", 0.0)
        self.saved_step = plan.get("checkpoint_step")
        self.stop_signal = None
        self.saving = False
        count = 6 * tr.n_classes if tr.n_classes else 64      # conditional: 6 rows, one column per class
        self.z = tr.G.sample_noise(count, generator=torch.Generator().manual_seed(self.settings["seed"] + 1))
        self.extent = None
        if tuple(tr.data.shape) == (2,):
            from .data import plane_extent

            self.extent = plane_extent(tr.data)
        count = self.settings["snapshots"]
        self.marks = sorted({int(round(x)) for x in np.linspace(0, steps, count + 1)[1:]})
        self.clear, self.note = plan["clear"], plan["note"]
        if plan["resume"]:                    # the step the checkpoint really holds (not what the record says)
            self.note = f"resuming the run in {out} from {out / CHECKPOINT} (step {tr.state.step} of {steps})"
        self.frames: dict = {}

    # ---------------------------------------------------------------- files
    def _frames_on_disk(self) -> dict:
        """Snapshots an earlier session of this run left (they go into the GIF too)."""
        import numpy as np
        from PIL import Image

        frames = {}
        for p in sorted((self.out / SNAPSHOTS).glob("step_*.png")):
            step = int(p.stem[5:]) if p.stem[5:].isdigit() else None
            if step is not None and step <= self.tr.state.step:
                try:
                    frames[step] = np.asarray(Image.open(p).convert("RGB"))
                except OSError:
                    continue                      # a damaged picture: the GIF does without it
        return frames

    def snapshot(self) -> None:
        from PIL import Image

        from . import _files

        step = self.tr.state.step
        self.frames[step] = _frame(self.tr, self.z, self.extent)
        with _files.atomic_path(self.out / SNAPSHOTS / f"step_{step:06d}.png") as tmp:
            Image.fromarray(self.frames[step]).save(tmp, format="PNG")

    def save(self, status: str, evaluation: dict | None = None) -> None:
        """The checkpoint (if the trainer moved since the last one), then the record that points to it."""
        from . import _files

        self.saving = True                    # a second Ctrl-C waits until the files are whole
        try:
            if self.saved_step != self.tr.state.step:
                with _files.atomic_path(self.out / CHECKPOINT) as tmp:
                    self.tr.save(tmp)
                self.saved_step = self.tr.state.step
            _files.write_text(self.out / RECORD, _dumps(self.record(status, evaluation or {})))
        finally:
            self.saving = False

    def record(self, status: str, evaluation: dict) -> dict:
        tr, h, seconds = self.tr, self.tr.history, self.seconds + self._elapsed()
        final = {k: _finite_or_none(getattr(tr.state, k)) for k in ("loss_d", "loss_g", "d_real", "d_fake")}
        history = {"step": h["loss_d"].steps.tolist() if "loss_d" in h else []}
        history |= {k: [round(v, 5) for v in h[k].values.tolist()] if k in h else [] for k in final}
        return {"command": "train", "status": status, "preset": self.settings["preset"], "data": tr.data.name,
                "loss": tr.loss.name, "steps": tr.state.step, "steps_planned": self.steps,
                "checkpoint_step": self.saved_step, "seed": self.settings["seed"], "seconds": round(seconds, 3),
                "steps_per_second": round(tr.state.step / seconds, 2) if seconds > 0 else None,
                "final": final, "history": history, **evaluation, "settings": self.settings}

    def _elapsed(self) -> float:
        return time.perf_counter() - self.t0 if hasattr(self, "t0") else 0.0

    # ---------------------------------------------------------------- signals
    def _on_signal(self, signum, frame) -> None:
        if self.stop_signal is None:          # first Ctrl-C: stop after this step
            self.stop_signal = signum
            self.tr.state.stop = True
        elif not self.saving:
            raise KeyboardInterrupt           # second Ctrl-C: now (the trainer undoes the unfinished step)

    def _step_end(self, tr) -> None:
        if tr.state.step in self.marks:
            self.snapshot()
            if tr.state.step < self.steps:
                self.save("running")
        if self.stop_signal is not None:
            tr.state.stop = True

    # ---------------------------------------------------------------- the session
    def go(self) -> int:
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for sig in handlers:
                signal.signal(sig, self._on_signal)
        except ValueError:                    # not the main thread (an embedding program): Ctrl-C as usual
            handlers = {}
        if _start_up.signum is not None:      # came between start-up's last check and now: stop at once
            self.stop_signal = _start_up.signum
        try:
            return self._train()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _train(self) -> int:
        from .trainer import HandlerError, TrainingDiverged

        tr, self.t0 = self.tr, time.perf_counter()
        if self.clear:
            _clear_outputs(self.out)
        if self.note:
            print(self.note, flush=True)
        print(f"training {self.steps - tr.state.step} steps -> {self.out} (Ctrl-C stops and saves; the same command "
              f"resumes)", flush=True)
        self.frames = self._frames_on_disk()
        if tr.state.step == 0 and 0 not in self.frames:
            self.snapshot()
        self.save("running")
        try:
            if tr.state.step < self.steps and self.stop_signal is None:
                with tr.attached(step_end=self._step_end), warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="interrupted")   # said below, in one line
                    tr.run(self.steps - tr.state.step, progress=self.progress)
        except KeyboardInterrupt:
            self.stop_signal = signal.SIGINT
        except TrainingDiverged as err:
            lr = f"--lr-g {tr.lr_g / 2:.2g} --lr-d {tr.lr_d / 2:.2g}"
            return self._stopped(f"training diverged at step {tr.state.step + 1} ({getattr(err, 'what', 'a loss')} is "
                                 f"not finite)", "failed", EXIT_FAILURE,
                                 again=f"with smaller learning rates: gan-edu train --out {self.out} --resume {lr}")
        except HandlerError as err:
            cause = err.__cause__ or err
            return self._stopped(f"training stopped at step {tr.state.step + 1} ({type(cause).__name__}: "
                                 f"{_one_line(cause)})", "failed", EXIT_FAILURE)
        if self.stop_signal is not None and tr.state.step < self.steps:
            return self._interrupted()
        self.save("running")                  # the trained weights first: the rest can be redone from them
        try:
            self._finish()
        except KeyboardInterrupt:             # a second Ctrl-C while writing the GIF or measuring
            self.stop_signal = signal.SIGINT
            self._check_stop("writing the results")
        except OSError as err:
            raise Stopped(f"could not write the results ({err.strerror or _one_line(err)}); the training is done and step "
                          f"{self.saved_step} is saved in {self.out / CHECKPOINT}: make room, then run the same "
                          f"command again to write them", EXIT_FAILURE) from None
        return 0

    def _interrupted(self) -> int:
        what = "interrupted" if self.stop_signal == signal.SIGINT else "terminated"
        return self._stopped(f"{what} at step {self.tr.state.step} of {self.steps}", "interrupted",
                             EXIT_INTERRUPTED if self.stop_signal == signal.SIGINT else 128 + int(self.stop_signal))

    def _stopped(self, what: str, status: str, code: int, again: str = "") -> int:
        """Save the last good step, say so, and stop with ``code``."""
        try:
            self.save(status)
        except OSError as err:
            kept = f"step {self.saved_step} is in {self.out / CHECKPOINT}" if self.saved_step is not None else "nothing was saved"
            raise Stopped(f"{what}; could not save the last step ({err.strerror or _one_line(err)}): {kept}",
                          code) from None
        again = again or f"run the same command again (or: gan-edu train --out {self.out} --resume)"
        raise Stopped(f"{what}; step {self.tr.state.step} is saved in {self.out / CHECKPOINT} and the metrics so far in "
                      f"{self.out / RECORD}; to resume from it, {again}", code)

    def _finish(self) -> None:
        """The GIF, the coverage numbers and the finished record; Ctrl-C here keeps the checkpoint."""
        from . import _files

        tr = self.tr
        if tr.state.step not in self.frames:
            self.snapshot()
        frames = [self.frames[k] for k in sorted(self.frames)]
        with _files.atomic_path(self.out / GIF) as tmp:
            _save_gif(frames, tmp)
        self._check_stop("writing the GIF")
        evaluation = _evaluate(tr)
        self._check_stop("measuring coverage")
        self.save("finished", evaluation)
        print(_summary({"steps": tr.state.step, "seconds": self.seconds + self._elapsed(), "out": self.out, **evaluation}))

    def _check_stop(self, doing: str) -> None:
        if self.stop_signal is not None:
            self.save("interrupted")
            raise Stopped(f"interrupted while {doing}: the training is done and step {self.tr.state.step} is saved in "
                          f"{self.out / CHECKPOINT}; run the same command again to write the rest", EXIT_INTERRUPTED)


def _summary(r: dict) -> str:
    text = f"trained {r['steps']} steps in {r['seconds']:.1f} s -> {r['out']}"
    if "mode_coverage" in r:
        mc = r["mode_coverage"]
        text += f"  (modes {mc['modes']}/{mc['of']}, high quality {mc['hq_fraction']:.0%})"
    if "class_coverage" in r:
        cc = r["class_coverage"]
        text += f"  (digit classes {cc['classes']}/{cc['of']}, confident {cc['confident']:.0%})"
    if "class_agreement" in r:
        text += f"  (drawn as the class asked for: {r['class_agreement']['agreement']:.0%})"
    return text


def train(args) -> int:
    out = Path(args.out)
    plan = _plan(args, out)
    created = _prepare_folder(out)
    try:
        _check_device(args.device)
        tr, preset_steps = _make_trainer(plan["settings"], args.device)
        steps = plan["steps"] or preset_steps
        if plan["resume"]:
            _, record = _read_record(out)
            changed = {k for k in ("lr_g", "lr_d") if plan["settings"][k] != record["settings"][k]}
            _continue_from(tr, out / CHECKPOINT, keep_lr=changed)
            plan |= {"seconds": float(record.get("seconds") or 0.0), "checkpoint_step": tr.state.step}
        run = _Run(tr, out, plan, steps, progress=not args.no_progress)
        _start_up.check("before training started")
    except KeyboardInterrupt:
        _remove_if_empty(created)
        raise Stopped("interrupted before training started; nothing was written", EXIT_INTERRUPTED) from None
    except BaseException:           # Stopped by a signal during start-up too: nothing was written
        _remove_if_empty(created)
        raise
    return run.go()


def _prepare_folder(out: Path) -> list[Path]:
    """Create --out (and snapshots/) and check that files can be written there; returns the folders created."""
    import tempfile

    created = [p for p in (*reversed(out.parents), out, out / SNAPSHOTS) if not p.exists()]
    try:
        (out / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
        for folder in (out, out / SNAPSHOTS):
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        _remove_if_empty(created)
        raise ValueError(f"cannot write into --out {str(out)!r} ({err.strerror or err}); choose a folder you can "
                         f"write to") from None
    return created


def _remove_if_empty(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            return


def _clear_outputs(out: Path) -> None:
    """Remove what an earlier run wrote into --out (only its own files), before a new run writes there."""
    from . import _files

    old = [out / CHECKPOINT, out / RECORD, out / GIF, *(out / SNAPSHOTS).glob("step_*.png"),
           *(p for folder in (out, out / SNAPSHOTS) for p in folder.iterdir() if _files.is_temporary(p))]
    for p in old:
        if p.is_file():
            p.unlink()


def _frame(tr, z, extent):
    """One picture of the trainer now, as an RGB array."""
    import numpy as np

    from . import viz

    fig = viz.figure(4, 4, 80)
    ax = fig.add_subplot(111)
    if tuple(tr.data.shape) == (2,):
        viz.plot_plane(tr, layers=("heat", "real", "fake"), extent=extent, ax=ax)
    else:
        viz.plot_images(tr.sample(len(z), z=z), nrow=tr.n_classes or 8, title=f"step {tr.state.step}", ax=ax)
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
    clusters = getattr(data, "of", None) is not None       # self-conditioned: labels are k-means clusters, not digits
    if len(data.shape) == 3 and getattr(data, "labels", None) is not None:
        from .lessons import classifier

        judge = classifier.train_classifier(data.of if clusters else data)   # a small CNN on the real images and labels
        drawn = data.draw_labels(1000, generator=torch.Generator().manual_seed(0)) if clusters else None
        cov = classifier.evaluate_generator(tr, judge, labels=drawn)     # clusters at their share of the data
        out["class_coverage"] = {"classes": cov.classes, "of": len(cov.histogram), "confident": cov.confident,
                                 "kl_to_uniform": cov.kl, "counts": cov.counts.tolist(), "threshold": cov.threshold,
                                 "classifier_accuracy": judge.accuracy,
                                 "protocol": f"{cov.n} samples; confident if the classifier's max probability >= {cov.threshold}"}
    if tr.n_classes == 10 and tuple(data.shape) == (1, 8, 8) and not clusters:    # a conditional digits run
        out["class_agreement"] = _class_agreement(lambda z, y: tr.sample(len(z), z=z, labels=y), tr.G, n=1000, seed=0)
    return out


def _class_agreement(draw, G, n: int, seed: int) -> dict:
    """Does a conditional digits G draw the digit asked for? ``n`` samples ``draw(z, labels)``, classes
    0..9 in turn, judged by the independent judge (:mod:`gan_edu.lessons.judges`: scikit-learn logistic
    regression on the 8x8 digits' pixels, not the kit's CNN)."""
    import torch

    from .lessons import judges

    judge = judges.independent_classifier()
    n_classes = judge.n_classes
    labels = torch.arange(n) % n_classes
    with torch.no_grad():
        x = draw(G.sample_noise(n, generator=torch.Generator().manual_seed(seed)), labels)
    return {"agreement": judges.agreement(judge, x, labels), "confidence_ratio": judges.confidence_ratio(judge, x),
            "judge_accuracy": judge.accuracy,
            "protocol": f"{n} samples, classes 0..{n_classes - 1} in turn; the share the independent judge (logistic "
                        f"regression on pixels) puts in the class asked for"}


def _finite_or_none(x):
    import math

    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def _plain(obj):
    """``obj`` with NaN/inf as None (strict JSON) and paths as strings."""
    if isinstance(obj, float):
        return _finite_or_none(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return str(obj) if isinstance(obj, Path) else obj


def _dumps(obj) -> str:
    """JSON with one key per line but every list of numbers on a single line."""
    text = json.dumps(_plain(obj), indent=1, allow_nan=False)
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


# --------------------------------------------------------------------------- sample
def sample(args) -> int:
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a folder; give a .png file name, e.g. {str(out / 'samples.png')!r}")
    if out.suffix.lower() != ".png":
        raise UsageError(f"--out must be a .png file, got {str(out)!r}")
    if out.exists() and not args.force:
        raise ValueError(f"--out {str(out)!r} exists; choose another name or add --force")
    import torch

    from . import _files, viz

    G = _load_generator(args.checkpoint)
    images = "image_size" in G.config
    limit = MAX_IMAGES if images else MAX_POINTS
    if args.n > limit:
        raise UsageError(f"--n {args.n} is too many for one picture of {'images' if images else 'points'}; "
                         f"at most {limit}")
    x, nrow, what = _samples_to_draw(G, args)
    bad = int((~torch.isfinite(x)).flatten(1).any(1).sum())
    if bad:
        raise ValueError(f"the generator in {args.checkpoint!r} produced NaN or infinite samples ({bad} of {len(x)}); "
                         f"nothing was written. Its training diverged: use a checkpoint from before, or train again "
                         f"with a smaller learning rate")
    if x.ndim == 4:
        fig = viz.plot_images(x, nrow=nrow, size=4)
    else:
        fig = viz.figure(4, 4)
        ax = fig.add_subplot(111)
        ax.scatter(x[:, 0], x[:, -1], s=6, c=viz.FAKE)
        ax.set_aspect("equal")
        ax.set_title(f"{args.n} samples", fontsize=9)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _files.atomic_path(out) as tmp:
            fig.savefig(tmp, format="png")
    except OSError as err:
        raise ValueError(f"cannot write --out {str(out)!r} ({err.strerror or err}); choose a place you can "
                         f"write to") from None
    print(f"wrote {what} to {out}")
    return 0


def _samples_to_draw(G, args):
    """(samples, images per grid row, what they are) for ``sample``. A conditional G draws one row per
    class with the same noise in each column (the class changes, the style stays), or with ``--class K``
    a grid of class K only; one trained on k-means clusters (``digits-selfcond``) draws a grid like an
    unconditional G, the clusters at their share of its training images (``--class K``: cluster K)."""
    import torch

    from . import data as data_mod
    from . import models

    k = getattr(G, "n_classes", None) if models.is_conditional(G) else None
    if args.klass is not None and k is None:
        raise UsageError("--class needs a conditional generator (gan-edu train --conditional or --preset "
                         f"digits-conditional); the one in {args.checkpoint!r} draws no classes")
    if args.klass is not None and args.klass >= k:
        raise UsageError(f"--class {args.klass} is not a class of this generator: it draws classes 0 to {k - 1}")
    noise = torch.Generator().manual_seed(args.seed)
    square = int(max(1, round(args.n ** 0.5)))
    with torch.no_grad():
        if k is None:
            return G(G.sample_noise(args.n, generator=noise)), square, f"{args.n} samples"
        if args.klass is not None:
            z = G.sample_noise(args.n, generator=noise)
            return G(z, torch.full((args.n,), args.klass)), square, f"{args.n} samples of class {args.klass}"
        spec, _ = _checkpoint_facts(args.checkpoint)
        if spec.get("kind") == "clustered":          # self-conditioned: clusters are no classes to show row by row
            z = G.sample_noise(args.n, generator=noise)
            return (G(z, data_mod.draw_labels(spec["labels"], args.n, generator=noise)), square,
                    f"{args.n} samples (its {k} k-means clusters drawn at their share of the training images)")
        columns = max(1, args.n // k)
        z = G.sample_noise(columns, generator=noise).repeat(k, 1)                  # [K*c, latent]: row r is class r
        y = torch.arange(k).repeat_interleave(columns)                             # [K*c]
        return G(z, y), columns, f"{k} rows (classes 0 to {k - 1}) of {columns} samples, the same noise down each column"


def _load_generator(path: str):
    """The generator of a checkpoint, checked first on torch's "meta" device (shapes only, no memory), so
    a damaged or crafted file is refused with one line instead of failing half-way or filling memory."""
    import warnings

    import torch

    from .trainer import load_generator

    try:
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")          # "copying into a meta parameter is a no-op": that is the point
            shapes = load_generator(path)
        size = sum(p.numel() for p in shapes.parameters())
        if size > MAX_PARAMETERS:
            raise ValueError(f"its generator would have {size:,} parameters (at most {MAX_PARAMETERS:,} are loaded)")
        G = load_generator(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"--checkpoint: no checkpoint at {path!r}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RuntimeError, MemoryError) as err:
        message = _one_line(err)
        if "gan_edu checkpoint" in message:
            raise ValueError(f"--checkpoint: {message}") from None
        raise ValueError(f"--checkpoint {path!r} is not a usable gan_edu checkpoint: {message}") from None
    if not all(bool(torch.isfinite(p).all()) for p in G.parameters()):
        raise ValueError(f"the generator in {path!r} has NaN or infinite weights (its training diverged); nothing "
                         f"was written")
    return G


# --------------------------------------------------------------------------- evaluate
#: the rows of ``evaluate``'s table, with what each says in a few words (``--json`` gives the long versions)
EVALUATE_ROWS = {"fd": "lower = closer to the reference", "kid": "about 0 for matching sets",
                 "precision": "quality: share on the real manifold", "recall": "diversity: share of real digits reached",
                 "density": "about 1 for matching sets", "coverage": "share of real neighbourhoods reached",
                 "classes": "made confidently by >= 1 % of samples", "class_kl": "class histogram vs the reference's",
                 "memorised": "about 0.05 unless G copies its training set"}


def _checkpoint_facts(path: str) -> tuple[dict, int | None]:
    """(the data spec, the step) of a checkpoint that :func:`_load_generator` has already accepted."""
    import torch

    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    spec = ckpt.get("data") if isinstance(ckpt.get("data"), dict) else {}
    step = (ckpt.get("counters") or {}).get("step")
    return spec, step if isinstance(step, int) else None


def _digits_samples(G, path: str, n: int, seed: int, spec: dict):
    """``n`` samples of G, refused with one line unless they are 8x8 digits. A conditional G draws
    classes 0..K-1 in turn; one trained on k-means clusters (``spec`` of kind "clustered") draws the
    clusters at their share of its training images, as an unconditional generator would."""
    import torch

    from . import data, models

    with torch.no_grad():
        noise = torch.Generator().manual_seed(seed)
        z = G.sample_noise(n, generator=noise)
        if not models.is_conditional(G):
            x = G(z)
        elif spec.get("kind") == "clustered":
            x = G(z, data.draw_labels(spec["labels"], n, generator=noise))
        else:
            x = G(z, torch.arange(n) % G.n_classes)
    if tuple(x.shape[1:]) != (1, 8, 8):
        made = f"points of {x.shape[1]} numbers (a 2D run)" if x.ndim == 2 else f"{'x'.join(map(str, x.shape[1:]))} images"
        raise ValueError(f"evaluate scores generators of the 8x8 digits (1x8x8 images, from gan-edu train --data digits "
                         f"or --preset digits-dcgan); the generator in {path!r} makes {made}")
    bad = int((~torch.isfinite(x)).flatten(1).any(1).sum())
    if bad:
        raise ValueError(f"the generator in {path!r} produced NaN or infinite samples ({bad} of {n}): its training "
                         f"diverged; evaluate a checkpoint from before, or train again with a smaller learning rate")
    return x


def evaluate(args) -> int:
    from .lessons import metrics_lab

    G = _load_generator(args.checkpoint)
    spec, step = _checkpoint_facts(args.checkpoint)
    x = _digits_samples(G, args.checkpoint, args.n, args.seed, spec)
    clusters = spec.get("kind") == "clustered"
    spec = spec.get("of", {}) if clusters else spec          # the images it was trained on
    if not args.json:
        print("preparing the features: training the kit's digit classifier (a few seconds)...", flush=True)
    setup = metrics_lab.prepare(seed=0)
    row = metrics_lab.score(x, setup, seed=args.seed)
    real = metrics_lab.score(setup.probe_images, setup)
    notes = []
    if spec.get("kind") == "digits":
        mem = metrics_lab.memorisation_against_all(x, setup)
        row["memorised"], row["exact_copies"] = mem.share, mem.exact_copies
        notes.append(f"this generator was trained on all {len(setup.data)} digits, the reference included: FD, KID and "
                     f"PRDC compare it with digits it has seen, and the memorised share is measured against all "
                     f"{len(setup.data)} digits (how close each sample comes to one, against how close each "
                     f"reference digit comes to the other {len(setup.data) - 1})")
    elif not (spec.get("kind") == "subset" and spec.get("of") == setup.data.spec()
              and sorted(spec.get("indices", [])) == sorted(setup.classifier.train_idx.tolist())):
        notes.append(f"this generator was trained on data this command does not know ({spec.get('kind', 'unknown')}); "
                     f"the memorised share is measured against the lab's {len(setup.train_images)} training digits only")
    conditional = getattr(G, "n_classes", None) if getattr(G, "conditional", False) else None
    if clusters:
        notes.append(f"a self-conditioned generator: trained on {conditional} k-means clusters of the pixels instead of "
                     f"the labels; its {args.n} samples draw the clusters at their share of the training images")
    elif conditional == 10:
        row["class_agreement"] = _class_agreement(lambda z, y: G(z, y), G, n=args.n, seed=args.seed)["agreement"]
        notes.append(f"a conditional generator: its {args.n} samples ask for classes 0 to {conditional - 1} in turn "
                     f"(uniform); the independent judge (logistic regression on pixels, not the kit's CNN) puts "
                     f"{row['class_agreement']:.1%} of them in the class asked for")
    if args.n != setup.n:
        notes.append(f"--n {args.n} differs from the {setup.n} samples of the real-digits column: FD (biased upwards "
                     f"at small n), recall and coverage depend on n, so compare at --n {setup.n}")
    facts = _evaluation_facts(args, setup, step)
    if args.json:
        print(_dumps({**facts, "notes": notes, "generator": row, "real_digits": real, "metrics": metrics_lab.METRICS}))
    else:
        print(_evaluation_text(facts, notes, row, real))
    return 0


def _evaluation_facts(args, setup, step) -> dict:
    d = setup.reference_features.shape[1]
    return {"command": "evaluate", "checkpoint": str(args.checkpoint), "step": step, "n": args.n, "seed": args.seed,
            "features": f"the {d} penultimate-layer features of the kit's digit classifier, trained here on "
                        f"{len(setup.train_images)} digits ({100 * setup.classifier.accuracy:.1f} % right on "
                        f"{len(setup.classifier.test_idx)} digits it never saw); no downloaded weights, so not FID: "
                        f"the numbers compare only with this command's",
            "reference": f"{len(setup.reference_images)} real digits the classifier never saw (lesson 10's split, seed "
                         f"{setup.seed}); the real-digits column scores {setup.n} other unseen digits the same way: "
                         f"what a perfect generator gets"}


def _evaluation_text(facts: dict, notes: list, row: dict, real: dict) -> str:
    import textwrap

    def wrap(label: str, text: str) -> str:
        return textwrap.fill(text, 100, initial_indent=f"{label:11}", subsequent_indent=" " * 11)

    step = f" (step {facts['step']})" if facts["step"] is not None else ""
    lines = [f"the generator in {facts['checkpoint']}{step}: {facts['n']} samples, noise seed {facts['seed']}",
             wrap("features:", facts["features"]), wrap("reference:", facts["reference"]),
             *(wrap("note:", n) for n in notes), "", f"{'metric':16}{'generator':>14}{'real digits':>14}   what it says"]
    names = {"fd": "FD", "kid": "KID", "class_kl": "class KL", "memorised": "memorised", "classes": "digit classes"}
    for m, meaning in EVALUATE_ROWS.items():
        if m == "kid":
            g, r = (f"{v['kid']:.3f}±{v['kid_std']:.3f}" for v in (row, real))
        elif m == "classes":
            g, r = f"{row[m]} of 10", f"{real[m]} of 10"
        else:
            g, r = f"{row[m]:.2f}", f"{real[m]:.2f}"
        lines.append(f"{names.get(m, m):16}{g:>14}{r:>14}   {meaning}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- class-report
def class_report(args) -> int:
    """Hand over to :mod:`gan_edu.quiz.report` (imported only now: it is a face of its own)."""
    import importlib

    report = importlib.import_module(f"{__package__}.quiz.report")
    code = report.main_from_args(paths=[str(p) for p in args.paths], out=str(args.out), force=bool(args.force))
    return int(code or 0)


# --------------------------------------------------------------------------- main
COMMANDS = {"train": train, "sample": sample, "evaluate": evaluate, "class-report": class_report}


def _one_line(err: BaseException) -> str:
    """An exception's message on one line (the first meaningful line of a multi-line torch message)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if isinstance(err, KeyError) and lines:
        return f"missing entry {lines[0]}"
    if len(lines) > 1 and lines[0].startswith("Error(s) in loading state_dict"):
        lines = lines[1:2]
    text = " ".join(lines) or type(err).__name__
    return text if len(text) <= 400 else text[:397] + "..."


def main(argv=None) -> int:
    """Run one command; returns the exit code. Every failure is one line on stderr."""
    if argv is not None and (isinstance(argv, (str, bytes)) or not all(isinstance(a, str) for a in argv)):
        raise TypeError(f"argv must be a list of strings, got {argv!r}")
    program = argv is None                             # the program itself (not a call from Python)
    if program:
        _start_up.defer()
    try:
        args = build_parser().parse_args(argv)
        if program:
            if args.command != "class-report":        # the slow import, with Ctrl-C deferred
                import torch  # noqa: F401
            _start_up.check("while starting")
            if args.command != "train":               # train's session takes over Ctrl-C itself
                _start_up.release()
        return COMMANDS[args.command](args)
    except Stopped as stop:
        if argv is None and stop.code != EXIT_FAILURE:     # the program itself, stopped by a signal: all is saved
            for sig in (signal.SIGINT, signal.SIGTERM):     # and said; one more Ctrl-C while Python shuts down
                signal.signal(sig, signal.SIG_IGN)          # would only turn exit code 130 into a kill
        return _say(str(stop), stop.code)
    except UsageError as err:
        return _say(f"error: {_one_line(err)}", EXIT_USAGE)
    except KeyboardInterrupt:
        return _say("interrupted (Ctrl-C)", EXIT_INTERRUPTED)
    except (ValueError, TypeError, OSError, MemoryError) as err:
        return _say(f"error: {_one_line(err)}", EXIT_FAILURE)
    except Exception as err:  # noqa: BLE001 - the promise is: no traceback, one line that names the problem
        if os.environ.get("GAN_EDU_DEBUG"):
            raise
        return _say(f"error: {_one_line(err)} ({type(err).__name__}; GAN_EDU_DEBUG=1 shows where)", EXIT_FAILURE)


def _say(message: str, code: int) -> int:
    print(f"gan-edu: {message}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
