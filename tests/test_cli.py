"""The command line, driven as a subprocess like a user would (and in-process where only the files matter)."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
import torch
from helpers import ctrl_c_at_step, one_line
from helpers import run_cli as main
from PIL import Image

import gan_edu as ge
from gan_edu import _files, cli

# one thread in the subprocesses too: the runs are tiny, and equal thread counts keep runs comparable
ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def cli_run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gan_edu", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600, env=ENV)


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "gan_edu", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)




def record(out):
    return json.loads((Path(out) / "metrics.json").read_text())


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "ring"
    r = cli_run("train", "--data", "ring", "--steps", 30, "--hidden", 16, "--snapshots", 3, "--seed", 1, "--out", out,
                "--no-progress")
    return r, out


def test_train_writes_every_output(ring_run):
    r, out = ring_run
    assert r.returncode == 0, r.stderr
    assert "trained 30 steps" in r.stdout and "modes" in r.stdout
    metrics = record(out)
    assert metrics["steps"] == 30 and metrics["data"] == "ring" and metrics["seed"] == 1
    assert metrics["status"] == "finished" and metrics["steps_planned"] == 30 and metrics["checkpoint_step"] == 30
    assert metrics["settings"]["hidden"] == 16 and metrics["settings"]["loss"] == "non_saturating"
    assert set(metrics["final"]) == {"loss_d", "loss_g", "d_real", "d_fake"}
    assert len(metrics["history"]["loss_d"]) == 30 and metrics["history"]["step"][-1] == 30
    assert metrics["mode_coverage"]["of"] == 8 and len(metrics["mode_coverage"]["counts"]) == 8
    snaps = sorted(p.name for p in (out / "snapshots").iterdir())
    assert snaps == ["step_000000.png", "step_000010.png", "step_000020.png", "step_000030.png"]
    gif = Image.open(out / "training.gif")
    assert gif.n_frames == 4
    tr = ge.Trainer.load(out / "checkpoint.pt", device="cpu")
    assert tr.state.step == 30 and tr.G.config["hidden"] == 16
    assert not [p for p in out.rglob("*") if _files.is_temporary(p)]


def test_a_finished_run_needs_force_or_resume(ring_run):
    _, out = ring_run
    r = cli_run("train", "--data", "ring", "--steps", 5, "--out", out, "--no-progress")
    line = one_line(r.stderr)
    assert r.returncode == 1 and "holds a finished run (30 steps)" in line and "--force" in line and "--resume" in line
    assert record(out)["steps"] == 30      # untouched


def test_sample_from_a_checkpoint(ring_run, tmp_path):
    _, out = ring_run
    r = cli_run("sample", "--checkpoint", out / "checkpoint.pt", "--n", 200, "--out", tmp_path / "s.png")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "s.png").size[0] > 100
    again = cli_run("sample", "--checkpoint", out / "checkpoint.pt", "--out", tmp_path / "s.png")
    assert again.returncode == 1 and "--force" in one_line(again.stderr)


BAD = [
    (["train", "--out", "x", "--steps", "0"], 2, "--steps: must be at least 1"),
    (["train", "--out", "x", "--data", "cifar"], 2, "invalid choice: 'cifar'"),
    (["train", "--out", "x", "--lr-g", "fast"], 2, "expected a number"),
    (["train", "--out", "x", "--lr-g", "nan"], 2, "--lr-g: must be > 0"),
    (["train", "--out", "x", "--real-label", "1.5"], 2, "--real-label: must be > 0 and <= 1"),
    (["train", "--out", "x", "--device", "tpu"], 2, "--device: expected auto, cpu, cuda"),
    (["train"], 2, "--out"),
    (["frobnicate"], 2, "invalid choice"),
    (["train", "--out", "{tmp}/m", "--data", "mnist", "--mnist-root", "{tmp}/none"], 1, "never downloads"),
    (["train", "--out", "{tmp}/u", "--unroll", "-1"], 2, "--unroll: must be at least 0"),
    (["train", "--out", "{tmp}/p", "--preset", "ring-pacgan", "--hidden", "64"], 2,
     "--hidden cannot be combined with --preset ring-pacgan"),
    (["train", "--out", "{tmp}/p", "--preset", "ring-pacgan", "--data", "grid", "--pack", "3"], 2,
     "--data, --pack cannot be combined with --preset"),
    (["train", "--out", "{tmp}/p", "--preset", "ring-wgan-gp", "--real-label", "0.9"], 2, "label smoothing"),
    (["train", "--out", "{tmp}/p", "--preset", "ring-pacgan", "--batch-size", "33"], 2, "multiple of the preset's pack"),
    (["train", "--out", "{tmp}/p", "--pack", "3"], 2, "must be a multiple of pack"),
    (["train", "--out", "{tmp}/r", "--resume"], 1, "nothing to resume"),
    (["train", "--out", "{tmp}/r", "--resume", "--force"], 2, "--resume and --force cannot be combined"),
    (["train", "--out", "{tmp}/junk.pt"], 1, "is a file, not a folder"),
    (["train", "--out", "{tmp}/junk.pt", "--force"], 1, "is a file, not a folder"),
    (["train", "--out", "{tmp}/junk.pt/run"], 1, "cannot write into --out"),
    (["train", "--out", "{tmp}/c", "--device", "cuda:7"], 1, "--device cuda:7"),
    (["sample", "--checkpoint", "{tmp}/missing.pt", "--out", "{tmp}/a.png"], 1, "no checkpoint"),
    (["sample", "--checkpoint", "{tmp}/junk.pt", "--out", "{tmp}/b.png"], 1, "not a gan_edu checkpoint"),
    (["sample", "--checkpoint", "{tmp}/junk.pt", "--out", "{tmp}/b.jpg"], 2, "--out must be a .png file"),
    (["sample", "--checkpoint", "{tmp}/junk.pt", "--out", "{tmp}"], 1, "is a folder; give a .png file name"),
]


@pytest.mark.parametrize("args, code, needle", BAD)
def test_bad_arguments_give_one_line(args, code, needle, tmp_path, capsys):
    """In-process (fast): the exit code, exactly one line on stderr, and nothing left behind."""
    (tmp_path / "junk.pt").write_bytes(b"junk")
    rc = main(*[a.format(tmp=tmp_path) for a in args])
    err = capsys.readouterr().err
    assert rc == code and needle in one_line(err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.pt"]


@pytest.mark.parametrize("args, code, needle", [BAD[0], BAD[-3]])
def test_bad_arguments_never_show_a_traceback(args, code, needle, tmp_path):
    """As a real process, as a user runs it."""
    (tmp_path / "junk.pt").write_bytes(b"junk")
    r = cli_run(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == code and needle in one_line(r.stderr)


def test_help_reads_well(capsys):
    for args, needles in ((["--help"], ("train", "sample", "class-report", "Examples", "130")),
                          (["train", "--help"], ("--preset", "--force", "--resume", "Ctrl-C")),
                          (["class-report", "--help"], ("PATH", "--out", "--force"))):
        assert main(*args) == 0
        out = capsys.readouterr().out
        assert all(n in out for n in needles), out


def test_choice_lists_are_the_registries():
    """--help lists losses and presets without importing them: the written-out lists must stay true."""
    from gan_edu import losses, presets

    assert cli.LOSSES == tuple(losses.LOSSES)
    assert cli.PRESETS == tuple(presets.names())


HELP_WITHOUT_TORCH = """
import runpy, sys
codes = []
for args in (["--help"], ["train", "--help"], ["sample", "--help"], ["class-report", "--help"]):
    sys.argv = ["gan-edu", *args]
    try:
        runpy.run_module("gan_edu", run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        codes.append(exit_.code)
heavy = sorted(m for m in ("torch", "numpy", "matplotlib") if m in sys.modules)
print("RESULT", codes, heavy)
"""


def test_help_imports_no_torch():
    """`python -m gan_edu --help` (and each command's --help) answers before torch is imported."""
    r = subprocess.run([sys.executable, "-c", HELP_WITHOUT_TORCH], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "RESULT [0, 0, 0, 0] []", r.stdout[-500:]
    assert "--preset" in r.stdout and "ring-pacgan" in r.stdout and "wgan_gp" in r.stdout


# --------------------------------------------------------------------------- Ctrl-C and resume
def wait_for(path: Path, proc, seconds=300):
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < seconds, f"{path} never appeared"
        time.sleep(0.05)


def test_ctrl_c_keeps_the_last_step_and_the_same_command_resumes(tmp_path):
    """SIGINT during `train`: exit 130, one line saying where; the checkpoint is the last step and loads;
    metrics.json holds the history so far; the same command resumes (and can be stopped again);
    --resume --steps finishes it."""
    out = tmp_path / "run"
    args = ["train", "--data", "ring", "--hidden", 16, "--steps", 100_000, "--snapshots", 1000, "--out", out,
            "--no-progress"]
    proc = start(*args)
    wait_for(out / "snapshots" / "step_000200.png", proc)         # training is under way
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    line = one_line(stderr)
    assert proc.returncode == 130, stderr
    first = record(out)
    step = first["steps"]
    assert step >= 200 and first["status"] == "interrupted" and first["checkpoint_step"] == step
    assert f"interrupted at step {step} of 100000" in line and str(out / "checkpoint.pt") in line
    assert "run the same command again" in line
    assert len(first["history"]["loss_d"]) == step and first["history"]["step"][-1] == step
    tr = ge.Trainer.load(out / "checkpoint.pt", device="cpu")
    assert tr.state.step == step and len(tr.history["loss_d"]) == step

    proc = start(*args)                                            # the same command: it resumes
    wait_for(out / "snapshots" / f"step_{(step // 100 + 2) * 100:06d}.png", proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130 and f"resuming the run in {out} from {out / 'checkpoint.pt'} (step {step} of 100000)" \
        in stdout, (stdout, stderr)
    second = record(out)["steps"]
    assert second > step and one_line(stderr)
    assert record(out)["history"]["step"][:step] == first["history"]["step"]

    r = cli_run("train", "--out", out, "--resume", "--steps", second + 3, "--no-progress")
    assert r.returncode == 0 and f"trained {second + 3} steps" in r.stdout, r.stderr
    done = record(out)
    assert done["status"] == "finished" and done["steps"] == second + 3 and done["steps_planned"] == second + 3
    assert Image.open(out / "training.gif").n_frames >= 3


def test_sigterm_saves_like_ctrl_c(tmp_path):
    out = tmp_path / "run"
    proc = start("train", "--hidden", 8, "--steps", 100_000, "--snapshots", 1000, "--out", out, "--no-progress")
    wait_for(out / "snapshots" / "step_000100.png", proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 143 and "terminated at step" in one_line(stderr)
    assert ge.Trainer.load(out / "checkpoint.pt", device="cpu").state.step == record(out)["steps"] >= 100


def test_ctrl_c_twice_still_saves_and_exits_130(tmp_path):
    """An impatient second Ctrl-C (here 0.1 s after the first) interrupts the step itself, or waits for a
    file being written, or lands while Python shuts down: the run is saved and the exit code stays 130."""
    out = tmp_path / "run"
    proc = start("train", "--hidden", 8, "--steps", 100_000, "--snapshots", 1000, "--out", out, "--no-progress")
    wait_for(out / "snapshots" / "step_000100.png", proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130 and "is saved in" in one_line(stderr)
    assert ge.Trainer.load(out / "checkpoint.pt", device="cpu").state.step == record(out)["steps"] >= 100


CTRL_C_WHILE_IMPORTING_TORCH = """
import runpy, sys
class Interrupt:                      # Ctrl-C at the moment torch is imported
    def find_spec(self, name, path=None, target=None):
        if name == "torch":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv = ["gan-edu", *sys.argv[1:]]
runpy.run_module("gan_edu", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("command", [["train", "--steps", "5"], ["sample", "--checkpoint", "c.pt"]])
def test_ctrl_c_while_starting_up(tmp_path, command):
    out = tmp_path / ("run" if command[0] == "train" else "s.png")
    r = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_IMPORTING_TORCH, *command, "--out", str(out)],
                       capture_output=True, text=True, timeout=120, env=ENV)
    assert r.returncode == 130 and "interrupted" in one_line(r.stderr)
    assert not out.exists()                                          # nothing written, not even the folder


def test_ctrl_c_at_a_random_moment_of_start_up(tmp_path):
    """A real SIGINT somewhere in the first second (imports, building, first step): exit 130, one line."""
    out = tmp_path / "run"
    proc = start("train", "--hidden", 8, "--steps", 100_000, "--out", out, "--no-progress")
    time.sleep(0.3 + 0.7 * torch.rand(1, generator=torch.Generator().manual_seed(os.getpid())).item())
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130 and "interrupted" in one_line(stderr)
    if out.exists() and (out / "metrics.json").exists():           # it got as far as training: resumable
        assert ge.Trainer.load(out / "checkpoint.pt", device="cpu").state.step == record(out)["steps"]


def checkpoint_state(path):
    ck = torch.load(path, weights_only=True)
    return ck["G"]["state"], ck["D"]["state"], ck["opt_g"], ck["opt_d"], ck["counters"], ck["rng"], ck["history"]


def assert_same(a, b):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path, capsys, monkeypatch):
    """Bit for bit, past the start of the preset's learning-rate decay (step 2000 of ring-vanilla):
    2010 steps in one go == a real SIGINT at step 2004, then the same command again."""
    command = ["train", "--preset", "ring-vanilla", "--batch-size", 8, "--lr-g", "1.5e-3", "--steps", 2010,
               "--snapshots", 1, "--no-progress", "--out"]
    assert main(*command, tmp_path / "one") == 0
    with ctrl_c_at_step(monkeypatch, 2004):
        assert main(*command, tmp_path / "two") == 130
    assert record(tmp_path / "two")["steps"] == 2004
    assert main(*command, tmp_path / "two") == 0
    assert "resuming the run" in capsys.readouterr().out
    assert_same(checkpoint_state(tmp_path / "one" / "checkpoint.pt"), checkpoint_state(tmp_path / "two" / "checkpoint.pt"))
    one, two = ge.Trainer.load(tmp_path / "one" / "checkpoint.pt"), ge.Trainer.load(tmp_path / "two" / "checkpoint.pt")
    assert one.lr_g == two.lr_g < 1.5e-3 and one.lr_d == two.lr_d < 2e-3      # the decay went on where it was
    assert record(tmp_path / "one")["history"] == record(tmp_path / "two")["history"]


def test_resume_changes_only_what_may_change(tmp_path, capsys):
    out = tmp_path / "run"
    assert main("train", "--hidden", 8, "--steps", 6, "--snapshots", 2, "--out", out, "--no-progress") == 0
    capsys.readouterr()
    assert main("train", "--out", out, "--resume", "--hidden", 16) == 2
    assert "--hidden 16 differs from the run being resumed (--hidden 8)" in one_line(capsys.readouterr().err)
    assert main("train", "--out", out, "--resume", "--steps", 6) == 2
    assert "at step 6 already" in one_line(capsys.readouterr().err)
    assert main("train", "--out", out, "--resume", "--steps", 9, "--lr-g", "5e-4", "--no-progress") == 0
    r = record(out)
    assert r["steps"] == 9 and r["settings"]["lr_g"] == 5e-4 and r["settings"]["hidden"] == 8
    assert ge.Trainer.load(out / "checkpoint.pt").lr_g == 5e-4
    # an unfinished run and a different command: refused, with both ways out
    r["status"] = "interrupted"
    (out / "metrics.json").write_text(json.dumps(r))
    assert main("train", "--hidden", 8, "--steps", 12, "--out", out) == 1
    line = one_line(capsys.readouterr().err)
    assert "holds an unfinished run (step 9 of 9) with other settings: --lr-g 0.001 (the run has 0.0005)" in line
    assert "--steps 12 (the run has 9), --snapshots 12 (the run has 2)" in line
    assert "--resume" in line and "--force" in line


def test_preset_flags_apply_on_top(tmp_path):
    out = tmp_path / "p"
    assert main("train", "--preset", "ring-pacgan", "--loss", "hinge", "--lr-g", "5e-4", "--batch-size", 64,
                "--d-steps", 2, "--seed", 3, "--steps", 2, "--snapshots", 1, "--out", out, "--no-progress") == 0
    tr = ge.Trainer.load(out / "checkpoint.pt")
    assert (tr.loss.name, tr.lr_g, tr.lr_d, tr.batch_size, tr.d_steps, tr.seed, tr.pack) == ("hinge", 5e-4, 2e-3, 64, 2, 3, 2)
    assert record(out)["preset"] == "ring-pacgan" and record(out)["steps"] == 2


def test_force_replaces_only_our_own_outputs(tmp_path):
    out = tmp_path / "run"
    assert main("train", "--hidden", 8, "--steps", 8, "--snapshots", 8, "--out", out, "--no-progress") == 0
    (out / "notes.txt").write_text("mine")
    assert main("train", "--hidden", 8, "--steps", 4, "--snapshots", 2, "--out", out, "--no-progress") == 1
    assert main("train", "--hidden", 8, "--steps", 4, "--snapshots", 2, "--out", out, "--no-progress", "--force") == 0
    assert sorted(p.name for p in (out / "snapshots").iterdir()) == ["step_000000.png", "step_000002.png",
                                                                    "step_000004.png"]
    assert (out / "notes.txt").read_text() == "mine" and record(out)["steps"] == 4


def test_divergence_keeps_the_last_good_step(tmp_path, capsys, monkeypatch):
    """The real data turns NaN at the 5th batch of 256: exit 1, the step before is saved, and the message says
    how to go on."""
    calls = {"n": 0}
    sample = ge.data.GaussianMixture.sample

    def nan_from_the_fifth(self, n, generator=None, **kw):
        calls["n"] += 1
        x = sample(self, n, generator=generator, **kw)
        return x * float("nan") if calls["n"] >= 5 and n == 256 else x

    monkeypatch.setattr(ge.data.GaussianMixture, "sample", nan_from_the_fifth)
    out = tmp_path / "run"
    assert main("train", "--hidden", 8, "--steps", 50, "--out", out, "--no-progress") == 1
    line = one_line(capsys.readouterr().err)
    bad = int(re.search(r"training diverged at step (\d+) \(loss_d is not finite\)", line).group(1))
    assert bad >= 2 and f"step {bad - 1} is saved" in line and "--resume --lr-g 0.0005 --lr-d 0.0005" in line
    assert record(out)["status"] == "failed" and ge.Trainer.load(out / "checkpoint.pt").state.step == bad - 1


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path, capsys, monkeypatch):
    """The disk fills up while the checkpoint of step 4 is written (half a file, then ENOSPC) and stays full:
    step 2's checkpoint is still whole, and the message says that step 2 -- not 3 or 4 -- is what is kept."""
    real_save, full = ge.Trainer.save, []

    def disk_full_from_step_4(self, path):
        if full or self.state.step >= 4:
            full.append(True)
            Path(path).write_bytes(b"half a checkpoint")
            raise OSError(28, "No space left on device")
        real_save(self, path)

    monkeypatch.setattr(ge.Trainer, "save", disk_full_from_step_4)
    out = tmp_path / "run"
    assert main("train", "--hidden", 8, "--steps", 8, "--snapshots", 4, "--out", out, "--no-progress") == 1
    line = one_line(capsys.readouterr().err)
    assert "training stopped at step 4 (OSError: [Errno 28] No space left on device)" in line
    assert "could not save the last step (No space left on device): step 2 is in" in line
    assert ge.Trainer.load(out / "checkpoint.pt").state.step == 2
    assert not [p for p in out.rglob("*") if _files.is_temporary(p)]


def test_atomic_path_replaces_whole_files_or_nothing(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError):
        with _files.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]
    _files.write_text(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640 and os.listdir(tmp_path) == ["f.txt"]


# --------------------------------------------------------------------------- sample
def test_image_checkpoint_samples_a_grid(tmp_path):
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=8), ge.models.DCDiscriminator(features=8),
                    ge.data.digits(), batch_size=16, device="cpu")
    tr.step()
    tr.save(tmp_path / "d.pt")
    r = cli_run("sample", "--checkpoint", tmp_path / "d.pt", "--n", 16, "--out", tmp_path / "grid.png")
    assert r.returncode == 0, r.stderr
    G = ge.trainer.load_generator(tmp_path / "d.pt")
    assert G(torch.zeros(1, 8)).shape == (1, 1, 8, 8)
    assert main("sample", "--checkpoint", tmp_path / "d.pt", "--n", 5000, "--out", tmp_path / "big.png") == 2


def test_sample_refuses_a_generator_that_makes_nan(tmp_path, capsys):
    ge.seed_everything(0)
    G = ge.models.MLPGenerator(hidden=8)
    tr = ge.Trainer(G, ge.models.MLPDiscriminator(hidden=8), ge.data.ring(), device="cpu")
    with torch.no_grad():
        for p in G.parameters():
            p.mul_(1e20)                                # finite weights, overflowing outputs
    tr.save(tmp_path / "c.pt")
    assert main("sample", "--checkpoint", tmp_path / "c.pt", "--out", tmp_path / "s.png") == 1
    assert "produced NaN or infinite samples" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "s.png").exists()


# --------------------------------------------------------------------------- class-report
def test_class_report_hands_over_to_the_quiz(tmp_path, monkeypatch):
    seen = {}

    def main_from_args(paths, out, force):
        seen.update(paths=paths, out=out, force=force)
        return 3

    monkeypatch.setitem(sys.modules, "gan_edu.quiz.report", types.SimpleNamespace(main_from_args=main_from_args))
    assert main("class-report", "a.json", tmp_path / "b", "--out", tmp_path / "r", "--force") == 3
    assert seen == {"paths": ["a.json", str(tmp_path / "b")], "out": str(tmp_path / "r"), "force": True}


def test_class_report_end_to_end(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gan_edu_progress.json").write_text(json.dumps(
        {"format": "gan_edu.progress", "version": 2, "learner": "ada", "answers": {}}))
    r = cli_run("class-report", tmp_path / "in", "--out", tmp_path / "r")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert (tmp_path / "r" / "index.html").exists() and (tmp_path / "r" / "answers.csv").exists()


def test_train_on_digits_reports_class_coverage(tmp_path):
    r = cli_run("train", "--data", "digits", "--steps", 20, "--snapshots", 2, "--out", tmp_path / "d", "--no-progress")
    assert r.returncode == 0, r.stderr
    metrics = record(tmp_path / "d")
    cc = metrics["class_coverage"]
    assert cc["of"] == 10 and 0 <= cc["confident"] <= 1 and cc["classifier_accuracy"] > 0.9
    assert "mode_coverage" not in metrics
    assert Image.open(tmp_path / "d" / "training.gif").n_frames == 3
    assert len(list((tmp_path / "d" / "snapshots").glob("*.png"))) == 3


def test_a_signal_during_start_up_is_remembered_then_acted_on():
    """During start-up (imports, building the trainer) Ctrl-C must not raise inside an import: it is
    remembered, and the next check stops the command with 130 (SIGTERM: 143)."""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            start_up = cli._StartUp()
            start_up.defer()
            start_up.check("while starting")                 # nothing pending: goes on
            os.kill(os.getpid(), sig)                        # delivered at once, to the main thread
            with pytest.raises(cli.Stopped) as stop:
                start_up.check("while starting")
            assert stop.value.code == code and "nothing was written" in str(stop.value)
            start_up.release()
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
