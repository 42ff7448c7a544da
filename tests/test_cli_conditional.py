"""The command line with conditional networks (lesson 09): train, resume after Ctrl-C, sample one row
per class, evaluate; and the mistakes it refuses in one line."""
import json
import os
import signal
import types
from pathlib import Path

import pytest
import torch
from helpers import ctrl_c_at_step
from helpers import run_cli as main

import gan_edu as ge
from gan_edu import cli

ARGS = ["train", "--data", "digits", "--conditional", "--latent-dim", 8, "--batch-size", 16, "--snapshots", 2,
        "--no-progress"]


def record(out):
    return json.loads((Path(out) / "metrics.json").read_text())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("cond") / "run"
    assert main(*ARGS, "--steps", 12, "--out", out) == 0
    return out


def test_train_conditional_builds_conditional_networks_and_reports_agreement(run):
    tr = ge.Trainer.load(run / "checkpoint.pt", device="cpu")
    assert type(tr.G) is ge.models.ConditionalDCGenerator and type(tr.D) is ge.models.ConditionalDCDiscriminator
    assert tr.n_classes == 10 and tr.state.step == 12
    r = record(run)
    assert r["settings"]["conditional"] is True and r["status"] == "finished"
    agreement = r["class_agreement"]
    assert 0 <= agreement["agreement"] <= 1 and agreement["judge_accuracy"] > 0.9
    assert "independent judge" in agreement["protocol"]


def test_the_preset_is_the_same_set_up(tmp_path):
    tr = ge.presets.build("digits-conditional", seed=0)
    assert type(tr.G) is ge.models.ConditionalDCGenerator and tr.ema > 0 and tr.G_ema is not None
    assert "digits-conditional" in cli.PRESETS
    assert main("train", "--preset", "digits-conditional", "--steps", 3, "--snapshots", 1, "--no-progress",
                "--out", tmp_path / "p") == 0
    saved = ge.Trainer.load(tmp_path / "p" / "checkpoint.pt", device="cpu")
    assert saved.ema == tr.ema and type(saved.G) is ge.models.ConditionalDCGenerator


@pytest.mark.parametrize("data", ["ring", "moons", None])
def test_conditional_with_2d_data_is_one_line_and_exit_2(tmp_path, capsys, data):
    args = ["train", "--conditional", "--out", tmp_path / "x"] + (["--data", data] if data else [])
    assert main(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--conditional needs labelled images" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()                  # refused before anything was written


def test_conditional_with_pack_or_a_preset_is_refused(tmp_path, capsys):
    assert main(*ARGS, "--pack", 2, "--steps", 2, "--out", tmp_path / "a") == 2
    assert "pack=2 cannot be used with conditional networks" in capsys.readouterr().err
    assert main("train", "--preset", "digits-dcgan", "--conditional", "--out", tmp_path / "b") == 2
    assert "--conditional cannot be combined with --preset" in capsys.readouterr().err


# --------------------------------------------------------------------------- sample
def _args(run, **kw):
    return types.SimpleNamespace(**{"checkpoint": str(run / "checkpoint.pt"), "n": 64, "seed": 0, "klass": None, **kw})


def test_sample_draws_one_row_per_class_with_the_same_noise_down_each_column(run, tmp_path):
    G = ge.trainer.load_generator(run / "checkpoint.pt")
    x, nrow, what = cli._samples_to_draw(G, _args(run, n=30))
    assert nrow == 3 and x.shape == (30, 1, 8, 8) and "10 rows" in what
    z = G.sample_noise(3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for k in range(10):
            # row k: class k, the same z (allclose: a batch of 30 and one of 3 round differently)
            assert torch.allclose(x[3 * k: 3 * k + 3], G(z, torch.full((3,), k)), atol=1e-6)
    x7, nrow, what = cli._samples_to_draw(G, _args(run, n=9, klass=7))
    with torch.no_grad():
        assert torch.allclose(x7, G(G.sample_noise(9, generator=torch.Generator().manual_seed(0)), torch.full((9,), 7)),
                              atol=1e-6)
    assert nrow == 3 and "class 7" in what
    assert main("sample", "--checkpoint", run / "checkpoint.pt", "--out", tmp_path / "rows.png") == 0
    assert main("sample", "--checkpoint", run / "checkpoint.pt", "--class", 3, "--out", tmp_path / "threes.png") == 0
    assert (tmp_path / "rows.png").stat().st_size > 0 and (tmp_path / "threes.png").stat().st_size > 0


def test_sample_class_mistakes_are_one_line(run, tmp_path, capsys):
    assert main("sample", "--checkpoint", run / "checkpoint.pt", "--class", 10, "--out", tmp_path / "a.png") == 2
    assert "--class 10 is not a class of this generator: it draws classes 0 to 9" in capsys.readouterr().err
    assert main("sample", "--checkpoint", run / "checkpoint.pt", "--class", -1, "--out", tmp_path / "a.png") == 2
    assert "argument --class: must be at least 0, got -1" in capsys.readouterr().err
    ge.seed_everything(0)
    plain = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=4), ge.models.DCDiscriminator(features=4),
                       ge.data.digits(), batch_size=16, device="cpu")
    plain.save(tmp_path / "plain.pt")
    assert main("sample", "--checkpoint", tmp_path / "plain.pt", "--class", 3, "--out", tmp_path / "b.png") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--class needs a conditional generator" in err
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "b.png").exists()


def test_evaluate_scores_a_conditional_checkpoint(run, capsys):
    assert main("evaluate", "--checkpoint", run / "checkpoint.pt", "--n", 60, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 <= out["generator"]["class_agreement"] <= 1
    assert any("a conditional generator" in note for note in out["notes"])


# --------------------------------------------------------------------------- Ctrl-C and resume
def test_a_conditional_run_stopped_by_ctrl_c_resumes_to_the_same_result(tmp_path, monkeypatch, capsys):
    command = [*ARGS, "--steps", 10, "--out"]
    assert main(*command, tmp_path / "one") == 0
    with ctrl_c_at_step(monkeypatch, 4):
        assert main(*command, tmp_path / "two") == 130
    assert record(tmp_path / "two")["steps"] == 4
    assert main(*command, tmp_path / "two") == 0
    assert "resuming the run" in capsys.readouterr().out
    one = torch.load(tmp_path / "one" / "checkpoint.pt", weights_only=True)
    two = torch.load(tmp_path / "two" / "checkpoint.pt", weights_only=True)
    for key in ("G", "D"):
        assert one[key]["class"] == two[key]["class"] == f"Conditional{'DCGenerator' if key == 'G' else 'DCDiscriminator'}"
        assert all(torch.equal(one[key]["state"][k], two[key]["state"][k]) for k in one[key]["state"])
    assert torch.equal(one["rng"], two["rng"]) and one["counters"] == two["counters"]


def test_a_run_recorded_before_conditional_existed_still_resumes(tmp_path, monkeypatch, capsys):
    out = tmp_path / "old"
    command = ["train", "--data", "ring", "--hidden", 8, "--steps", 6, "--snapshots", 1, "--no-progress", "--out", out]
    step_end = cli._Run._step_end

    def ctrl_c_at_3(run, tr):
        step_end(run, tr)
        if tr.state.step == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with monkeypatch.context() as patch:
        patch.setattr(cli._Run, "_step_end", ctrl_c_at_3)
        assert main(*command) == 130
    old = record(out)
    del old["settings"]["conditional"]                          # as the previous release wrote it
    (out / "metrics.json").write_text(json.dumps(old))
    assert main(*command) == 0
    assert "resuming the run" in capsys.readouterr().out and record(out)["steps"] == 6
