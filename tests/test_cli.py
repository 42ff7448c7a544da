"""The command line, driven as a subprocess like a user would."""
import json
import subprocess
import sys

import pytest
import torch
from PIL import Image

import gan_edu as ge


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gan_edu", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "ring"
    r = cli("train", "--data", "ring", "--steps", 30, "--hidden", 16, "--snapshots", 3, "--seed", 1, "--out", out,
            "--no-progress")
    return r, out


def test_train_writes_every_output(ring_run):
    r, out = ring_run
    assert r.returncode == 0, r.stderr
    assert "trained 30 steps" in r.stdout and "modes" in r.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 30 and metrics["data"] == "ring" and metrics["seed"] == 1
    assert set(metrics["final"]) == {"loss_d", "loss_g", "d_real", "d_fake"}
    assert len(metrics["history"]["loss_d"]) == 30 and metrics["history"]["step"][-1] == 30
    assert metrics["mode_coverage"]["of"] == 8 and len(metrics["mode_coverage"]["counts"]) == 8
    snaps = sorted(p.name for p in (out / "snapshots").iterdir())
    assert snaps == ["step_000000.png", "step_000010.png", "step_000020.png", "step_000030.png"]
    gif = Image.open(out / "training.gif")
    assert gif.n_frames == 4
    tr = ge.Trainer.load(out / "checkpoint.pt", device="cpu")
    assert tr.state.step == 30 and tr.G.config["hidden"] == 16


def test_an_existing_folder_needs_force(ring_run):
    _, out = ring_run
    r = cli("train", "--data", "ring", "--steps", 5, "--out", out, "--no-progress")
    assert r.returncode == 1 and "--force" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert json.loads((out / "metrics.json").read_text())["steps"] == 30      # untouched


def test_sample_from_a_checkpoint(ring_run, tmp_path):
    _, out = ring_run
    r = cli("sample", "--checkpoint", out / "checkpoint.pt", "--n", 200, "--out", tmp_path / "s.png")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "s.png").size[0] > 100
    again = cli("sample", "--checkpoint", out / "checkpoint.pt", "--out", tmp_path / "s.png")
    assert again.returncode == 1 and "--force" in again.stderr


BAD = [
    (["train", "--out", "x", "--steps", "0"], 2, "--steps: must be at least 1"),
    (["train", "--out", "x", "--data", "cifar"], 2, "invalid choice: 'cifar'"),
    (["train", "--out", "x", "--lr-g", "fast"], 2, "expected a number"),
    (["train"], 2, "--out"),
    (["frobnicate"], 2, "invalid choice"),
    (["train", "--out", "{tmp}/m", "--data", "mnist", "--mnist-root", "{tmp}/none"], 1, "never downloads"),
    (["train", "--out", "{tmp}/u", "--unroll", "-1"], 1, "--unroll must be >= 0"),
    (["sample", "--checkpoint", "{tmp}/missing.pt", "--out", "{tmp}/a.png"], 1, "no checkpoint"),
    (["sample", "--checkpoint", "{tmp}/junk.pt", "--out", "{tmp}/b.png"], 1, "not a gan_edu checkpoint"),
]


@pytest.mark.parametrize("args, code, needle", BAD)
def test_bad_arguments_give_one_line(args, code, needle, tmp_path, capsys):
    """In-process (fast): the exit code and exactly one line on stderr."""
    from gan_edu.cli import main

    (tmp_path / "junk.pt").write_bytes(b"junk")
    try:
        rc = main([a.format(tmp=tmp_path) for a in args])
    except SystemExit as exit_:                       # argparse exits for usage errors
        rc = exit_.code
    err = capsys.readouterr().err
    assert rc == code and needle in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("args, code, needle", [BAD[0], BAD[-1]])
def test_bad_arguments_never_show_a_traceback(args, code, needle, tmp_path):
    """As a real process, as a user runs it."""
    (tmp_path / "junk.pt").write_bytes(b"junk")
    r = cli(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == code and needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_help_reads_well(capsys):
    from gan_edu.cli import main

    for args, needles in ((["--help"], ("train", "sample", "Examples")), (["train", "--help"], ("--preset", "--force"))):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        out = capsys.readouterr().out
        assert exit_.value.code == 0 and all(n in out for n in needles)


def test_choice_lists_are_the_registries():
    """--help lists losses and presets without importing them: the written-out lists must stay true."""
    from gan_edu import cli, losses, presets

    assert cli.LOSSES == tuple(losses.LOSSES)
    assert cli.PRESETS == tuple(presets.names())


HELP_WITHOUT_TORCH = """
import runpy, sys
codes = []
for args in (["--help"], ["train", "--help"], ["sample", "--help"]):
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
    assert r.stdout.strip().splitlines()[-1] == "RESULT [0, 0, 0] []", r.stdout[-500:]
    assert "--preset" in r.stdout and "ring-pacgan" in r.stdout and "wgan_gp" in r.stdout


def test_image_checkpoint_samples_a_grid(tmp_path):
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=8), ge.models.DCDiscriminator(features=8),
                    ge.data.digits(), batch_size=16, device="cpu")
    tr.step()
    tr.save(tmp_path / "d.pt")
    r = cli("sample", "--checkpoint", tmp_path / "d.pt", "--n", 16, "--out", tmp_path / "grid.png")
    assert r.returncode == 0, r.stderr
    G = ge.trainer.load_generator(tmp_path / "d.pt")
    assert G(torch.zeros(1, 8)).shape == (1, 1, 8, 8)


def test_train_on_digits_reports_class_coverage(tmp_path):
    r = cli("train", "--data", "digits", "--steps", 20, "--snapshots", 2, "--out", tmp_path / "d", "--no-progress")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "d" / "metrics.json").read_text())
    cc = metrics["class_coverage"]
    assert cc["of"] == 10 and 0 <= cc["confident"] <= 1 and cc["classifier_accuracy"] > 0.9
    assert "mode_coverage" not in metrics
    assert Image.open(tmp_path / "d" / "training.gif").n_frames == 3
    assert len(list((tmp_path / "d" / "snapshots").glob("*.png"))) == 3
