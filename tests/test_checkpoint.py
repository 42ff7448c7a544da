"""save / load round trips, and refusing files that are not ours."""
import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import make_trainer, params_of, same

import gan_edu as ge


def test_save_load_round_trip_continues_identically(tmp_path):
    tr = make_trainer(seed=2, loss="hinge", d_steps=2, lr_g=5e-4)
    tr.run(10, progress=False)
    path = tmp_path / "ckpt.pt"
    tr.save(path)
    tr2 = ge.Trainer.load(path, device="cpu")
    assert tr2.state.step == 10 and tr2.loss is ge.losses.hinge and tr2.d_steps == 2 and tr2.lr_g == 5e-4
    assert list(tr2.history["loss_d"].values) == list(tr.history["loss_d"].values)
    assert same(params_of(tr.G, tr.D), params_of(tr2.G, tr2.D))
    tr.run(10, progress=False)
    tr2.run(10, progress=False)
    assert same(params_of(tr.G, tr.D), params_of(tr2.G, tr2.D))


def test_save_load_images_and_points(tmp_path):
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=8), ge.models.DCDiscriminator(features=8),
                    ge.data.digits(), batch_size=16, device="cpu")
    tr.step()
    tr.save(tmp_path / "img.pt")
    assert ge.Trainer.load(tmp_path / "img.pt").data.name == "digits"
    pts = make_trainer(data=ge.data.from_points([[0, 0], [1, 2], [3, 1]]))
    pts.step()
    pts.save(tmp_path / "pts.pt")
    assert ge.Trainer.load(tmp_path / "pts.pt").data.points.tolist() == [[0, 0], [1, 2], [3, 1]]


class Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")   # the hostile pickle is meant to look odd
def test_load_refuses_files_that_are_not_checkpoints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "noise.pt").write_bytes(b"\x00\x01not a checkpoint at all")
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "noise.pt")
    with open(tmp_path / "evil.pt", "wb") as f:          # a plain pickle that would run code
        pickle.dump({"format": "gan_edu.checkpoint", "x": Boom()}, f)
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "evil.pt")
    torch.save({"format": "gan_edu.checkpoint", "x": Boom()}, tmp_path / "evil2.pt")
    with pytest.raises(ValueError, match="not a gan_edu checkpoint"):
        ge.Trainer.load(tmp_path / "evil2.pt")
    assert not (tmp_path / "PWNED").exists()
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="no 'format'"):
        ge.Trainer.load(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError):
        ge.Trainer.load(tmp_path / "missing.pt")


def test_save_refuses_modules_it_cannot_rebuild(tmp_path):
    G = ge.models.MLPGenerator()
    custom_d = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Flatten(0))
    tr = ge.Trainer(G, custom_d, ge.data.ring(), device="cpu")
    tr.step()                                               # custom modules train fine
    with pytest.raises(ValueError, match="state_dict"):
        tr.save(tmp_path / "x.pt")


# --------------------------------------------------------------------------- a corpus of bad files
WORKER = Path(__file__).with_name("checkpoint_worker.py")


def _good_checkpoint(tmp_path):
    tr = make_trainer(seed=1)
    tr.run(3, progress=False)
    tr.save(tmp_path / "good.pt")
    return torch.load(tmp_path / "good.pt", weights_only=True)


def _edit(ckpt, path, value):
    """A deep copy of ``ckpt`` with the entry at ``path`` (a tuple of keys) set to ``value``
    (or removed, for the DELETE marker)."""
    out = copy.deepcopy(ckpt)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value(node[path[-1]]) if callable(value) else value
    return out


DELETE = object()
W1 = ("G", "state", "net.linear1.weight")
ADAM0 = ("opt_d", "state", 0)
EDITS = {
    # what the file says                        path                              new value
    "newer version":                          (("version",), 2),
    "version zero":                           (("version",), 0),
    "version a string":                       (("version",), "1"),
    "version None":                           (("version",), None),
    "G class unknown":                        (("G", "class"), "ResNet"),
    "G config a list":                        (("G", "config"), [1, 2]),
    "G config unknown setting":               (("G", "config", "colour"), "red"),
    "G config 10^12 units":                   (("G", "config", "hidden"), 10**12),
    "G config negative width":                (("G", "config", "hidden"), -3),
    "G config latent_dim a string":           (("G", "config", "latent_dim"), "2"),
    "G weights missing":                      (("G", "state"), DELETE),
    "G weight wrong shape":                   (W1, torch.zeros(3, 3)),
    "G weight missing":                       (W1, DELETE),
    "G weight extra":                         (("G", "state", "net.extra.weight"), torch.zeros(2)),
    "G weight NaN":                           (W1, lambda t: t.fill_(float("nan"))),
    "G weight int dtype":                     (W1, lambda t: t.long()),
    "G weight a list":                        (W1, lambda t: t.tolist()),
    "Adam exp_avg wrong shape (segfaulted)":  ((*ADAM0, "exp_avg"), torch.zeros(3)),
    "Adam exp_avg_sq wrong shape":            ((*ADAM0, "exp_avg_sq"), torch.zeros(40, 40)),
    "Adam exp_avg_sq missing":                ((*ADAM0, "exp_avg_sq"), DELETE),
    "Adam state extra entry":                 ((*ADAM0, "momentum"), torch.zeros(1)),
    "Adam state for a parameter D lacks":     (("opt_d", "state", 99), {"step": torch.tensor(1.0)}),
    "Adam step negative":                     ((*ADAM0, "step"), torch.tensor(-1.0)),
    "Adam step a vector":                     ((*ADAM0, "step"), torch.zeros(3)),
    "Adam exp_avg_sq inf":                    ((*ADAM0, "exp_avg_sq"), lambda t: t.fill_(float("inf"))),
    "Adam groups empty":                      (("opt_d", "param_groups"), []),
    "Adam group of other params":             (("opt_d", "param_groups", 0, "params"), [0, 1]),
    "Adam lr negative":                       (("opt_d", "param_groups", 0, "lr"), -1.0),
    "Adam betas out of range":                (("opt_d", "param_groups", 0, "betas"), (2.0, 3.0)),
    "Adam capturable":                        (("opt_d", "param_groups", 0, "capturable"), True),
    "Adam amsgrad":                           (("opt_d", "param_groups", 0, "amsgrad"), True),
    "optimiser state a list":                 (("opt_g",), [1, 2]),
    "trainer setting missing":                (("trainer", "lr_g"), DELETE),
    "trainer setting unknown":                (("trainer", "speed"), 11),
    "trainer batch_size 0":                   (("trainer", "batch_size"), 0),
    "trainer batch_size 10^12":               (("trainer", "batch_size"), 10**12),
    "trainer loss unknown":                   (("trainer", "loss"), "nope"),
    "trainer hinge with label smoothing":     (("trainer", "loss"), "hinge"),
    "trainer lr a string":                    (("trainer", "lr_g"), "fast"),
    "data kind unknown":                      (("data", "kind"), "photos"),
    "data spec with a bad setting":           (("data", "n_modes"), -3),
    "data not a dict":                        (("data",), "ring"),
    "counters negative":                      (("counters", "step"), -5),
    "counters a float":                       (("counters", "step"), 2.5),
    "counters incomplete":                    (("counters", "g_updates"), DELETE),
    "rng wrong size":                         (("rng",), torch.zeros(10, dtype=torch.uint8)),
    "rng wrong dtype":                        (("rng",), lambda t: t.float()),
    "history capacity 1":                     (("history", "capacity"), 1),
    "history series broken":                  (("history", "series", "loss_d", "values"), "abc"),
    "history stride 0":                       (("history", "series", "loss_d", "stride"), 0),
    **{f"{key} missing": ((key,), DELETE) for key in ("G", "D", "opt_g", "opt_d", "trainer", "data", "counters",
                                                     "rng", "history", "format")},
}


def _corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    good = _good_checkpoint(tmp_path)
    raw = (tmp_path / "good.pt").read_bytes()
    for i, (name, (path, value)) in enumerate(EDITS.items()):
        ckpt = _edit(good, path, value)
        if name == "trainer hinge with label smoothing":
            ckpt["trainer"]["real_label"] = 0.9
        torch.save(ckpt, folder / f"{i:02d} {name}.pt")
    for fraction in (0.0, 0.1, 0.5, 0.9, 0.999):
        (folder / f"truncated at {fraction:.1%}.pt").write_bytes(raw[: int(len(raw) * fraction)])
    (folder / "random bytes.pt").write_bytes(np.random.default_rng(0).bytes(4096))
    (folder / "a text file.pt").write_text("G,D\n1,2\n")
    with open(folder / "pickle that runs code.pt", "wb") as f:
        pickle.dump({"format": "gan_edu.checkpoint", "x": Boom()}, f)
    torch.save({"format": "gan_edu.checkpoint", "version": 1, "x": Boom()}, folder / "torch pickle that runs code.pt")
    torch.save(torch.zeros(3), folder / "a tensor.pt")
    torch.save({"weights": torch.zeros(3)}, folder / "a dict of weights.pt")
    (folder / "a folder.pt").mkdir()
    return folder


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker isolates each case with os.fork (POSIX)")


@needs_fork
def test_every_bad_checkpoint_is_refused_in_a_subprocess_with_a_clear_error(tmp_path, capsys):
    """Each file of the corpus is loaded (and, if it loaded, stepped) in its own process: every one
    must end with a one-line ValueError/FileNotFoundError naming the file, none may crash the
    interpreter or show a traceback. The good file next to them loads and trains."""
    folder = _corpus(tmp_path)
    torch.save(_good_checkpoint(tmp_path), folder / "zz the good one.pt")
    out = subprocess.run([sys.executable, str(WORKER), "load", str(folder)], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    results = {r["file"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert len(results) == len(os.listdir(folder))
    good = results.pop("zz the good one.pt")
    assert good["outcome"] == "loaded" and good["step"] == 4
    unclear = {name: r for name, r in results.items()
               if r["outcome"] != "clear" or "\n" in r["message"] or "Traceback" in r["message"]
               or name.removesuffix(".pt") not in r["message"] and "corpus" not in r["message"]}
    assert not unclear, unclear
    assert not (tmp_path / "PWNED").exists()
    with capsys.disabled():
        print(f"\n  bad checkpoint corpus: {len(results)} files, each loaded in its own process: "
              f"{len(results) - len(unclear)} clear errors, 0 crashes, 0 tracebacks")


@needs_fork
@pytest.mark.parametrize("mode, rounds", [("atomic", 12), ("plain", 6)])
def test_kill_9_during_repeated_saves(tmp_path, mode, rounds, capsys):
    """A process trains and saves in a loop and is killed (SIGKILL) at random moments (and every
    third round for certain inside a write: stopped after writing its temporary file, before the
    rename). With Trainer.save (temporary file + os.replace) the file at the path is always a
    whole checkpoint, and the next save removes the killed writer's temporary file.
    The control, torch.save straight onto the path (the old way), shows the test can see a
    torn file: at least one of its rounds leaves a broken checkpoint."""
    path = tmp_path / "ckpt.pt"
    out = subprocess.run([sys.executable, str(WORKER), "kill", str(path), str(rounds), mode, "7"], capture_output=True,
                         text=True, timeout=600, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    *results, final = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(results) == rounds
    broken = [r for r in results if r["outcome"] != "whole"]
    inside = sum(r["killed_inside_a_write"] for r in results)
    how = f"Trainer.save, {inside} of them inside the write of the temporary file" if mode == "atomic" else \
        "control: torch.save straight onto the path"
    with capsys.disabled():
        print(f"\n  kill -9 during saves ({how}): {rounds} kills, {rounds - len(broken)} whole checkpoints at the "
              f"path afterwards")
    if mode == "atomic":
        assert not broken, broken
        assert inside >= rounds // 3
        assert final["leftover_temp_files"] == 0             # the next save removed what the kills left
    else:
        assert broken, "the control never tore a file: the kill timing does not reach inside a write"


# --------------------------------------------------------------------------- versions
DATA = Path(__file__).with_name("data")


def test_a_checkpoint_written_by_the_previous_release_loads_and_continues():
    """tests/data/checkpoint_v1.pt was written by gan_edu before this rewrite (make_trainer(seed=5,
    hidden=8, history_size=4), 6 steps). It loads, it is bit-identical to the same run made now
    (so the loop computes what it computed), and it trains on. Keep this file: every later
    version must load it."""
    old = ge.Trainer.load(DATA / "checkpoint_v1.pt", device="cpu")
    now = make_trainer(seed=5, hidden=8, history_size=4)
    now.run(6, progress=False)
    assert old.state.step == 6 and list(old.history["loss_d"].steps) == [2, 4, 6]
    assert same(params_of(old.G, old.D), params_of(now.G, now.D))
    old.run(3, progress=False)
    now.run(3, progress=False)
    assert same(params_of(old.G, old.D), params_of(now.G, now.D))


def test_checkpoints_name_their_version_and_writer(tmp_path):
    tr = make_trainer()
    tr.step()
    tr.save(tmp_path / "c.pt")
    ckpt = torch.load(tmp_path / "c.pt", weights_only=True)
    assert ckpt["version"] == 1 and ckpt["written_by"]["gan_edu"] == ge.__version__
    assert ckpt["scalars"]["loss_d"] == tr.state.loss_d
    assert ge.Trainer.load(tmp_path / "c.pt").state.loss_g == tr.state.loss_g
    ckpt["version"] = 2
    torch.save(ckpt, tmp_path / "newer.pt")
    with pytest.raises(ValueError, match="written by a newer gan_edu .* reads versions 1 to 1: update gan_edu"):
        ge.Trainer.load(tmp_path / "newer.pt")


def test_save_is_atomic_and_refuses_what_load_would_refuse(tmp_path):
    tr = make_trainer()
    tr.step()
    tr.save(tmp_path / "c.pt")
    first = (tmp_path / "c.pt").read_bytes()
    tr.step()
    tr.real_label = 0.9                           # a combination configure() refuses, set behind its back
    tr.loss = ge.losses.hinge
    with pytest.raises(ValueError, match="refused to write a checkpoint that could not be loaded back.*label smoothing"):
        tr.save(tmp_path / "c.pt")
    assert (tmp_path / "c.pt").read_bytes() == first and sorted(p.name for p in tmp_path.iterdir()) == ["c.pt"]
    tr.real_label = 1.0
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        tr.save(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tr.save(tmp_path / "missing" / "c.pt")
    G = ge.load_generator(tmp_path / "c.pt") if hasattr(ge, "load_generator") else ge.trainer.load_generator(tmp_path / "c.pt")
    assert not G.training
