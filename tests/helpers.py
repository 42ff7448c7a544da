"""Small builders and comparisons shared by the unit tests (import them from here, not from conftest)."""
import contextlib
import os
import signal
import sys

import torch

import gan_edu as ge


def make_trainer(seed=0, data=None, **kw):
    """A small 2D trainer, fully seeded."""
    ge.seed_everything(seed)
    data = data if data is not None else ge.data.ring()
    d = data.shape[0]
    G = ge.models.MLPGenerator(latent_dim=kw.pop("latent_dim", 2), out_dim=d, hidden=kw.pop("hidden", 32),
                               depth=kw.pop("depth", 2))
    D = ge.models.MLPDiscriminator(in_dim=d * kw.get("pack", 1), hidden=32, depth=2,
                                   minibatch_std=kw.pop("minibatch_std", False))
    kw.setdefault("batch_size", 64)
    kw.setdefault("device", "cpu")
    return ge.Trainer(G, D, data, seed=seed, **kw)


def params_of(*nets):
    return [p.detach().clone() for net in nets for p in net.parameters()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def _tree(obj):
    """A deep copy of nested dicts/lists/tuples with every tensor cloned."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return {k: _tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_tree(v) for v in obj)
    return obj


def rng_of(tr):
    return tr.rng if hasattr(tr, "rng") else tr.generator


def full_state(tr, timeline=None):
    """Everything training changes, copied: both nets (parameters and buffers), both optimisers
    (state and every param_group setting), the trainer's settings, both random streams, the
    counters and scalars, the whole history (strides included) and, if given, a timeline's steps."""
    s = tr.state
    out = {
        "G": _tree(tr.G.state_dict()), "D": _tree(tr.D.state_dict()),
        "opt_g": _tree(tr.opt_g.state_dict()), "opt_d": _tree(tr.opt_d.state_dict()),
        "opt_types": (type(tr.opt_g).__name__, type(tr.opt_d).__name__),
        "settings": {k: getattr(tr, k) for k in ("lr_g", "lr_d", "betas", "d_steps", "real_label", "gp_weight",
                                                  "optimizer", "batch_size")} | {"loss": tr.loss.name},
        "rng": rng_of(tr).get_state().clone(),
        "counters": (s.step, s.d_updates, s.g_updates),
        "scalars": (s.loss_d, s.loss_g, s.d_real, s.d_fake),
        "history": _tree(tr.history.state_dict()),
        "modes": (tr.G.training, tr.D.training),
        "requires_grad": [p.requires_grad for p in [*tr.G.parameters(), *tr.D.parameters()]],
    }
    if getattr(tr, "G_ema", None) is not None:           # the moving average of G (ema=)
        out["G_ema"] = _tree(tr.G_ema.state_dict())
    if timeline is not None:
        out["timeline"] = (list(timeline.steps), timeline.every)
    return out


def differences(a, b, where=""):
    """Paths at which two ``full_state`` trees differ (bit-exact for tensors; NaN equals NaN)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.shape != b.shape \
                or a.dtype != b.dtype or not torch.equal(a.nan_to_num(7.0), b.nan_to_num(7.0)) \
                or not torch.equal(a.isnan(), b.isnan()):
            return [where]
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where} keys {sorted(map(str, a.keys() ^ b.keys()))}"]
        return [d for k in a for d in differences(a[k], b[k], f"{where}/{k}")]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return [f"{where} length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return []
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} != {b!r}"]


def run_cli(*args):
    """``gan-edu ARGS`` in-process: the exit code (argparse's SystemExit included)."""
    from gan_edu import cli

    try:
        return cli.main([str(a) for a in args])
    except SystemExit as exit_:
        return exit_.code


def one_line(err: str) -> str:
    """The one line a failing command prints on stderr (and no traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def clean_states(make, steps: int, state=None) -> list:
    """``state(trainer)`` (default :func:`full_state`) after 0..steps clean steps of a fresh ``make()``:
    the twin that never fails, for fault-injection tests."""
    state = state or full_state
    twin = make()
    states = [state(twin)]
    for _ in range(steps):
        twin.step()
        states.append(state(twin))
    return states


class Fault:
    """A handler that strikes the first time its event fires: an error ("error"), Ctrl-C
    ("ctrl-c") or a NaN gradient ("nan", in the network of the running phase)."""

    def __init__(self, kind):
        self.kind, self.fired = kind, False

    def __call__(self, t):
        if self.fired:
            return
        self.fired = True
        if self.kind == "error":
            raise RuntimeError("injected")
        if self.kind == "ctrl-c":
            raise KeyboardInterrupt
        net = t.D if t.state.event.startswith("d_") else t.G
        next(net.parameters()).grad.fill_(float("nan"))


@contextlib.contextmanager
def ctrl_c_at_step(monkeypatch, step: int):
    """Inside the block, ``gan-edu train`` (in-process) gets a real SIGINT at the end of ``step``."""
    from gan_edu import cli

    step_end = cli._Run._step_end

    def ctrl_c(run, tr):
        step_end(run, tr)
        if tr.state.step == step:
            os.kill(os.getpid(), signal.SIGINT)

    with monkeypatch.context() as patch:
        patch.setattr(cli._Run, "_step_end", ctrl_c)
        yield


def opcode_tracer(files, on_opcode):
    """A ``sys.settrace`` function calling ``on_opcode(frame)`` before every bytecode instruction run
    in one of ``files`` (for Ctrl-C at any instruction)."""
    def local(frame, event, arg):
        if event == "opcode":
            on_opcode(frame)
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename in files:
            frame.f_trace_opcodes = True
            return local
        return None
    return glob


def step_traced(tr, files, on_opcode) -> bool:
    """One ``tr.step()`` with :func:`opcode_tracer` on ``files``; True if it ended in a KeyboardInterrupt
    (which ``on_opcode`` may raise to simulate Ctrl-C at that instruction)."""
    sys.settrace(opcode_tracer(files, on_opcode))
    try:
        tr.step()
        return False
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)
