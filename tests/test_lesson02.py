"""Lesson 02: the discriminator widget, its measurements, its plots and its checkpoints."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import make_trainer, params_of, same
from matplotlib.figure import Figure

import gan_edu as ge
from gan_edu import quiz
from gan_edu.viz import discriminator as vd
from gan_edu.widgets import discriminator as dsc


def test_measurements_live_in_their_own_module_and_the_widget_module_re_exports_them():
    for name in ge.discriminator.__all__:
        assert getattr(dsc, name) is getattr(ge.discriminator, name)


@pytest.fixture
def w():
    return dsc.DTrainer(make_trainer(), n_eval=100, n_grid=16)



# --------------------------------------------------------------------------- measurements
def test_bce_by_hand_matches_torch():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(12, generator=g) * 3
    labels = torch.tensor([1.0, 0.0] * 6)
    by_torch = F.binary_cross_entropy_with_logits(logits, labels).item()
    assert math.isclose(dsc.bce_by_hand(logits.tolist(), labels.tolist()), by_torch, rel_tol=1e-5)
    assert math.isclose(dsc.bce_by_hand([0.0, 0.0], [1, 0]), math.log(2))


@pytest.mark.parametrize("logits, labels, match", [([], [], "non-empty"), ([1.0], [1, 0], "same length"),
                                                   ([1.0], [2], "labels\\[0\\]"), ([float("nan")], [1], "logits\\[0\\]")])
def test_bce_by_hand_validates(logits, labels, match):
    with pytest.raises(ValueError, match=match):
        dsc.bce_by_hand(logits, labels)


def test_score_d_counts_by_hand():
    tr = make_trainer()
    real, fake = tr.data.sample(50), tr.sample(50)
    s = dsc.score_d(tr, real, fake)
    with torch.no_grad():
        lr, lf = tr.D(real), tr.D(fake)
    assert s.acc_real == (lr > 0).float().mean().item() and s.acc_fake == (lf < 0).float().mean().item()
    assert s.accuracy == pytest.approx(0.5 * (s.acc_real + s.acc_fake))
    assert s.bce == pytest.approx(ge.losses.bce_d_loss(lr, lf).item(), rel=1e-6)
    np.testing.assert_allclose(s.p_real, torch.sigmoid(lr).numpy(), rtol=1e-6)
    assert dsc.score_d(tr.D, real, fake).bce == pytest.approx(s.bce)         # a bare D works too
    with pytest.raises(ValueError, match="real"):
        dsc.score_d(tr, torch.zeros(0, 2), fake)
    with pytest.raises(TypeError, match="trainer_or_d"):
        dsc.score_d("D", real, fake)


def test_train_d_only_moves_only_d():
    tr = make_trainer()
    g0, d0 = params_of(tr.G), params_of(tr.D)
    real, fake = tr.data.sample(100), tr.sample(100)
    out = dsc.train_d_only(tr, 5, real, fake)
    assert same(g0, params_of(tr.G)) and not same(d0, params_of(tr.D))
    assert list(out["updates"]) == [0, 1, 2, 3, 4, 5] and tr.state.d_updates == 5
    assert len(out["accuracy"]) == len(out["bce"]) == len(out["d_real"]) == len(out["d_fake"]) == 6
    with pytest.raises(ValueError, match="n must be >= 1"):
        dsc.train_d_only(tr, 0, real, fake)


def test_first_reaching():
    assert dsc.first_reaching([0.5, 0.98, 0.99, 1.0]) == 2
    assert dsc.first_reaching([0.5, 0.7], 0.99) is None
    assert dsc.first_reaching(np.array([0.2, 0.6]), 0.5) == 1
    with pytest.raises(ValueError, match="level"):
        dsc.first_reaching([0.5], 1.5)


def test_g_signal_identities_and_changes_nothing():
    tr = make_trainer()
    tr.run(3, progress=False)
    before = params_of(tr.G, tr.D)
    grads = [None if p.grad is None else p.grad.clone() for p in [*tr.G.parameters(), *tr.D.parameters()]]
    z = tr.G.sample_noise(64, generator=torch.Generator().manual_seed(1))
    mm = dsc.g_signal(tr, z, "minimax")
    ns = dsc.g_signal(tr, z, "non_saturating")
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l);  d/dl -log sigmoid(l) = -(1 - sigmoid(l))
    assert mm.logit_grad == pytest.approx(mm.d_fake, rel=1e-5)
    assert ns.logit_grad == pytest.approx(1 - ns.d_fake, rel=1e-5)
    assert mm.d_fake == ns.d_fake and -1 <= mm.agreement <= 1 and mm.param_grad > 0
    assert 0.05 <= mm.top_share <= 1 and 0.05 <= ns.top_share <= 1        # 4 of 64 fakes carry at least 4/64
    assert same(before, params_of(tr.G, tr.D))
    after = [p.grad for p in [*tr.G.parameters(), *tr.D.parameters()]]
    assert all((a is None and b is None) or torch.equal(a, b) for a, b in zip(grads, after))   # no .grad touched
    with pytest.raises(ValueError, match="z must hold at least 2 \\* n_batches = 16"):
        dsc.g_signal(tr, z[:10], "minimax")
    with pytest.raises(ValueError, match="loss"):
        dsc.g_signal(tr, z, "hinge")


def test_compare_g_signal_and_table():
    tr = make_trainer()
    other = dsc.with_discriminator(tr, ge.models.MLPDiscriminator(in_dim=2, hidden=8, depth=1))
    z = tr.G.sample_noise(32, generator=torch.Generator().manual_seed(0))
    sig = dsc.compare_g_signal({"a": tr, "b": other}, z)
    assert set(sig) == {"minimax", "non_saturating"} and set(sig["minimax"]) == {"a", "b"}
    real, fake = tr.data.sample(20), tr.sample(20)
    table = dsc.format_signal_table(sig, {"a": dsc.score_d(tr, real, fake)})
    assert "minimax" in table and "non-saturating" in table and "agree" in table and "top 5%" in table
    assert all(len(line) <= 88 for line in table.splitlines())
    with pytest.raises(ValueError, match="trainers"):
        dsc.compare_g_signal({}, z)


def test_with_discriminator_copies_g_and_settings():
    tr = make_trainer(lr_d=3e-4)
    D = ge.models.MLPDiscriminator(in_dim=2, hidden=8, depth=1)
    t2 = dsc.with_discriminator(tr, D, lr_d=1e-4)
    assert t2.G is not tr.G and same(params_of(tr.G), params_of(t2.G)) and t2.D is D
    assert t2.batch_size == tr.batch_size and t2.lr_d == 1e-4 and t2.data is tr.data
    with pytest.raises(TypeError, match="D must be"):
        dsc.with_discriminator(tr, "D")


# --------------------------------------------------------------------------- the prediction's experiment
def test_lesson_trainer_is_the_same_every_time_and_leaves_the_random_state_alone():
    state = torch.get_rng_state()
    a, b = dsc.lesson_trainer(0), dsc.lesson_trainer(0)
    assert torch.equal(state, torch.get_rng_state())
    assert same(params_of(a.G, a.D), params_of(b.G, b.D)) and a.batch_size == 128 and a.loss.name == "non_saturating"
    assert not same(params_of(a.G), params_of(dsc.lesson_trainer(1).G))


def test_held_out_samples_are_the_widgets_and_fixed():
    tr = dsc.lesson_trainer(0)
    real, z = dsc.held_out(tr, 50, seed=3)
    w = dsc.DTrainer(tr, n_eval=50, n_grid=8, eval_seed=3)
    assert torch.equal(real, w.real_eval) and torch.equal(z, w.z_eval)
    tr.step_d()                                                   # training does not change them
    again = dsc.held_out(tr, 50, seed=3)
    assert torch.equal(real, again[0]) and torch.equal(z, again[1])


def test_ring_gaps_lie_halfway_between_the_modes():
    from gan_edu.lessons.scoring import _ring_gaps

    gaps = _ring_gaps(ge.data.ring(radius=2.0))
    angles = torch.atan2(gaps[:, 1], gaps[:, 0]).sort().values
    np.testing.assert_allclose(gaps.norm(dim=1).numpy(), 2.0, rtol=1e-6)
    np.testing.assert_allclose(np.diff(angles.numpy()), 2 * math.pi / 8, atol=1e-5)
    np.testing.assert_allclose(angles[0].item(), -7 * math.pi / 8, atol=1e-5)      # pi/8 off a mode's angle
    with pytest.raises(ValueError, match="ring of Gaussians in 2D"):
        _ring_gaps(ge.data.gaussian_1d())


@pytest.mark.parametrize("seed", [0, 1, 3, 7])
def test_keep_training_shows_the_lessons_claims_for_several_seeds(seed):
    """The lesson runs seed 0; the claim (and the prediction's answer) must not hang on it. Seed 7 is
    the slowest we found to reach 99 % (after 101 updates)."""
    run = dsc.keep_training(seed=seed)
    assert run.outcome == "falls" and run.drop < 0.3
    assert all(run.claims.values()), run.claims
    assert run.first is not None and run.first <= 110
    assert "D first reached 99 % accuracy" in run.report() and "True" in run.report()


def test_keep_training_outcome_and_claims_read_the_history():
    run = dsc.keep_training(updates=12)
    h = run.history
    assert len(h["bce"]) == 13 and run.first == dsc.first_reaching(h["accuracy"], 0.99)
    for end, outcome in ((0.4, "falls"), (1.0, "flat"), (1.2, "rises")):
        h["bce"][-1] = end * h["bce"][run.first]
        assert run.outcome == outcome
    run.gaps[0] = 0.3                                             # D says 'fake' at one gap: the claim fails
    assert not run.claims["D says 'real' (D(x) > 0.5) at every gap between the real modes"]
    with pytest.raises(AssertionError, match="every gap between the real modes"):
        run.report()
    never = dsc.keep_training(updates=1, level=1.0)              # 87 % at the start, not 100 % after one update
    assert never.first is None and not never.claims["D reached 100 % accuracy within 1 update"]
    with pytest.raises(ValueError, match="never reached 100 %"):
        never.outcome  # noqa: B018


def test_check_claims_prints_them_or_names_the_false_ones():
    assert dsc.check_claims({"a holds": True, "b holds": True}) == "a holds: True\nb holds: True"
    with pytest.raises(AssertionError, match="does not show what the lesson claims: b holds; c holds"):
        dsc.check_claims({"a holds": True, "b holds": False, "c holds": False})


# --------------------------------------------------------------------------- the widget
def test_button_trains_only_d(w):
    tr = w.trainer
    g0, d0, png0 = params_of(tr.G), params_of(tr.D), w.view.image.value
    w.per_click.value = 5
    assert w.train_button.description == "train D ×5"
    w.train_button.click()
    assert same(g0, params_of(tr.G)) and not same(d0, params_of(tr.D))
    assert tr.state.d_updates == 5 and w.d_updates == 5 and tr.state.g_updates == 0
    assert w.view.image.value != png0 and w.g_unchanged
    assert w.scrub.max == 5 and w.scrub.value == 5 and w.shown == 5
    h = w.history
    assert list(h["updates"]) == [0, 1, 2, 3, 4, 5] and math.isnan(h["batch_loss"][0])
    assert w.batch_loss == tr.state.loss_d and 0 <= w.accuracy <= 1 and w.loss > 0
    assert "D updates: 5" in w.status.value and "unchanged" in w.status.value


def test_reset_restores_and_replays_identically(w):
    tr = w.trainer
    d0, acc0, loss0 = params_of(tr.D), w.accuracy, w.loss
    w.train_d(4)
    first_run = w.history["bce"].copy()
    w.reset_button.click()
    assert same(d0, params_of(tr.D)) and w.d_updates == 0 and tr.state.d_updates == 0
    assert w.accuracy == acc0 and w.loss == loss0 and w.scrub.max == 0
    w.train_d(4)
    np.testing.assert_array_equal(w.history["bce"], first_run)


def test_scrub_shows_an_earlier_update(w):
    w.train_d(3)
    png = w.view.image.value
    w.scrub.value = 1
    assert w.shown == 1 and w.view.image.value != png and "showing update 1" in w.status.value
    assert w.d_updates == 3                                    # looking back does not train or forget
    w.show(3)
    assert w.scrub.value == 3
    with pytest.raises(ValueError, match="update must be <= 3"):
        w.show(4)


def test_g_changed_elsewhere_is_reported(w):
    w.trainer.step_g()
    w.train_d(1)
    assert not w.g_unchanged and "G has changed" in w.status.value


def test_errors_from_a_click_are_shown_not_raised(w, monkeypatch):
    def boom():
        raise RuntimeError("diverged")

    monkeypatch.setattr(w.trainer, "step_d", boom)
    w.train_button.click()
    assert w.error == "RuntimeError: diverged" and "diverged" in w.status.value


def test_widget_validation():
    tr = make_trainer()
    with pytest.raises(ValueError, match="per_click"):
        dsc.DTrainer(tr, per_click=7)
    with pytest.raises(ValueError, match="n_eval"):
        dsc.DTrainer(tr, n_eval=2)
    with pytest.raises(ValueError, match="loss must be one of"):
        dsc.DTrainer(make_trainer(loss="hinge"))
    with pytest.raises(ValueError, match="2D points"):
        dsc.DTrainer(make_trainer(data=ge.data.gaussian_1d()))
    with pytest.raises(TypeError, match="Trainer"):
        dsc.DTrainer(tr.D)
    with pytest.raises(ValueError, match="extent"):
        dsc.DTrainer(tr, extent=(1, 0, 0, 1))
    w = dsc.DTrainer(tr, n_eval=20, n_grid=8, max_per_call=10)
    with pytest.raises(ValueError, match="n must be <= 10"):
        w.train_d(11)
    with pytest.raises(ValueError, match="n must be >= 1"):
        w.train_d(0)


def test_widget_has_its_css_classes(w):
    classes = {c for part in (w.widget, w.train_button, w.per_click, w.reset_button, w.scrub, w.status, w.view.image)
               for c in part._dom_classes}
    assert {"ge-dtrainer", "ge-dtrainer-train", "ge-dtrainer-n", "ge-dtrainer-reset", "ge-dtrainer-scrub",
            "ge-dtrainer-status", "ge-dtrainer-view"} <= classes
    assert "DTrainer d_updates=0" in repr(w)


# --------------------------------------------------------------------------- plots
def test_plot_helpers_return_figures():
    tr = make_trainer()
    real, fake = tr.data.sample(50), tr.sample(50)
    ext = (-1.5, 1.5, -1.5, 1.5)
    run = dsc.train_d_only(tr, 3, real, fake)
    z = tr.G.sample_noise(32, generator=torch.Generator().manual_seed(0))
    sig = dsc.compare_g_signal({"D": tr}, z)
    figs = [
        vd.plot_sigmoid_bce(),
        vd.plot_d_plane(tr, real=real, fake=fake, title="t"),
        vd.plot_d_plane(tr.D, extent=ext, n_grid=8, colorbar=False),
        vd.plot_d_planes({"a": tr, "b": tr}, real=real, fake=fake, n_grid=8),
        vd.plot_accuracy_curves({"D": (run["updates"], run["accuracy"])}, marker=1),
        vd.plot_loss_curves({"D": (run["updates"], run["bce"]), "E": (run["updates"], run["bce"] / 2)}),
        vd.plot_runs({"D": run}),
        vd.DTrainerFigure(ext, real, fake).update(np.full((8, 8), 0.5), np.full(50, 0.6), np.full(50, 0.4),
                                                  run["updates"], run["accuracy"], run["bce"], current=2, title="x"),
        vd.plot_gradient_bars({"minimax": {"weak": 0.3, "strong": 0.01}, "ns": {"weak": 0.4, "strong": 8.0}}),
        vd.plot_g_signal(sig, fields=("d_fake", "logit_grad", "sample_grad", "param_grad")),
        vd.plot_keep_training(dsc.keep_training(updates=3)),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    ax = vd.figure().add_subplot(111)
    assert vd.plot_accuracy_curves({"D": (run["updates"], run["accuracy"])}, ax=ax) is ax.figure


def test_plot_validation():
    tr = make_trainer()
    view = vd.DTrainerFigure((-1, 1, -1, 1), np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="apply sigmoid"):
        view.update(np.zeros((2, 2)), [0.2, 3.0], [0.1], [0], [0.5], [1.4])
    with pytest.raises(ValueError, match="at least one"):
        view.update(np.zeros((2, 2)), [], [0.1], [0], [0.5], [1.4])
    with pytest.raises(ValueError, match="extent is needed"):
        vd.plot_d_plane(tr.D)
    with pytest.raises(ValueError, match="extent must be"):
        vd.plot_d_plane(tr, extent=(0, 1, 0))
    with pytest.raises(ValueError, match=r"real must be 2D points"):
        vd.plot_d_plane(tr, real=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same length"):
        vd.plot_accuracy_curves({"D": ([0, 1, 2], [0.5, 0.6])})
    with pytest.raises(ValueError, match="non-empty"):
        vd.plot_loss_curves({})
    with pytest.raises(ValueError, match="target"):
        vd.plot_accuracy_curves({"D": ([0], [0.5])}, target=2)
    with pytest.raises(ValueError, match="positive finite"):
        vd.plot_gradient_bars({"minimax": {"weak": 0.0}})
    with pytest.raises(ValueError, match="fields"):
        vd.plot_g_signal({"minimax": {}}, fields=("nope",))
    with pytest.raises(ValueError, match="train_d_only"):
        vd.plot_runs({"D": {"updates": [0]}})


# --------------------------------------------------------------------------- checkpoints
def test_lesson02_checkpoints(progress_file):
    ids = {q for q in quiz._bank() if q.startswith("02-")}
    assert ids == {"02-sigmoid-half", "02-keep-training", "02-low-d-loss", "02-chance-bce"}
    assert quiz.get("02-sigmoid-half").select("c").check() is True
    assert quiz.get("02-sigmoid-half").select("a").check() is False
    assert quiz.get("02-low-d-loss").select("b").check() is True
    assert quiz.get("02-low-d-loss").select("c").check() is False
    assert quiz.get("02-chance-bce").answer_with(2 * math.log(2)).check() is True
    assert quiz.get("02-chance-bce").answer_with(0.0).check() is False
    pred = quiz.get("02-keep-training")
    assert set(pred.options) == {"falls", "flat", "rises"}        # the outcome keys KeepTraining.outcome gives
    assert "keeps falling" in pred.reveal("falls")
    assert quiz.get("02-d-only-speed") is pred                    # the replaced question's id still answers


@pytest.mark.parametrize("value, words", [(math.log(2), "one half"), (-math.log(2), "sign"), (4 * math.log(2), "both terms"),
                                          (math.log(2) / 2, "average"), (math.log10(2), "base 10"),
                                          (2 * math.log10(2), "base 10"), (-2 * math.log(2), "sign")])
def test_chance_bce_gives_targeted_feedback_for_common_slips(value, words):
    q = quiz.get("02-chance-bce")
    assert q.answer_with(round(value, 2)).check() is False
    assert words in q.feedback.value
