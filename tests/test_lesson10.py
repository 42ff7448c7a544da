"""Lesson 10, the metrics lab: what the lesson adds to ``metrics_lab`` (reading the table, FD's bias at small n,
a GAN trained on the training split, the memorisation check shown), its pictures, its prediction, and its
committed notebook. (The corruptions and the metric pattern themselves: tests/test_metrics_lab.py.)"""
import copy
import dataclasses
import io
import itertools
import json
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from matplotlib.patches import Rectangle
from PIL import Image
from test_palette import worst

from gan_edu import data as data_mod
from gan_edu import evaluation as ev
from gan_edu import quiz, viz
from gan_edu.lessons import metrics_lab as L
from gan_edu.quiz.questions import ALL
from gan_edu.viz import evaluation as ve

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_evaluating_gans.ipynb"


@pytest.fixture(scope="module")
def setup():
    return L.prepare(seed=0)


@pytest.fixture(scope="module")
def rows(setup):
    return L.run(setup, seed=0)


def row(**changes):
    """A made-up table row: the real digits' values with ``changes``."""
    base = {"corruption": "x", "kind": "blur", "strength": 1.0, "n": 100, "fd": 10.0, "fd_train": 8.0, "kid": 0.0,
            "kid_std": 0.1, "precision": 0.9, "recall": 0.9, "density": 1.0, "coverage": 0.9, "classes": 10,
            "class_kl": 0.02, "memorised": 0.05, "exact_copies": 0.0}
    return base | changes


REAL = row(corruption="real (no corruption)", kind="none", strength=0.0)


# --------------------------------------------------------------------------- reading the table
def test_noticed_counts_only_changes_beyond_the_thresholds():
    assert L.noticed(row(), REAL) == {}
    below = dict(fd=14.9, kid=0.39, precision=0.81, recall=0.99, density=1.09, coverage=0.81, class_kl=0.11,
                 memorised=0.24)                     # each just inside its threshold
    assert L.noticed(row(**below), REAL) == {}
    assert L.noticed(row(precision=0.79, class_kl=0.13, memorised=0.26), REAL) == \
        {"precision": -1, "class_kl": 1, "memorised": 1}
    assert L.noticed(row(fd=15.1, recall=0.7, density=1.2, coverage=1.01, classes=9), REAL) == \
        {"fd": 1, "recall": -1, "density": 1, "coverage": 1, "classes": -1}
    assert L.noticed(row(fd=6.6, kid=0.5), REAL) == {"fd": -1, "kid": 1}          # FD: a ratio, either way
    assert list(L.noticed(row(memorised=1.0, fd=100.0), REAL)) == ["fd", "memorised"]   # NOTICE's order


def test_copy_outcome_names_what_noticed_the_copies():
    def outcome(**changes):
        return L.copy_outcome([REAL, row(kind="noise", strength=1.0, fd=99.0),
                               row(kind="copy", strength=0.5, classes=1), row(kind="copy", strength=1.0, **changes)])

    assert outcome(memorised=1.0) == "memo"                 # the other rows (not the full copy) do not count
    assert outcome(memorised=1.0, kid=0.6) == "fd"
    assert outcome(memorised=1.0, coverage=0.5) == "prdc"
    assert outcome(memorised=1.0, class_kl=0.3) == "classes"
    assert outcome() == "none"


def test_the_lab_itself_gives_the_lessons_answer(setup, rows):
    assert L.copy_outcome(rows) == "memo"
    table = L.response_table(rows).splitlines()
    assert len(table) == len(rows) and table[0].split() == ["FD", "KID", "prec", "recall", "dens", "cover", "class",
                                                             "KL", "memo"]
    marks = {line[:22].strip(): line[23:].split() for line in table[1:]}
    assert marks["noise std=0.1"] == ["."] * 9
    assert marks["copy 100 % training"] == ["."] * 8 + ["+"]
    for r in rows[1:]:
        seen = L.noticed(r, rows[0])
        expected = [{1: "+", -1: "-"}.get(seen.get(m, 0), ".") for m in L.NOTICE]
        assert marks[r["corruption"]] == expected


def test_the_reveal_experiment_gives_the_same_right_answer_however_often_it_runs(setup, monkeypatch):
    """The notebook's experiment, as the notebook runs it: commit the right answer, reveal twice -> right both times."""
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    q = copy.copy(quiz.get("10-copies"))              # no session state (the bank's objects are shared)
    q._widget, q.panel, q.committed, q.shown_without_prediction, q._scored = None, None, None, False, None
    monkeypatch.setitem(ALL, "10-copies", q)

    def score_copies():
        rows = L.run(setup, seed=0, blur_sigmas=(), noise_stds=(), dropped=(), collapse_to=(), copy_shares=(1.0,))
        print(L.format_table(rows))
        return L.copy_outcome(rows)

    q.select("memo").commit()
    for _ in range(2):
        quiz.reveal("10-copies", run=score_copies)
        assert q.panel.revealed and "right" in q.panel.note.value
    assert quiz.progress()["10-copies"]["attempts"] == 1


# --------------------------------------------------------------------------- FD's bias at small n
def test_baseline_by_n_is_the_same_computation_done_by_hand(setup):
    """n probe digits at random, scored against the reference digits as a generator's n samples are."""
    got = L.baseline_by_n(setup, sizes=(20, 60, 300), splits=3, seed=5)
    feats = ev.penultimate_features(setup.classifier, setup.probe_images)
    g = torch.Generator().manual_seed(5)
    for n, r in zip((20, 60, 300), got):
        fd, kid = [], []
        for _ in range(3):
            a = feats[torch.randperm(len(feats), generator=g)[:n]]
            fd.append(ev.frechet_distance(setup.reference_fit, a))
            kid.append(ev.kernel_distance(setup.reference_features, a, subset_size=min(200, n), subsets=50).mean)
        assert r["n"] == n
        assert r["fd"] == pytest.approx(np.mean(fd)) and (r["fd_min"], r["fd_max"]) == (min(fd), max(fd))
        assert r["kid"] == pytest.approx(np.mean(kid)) and (r["kid_min"], r["kid_max"]) == (min(kid), max(kid))
    full = L.baseline_by_n(setup, splits=1)
    assert [r["n"] for r in full] == [50, 100, 200, setup.n]
    perfect = L.score(setup.probe_images, setup)                 # the probe's row: the table's n = 449
    assert full[-1]["fd"] == pytest.approx(perfect["fd"], rel=1e-6)    # (the same digits in another order)
    with pytest.raises(ValueError, match="sizes must be <= 449"):
        L.baseline_by_n(setup, sizes=(450,))
    with pytest.raises(ValueError, match="splits must be >= 1"):
        L.baseline_by_n(setup, splits=0)


def test_ball_radius_is_the_median_k_nearest_neighbour_radius(setup):
    feats = ev.penultimate_features(setup.classifier, setup.probe_images)
    assert L.ball_radius(setup.probe_images, setup, k=3) == pytest.approx(float(ev.knn_radii(feats, 3).median()))
    with pytest.raises(ValueError, match="images must have shape"):
        L.ball_radius(torch.zeros(10, 1, 28, 28), setup)


# --------------------------------------------------------------------------- a GAN on the training split
def test_training_set_is_the_classifiers_training_split_only(setup):
    ts = L.training_set(setup)
    assert torch.equal(ts.images, setup.train_images) and len(ts) == len(setup.classifier.train_idx)
    assert torch.equal(ts.labels, setup.data.labels[setup.classifier.train_idx])
    assert ts.spec()["kind"] == "subset" and ts.spec()["indices"] == setup.classifier.train_idx.tolist()
    assert torch.equal(data_mod.from_spec(ts.spec()).images, ts.images)        # a checkpoint rebuilds this split
    assert torch.equal(setup.data.images[setup.reference_idx].float(), setup.reference_images)
    held = set(setup.classifier.test_idx.tolist())
    assert set(setup.reference_idx.tolist()) <= held and set(setup.classifier.train_idx.tolist()).isdisjoint(held)


def test_train_generator_trains_lesson_07s_dcgan_on_the_training_split(setup, monkeypatch, capsys):
    from gan_edu.presets import digits as digits_preset

    monkeypatch.setitem(digits_preset.DCGAN, "decay_start", 3)     # the real schedule needs > 1000 steps
    out = L.train_generator(setup, steps=6, seed=2, report_every=2)
    tr = out.trainer
    assert out.steps == tr.state.step == 6 and out.cpu_seconds > 0
    assert tr.data.spec()["kind"] == "subset" and torch.equal(tr.data.images, setup.train_images)
    same = digits_preset.dcgan(L.training_set(setup), seed=2, steps=6)       # the same run, built by hand
    same.run(6, progress=False)
    assert tr.config() == same.config()
    assert all(torch.equal(a, b) for a, b in zip(tr.G.state_dict().values(), same.G.state_dict().values()))
    assert capsys.readouterr().out.splitlines() == [
        f"step {s} of 6: loss_D {v[0]:.2f}, loss_G {v[1]:.2f}" for s, v in
        zip((2, 4, 6), zip(tr.history["loss_d"].values[1::2], tr.history["loss_g"].values[1::2]))]
    assert all(getattr(fn, "__name__", "") != "report" for fn, _ in tr.handlers.get("step_end", []))   # detached
    seen = []
    quiet = L.train_generator(setup, steps=5, report_every=None, every=2,
                              on_progress=lambda t, n: seen.append((t.state.step, n)))
    assert capsys.readouterr().out == "" and seen == [(0, 5), (2, 5), (4, 5), (5, 5)]   # before, every 2, the end
    left = [getattr(fn, "__name__", "") for fn, _ in quiet.trainer.handlers.get("step_end", [])]
    assert "report" not in left and "progress" not in left                               # detached after the run
    with pytest.raises(ValueError, match="steps must be >= 4"):
        L.train_generator(setup, steps=3)
    with pytest.raises(TypeError, match="on_progress must be a function"):
        L.train_generator(setup, steps=4, on_progress="bar")


# --------------------------------------------------------------------------- the memorisation check, shown
def test_closest_pairs_against_brute_force(setup):
    images = setup.reference_images[:40]
    got = L.closest_pairs(images, setup.train_images, k=5)
    d = torch.cdist(images.flatten(1).double(), setup.train_images.flatten(1).double())
    best, idx = d.min(1)
    order = best.argsort()[:5]
    torch.testing.assert_close(got.distances, best[order].float())
    assert torch.equal(got.images, images[order]) and torch.equal(got.nearest, setup.train_images[idx[order]])
    with pytest.raises(ValueError, match="k must be <= 40"):
        L.closest_pairs(images, setup.train_images, k=41)


def test_memorisation_against_all_digits_leaves_each_reference_digit_out(setup):
    everything = setup.data.images.float()
    g = torch.Generator().manual_seed(0)
    copies = everything[torch.randperm(len(everything), generator=g)[:50]]      # from any split
    mem = L.memorisation_against_all(copies, setup)
    assert mem.share == 1.0 and mem.exact_copies == 1.0 and mem.space == "pixels"
    d = torch.cdist(setup.reference_images.flatten(1).double(), everything.flatten(1).double())
    d[torch.arange(len(d)), setup.reference_idx] = math.inf
    np.testing.assert_allclose(mem.held_out, d.min(1).values.numpy(), rtol=1e-6, atol=1e-6)
    assert mem.threshold == pytest.approx(float(torch.quantile(torch.as_tensor(mem.held_out), 0.05)))
    moved = setup.probe_images[:60] + 0.4 * torch.rand(60, 1, 8, 8, generator=g) - 0.2
    assert L.memorisation_against_all(moved, setup).exact_copies == 0.0
    with pytest.raises(ValueError, match="setup has no reference_idx"):
        L.memorisation_against_all(copies, dataclasses.replace(setup, reference_idx=None))


# --------------------------------------------------------------------------- pictures
def png_array(fig) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(viz.to_png(fig))).convert("RGB")).astype(float) / 255


def test_image_rows_are_pixel_exact(setup):
    x = setup.probe_images[:3]
    fig = ve.plot_image_rows({"a": x, "b": x.flip(0)}, k=3, scale=4, gap=4, label_px=100)
    img = png_array(fig)
    assert img.shape == (2 * (32 + 4) + 4, 100 + 3 * (32 + 4) + 4, 3)           # drawn at the size it is shown
    expected = np.repeat(np.repeat((x[1, 0].numpy() + 1) / 2, 4, 0), 4, 1)      # second image of row a
    np.testing.assert_allclose(img[4:36, 136:168, 0], expected, atol=1 / 255 + 1e-6)
    with pytest.raises(ValueError, match="rows must be a non-empty dict"):
        ve.plot_image_rows({})
    with pytest.raises(ValueError, match=r"rows\['a'\] must be a tensor of images"):
        ve.plot_image_rows({"a": torch.zeros(3, 8, 8)})


def test_corruption_samples_have_one_named_row_each(setup):
    lab = L.corruptions(setup, seed=0)
    fig = ve.plot_corruption_samples(lab, k=4)
    assert [t.get_text() for t in fig.texts] == [c.name for c in lab]
    assert [p.get_facecolor() for p in fig.patches] == [Rectangle((0, 0), 1, 1, color=ve.KIND_COLORS[c.kind])
                                                        .get_facecolor() for c in lab]
    with pytest.raises(ValueError, match="non-empty list"):
        ve.plot_corruption_samples([])


def test_metric_responses_draw_each_bar_from_the_real_value_to_the_corrupted_one(rows):
    fig = ve.plot_metric_responses(rows, notice=L.NOTICE)
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == list(ve.PANELS.values())
    real, others = rows[0], rows[1:]
    for ax, metric in zip(axes, ve.PANELS):
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() == pytest.approx(0.7)]
        assert len(bars) == len(others), metric
        for bar, r in zip(bars, others):
            start, end = (1.0, r["fd"] / real["fd"]) if metric == "fd" else (real[metric], r[metric])
            assert bar.get_x() == pytest.approx(start) and bar.get_x() + bar.get_width() == pytest.approx(end), metric
            assert bar.get_facecolor() == Rectangle((0, 0), 1, 1, color=ve.KIND_COLORS[r["kind"]]).get_facecolor()
    ticks = sorted(zip(axes[0].get_yticks(), (t.get_text() for t in axes[0].get_yticklabels())), reverse=True)
    assert [name for _, name in ticks] == [r["corruption"] for r in others]      # the lab's order, from the top
    with pytest.raises(ValueError, match="the real row"):
        ve.plot_metric_responses(rows[1:])
    with pytest.raises(ValueError, match="metrics must be among"):
        ve.plot_metric_responses(rows, metrics=["fd", "fid"])


def test_kind_colours_stay_apart_for_colour_blind_readers():
    for (a, ca), (b, cb) in itertools.combinations(ve.KIND_COLORS.items(), 2):
        d, vision = worst(ca, cb)
        assert d >= 20, f"{a} and {b} differ by only {d:.1f} under {vision}"


def test_nearest_pairs_and_distance_histograms(setup):
    pairs = L.closest_pairs(setup.probe_images, setup.train_images, k=4)
    fig = ve.plot_nearest_pairs({"probe": pairs, "again": pairs}, scale=5, gap=12, label_px=150)
    assert png_array(fig).shape[1] == 150 + 4 * (40 + 12) + 12            # labels, 4 pairs and their gaps
    assert [t.get_text() for t in fig.texts if t.get_text().startswith("d = ")] == \
        [f"d = {v:.2f}" for v in pairs.distances.tolist()] * 2
    with pytest.raises(ValueError, match="same number of the same images"):
        ve.plot_nearest_pairs({"bad": (pairs.images, pairs.nearest[:2], pairs.distances)})
    mem = ev.memorisation_check(setup.probe_images, setup.train_images, setup.reference_images)
    fig = ve.plot_distance_histograms(mem, label="probe")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(f"{100 * mem.share:.1f} % left of the line" in t for t in legend)
    assert fig.axes[0].get_xlabel() == "distance to the nearest training image (pixels)"
    named = ve.plot_distance_histograms(mem, label="probe", held_out="reference digits")
    assert [t.get_text() for t in named.axes[0].get_legend().get_texts()][0].startswith("reference digits (")
    with pytest.raises(TypeError, match="must be an evaluation.Memorisation"):
        ve.plot_distance_histograms({"generated": 1})


# --------------------------------------------------------------------------- the committed notebook
def test_the_committed_notebook_asks_known_questions_and_every_checked_claim_holds():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    text = "".join("".join(c["source"]) for c in code)
    asked = {q for q in ALL if f'"{q}"' in text}
    assert {"10-sample-size", "10-copies", "10-fd-diagnosis", "10-train-fd", "10-looks-fine"} <= asked
    checked = [c for c in code if "# NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
    assert len(checked) >= 8
    for c in checked:
        lines = "".join(o.get("text", "") for o in c["outputs"] if o["output_type"] == "stream").splitlines()
        assert lines and all(line.endswith(": True") for line in lines), lines
    for c in code:
        assert not [o for o in c["outputs"] if o["output_type"] == "error" or o.get("name") == "stderr"]
    reveal = next(c for c in code if 'reveal("10-copies"' in "".join(c["source"]))
    shown = json.dumps(reveal["outputs"])
    assert "memorisation check" not in shown and "copy 100 % training" not in shown and "1.00" not in shown
