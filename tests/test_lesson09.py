"""Lesson 09, the conditional GAN: the lesson's measurements against generators whose answer is known
(oracles: a G that draws each class's mean digit, one that ignores the label, one that copies training
digits, one that returns held-out real digits), the one-hot computed two ways, training with the same
Trainer, the widgets driven from Python, the prediction re-run after clicks, and the committed notebook."""
import copy
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from PIL import Image

from gan_edu import data as data_mod
from gan_edu import models, quiz
from gan_edu.lessons import conditional as C
from gan_edu.lessons import judges
from gan_edu.quiz.questions import ALL
from gan_edu.widgets import conditional as wc

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_conditional_gan.ipynb"


@pytest.fixture(scope="module")
def judge():
    return judges.independent_classifier(seed=0)


@pytest.fixture(scope="module")
def short_run(judge):
    torch.set_num_threads(1)
    return C.train(seed=0, steps=150, judge=judge)


# --------------------------------------------------------------------------- oracle generators
class _Noise:
    latent_dim = 16

    def sample_noise(self, n, generator=None):
        return torch.randn(n, self.latent_dim, generator=generator)


class FakeRun:
    """What the lesson's functions use of a trainer (``sample``, ``G.sample_noise``, ``n_classes``), with
    ``draw(z [N, latent], labels [N]) -> images [N, 1, 8, 8]`` deciding what "G" returns."""

    n_classes = 10

    def __init__(self, draw):
        self.draw, self.G, self.calls = draw, _Noise(), 0

    def sample(self, n, z=None, labels=None):
        self.calls += 1
        labels = torch.full((len(z),), labels) if isinstance(labels, int) else labels
        return self.draw(z, labels)


def _pick(images_by_class, z, labels):
    """The image of class y whose index is set by z (the same z, the same index): a per-class lookup."""
    out = []
    for zi, y in zip(z, labels.tolist()):
        pool = images_by_class[y]
        out.append(pool[int((zi[0].abs() * 1000).long()) % len(pool)])
    return torch.stack(out)


def by_class(images, labels):
    return [images[labels == c] for c in range(10)]


@pytest.fixture(scope="module")
def oracles(judge):
    held, train = judge.split.held_out, judge.split.train
    means = torch.stack([held.images[held.labels == c].mean(0) for c in range(10)])          # [10, 1, 8, 8]
    held_by, train_by = by_class(held.images, held.labels), by_class(train.images, train.labels)
    everything = held.images
    return {
        "class_mean": FakeRun(lambda z, y: means[y]),                                         # the label only
        "noise_only": FakeRun(lambda z, y: _pick([everything] * 10, z, y)),                  # z only
        "copier": FakeRun(lambda z, y: _pick(train_by, z, y)),                               # training digits of y
        "real": FakeRun(lambda z, y: _pick(held_by, z, y)),                                  # new real digits of y
    }


# --------------------------------------------------------------------------- the networks and the training
def test_the_one_hot_adds_one_learned_vector_per_class_computed_both_ways(short_run):
    G = short_run.trainer.G
    result = C.one_hot_as_vector(G)
    assert result.difference < 1e-5 and tuple(result.class_vectors.shape) == (10, G.net.project.out_features)
    # the whole G: the same images when the one-hot is replaced by adding w_y after the projection
    z, y = torch.randn(12, 16, generator=torch.Generator().manual_seed(1)), torch.arange(12) % 10
    with models.eval_mode(G), torch.no_grad():
        direct = G(z, y)
        h = z @ G.net.project.weight[:, :16].T + result.class_vectors[y]
        for layer in list(G.net.children())[1:]:
            h = layer(h)
    assert torch.allclose(direct, h, atol=1e-6)


def test_build_trainer_trains_conditional_nets_on_the_judges_training_split_only(judge):
    tr = C.build_trainer(judge, seed=3)
    assert models.is_conditional(tr.G) and models.is_conditional(tr.D) and tr.n_classes == 10
    assert tr.data is judge.split.train and tr.G_ema is not None and tr.ema == C.SETTINGS["ema"]
    assert not set(judge.split.train_idx.tolist()) & set(judge.split.held_out_idx.tolist())
    again = C.build_trainer(judge, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(tr.G.parameters(), again.G.parameters()))
    with pytest.raises(TypeError, match="judge"):
        C.build_trainer("not a judge")


def test_watching_and_progress_do_not_change_the_course_of_training(judge):
    plain = C.train(seed=0, steps=30, judge=judge)
    seen = []
    watched = C.train(seed=0, steps=30, judge=judge, watch=(0, 10, 30), every=7,
                      on_progress=lambda t, steps: seen.append((t.state.step, steps)))
    for a, b in zip([*plain.trainer.G.parameters(), *plain.trainer.D.parameters(), *plain.trainer.G_ema.parameters()],
                    [*watched.trainer.G.parameters(), *watched.trainer.D.parameters(), *watched.trainer.G_ema.parameters()]):
        assert torch.equal(a, b)
    assert seen == [(0, 30), (7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]
    assert list(watched.snapshots) == [0, 10, 30] and plain.snapshots == {}
    snap = watched.snapshots[0]
    assert snap.images.shape == (20, 1, 8, 8) and snap.steering.n == 500
    # the two fixed z's: row 1 is z_a in classes 0..9, row 2 z_b; an untrained G barely reacts to the label
    assert abs(snap.steering.agreement - 0.1) < 0.05
    with pytest.raises(ValueError, match="watch step"):
        C.train(seed=0, steps=5, judge=judge, watch=(6,))
    with pytest.raises(TypeError, match="on_progress"):
        C.train(seed=0, steps=5, judge=judge, on_progress=3)


# --------------------------------------------------------------------------- the measurements against oracles
def test_steering_is_the_judges_verdict_on_exactly_those_samples(judge, oracles):
    real = oracles["real"]
    check = C.steering(real, judge, per_class=30, seed=5)
    labels = torch.arange(10).repeat_interleave(30)
    x = real.sample(300, z=real.G.sample_noise(300, generator=torch.Generator().manual_seed(5)), labels=labels)
    said = judge.proba(x).argmax(1)
    assert check.agreement == pytest.approx(float((said == labels).float().mean()))
    assert check.per_class == pytest.approx([float((said[labels == c] == c).float().mean()) for c in range(10)])
    assert check.confidence_ratio == pytest.approx(judges.confidence_ratio(judge, x), rel=1e-5)
    assert check.agreement > 0.9 and 0.9 < check.confidence_ratio < 1.1          # held-out digits: like real ones
    blind = C.steering(oracles["noise_only"], judge, per_class=30)
    assert blind.agreement < 0.25                                                 # ignores the label: chance


def test_label_vs_noise_tells_a_label_driven_g_from_a_noise_driven_one(judge, oracles):
    label = C.label_vs_noise(oracles["class_mean"], judge, n=200)
    assert label.new_label > 0.9 and label.new_z == 0 and label.nudge_z == 0
    assert np.isnan(label.ink_correlation)                     # the same ink for every z: no correlation to speak of
    assert C.label_or_noise_outcome(label) == "label"
    noise = C.label_vs_noise(oracles["noise_only"], judge, n=200)
    assert noise.new_label == 0 and noise.new_z > 0.7
    assert C.label_or_noise_outcome(noise) == "z"
    assert noise.ink_correlation == pytest.approx(1.0)         # the same image in every class: identical ink
    assert C.label_or_noise_outcome(label._replace(new_label=0.5, new_z=0.45)) == "both"
    assert C.label_or_noise_outcome(label._replace(new_label=0.1, new_z=0.05)) == "neither"
    assert label.z_distance == pytest.approx(np.sqrt(2 * 16), rel=0.1)           # |z' - z| for two N(0, I) draws


def test_copying_flags_a_copier_and_not_new_real_digits(judge, oracles):
    copier = C.copying(oracles["copier"], judge, per_class=20)
    assert copier.check.exact_copies == 1.0 and copier.check.share == 1.0
    assert max(copier.per_class_ratio) == 0.0 and copier.check.median_ratio == 0.0
    real = C.copying(oracles["real"], judge, per_class=20)
    assert real.check.exact_copies == 0.0 and real.check.share < 0.2
    assert 0.7 < real.check.median_ratio < 1.3


def test_variety_is_zero_for_one_image_per_class_and_about_one_for_real_digits(judge, oracles):
    assert C.variety(oracles["class_mean"], judge) == pytest.approx(0.0, abs=1e-6)
    assert 0.85 < C.variety(oracles["real"], judge, per_class=40) < 1.15
    with pytest.raises(ValueError, match="per_class"):
        C.variety(oracles["real"], judge, per_class=1)


def test_style_grid_rows_are_classes_and_columns_share_one_z(judge):
    run = FakeRun(lambda z, y: (z[:, :1, None, None].expand(-1, 1, 8, 8) + 100 * y[:, None, None, None]))
    grid = C.style_grid(run, n_z=4, seed=0)                                    # [40, 1, 8, 8]
    value = grid[:, 0, 0, 0].reshape(10, 4)
    assert torch.allclose(value - value[:1], 100 * torch.arange(10.0)[:, None].expand(10, 4))   # rows: classes
    walk = C.noise_walk(run, 3, torch.zeros(16), torch.ones(16), steps=5)
    assert torch.allclose(walk[:, 0, 0, 0], 300 + torch.linspace(0, 1, 5))


def test_sampling_never_moves_the_trainer(short_run, judge):
    tr = short_run.trainer
    before = (tr.state.step, tr._display_rng.get_state().clone(), tr.rng.get_state().clone())
    C.steering(tr, judge, per_class=10)
    C.label_vs_noise(tr, judge, n=20)
    C.copying(tr, judge, per_class=5)
    assert before[0] == tr.state.step and torch.equal(before[1], tr._display_rng.get_state())
    assert torch.equal(before[2], tr.rng.get_state())


# --------------------------------------------------------------------------- widgets, driven from Python
def _png_size(img):
    return Image.open(__import__("io").BytesIO(img.value)).size


def test_digit_grid_changes_class_and_noise_and_shows_pictures_at_their_size(short_run, judge):
    grid = wc.DigitGrid(short_run.trainer, judge, label=7, n=16, nrow=8, scale=5)
    seven = grid.images.clone()
    w, h = _png_size(grid.view)
    assert grid.view.tooltip is None          # an Image with a tooltip is not drawn at all in JupyterLab (ipywidgets 8.1)
    assert grid.view.layout.width == f"{w}px" and grid.view.layout.height == f"{h}px"
    assert w == 8 * (8 * 5 + 4) + 4 and h == 2 * (8 * 5 + 4) + 4
    assert "16 × the digit 7" in grid.caption.value and f"names {grid.agree} of them 7" in grid.caption.value
    grid.set_class(1)
    assert grid.label == 1 and not torch.equal(grid.images, seven) and "digit 1" in grid.caption.value
    one = grid.images.clone()
    grid.set_class(1)                                                     # the same class again: redrawn, same noise
    assert torch.equal(grid.images, one)
    grid.reroll()
    assert not torch.equal(grid.images, one) and grid.label == 1
    grid.picker.value = 4                                                 # what a click on "4" does
    assert "digit 4" in grid.caption.value
    with pytest.raises(ValueError, match="label"):
        grid.set_class(10)


def test_same_noise_keeps_z_and_changes_only_the_class(short_run, judge):
    same = wc.SameNoise(short_run.trainer, judge, label=3)
    strip, z = same.strip.clone(), same.z.clone()
    three = same.image.clone()
    same.set_class(8)
    assert torch.equal(same.z, z) and torch.equal(same.strip, strip) and torch.equal(same.image, strip[8])
    assert not torch.equal(same.image, three) and "G(z, 8)" in same.caption.value
    expected = C.samples_of(short_run.trainer, torch.arange(10), z=z.expand(10, -1))
    assert torch.equal(same.strip, expected)
    same.reroll()
    assert not torch.equal(same.z, z) and same.label == 8


def test_noise_walk_moves_z_within_one_class(short_run, judge):
    walk = wc.NoiseWalk(short_run.trainer, judge, label=2, steps=5)
    start = walk.output.clone()
    walk.set_alpha(1.0)
    assert not torch.equal(walk.output, start) and torch.allclose(walk.output, walk.walk[-1], atol=1e-6)
    assert "a = 1.00" in walk.caption.value
    z0, z1 = walk.z0.clone(), walk.z1.clone()
    walk.set_class(5)
    assert torch.equal(walk.z0, z0) and torch.equal(walk.z1, z1) and walk.label == 5
    assert torch.equal(walk.walk, C.noise_walk(short_run.trainer, 5, z0, z1, 5))
    walk.reroll()
    assert not torch.equal(walk.z0, z0)


def test_widgets_refuse_a_trainer_that_is_not_conditional_and_show_a_plain_fallback(short_run, judge):
    plain = type("T", (), {"sample": None, "n_classes": None})()
    for cls in (wc.DigitGrid, wc.SameNoise, wc.NoiseWalk):
        with pytest.raises(TypeError, match="conditional"):
            cls(plain)
        with pytest.raises(TypeError, match="judge"):
            cls(short_run.trainer, judge="x")
        text = cls(short_run.trainer)._repr_mimebundle_()["text/plain"]
        assert text.startswith("[") and "run" in text and "VBox" not in text
    progress = wc.TrainingProgress()
    progress.update(short_run.trainer, 150)
    assert progress.bar.value == 150 and progress.bar.bar_style == "success"
    assert "step 150 of 150" in progress.text.value


def test_tiles_frames_the_chosen_pictures_solid_and_the_misjudged_dashed():
    images = -torch.ones(3, 1, 4, 4)                                          # black
    a = wc.tiles(images, nrow=3, scale=2, framed=(1,), misjudged=(2,))
    assert a.shape == (4 * 2 + 8, 3 * (8 + 4) + 4, 3)
    top = [a[4 - 2, x] for x in range(4 + 12 - 2, 4 + 12 + 8 + 2)]          # the top edge of picture 1's frame
    assert all(np.allclose(p, wc._FRAME) for p in top)                        # solid: every pixel
    assert np.allclose(a[4 - 2, 4 - 2], 1.0)                                  # picture 0: white gap, no frame
    edge = [a[4 - 2, x] for x in range(4 + 24 - 2, 4 + 24 + 8 + 2)]          # picture 2's top edge: dashed red
    red = [bool(np.allclose(p, wc._MISJUDGED)) for p in edge]
    assert 0 < sum(red) < len(red) and all(red[i] or np.allclose(edge[i], 1.0) for i in range(len(red)))
    assert not np.allclose(wc._FRAME, wc._MISJUDGED)


# --------------------------------------------------------------------------- the prediction and the notebook
def _code_cells():
    return [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]


def _cell_with(cells, text):
    found = [c for c in cells if text in c]
    assert len(found) == 1, f"{len(found)} cells contain {text!r}"
    return found[0]


def test_the_prediction_gives_the_lessons_answer_after_clicks_and_reruns(monkeypatch, judge, short_run):
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: None)
    q = copy.copy(quiz.get("09-label-or-noise"))
    q._widget, q.panel, q.committed, q.shown_without_prediction, q._scored = None, None, None, False, None
    monkeypatch.setitem(ALL, q.qid, q)
    cells = _code_cells()
    ns: dict = {}
    exec(_cell_with(cells, "ge.setup_lesson(0)"), ns)
    ns.update(judge=judge, run=short_run)            # the notebook's run, shorter (the outcome holds at 150 steps too)
    exec(_cell_with(cells, 'ge.quiz.predict("09-label-or-noise")'), ns)
    right = next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)
    q.select(right).commit()
    # click around: every widget of the lesson, other checkpoints
    wc.DigitGrid(short_run.trainer, judge).set_class(3).reroll()
    wc.SameNoise(short_run.trainer, judge).set_class(9).reroll()
    wc.NoiseWalk(short_run.trainer, judge).set_alpha(0.4).set_class(0).reroll()
    reveal = _cell_with(cells, 'ge.quiz.reveal("09-label-or-noise"')
    seen = []
    for _ in range(2):
        exec(reveal, ns)
        assert q.panel is not None and q.panel.revealed and "right" in q.panel.note.value, q.panel.note.value
        seen.append(tuple(q.result))
    assert seen[0] == seen[1] and quiz.progress()[q.qid]["attempts"] == 1


def test_the_committed_notebook_asks_its_questions_and_every_checked_claim_holds():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    text = "".join(c["source"] for c in code)
    assert {q for q in ALL if q.startswith("09-")} <= {q for q in ALL if f'"{q}"' in text}
    checked = [c for c in code if "# NBVAL_CHECK_OUTPUT" in c["source"]]
    assert len(checked) >= 5
    for c in checked:
        lines = "".join(o.get("text", "") for o in c["outputs"] if o["output_type"] == "stream").splitlines()
        assert lines and all(line.endswith(": True") for line in lines), lines
    for c in code:
        assert c["outputs"] or "ge.setup_lesson(0)" in c["source"], c["source"][:60]
        assert not [o for o in c["outputs"] if o["output_type"] == "error" or o.get("name") == "stderr"]
    reveal = next(c for c in code if 'reveal("09-label-or-noise"' in c["source"])
    shown = json.dumps(reveal["outputs"])
    assert "changes for" not in shown and "%" not in shown                  # no outcome before a prediction
    assert nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]   # widget state stored
    for c in code:
        for o in c["outputs"]:
            plain = "".join(o.get("data", {}).get("text/plain", ""))
            assert "VBox(" not in plain and "HBox(" not in plain


def test_the_digits_data_keeps_its_labels_for_the_conditional_trainer():
    d = data_mod.digits()
    x, y = d.sample(8, generator=torch.Generator().manual_seed(0), return_labels=True)
    assert x.shape == (8, 1, 8, 8) and y.dtype == torch.long and set(y.tolist()) <= set(range(10))


def test_d_uses_the_label_asks_d_about_right_and_wrong_labels(short_run, judge):
    tr = short_run.trainer
    result = C.d_uses_the_label(tr, judge, seed=5)
    x, y = judge.held_out_images, judge.held_out_labels
    wrong = (y + torch.randint(1, 10, y.shape, generator=torch.Generator().manual_seed(5))) % 10
    assert not (wrong == y).any()
    assert result.right == pytest.approx(float(tr.d_prob(x, labels=y).mean()))
    assert result.wrong == pytest.approx(float(tr.d_prob(x, labels=wrong).mean()))
    assert result.fakes == pytest.approx(float(tr.d_prob(C.samples_of(tr, y, seed=5), labels=y).mean()))


# --------------------------------------------------------------------------- section 6: clusters instead of labels
def test_self_conditioned_trains_on_clusters_and_reports_exactly_its_samples(judge):
    from gan_edu import evaluation as ev

    calls = []
    r = C.self_conditioned(judge, seed=0, steps=20, n=200, on_progress=lambda t, s: calls.append((t.state.step, s)),
                           every=10)
    assert calls == [(0, 20), (10, 20), (20, 20)]
    clusters = data_mod.clustered(judge.split.train, 30, seed=0)
    assert torch.equal(r.trainer.data.labels, clusters.labels) and r.clusters == 30 and r.trainer.state.step == 20
    assert r.samples.shape == (200, 1, 8, 8) and 0.5 < r.purity <= 1
    assert r.confidence_ratio == pytest.approx(judges.confidence_ratio(judge, r.samples))
    assert r.real_confident == pytest.approx(float((judges.confidence(judge, judge.held_out_images) >= 0.9).float().mean()))
    expected = ev.memorisation_check(r.samples, judge.split.train.images, judge.held_out_images)
    assert r.check.share == pytest.approx(expected.share) and r.check.median_ratio == pytest.approx(expected.median_ratio)
    assert "30 clusters" in r.summary() and "flagged" in r.summary()
    again = C.self_conditioned(judge, seed=0, steps=20, n=200)
    assert torch.equal(again.samples, r.samples)                        # seeded: the same run, watched or not


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(judge="judge"), TypeError, "judge must be the Judge"),
    (dict(steps=1), ValueError, "steps must be >= 2, got 1"),
    (dict(n=0), ValueError, "n must be"),
    (dict(on_progress=5), TypeError, "on_progress must be a function"),
    (dict(clusters=1), ValueError, "clusters must be >= 2, got 1"),
    (dict(clusters=2.5), TypeError, "clusters must be an integer, got 2.5"),
])
def test_self_conditioned_refuses_bad_arguments(judge, kwargs, error, fragment):
    with pytest.raises(error) as err:
        C.self_conditioned(**{"judge": judge, "steps": 2, **kwargs})
    assert fragment in str(err.value)
