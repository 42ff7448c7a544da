"""``gan-edu evaluate``: lesson 10's metrics for a checkpoint's generator, as a table or JSON, against the same
numbers computed through the package; one-line errors for everything it cannot score."""
import json
import subprocess
import sys

import pytest
import torch

import gan_edu as ge
from gan_edu import cli
from gan_edu.lessons import metrics_lab

ENV_ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def setup():
    return metrics_lab.prepare(seed=0)


@pytest.fixture
def cached(setup, monkeypatch):
    """The command's set-up without training the classifier again (the same object prepare(seed=0) returns)."""
    monkeypatch.setattr(metrics_lab, "prepare", lambda seed=0: setup)
    return setup


def main(*args):
    try:
        return cli.main([str(a) for a in args])
    except SystemExit as exit_:
        return exit_.code


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def checkpoint(path, data, G=None, seed=0):
    """A checkpoint of an untrained GAN on ``data`` (evaluate only reads G and the data's description)."""
    torch.manual_seed(seed)
    if len(data.shape) == 1:
        G, D = G or ge.models.MLPGenerator(hidden=8), ge.models.MLPDiscriminator(hidden=8)
    else:
        G = G or ge.models.DCGenerator(latent_dim=8, image_size=data.shape[-1], features=8)
        D = ge.models.DCDiscriminator(image_size=data.shape[-1], features=8)
    ge.Trainer(G, D, data, device="cpu").save(path)
    return path


def expected_scores(path, setup, n, seed):
    G = ge.trainer.load_generator(path)
    with torch.no_grad():
        x = G(G.sample_noise(n, generator=torch.Generator().manual_seed(seed)))
    return x, metrics_lab.score(x, setup, seed=seed), metrics_lab.score(setup.probe_images, setup)


def test_the_default_n_is_the_size_of_the_real_digits_baseline(setup):
    assert cli.EVALUATE_N == setup.n == len(setup.probe_images)


def test_json_holds_the_lab_scores_of_the_generator_and_of_real_digits(tmp_path, cached, capsys):
    path = checkpoint(tmp_path / "c.pt", metrics_lab.training_set(cached))
    assert main("evaluate", "--checkpoint", path, "--seed", 3, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    _, row, real = expected_scores(path, cached, cli.EVALUATE_N, 3)
    assert out["command"] == "evaluate" and out["n"] == 449 and out["seed"] == 3 and out["step"] == 0
    assert out["generator"] == pytest.approx(row) and out["real_digits"] == pytest.approx(real)
    assert out["notes"] == []                       # trained on the lab's training split: nothing to warn about
    assert set(out["metrics"]) == set(metrics_lab.METRICS)
    assert "penultimate-layer features of the kit's digit classifier" in out["features"] and "not FID" in out["features"]
    assert "449 real digits the classifier never saw" in out["reference"]


def test_the_table_names_features_reference_and_every_metric(tmp_path, cached, capsys):
    path = checkpoint(tmp_path / "c.pt", metrics_lab.training_set(cached))
    assert main("evaluate", "--checkpoint", path) == 0
    text = capsys.readouterr().out
    _, row, real = expected_scores(path, cached, cli.EVALUATE_N, 0)
    lines = {line.split()[0] if not line.startswith(("digit classes", "class KL")) else " ".join(line.split()[:2]): line
             for line in text.splitlines() if line.strip()}
    assert "features:" in lines and "reference:" in lines and "note:" not in lines
    assert lines["FD"].split()[1:3] == [f"{row['fd']:.2f}", f"{real['fd']:.2f}"]
    assert lines["KID"].split()[1:3] == [f"{row['kid']:.3f}±{row['kid_std']:.3f}", f"{real['kid']:.3f}±{real['kid_std']:.3f}"]
    for m in ("precision", "recall", "density", "coverage", "memorised"):
        assert lines[m].split()[1:3] == [f"{row[m]:.2f}", f"{real[m]:.2f}"], m
    assert f"{row['classes']} of 10" in lines["digit classes"] and f"{row['class_kl']:.2f}" in lines["class KL"]
    first, *rest = [line for line in text.splitlines() if not line.startswith("preparing")]
    assert str(path) in first and max(len(line) for line in rest) <= 100          # a terminal's width, path aside


def test_a_generator_trained_on_all_digits_is_measured_against_all_of_them(tmp_path, cached, capsys):
    path = checkpoint(tmp_path / "c.pt", ge.data.digits())
    assert main("evaluate", "--checkpoint", path, "--n", 100, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    x, row, _ = expected_scores(path, cached, 100, 0)
    mem = metrics_lab.memorisation_against_all(x, cached)
    assert out["generator"]["memorised"] == pytest.approx(mem.share) and out["generator"]["fd"] == pytest.approx(row["fd"])
    notes = " ".join(out["notes"])
    assert "trained on all 1797 digits, the reference included" in notes
    assert "--n 100 differs from the 449 samples" in notes


def test_a_generator_of_unknown_data_gets_a_note(tmp_path, cached, capsys):
    d = ge.data.digits()
    other = ge.data.ImageSet(d.images[:64], d.labels[:64], "my digits", {"kind": "my-digits"})
    assert main("evaluate", "--checkpoint", checkpoint(tmp_path / "c.pt", other), "--json") == 0
    assert "data this command does not know (my-digits)" in json.loads(capsys.readouterr().out)["notes"][0]


@pytest.mark.parametrize("what", ["2d", "28x28"])
def test_only_digits_generators_are_scored(tmp_path, what, capsys):
    if what == "2d":
        path, made = checkpoint(tmp_path / "c.pt", ge.data.ring()), "points of 2 numbers (a 2D run)"
    else:
        images = ge.data.ImageSet(torch.zeros(4, 1, 28, 28), torch.zeros(4, dtype=torch.long), "fake mnist",
                                  {"kind": "mnist", "root": "x"})
        path, made = checkpoint(tmp_path / "c.pt", images), "1x28x28 images"
    assert main("evaluate", "--checkpoint", path) == 1
    err = one_line(capsys.readouterr().err)
    assert "evaluate scores generators of the 8x8 digits" in err and made in err


def test_failures_are_one_line(tmp_path, capsys):
    assert main("evaluate", "--checkpoint", tmp_path / "missing.pt") == 1
    assert "no checkpoint at" in one_line(capsys.readouterr().err)
    (tmp_path / "junk.pt").write_bytes(b"junk")
    assert main("evaluate", "--checkpoint", tmp_path / "junk.pt") == 1
    assert "junk.pt" in one_line(capsys.readouterr().err)
    for n, needle in ((5, "--n: must be at least 6"), (2001, "--n: must be at most 2000"), ("many", "whole number")):
        assert main("evaluate", "--checkpoint", "x.pt", "--n", n) == 2
        assert needle in one_line(capsys.readouterr().err)
    assert main("evaluate") == 2
    assert "--checkpoint" in one_line(capsys.readouterr().err)


def test_a_generator_that_makes_nan_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(metrics_lab, "prepare", lambda seed=0: pytest.fail("nothing to prepare for NaN samples"))
    torch.manual_seed(0)
    G = ge.models.DCGenerator(latent_dim=8, features=8)
    with torch.no_grad():
        for p in G.parameters():
            p.mul_(1e30)                                        # finite weights, overflowing outputs
    path = checkpoint(tmp_path / "c.pt", ge.data.digits(), G=G)
    assert main("evaluate", "--checkpoint", path) == 1
    err = one_line(capsys.readouterr().err)
    assert "produced NaN or infinite samples (449 of 449)" in err and "diverged" in err


def test_help_says_which_features_and_reference_and_imports_no_torch():
    code = ("import runpy, sys\nsys.argv = ['gan-edu', 'evaluate', '--help']\n"
            "try:\n    runpy.run_module('gan_edu', run_name='__main__', alter_sys=True)\nexcept SystemExit as e:\n"
            "    code = e.code\nprint('RESULT', code, sorted(m for m in ('torch', 'numpy') if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "RESULT 0 []"
    flat = " ".join(r.stdout.split())
    for needle in ("penultimate-layer features of the kit's own digit classifier", "not FID",
                   "449 digits the classifier never saw", "--json", "--n N", "--seed SEED"):
        assert needle in flat, needle


def test_end_to_end_as_a_user_runs_it(tmp_path):
    """A real subprocess on a checkpoint written by `gan-edu train`: exit 0, the table on stdout, nothing on stderr."""
    import os

    env = dict(os.environ, **ENV_ONE_THREAD)
    run = [sys.executable, "-m", "gan_edu"]
    r = subprocess.run([*run, "train", "--data", "digits", "--steps", "2", "--snapshots", "1", "--out", tmp_path / "r",
                        "--no-progress"], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*run, "evaluate", "--checkpoint", tmp_path / "r" / "checkpoint.pt"], capture_output=True,
                       text=True, timeout=600, env=env)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "(step 2)" in r.stdout and "trained on all 1797 digits" in " ".join(r.stdout.split())
    assert all(name in r.stdout for name in ("FD", "KID", "precision", "recall", "density", "coverage",
                                             "digit classes", "class KL", "memorised"))
