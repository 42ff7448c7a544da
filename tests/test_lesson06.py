"""Lesson 06: the quadrature of V and JSD against closed forms, the optimal discriminator (with
label smoothing), the training helpers, the equilibrium widget, its plots and its checkpoints."""
import math

import numpy as np
import pytest
import torch
from helpers import make_trainer, params_of, same
from matplotlib.figure import Figure

import gan_edu as ge
from gan_edu import quiz
from gan_edu.lessons import equilibrium as eq
from gan_edu.viz import equilibrium as veq
from gan_edu.widgets.equilibrium import EquilibriumExplorer

LOG2 = math.log(2)


def gauss(x, mu, s):
    return np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def kl_gauss(m1, s1, m2, s2):
    """KL(N(m1, s1^2) || N(m2, s2^2)) in closed form."""
    return math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5


X = np.linspace(-30, 30, 24001)        # fine and wide: quadrature error far below the tolerances



@pytest.fixture(scope="module")
def at_200():
    """The lesson's 1D GAN after 200 steps (G clearly not the data yet), built once."""
    tr = eq.build_1d(seed=0)
    tr.run(200, progress=False)
    return tr.snapshot()


# --------------------------------------------------------------------------- quadrature
def test_trapezoid_exact_for_lines_and_normalises_densities():
    x = np.linspace(0, 2, 5)
    assert eq.trapezoid(3 * x + 1, x) == pytest.approx(8.0)
    assert eq.trapezoid(gauss(X, 1.0, 0.7), X) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("m1, s1, m2, s2", [(0, 1, 0, 1), (0, 1, 1, 1), (0.5, 0.5, -1, 2), (2, 1.5, 1, 0.8)])
def test_kl_quad_matches_the_gaussian_closed_form(m1, s1, m2, s2):
    x = np.linspace(-15, 15, 12001)        # narrower than X: a density of 1e-300 must not underflow to 0 where p > 0
    assert eq.kl_quad(x, gauss(x, m1, s1), gauss(x, m2, s2)) == pytest.approx(kl_gauss(m1, s1, m2, s2), abs=1e-6)


def test_kl_quad_is_infinite_where_q_misses_mass():
    x = np.linspace(0, 1, 11)
    assert eq.kl_quad(x, np.ones(11), np.where(x < 0.5, 2.0, 0.0)) == math.inf


def test_jsd_quad_limits():
    p = gauss(X, 0, 1)
    assert eq.jsd_quad(X, p, p) == pytest.approx(0.0, abs=1e-12)                      # equal: 0
    assert eq.jsd_quad(X, p, gauss(X, 20, 1)) == pytest.approx(LOG2, abs=1e-9)        # disjoint: log 2
    q = gauss(X, 0.7, 1.3)
    assert eq.jsd_quad(X, p, q) == pytest.approx(eq.jsd_quad(X, q, p), abs=1e-12)     # symmetric
    for delta in (0.01, 0.05, 0.1):                     # equal variances, small shift: JSD ~ delta^2 / (8 sigma^2)
        s = 0.5
        j = eq.jsd_quad(X, gauss(X, 0, s), gauss(X, delta, s))
        assert j == pytest.approx(delta ** 2 / (8 * s ** 2), rel=0.02)
    seps = [0.5, 1, 2, 4, 8]                            # grows with the separation, stays below log 2
    js = [eq.jsd_quad(X, p, gauss(X, d, 1)) for d in seps]
    assert all(a < b for a, b in zip(js, js[1:])) and js[-1] < LOG2


def test_jsd_quad_of_shifted_uniforms_is_a_log_2():
    """U[0, 1] against U[a, 1 + a]: on the overlap the densities agree, on each of the two
    strips of width a one of them is 1 and the mixture 1/2, so JSD = a log 2."""
    x = np.linspace(-1, 3, 400001)
    for a in (0.25, 0.5, 1.5):
        p = ((x >= 0) & (x <= 1)).astype(float)
        q = ((x >= a) & (x <= 1 + a)).astype(float)
        assert eq.jsd_quad(x, p, q) == pytest.approx(min(a, 1) * LOG2, abs=1e-4)


def test_jsd_quad_agrees_with_the_discrete_jsd():
    x = np.linspace(-8, 8, 4001)
    p, q = gauss(x, 0, 1), gauss(x, 1.5, 0.6)
    assert eq.jsd_quad(x, p, q) == pytest.approx(ge.metrics.js_divergence(p, q), abs=1e-3)


def test_value_at_p_g_equal_p_data_is_minus_log_4():
    p = gauss(X, 2, 0.5)
    d = eq.d_star(p, p)
    assert np.all(d == 0.5)
    assert eq.value_quad(X, p, p, d) == pytest.approx(-math.log(4), abs=1e-9)
    assert eq.c_of_g(X, p, p) == pytest.approx(-math.log(4), abs=1e-9)


@pytest.mark.parametrize("mu, s", [(0.0, 1.0), (0.8, 1.0), (0.5, 0.4), (6.0, 1.0)])
def test_value_of_d_star_is_minus_log_4_plus_2_jsd(mu, s):
    p, q = gauss(X, 0, 1), gauss(X, mu, s)
    v_star = eq.value_quad(X, p, q, eq.d_star(p, q))
    assert v_star == pytest.approx(-math.log(4) + 2 * eq.jsd_quad(X, p, q), abs=1e-8)
    assert v_star == pytest.approx(eq.c_of_g(X, p, q), abs=1e-8)


def test_d_star_maximises_v():
    p, q = gauss(X, 0, 1), gauss(X, 1, 0.7)
    ds = eq.d_star(p, q)
    v_star = eq.value_quad(X, p, q, ds)
    for other in (np.full_like(ds, 0.5), np.clip(ds + 0.05, 0, 1), np.clip(ds - 0.05, 0, 1), ds ** 2):
        assert eq.value_quad(X, p, q, other) < v_star
    assert eq.value_quad(X, p, q, np.full_like(ds, 0.5)) == pytest.approx(-math.log(4), abs=1e-9)   # chance


def test_disjoint_densities_reach_the_top_value():
    x = np.linspace(-10, 30, 40001)
    p, q = gauss(x, 0, 1), gauss(x, 20, 1)
    assert eq.c_of_g(x, p, q) == pytest.approx(0.0, abs=1e-9)                  # -log 4 + 2 log 2
    assert eq.value_quad(x, p, q, eq.d_star(p, q)) == pytest.approx(0.0, abs=1e-6)


# --------------------------------------------------------------------------- label smoothing
def test_d_star_with_label_smoothing():
    p, q = np.array([0.3, 0.2, 0.0, 0.5]), np.array([0.1, 0.2, 0.4, 0.0])
    np.testing.assert_allclose(eq.d_star(p, q, real_label=0.9), 0.9 * p / (p + q))
    assert float(eq.d_star(1.0, 1.0, real_label=0.9)) == pytest.approx(0.45)


def test_smoothed_d_star_is_the_pointwise_maximiser():
    """r p log D + ((1 - r) p + q) log(1 - D) over a fine grid of D: the best D is r p / (p + q)."""
    grid = np.linspace(1e-4, 1 - 1e-4, 200001)
    for r in (1.0, 0.9, 0.7):
        for p, q in ((0.3, 0.1), (0.2, 0.2), (0.05, 0.6)):
            objective = r * p * np.log(grid) + ((1 - r) * p + q) * np.log(1 - grid)
            assert grid[objective.argmax()] == pytest.approx(float(eq.d_star(p, q, real_label=r)), abs=1e-4)


def test_smoothed_value_is_maximised_by_the_smoothed_d_star():
    p, q = gauss(X, 0, 1), gauss(X, 0.5, 1.2)
    best = eq.value_quad(X, p, q, eq.d_star(p, q, 0.9), real_label=0.9)
    assert eq.value_quad(X, p, q, eq.d_star(p, q), real_label=0.9) < best
    assert eq.value_quad(X, p, q, np.clip(eq.d_star(p, q, 0.9) + 0.03, 0, 1), real_label=0.9) < best


@pytest.mark.parametrize("r", [1.0, 0.9, 0.8])
def test_equilibrium_losses_match_the_trainer_losses(r):
    loss_d, loss_g = eq.equilibrium_losses(r)
    logit = torch.logit(torch.full((8,), r / 2, dtype=torch.float64))       # D = r/2 on every sample
    ns = ge.losses.get("non_saturating")
    assert ns.d_loss(logit, logit, r).item() == pytest.approx(loss_d, rel=1e-9)
    assert ns.g_loss(logit).item() == pytest.approx(loss_g, rel=1e-9)
    if r == 1.0:
        assert (loss_d, loss_g) == pytest.approx((eq.D_LOSS_AT_EQUILIBRIUM, eq.G_LOSS_AT_EQUILIBRIUM))
        assert loss_d == pytest.approx(2 * LOG2) and loss_g == pytest.approx(LOG2)


# --------------------------------------------------------------------------- validation of the maths
def test_quadrature_validation():
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="increasing"):
        eq.jsd_quad(x[::-1], np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match="one value per grid point"):
        eq.kl_quad(x, np.ones(4), np.ones(5))
    with pytest.raises(ValueError, match="q is a density"):
        eq.jsd_quad(x, np.ones(5), -np.ones(5))
    with pytest.raises(ValueError, match="finite"):
        eq.trapezoid([1, 2, np.nan, 4, 5], x)
    with pytest.raises(ValueError, match="probabilities"):
        eq.value_quad(x, np.ones(5), np.ones(5), np.full(5, 1.5))
    with pytest.raises(ValueError, match="real_label"):
        eq.d_star(np.ones(3), np.ones(3), real_label=0.0)
    with pytest.raises(ValueError, match="real_label"):
        eq.equilibrium_losses(1.2)
    with pytest.raises(ValueError, match="at least 2 points"):
        eq.trapezoid([1.0], [0.0])


# --------------------------------------------------------------------------- the 1D GAN and its measurements
def test_build_line_support():
    tr = eq.build_1d(seed=0)
    assert tr.data.shape == (1,) and tr.G.latent_dim == 1 and tr.lr_d == 5 * tr.lr_g
    x = eq.line(tr.data)
    assert x[0] == pytest.approx(-1.0) and x[-1] == pytest.approx(4.5) and x.size == 400
    mask = eq.support(x, tr.data)
    assert x[mask].min() >= 1.0 - 1e-9 and x[mask].max() <= 3.0 + 1e-9
    with pytest.raises(ValueError, match="1D Gaussian"):
        eq.line(ge.data.ring())
    with pytest.raises(ValueError, match="hi must be > lo"):
        eq.line(tr.data, lo=2.0, hi=1.0)
    with pytest.raises(ValueError, match="n_std"):
        eq.support(x, tr.data, n_std=0)


def test_curves_are_consistent():
    tr = eq.build_1d(seed=0)
    tr.run(20, progress=False)
    c = eq.curves(tr, n_samples=3000)
    x = c.x
    np.testing.assert_allclose(c.p_data, tr.data.density(x[:, None]))
    np.testing.assert_allclose(c.p_g, ge.metrics.kde_1d(c.samples, x))
    np.testing.assert_allclose(c.d, tr.d_prob(torch.tensor(x, dtype=torch.float32)[:, None]).numpy(), atol=1e-6)
    np.testing.assert_allclose(c.d_star, eq.d_star(c.p_data, c.p_g))
    assert c.step == 20 and c.real_label == 1.0 and len(c.z) == len(c.gz) == 15
    assert np.all(np.diff(c.z) > 0)                                              # equal-probability quantiles
    again = eq.curves(tr, n_samples=3000)
    np.testing.assert_array_equal(c.p_g, again.p_g)                             # fixed noise: no flicker
    # the same from (G, D, data), as the widget does with timeline snapshots
    same_c = eq.curves(G=tr.G, D=tr.D, data=tr.data, n_samples=3000, step=20)
    np.testing.assert_array_equal(c.d, same_c.d)
    smoothed = eq.curves(eq.build_1d(real_label=0.9), n_samples=500)
    assert smoothed.real_label == 0.9 and smoothed.d_star.max() <= 0.9 + 1e-12


def test_curves_validation():
    with pytest.raises(ValueError, match="1D Gaussian"):
        eq.curves(make_trainer())
    with pytest.raises(TypeError, match="pass a trainer"):
        eq.curves(G=eq.build_1d().G)
    with pytest.raises(ValueError, match="n_samples"):
        eq.curves(eq.build_1d(), n_samples=1)


def test_gap_and_theory_numbers():
    tr = eq.build_1d(seed=0)
    c = eq.curves(tr, n_samples=2000)
    perfect = c._replace(d=c.d_star)
    assert eq.gap(perfect, tr.data) == (0.0, 0.0)
    shifted = c._replace(d=np.clip(c.d_star - 0.03, 0, 1))     # D* is near 1 on the data at step 0
    g = eq.gap(shifted, tr.data)
    assert g.max == pytest.approx(0.03, abs=1e-9) and g.mean <= g.max
    n = eq.theory_numbers(perfect)
    assert n.v_star == pytest.approx(n.c_of_g, abs=1e-3) and n.v_learned == pytest.approx(n.v_star)
    assert n.mass_data == pytest.approx(1.0, abs=1e-3)
    with pytest.raises(TypeError, match="Curves"):
        eq.gap("c", tr.data)
    with pytest.raises(TypeError, match="Curves"):
        eq.theory_numbers(None)


# --------------------------------------------------------------------------- training helpers
def test_train_d_to_optimum_freezes_g_and_restores_lr():
    tr = eq.build_1d(seed=0)
    tr.run(3, progress=False)
    g0, d0 = params_of(tr.G), params_of(tr.D)
    n = eq.train_d_to_optimum(tr, schedule=[(4, 1e-2), (3, 1e-4)])
    assert n == 7 and tr.state.d_updates == 3 + 7 and tr.state.step == 3
    assert same(g0, params_of(tr.G)) and not same(d0, params_of(tr.D))
    assert tr.lr_d == 1e-3 and all(gr["lr"] == 1e-3 for gr in tr.opt_d.param_groups)
    for bad, match in (([], "at least one"), ([(0, 1e-3)], "updates"), ([(5, -1.0)], "lr"), (5, "pairs")):
        with pytest.raises((ValueError, TypeError), match=match):
            eq.train_d_to_optimum(tr, schedule=bad)
    with pytest.raises(TypeError, match="Trainer"):
        eq.train_d_to_optimum(tr.D)


def test_train_keeping_and_fork():
    tr = eq.build_1d(seed=0)
    kept = eq.train_keeping(tr, [0, 5, 3], progress=False)
    assert sorted(kept) == [0, 3, 5] and tr.state.step == 5
    assert kept[3]["counters"]["step"] == 3
    f = eq.fork(tr, kept[3])
    assert f.state.step == 3 and f is not tr and f.G is not tr.G
    f.run(2, progress=False)
    assert tr.state.step == 5 and len(tr.history["loss_d"]) == 5          # the original is untouched
    g = eq.fork(tr)
    assert same(params_of(g.G, g.D), params_of(tr.G, tr.D))
    with pytest.raises(ValueError, match="current step"):
        eq.train_keeping(tr, [2])
    with pytest.raises(ValueError, match="at least one"):
        eq.train_keeping(tr, [])


def test_fork_replays_the_original_exactly():
    tr = eq.build_1d(seed=0)
    kept = eq.train_keeping(tr, [2, 6], progress=False)
    f = eq.fork(tr, kept[2])
    f.run(4, progress=False)
    assert same(params_of(f.G, f.D), params_of(tr.G, tr.D))


def test_loss_tail_swing_nearest():
    tr = eq.build_1d(seed=0)
    tr.run(10, progress=False)
    tail = eq.loss_tail(tr.history, last=4)
    assert tail["loss_d"] == pytest.approx(np.mean(tr.history["loss_d"].values[-4:]))
    assert set(tail) == {"loss_d", "loss_g", "d_real", "d_fake"}
    t = np.arange(400)
    s = eq.swing(0.5 + 0.1 * np.sin(2 * np.pi * (t + 0.5) / 50), window=1)   # crosses at t = 24.5, 49.5, ..., 374.5
    assert s.ptp == pytest.approx(0.2, abs=1e-3) and s.crossings == 15 and s.mean == pytest.approx(0.5, abs=1e-3)
    flat = eq.swing(np.full(100, 0.5) + 1e-3 * (-1.0) ** np.arange(100), window=10)   # batch noise averages out
    assert flat.ptp < 1e-3
    with pytest.raises(ValueError, match="more than"):
        eq.swing(np.ones(5), after=2, window=10)
    assert eq.nearest(0.454, {"half": 0.5, "p45": 0.45, "p90": 0.9}) == "p45"
    with pytest.raises(ValueError, match="options"):
        eq.nearest(0.5, {})


# --------------------------------------------------------------------------- the widget
@pytest.fixture
def w():
    return EquilibriumExplorer(eq.build_1d(seed=0), n_samples=2000, per_click=10)


def test_step_button_changes_the_figure_and_the_step(w):
    image, frames = w.view.image.value, w.view.frames
    w.step_button.click()
    assert w.step_count == 10 and w.curves.step == 10 and w.error is None
    assert w.view.frames == frames + 1 and w.view.image.value != image
    w.per_click.value = 50
    assert w.step_button.description == "step ×50"
    w.step(5)
    assert w.step_count == 15 and w.timeline.steps[-1] == 15 and w.scrub.max == len(w.timeline) - 1


def test_scrub_shows_a_kept_snapshot_without_training(w):
    w.step(30)
    steps = list(w.timeline.steps)
    assert steps == [0, 10, 20, 30]
    w.scrub.value = 1
    assert w.curves.step == 10 and w.step_count == 30 and "snapshot" in w.status.value
    w.show(-1)
    assert w.curves.step == 30 and w.scrub.value == 3
    with pytest.raises(ValueError, match="index"):
        w.show(4)


def test_d_star_box_and_reset(w):
    w.d_star_box.value = False
    assert w.show_d_star is False and not w.picture.l_star.get_visible()
    w.set_d_star(True)
    assert w.d_star_box.value is True and w.picture.l_star.get_visible()
    start = params_of(w.trainer.G, w.trainer.D)
    w.step(20)
    w.reset_button.click()
    assert w.step_count == 0 and w.timeline.steps == [0] and same(start, params_of(w.trainer.G, w.trainer.D))


def test_optimum_button_brings_d_to_d_star(at_200):
    w = EquilibriumExplorer(eq.fork(eq.build_1d(seed=0), at_200))
    g0 = params_of(w.trainer.G)
    before = w.gap
    assert before.max > 0.1                                                   # D trained alongside G is not D*
    w.set_d_star(False)
    w.optimum_button.click()
    assert w.error is None and w.show_d_star and w.step_count == 200 and same(g0, params_of(w.trainer.G))
    assert w.gap.max < 0.05 and w.gap.mean < 0.01
    assert "D trained to the optimum" in w.picture.title.get_text() and "|D − D*| max" in w.status.value
    assert w.numbers.v_learned <= w.numbers.v_star + 1e-9


def test_errors_from_a_click_are_shown_not_raised(w, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("diverged")

    monkeypatch.setattr(w.trainer, "run", boom)
    w.step_button.click()
    assert w.error == "RuntimeError: diverged" and "diverged" in w.status.value


def test_widget_validation():
    with pytest.raises(ValueError, match="1D Gaussian"):
        EquilibriumExplorer(make_trainer())
    with pytest.raises(ValueError, match="loss must be one of"):
        EquilibriumExplorer(make_trainer(data=ge.data.gaussian_1d(), latent_dim=1, loss="hinge"))
    with pytest.raises(TypeError, match="Trainer"):
        EquilibriumExplorer(eq.build_1d().D)
    with pytest.raises(ValueError, match="per_click"):
        EquilibriumExplorer(eq.build_1d(), per_click=7)
    with pytest.raises(ValueError, match="schedule"):
        EquilibriumExplorer(eq.build_1d(), schedule=[])
    w = EquilibriumExplorer(eq.build_1d(), n_samples=200, max_per_call=10)
    with pytest.raises(ValueError, match="n must be <= 10"):
        w.step(11)
    with pytest.raises(ValueError, match="n must be >= 1"):
        w.step(0)
    with pytest.raises(TypeError, match="on must be True or False"):
        w.set_d_star("yes")


def test_widget_has_its_css_classes(w):
    parts = (w.widget, w.step_button, w.per_click, w.optimum_button, w.d_star_box, w.reset_button, w.scrub, w.status,
             w.view.image)
    classes = {c for part in parts for c in part._dom_classes}
    assert {"ge-eq", "ge-eq-step", "ge-eq-n", "ge-eq-optimum", "ge-eq-dstar", "ge-eq-reset", "ge-eq-scrub",
            "ge-eq-status", "ge-eq-view"} <= classes
    assert "EquilibriumExplorer step=0" in repr(w)


# --------------------------------------------------------------------------- plots
def test_plots_return_figures():
    tr = eq.build_1d(seed=0)
    c0 = eq.curves(tr, n_samples=500)
    tr.run(5, progress=False)
    c1 = eq.curves(tr, n_samples=500)
    assert isinstance(veq.plot_figure1_row([c0, c1], titles=["a", "b"]), Figure)
    fig, view = veq.draw_figure1(c1)
    assert isinstance(fig, Figure) and view.title.get_text() == "step 5"
    view.update(c0, title="again", show_d_star=False)
    assert not view.l_star.get_visible()
    assert isinstance(veq.plot_optimum(c0, c1, eq.support(c1.x, tr.data)), Figure)
    assert isinstance(veq.plot_balance({"run": tr.history}, last=3), Figure)
    assert isinstance(veq.plot_losses(tr.history, {"loss_d": 1.386, "loss_g": 0.693}, window=2), Figure)
    smoothed = eq.curves(eq.build_1d(real_label=0.9), n_samples=200)
    _, v = veq.draw_figure1(smoothed)
    assert v.l_level.get_visible() and v.l_level.get_ydata()[0] == pytest.approx(0.45)


def test_plot_validation():
    c = eq.curves(eq.build_1d(), n_samples=200)
    with pytest.raises(ValueError, match="at least one"):
        veq.plot_figure1_row([])
    with pytest.raises(ValueError, match="titles"):
        veq.plot_figure1_row([c], titles=["a", "b"])
    with pytest.raises(TypeError, match="Curves"):
        veq.plot_figure1_row([c.d])
    with pytest.raises(ValueError, match="support_mask"):
        veq.plot_optimum(c, c, np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="histories"):
        veq.plot_balance({})
    with pytest.raises(ValueError, match="targets"):
        veq.plot_losses(eq.build_1d().history, [1.0])


# --------------------------------------------------------------------------- checkpoints
def test_lesson06_checkpoints(progress_file):
    ids = {q for q in quiz._bank() if q.startswith("06-")}
    assert ids == {"06-dstar-value", "06-d-loss", "06-dloss-meaning", "06-smooth", "06-half", "06-circle"}
    assert quiz.get("06-dstar-value").answer_with(0.75).check() is True
    assert quiz.get("06-dstar-value").answer_with(0.5).check() is False
    assert quiz.get("06-d-loss").answer_with(2 * LOG2).check() is True
    assert quiz.get("06-d-loss").answer_with(LOG2).check() is False
    assert quiz.get("06-dloss-meaning").select("a").check() is True
    assert quiz.get("06-dloss-meaning").select("b").check() is False
    assert quiz.get("06-half").select("c").check() is True
    assert quiz.get("06-half").select("a").check() is False
    pred = quiz.get("06-smooth")
    assert set(pred.options) == {"half", "p45", "p55", "p90"}          # the outcome keys the notebook computes
    assert not any(text.endswith(".") for text in pred.options.values())
    assert "0.45" in pred.reveal("p45")


# --------------------------------------------------------------------------- the bilinear game, two ways
def torch_play(lr, steps, start, alternating):
    """min_x max_y xy with torch autograd and SGD, as a trainer would: the oracle for bilinear_paths."""
    x = torch.tensor(start[0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(start[1], dtype=torch.float64, requires_grad=True)
    opt_x, opt_y = torch.optim.SGD([x], lr=lr), torch.optim.SGD([y], lr=lr)
    path = [(x.item(), y.item())]
    for _ in range(steps):
        if alternating:                                  # D (y, the maximiser) first, then G (x) against the new y
            opt_y.zero_grad()
            (-(x * y)).backward()
            opt_y.step()
            opt_x.zero_grad()
            (x * y).backward()
            opt_x.step()
        else:                                            # both gradients at the same point, then both steps
            opt_x.zero_grad()
            opt_y.zero_grad()
            gx, gy = torch.autograd.grad(x * y, (x, y))
            x.grad, y.grad = gx, -gy
            opt_x.step()
            opt_y.step()
        path.append((x.item(), y.item()))
    return np.array(path)


@pytest.mark.parametrize("lr, steps, start", [(0.2, 48, (1.0, 1.0)), (0.05, 30, (-0.5, 2.0))])
def test_bilinear_paths_match_torch_and_the_closed_forms(lr, steps, start):
    g = eq.bilinear_paths(lr=lr, steps=steps, start=start)
    np.testing.assert_allclose(g.simultaneous, torch_play(lr, steps, start, alternating=False), atol=1e-12)
    np.testing.assert_allclose(g.alternating, torch_play(lr, steps, start, alternating=True), atol=1e-12)
    r0 = math.hypot(*start)
    np.testing.assert_allclose(eq.radius(g.flow), r0, atol=1e-12)                                  # a circle
    np.testing.assert_allclose(eq.radius(g.simultaneous), r0 * (1 + lr ** 2) ** (np.arange(steps + 1) / 2))   # spiral out
    x, y = g.alternating.T
    np.testing.assert_allclose(x ** 2 + y ** 2 + lr * x * y, start[0] ** 2 + start[1] ** 2 + lr * start[0] * start[1])
    t = lr * 7                                                                                    # the flow is a rotation
    np.testing.assert_allclose(g.flow[7], [start[0] * math.cos(t) - start[1] * math.sin(t),
                                           start[0] * math.sin(t) + start[1] * math.cos(t)], atol=1e-12)


def test_bilinear_validation():
    with pytest.raises(ValueError, match="lr"):
        eq.bilinear_paths(lr=0)
    with pytest.raises(ValueError, match="steps"):
        eq.bilinear_paths(steps=0)
    with pytest.raises(ValueError, match="start must be two numbers"):
        eq.bilinear_paths(start=(1.0,))
    with pytest.raises(ValueError, match=r"\[n, 2\]"):
        eq.radius(np.zeros(3))


# --------------------------------------------------------------------------- bounds, floors, bands
def test_jsd_lower_bound_from_any_discriminator():
    p, q = gauss(X, 0, 1), gauss(X, 1, 0.7)
    jsd = eq.jsd_quad(X, p, q)
    ds = eq.d_star(p, q)
    assert eq.jsd_lower_bound(eq.value_quad(X, p, q, ds)) == pytest.approx(jsd, abs=1e-9)        # tight for D*
    for other in (np.full_like(ds, 0.5), np.clip(ds + 0.1, 0, 1), ds ** 2):
        assert eq.jsd_lower_bound(eq.value_quad(X, p, q, other)) < jsd                            # below otherwise
    assert eq.jsd_lower_bound(-math.log(4)) == 0.0                                                # chance: no information


def test_kde_floor_is_small_positive_and_shrinks_with_more_samples():
    data = ge.data.gaussian_1d(2.0, 0.5)
    x = eq.line(data)
    few, many = eq.kde_floor(data, x, n_samples=500), eq.kde_floor(data, x, n_samples=20000)
    assert 0 < many < few < 0.05


def test_band_is_the_percentiles_of_the_smoothed_tail():
    series = np.r_[np.zeros(50), np.arange(100.0)]
    lo, hi = eq.band(series, last=100, window=1, lo=10, hi=90)
    assert (lo, hi) == pytest.approx((np.percentile(np.arange(100.0), 10), np.percentile(np.arange(100.0), 90)))
    with pytest.raises(ValueError, match="at least last"):
        eq.band(np.ones(5), last=10)


def test_smoothing_run_is_the_same_every_time():
    a = eq.smoothing_run(seed=0, steps=30)
    eq.build_1d(seed=3).run(5, progress=False)                 # something else trained in between
    b = eq.smoothing_run(seed=0, steps=30)
    assert a.settled == b.settled and np.array_equal(a.curves.d, b.curves.d)
    assert a.trainer.real_label == 0.9 and a.outcome == eq.nearest(a.settled, eq.SMOOTHED_LEVELS)
    assert "real label 0.9" in str(a) and set(eq.SMOOTHED_LEVELS) == set(quiz.get("06-smooth").options)


# --------------------------------------------------------------------------- what the learner sees (issue 13)
def figures_06():
    tr = eq.build_1d(seed=0)
    c0 = eq.curves(tr, n_samples=500)
    tr.run(5, progress=False)
    c1 = eq.curves(tr, n_samples=500)
    yield "row", veq.plot_figure1_row([c0, c1, c0, c1])
    yield "figure 1", veq.draw_figure1(c1)[0]
    yield "optimum", veq.plot_optimum(c0, c1, eq.support(c1.x, tr.data))
    yield "balance", veq.plot_balance({"a": tr.history, "b": tr.history})
    yield "losses", veq.plot_losses(tr.history, {"loss_d": 1.386, "loss_g": 0.693}, window=2)
    yield "bilinear", veq.plot_bilinear(eq.bilinear_paths())
    yield "smoothed", veq.draw_figure1(eq.curves(eq.build_1d(real_label=0.9), n_samples=200))[0]


def test_figures_are_readable_and_legends_sit_below_the_data():
    from matplotlib.text import Text

    for name, fig in figures_06():
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
        assert min(sizes) >= 8 and fig.get_figwidth() <= 9.0, (name, min(sizes), fig.get_figwidth())
        lowest = min(ax.get_window_extent().y0 for ax in fig.axes)
        for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
            assert legend.get_window_extent().y1 <= lowest + 1, name                # under every plot, not on one


def test_the_legend_lists_d_star_only_while_it_is_shown():
    c = eq.curves(eq.build_1d(seed=0), n_samples=300)
    fig, view = veq.draw_figure1(c, show_d_star=False)

    def listed():
        return [t.get_text() for t in fig.legends[-1].get_texts()]

    assert len(fig.legends) == 1 and not any("D^*" in t for t in listed())
    view.update(c, show_d_star=True)
    assert len(fig.legends) == 1 and any("optimal" in t for t in listed())
    view.update(c, show_d_star=False)
    assert len(fig.legends) == 1 and not any("optimal" in t for t in listed())
    smoothed = eq.curves(eq.build_1d(real_label=0.9), n_samples=300)
    view.update(smoothed)
    assert any("0.9/2 = 0.45" in t for t in listed())                 # the level is named in the legend, not on the data
    assert not [t for t in view.ax.texts if t.get_text().strip()]


def test_the_explorer_image_is_shown_at_the_size_it_is_drawn(w):
    import io

    from PIL import Image

    png = Image.open(io.BytesIO(w.view.image.value))
    assert w.view.image.layout.width == f"{png.width}px" and png.width <= 900
    w.set_d_star(False)
    assert not any("optimal" in t.get_text() for t in w.fig.legends[-1].get_texts())
    text = w.plain_text()
    assert "run the notebook" in text.lower() and "step 0" in text and "VBox" not in text
    assert w._repr_mimebundle_()["text/plain"] == text
