"""The training lab reads D on each loss's own scale, follows G's samples out of the frame, and
runs lesson 04's experiment the same way however often it runs."""
import ast
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from helpers import make_trainer

import gan_edu as ge
from gan_edu import quiz
from gan_edu.lessons import training_lab as tl
from gan_edu.quiz.question import ClaimFailed
from gan_edu.widgets.lab import ExperimentPanel, TrainingLab

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_training_lab.ipynb"


@pytest.fixture
def lab():
    return TrainingLab(width=16, batch_size=32, n_points=100, timeline_every=2)


# --------------------------------------------------------------------------- each loss's scale
def test_every_loss_offered_has_a_scale_and_its_can_not_tell_loss_comes_from_the_loss_itself():
    assert set(tl.SCALES) == set(ge.losses.LOSSES)
    chance = tl.chance_losses()
    assert chance["minimax"] == pytest.approx(2 * math.log(2)) == chance["non_saturating"]
    assert chance["least_squares"] == pytest.approx(0.25)      # 1/2 (0.5 - 1)^2 + 1/2 0.5^2
    assert chance["hinge"] == pytest.approx(2.0)               # max(0, 1 - 0) + max(0, 1 + 0)
    assert chance["wgan_gp"] == pytest.approx(0.0)             # equal scores: E D(G(z)) - E D(x) = 0
    critic = tl.output_scale("wgan_gp")
    assert critic.boundary is None and critic.targets is None and "not a probability" in critic.caption
    assert "raw output" in tl.output_scale("least_squares").caption and "margin" in tl.output_scale("hinge").caption
    with pytest.raises(ValueError, match="loss must be one of"):
        tl.output_scale("bce")


@pytest.mark.parametrize("loss", list(tl.SCALES))
def test_the_heatmap_is_d_on_the_losses_own_scale(loss):
    """Two ways: the map the lab draws, against D called by hand at the same points."""
    tr = make_trainer(loss=loss)
    tr.run(3, progress=False)
    scale = tl.output_scale(loss)
    extent = (-1.5, 1.5, -1.0, 2.0)
    heat = tl.d_map(tr, extent, 5, scale)
    xs, ys = np.linspace(-1.5, 1.5, 5), np.linspace(-1.0, 2.0, 5)
    with torch.no_grad():
        raw = tr.D(torch.tensor([[x, y] for y in ys for x in xs], dtype=torch.float32)).numpy().reshape(5, 5)
    expected = 1 / (1 + np.exp(-raw)) if loss in ("minimax", "non_saturating") else raw
    np.testing.assert_allclose(heat, expected, rtol=1e-5, atol=1e-6)


def test_colour_range_fixed_per_loss_and_from_the_scores_for_a_critic():
    grid = np.array([[-3.0, 1.0], [5.0, 9.0]])
    assert tl.colour_range(tl.output_scale("non_saturating"), grid) == (0.0, 0.5, 1.0)
    assert tl.colour_range(tl.output_scale("least_squares"), grid) == (-0.5, 0.5, 1.5)
    assert tl.colour_range(tl.output_scale("hinge"), grid) == (-1.5, 0.0, 1.5)
    lo, mid, hi = tl.colour_range(tl.output_scale("wgan_gp"), grid, real=np.array([4.0, 6.0]), fake=np.array([0.0]))
    assert mid == pytest.approx(2.5) and hi - mid == pytest.approx(mid - lo)
    assert hi - mid == pytest.approx(np.percentile(np.abs(grid - 2.5), 98))


def test_accuracy_uses_the_losses_own_boundary():
    real, fake = np.array([0.3, 0.6, 0.9]), np.array([0.2, 0.4, 0.7])
    assert tl.accuracy(tl.output_scale("least_squares"), real, fake) == pytest.approx(0.5 * (2 / 3 + 2 / 3))
    assert tl.accuracy(tl.output_scale("hinge"), real, fake) == pytest.approx(0.5 * (1 + 0))
    assert math.isnan(tl.accuracy(tl.output_scale("wgan_gp"), real, fake))


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares", "hinge", "wgan_gp"])
def test_d_outputs_recorder_against_the_batch_by_hand(loss):
    """The recorded means and accuracy equal those computed from the logits of the step's last D update."""
    tr = make_trainer(loss=loss, d_steps=2)
    rec = tl.DOutputs().attach(tr)
    seen = {}

    def keep(t):
        if t.state.d_iter == t.d_steps - 1:
            seen["r"], seen["f"] = t.state.real_logits.detach().numpy(), t.state.fake_logits.detach().numpy()

    tr.on("d_forward_end", keep)
    tr.run(3, progress=False)
    scale = tl.output_scale(loss)
    r, f = tl.on_scale(scale, seen["r"]), tl.on_scale(scale, seen["f"])
    assert tr.history["d_out_real"].values[-1] == pytest.approx(r.mean(), rel=1e-5)
    assert tr.history["d_out_fake"].values[-1] == pytest.approx(f.mean(), rel=1e-5)
    acc = tr.history["d_acc"].values[-1]
    if scale.boundary is None:
        assert math.isnan(acc)
    else:
        assert acc == pytest.approx(tl.accuracy(scale, r, f))
    rec.detach()


def test_switching_loss_switches_what_the_lab_draws(lab):
    lab.step(2)
    for loss in ("least_squares", "hinge", "wgan_gp", "non_saturating"):
        lab.set(loss=loss)
        scale = tl.output_scale(loss)
        assert lab.scale is scale and lab.charts.scale is scale
        assert lab.w_scale_note.value.startswith(scale.caption.split(" (")[0].replace("'", "&#x27;"))
        assert "own scale" in lab.w_message.value and lab.scale_since == lab.tr.state.step
        lab.step(2)
        assert lab.charts.ax_d.get_ylabel() == scale.short
        assert lab.charts.boundary.get_visible() == (scale.boundary is not None)
        assert lab.charts.no_acc.get_visible() == (scale.boundary is None)
        assert lab.charts.chance.get_ydata()[0] == pytest.approx(scale.chance_loss)
        assert len(lab.charts.l_d.get_xdata()) == 2              # the loss charts restart at the switch
    info = lab.inspect(3)
    assert info["scale"] == "probability" and 0 < info["D(G(z))"] < 1


def test_a_critic_is_never_drawn_as_a_probability(lab):
    lab.set(loss="wgan_gp")
    lab.step(3)
    lab.w_show_pick.value = True
    info = lab.inspect(0)
    raw = float(tl.d_scores(lab.tr, np.array([info["G(z)"]]))[0])
    assert info["scale"] == "critic score" and info["D(G(z))"] == pytest.approx(raw, rel=1e-5)
    assert "probability" not in lab.charts.ax_d.get_ylabel() and "critic score" in lab.w_inspect.value
    assert all(math.isnan(a) for a in lab.tr.history["d_acc"].values[-3:])


# --------------------------------------------------------------------------- following G's samples
def test_follow_extent_zooms_out_in_steps_and_back_without_flicker():
    base = (-1.0, 1.0, -1.0, 1.0)
    inside = np.random.default_rng(0).uniform(-0.9, 0.9, (200, 2))
    assert tl.follow_extent(base, inside) == (base, 1.0, 0)
    far = inside * 3                                             # out to +-2.7
    extent, zoom, outside = tl.follow_extent(base, far)
    assert zoom == 3.375 and extent == (-3.375, 3.375, -3.375, 3.375) and outside == 0
    back = inside * 1.3                                          # fits 1.5, and 1.35 (= 1.5 x 0.9)
    assert tl.follow_extent(base, back, zoom)[1] == 1.5
    edge = inside * 1.05                                         # fits 1.5, but not 0.9 (1.0's margin)
    assert tl.follow_extent(base, edge, 1.5)[1] == 1.5
    assert tl.follow_extent(base, inside, 1.5)[1] == 1.0
    wild = np.concatenate([inside, [[100.0, 0.0]] * 10])         # 10 of 210 beyond even the widest frame
    extent, zoom, outside = tl.follow_extent(base, wild)
    assert zoom == tl.ZOOMS[-1] and outside == 10


def test_the_lab_says_when_it_zoomed_out(lab):
    far = lab.real_view * 4
    lab._follow(far)
    assert lab.zoom > 1 and lab.plane.extent != lab.base_extent and lab.plane.frame.get_visible()
    assert "Zoomed out ×" in lab.w_scale_note.value and "dashed square" in lab.w_scale_note.value
    lab._follow(lab.real_view)
    assert lab.zoom == 1 and not lab.plane.frame.get_visible() and "Zoomed" not in lab.w_scale_note.value


# --------------------------------------------------------------------------- lesson 04's experiment, on demand
def fresh_prediction(monkeypatch, qid="04-more-d"):
    import copy
    q = copy.copy(quiz.get(qid))
    q._widget, q.panel, q.committed, q.shown_without_prediction, q._scored = None, None, None, False, None
    monkeypatch.setitem(quiz.questions.ALL, qid, q)
    return q


class Fake:
    def __init__(self, outcome):
        self.outcome = outcome


def test_experiment_panel_waits_for_its_button_in_voila(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    q = fresh_prediction(monkeypatch)
    calls = []

    def run(progress):
        for f in (0.25, 0.5, 1.0):
            progress(f)
            calls.append(panel.bar.value)
        print("SECRET TABLE")
        return Fake("k5")

    panel = ExperimentPanel("04-more-d", run).start()
    assert calls == [] and panel.result is None and panel.bar.layout.display == "none"     # nothing ran yet
    q.select("k5").commit()
    panel.button.click()                                          # what the learner does in Voila
    assert calls == [0.25, 0.5, 1.0] and panel.result.outcome == "k5"
    assert panel.controls.children == () and panel.bar.comm is None and panel.button.comm is None   # closed
    reveal = panel.body.children[0]
    assert "right" in reveal.children[0].value and "SECRET TABLE" in reveal.children[2].children[0].value


def test_experiment_panel_runs_at_once_in_jupyter_and_fails_loudly_when_the_claim_fails(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    q = fresh_prediction(monkeypatch)
    panel = ExperimentPanel("04-more-d", lambda progress: Fake("k5")).start()
    assert panel.result.outcome == "k5" and "commit your prediction" in panel.body.children[0].children[0].value.lower()
    with pytest.raises(ClaimFailed):
        ExperimentPanel("04-more-d", lambda progress: Fake("k25")).start()
    button_mode = ExperimentPanel("04-more-d", lambda progress: Fake("k25"))
    button_mode.button.click()                                    # in Voila: shown in the panel, not lost
    assert "ClaimFailed" in button_mode.status.value and not button_mode.button.disabled
    assert "k25" not in button_mode.status.value and q.committed is None
    with pytest.raises(ValueError, match="not a prediction"):
        ExperimentPanel("04-count", lambda progress: None)


def lesson_experiment() -> tl.MoreDSteps:
    """The experiment exactly as lesson 04's notebook builds it."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = next(c.source for c in nb.cells if c.cell_type == "code" and "MoreDSteps(" in c.source)
    call = next(n for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", "")) == "MoreDSteps")
    return tl.MoreDSteps(*[ast.literal_eval(a) for a in call.args],
                         **{k.arg: ast.literal_eval(k.value) for k in call.keywords})


def test_lesson04_prediction_is_right_every_time_after_clicking_around_the_lab(monkeypatch):
    """Commit the right answer, click around the lab (and disturb every global random state),
    run the lesson's reveal twice: right both times, the same numbers, counted once."""
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    from gan_edu.widgets.lab import show_more_d

    q = fresh_prediction(monkeypatch)
    key = next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)
    q.select(key).commit()
    lab = TrainingLab(width=16, batch_size=32, n_points=100)
    experiment = lesson_experiment()
    tables = []
    for clicks in range(2):
        lab.w_step.click()
        lab.w_per_click.value = 10
        lab.w_step.click()
        lab.set(loss="hinge", d_steps=3, beta1=0.8)
        lab.w_data.value = "grid"
        lab.w_slow.value = True
        lab.step()
        lab.set(g_width=24)
        torch.manual_seed(1000 + clicks)
        np.random.seed(clicks)
        panel = ExperimentPanel("04-more-d", lambda progress: show_more_d(experiment, progress)).start()
        reveal = panel.body.children[0]
        assert "right" in reveal.children[0].value and q.panel.revealed, clicks
        tables.append(panel.result.table)
        assert all(line.endswith("True") for line in experiment.checks())
    assert tables[0] == tables[1]
    assert quiz.progress()["04-more-d"]["attempts"] == 1 and quiz.progress()["04-more-d"]["correct"]


def test_more_d_result_reads_its_table_and_says_why_a_cloud_captures_modes():
    def row(k, jsd, modes, hq, loss_d, acc, d_fake):
        return {"seed": 0, "k": k, "jsd": jsd, "modes": modes, "hq": hq, "loss_d": loss_d, "d_acc": acc,
                "d_fake": d_fake, "d_updates": 300 * k}

    rows = {1: [row(1, 0.68, 5, 0.01, 1.36, 0.69, 0.49)], 5: [row(5, 0.62, 7, 0.05, 0.82, 0.87, 0.32)],
            25: [row(25, 0.68, 3, 0.0, 0.13, 0.98, 0.04)]}
    result = tl.MoreDResult((1, 5, 25), 300, (0,), rows, trainers={})
    assert result.outcome == "k5" and [r["k"] for r in result.table] == [1, 5, 25]
    assert all(line.endswith("True") for line in result.checks())
    text = result.summary()
    assert "Closest to the ring: k = 5" in text and "belongs to k = 25" in text and "8x weaker" in text
    assert 'k = 1\'s cloud "captures" 5.0 modes' in text
    rows[25][0]["loss_d"] = 0.9                                  # now the best G has the lowest D loss
    rows[5][0]["loss_d"] = 0.5
    assert "the lowest D loss does not belong to the G closest to the ring: False" in result.checks()
