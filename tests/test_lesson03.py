"""Lesson 03: tracing gradients, saturation curves, the stall, the bug clinic and its checkpoints."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import make_trainer, params_of, same

import gan_edu as ge
from gan_edu import quiz
from gan_edu.lessons import clinic, gradflow
from gan_edu.quiz.questions import l03
from gan_edu.viz import gradients as gviz


# --------------------------------------------------------------------------- trace_step
def test_trace_table_of_one_step():
    tr = make_trainer()
    rec = ge.recorders.GradNorms().attach(tr)
    trace = gradflow.trace_step(tr)
    table = [(r.phase, r.network, r.got_grad, r.changed) for r in trace.rows]
    assert table == [("D step", "D", True, True), ("D step", "G", False, False),
                     ("G step", "G", True, True), ("G step", "D", False, False)]
    assert trace.got_grad("D step", "G") is False and trace.changed("G step", "D") is False
    assert tr.state.step == 1 == trace.step
    norms = trace.grad_norms
    assert norms["D step"]["G"] == {} and norms["G step"]["D"] == {}
    for layer, value in rec.d.items():             # the same numbers as the GradNorms recorder
        assert math.isclose(norms["D step"]["D"][layer], value, rel_tol=1e-6)
    for layer, value in rec.g.items():
        assert math.isclose(norms["G step"]["G"][layer], value, rel_tol=1e-6)
    rec.detach()
    assert all(not handlers for handlers in tr.handlers.values())   # trace_step removed its handlers
    assert "D step" in str(trace) and "ge-trace" in trace._repr_html_()


def test_trace_claims_and_report():
    trace = gradflow.trace_step(make_trainer())
    assert all(trace.claims.values())
    text = trace.report()
    assert text.startswith(trace.table()) and "D got no gradient and did not change in the G step: True" in text
    trace.rows[-1].got_grad = True                               # as if D had collected a gradient in the G step
    assert not trace.claims["D got no gradient and did not change in the G step"]
    with pytest.raises(AssertionError, match="D got no gradient"):
        trace.report()


def test_lesson_gan_is_rebuilt_identically_and_leaves_the_random_state_alone():
    state = torch.get_rng_state()
    a, b = gradflow.lesson_gan(0, steps=5), gradflow.lesson_gan(0, steps=5)
    assert torch.equal(state, torch.get_rng_state())
    assert same(params_of(a.G, a.D), params_of(b.G, b.D)) and a.state.step == 5 and a.loss.name == "non_saturating"
    fresh = gradflow.lesson_gan(0)
    assert fresh.state.step == 0 and not same(params_of(fresh.D), params_of(a.D))
    with pytest.raises(ValueError, match="steps must be >= 0"):
        gradflow.lesson_gan(0, steps=-1)


def test_trace_names_each_d_update_with_several_d_steps():
    trace = gradflow.trace_step(make_trainer(d_steps=2))
    assert [r.phase for r in trace.rows] == ["D step 1", "D step 1", "D step 2", "D step 2", "G step", "G step"]
    assert not trace.got_grad("D step 2", "G") and trace.changed("D step 2", "D")


def test_trace_reports_what_really_happened():
    """If something does leak a gradient into G or move it in the D step, the trace says so."""
    tr = make_trainer()

    @tr.on("d_backward_end")
    def leak(t):
        for p in t.G.parameters():
            p.grad = torch.ones_like(p)

    @tr.on("d_step_end")
    def nudge(t):
        with torch.no_grad():
            next(t.G.parameters()).add_(1.0)

    trace = gradflow.trace_step(tr)
    assert trace.got_grad("D step", "G") and trace.changed("D step", "G")


def test_trace_validation():
    with pytest.raises(TypeError, match="trainer must be a gan_edu.Trainer"):
        gradflow.trace_step("trainer")
    trace = gradflow.trace_step(make_trainer())
    with pytest.raises(ValueError, match="no row for phase 'E step'"):
        trace.got_grad("E step", "G")


# --------------------------------------------------------------------------- G never sees the data
def test_loss_g_graph_leaves_are_z_and_the_parameters_never_the_real_batch():
    tr = make_trainer()
    tr.run(3, progress=False)
    before = params_of(tr.G, tr.D)
    grads = [None if p.grad is None else p.grad.clone() for p in tr.G.parameters()]
    leaves = gradflow.loss_g_leaves(tr)
    assert leaves.real_batch_used is False and "other" not in leaves.names
    assert leaves.names[0] == "z"
    assert leaves.of("G.") == [f"G.{k}" for k, _ in tr.G.named_parameters()]
    assert leaves.of("D.") == [f"D.{k}" for k, _ in tr.D.named_parameters()]
    assert same(before, params_of(tr.G, tr.D))                       # nothing trained,
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, tr.G.parameters()))   # no .grad written
    assert "the real batch: no" in leaves.summary()


def test_graph_leaves_would_find_a_real_batch_if_it_were_used():
    real = torch.randn(4, 2, requires_grad=True)
    w = torch.randn(2, requires_grad=True)
    assert {id(t) for t in gradflow._graph_leaves((real @ w).sum())} == {id(real), id(w)}


def test_real_batch_reaches_g_only_through_d_update():
    tr = make_trainer()
    tr.run(5, progress=False)
    before = params_of(tr.G, tr.D)
    effect = gradflow.real_batch_effect(tr)
    assert effect["d_update"] > 0 and effect["swapped_real_batch"] > 0
    assert same(before, params_of(tr.G, tr.D))
    assert all(p.requires_grad for p in tr.D.parameters())
    with pytest.raises(ValueError, match="other_data must have samples of shape \\(2,\\)"):
        gradflow.real_batch_effect(tr, other_data=ge.data.gaussian_1d())
    with pytest.raises(TypeError, match="other_data must be a gan_edu.data source"):
        gradflow.real_batch_effect(tr, other_data=[[0.0, 1.0]])


def test_arrows_point_uphill_on_d():
    tr = make_trainer()
    tr.run(20, progress=False)
    pts, arr = ge.recorders.fake_gradients(tr, n=100)
    assert gradflow.uphill_fraction(tr, pts, arr) >= 0.95
    assert gradflow.uphill_fraction(tr, pts, -arr) <= 0.05
    with pytest.raises(ValueError, match="same shape|shape \\[N, d\\]"):
        gradflow.uphill_fraction(tr, pts, arr[:5])
    with pytest.raises(ValueError, match="length 0"):
        gradflow.uphill_fraction(tr, pts, torch.zeros_like(arr))


# --------------------------------------------------------------------------- saturation
def test_saturation_curves_equal_the_analytic_derivatives():
    c = gradflow.saturation_curves(n=101, p_min=1e-3)
    p = c.p
    assert p.dtype == np.float64 and p[0] == pytest.approx(1e-3) and p[-1] == pytest.approx(1 - 1e-3)
    np.testing.assert_allclose(c.grad["minimax"], -p, atol=1e-12)               # d/dl log(1 - s(l)) = -s
    np.testing.assert_allclose(c.grad["non_saturating"], -(1 - p), atol=1e-12)  # d/dl -log s(l) = -(1 - s)
    np.testing.assert_allclose(c.loss["minimax"], np.log1p(-p), atol=1e-12)
    np.testing.assert_allclose(c.loss["non_saturating"], -np.log(p), atol=1e-12)
    assert c.ratio_at(0.01) == pytest.approx(99.0, rel=1e-9)
    assert c.ratio_at(0.5) == pytest.approx(1.0, rel=1e-9)


def test_generator_logit_gradient_is_per_sample():
    logits = torch.tensor([-3.0, 0.0, 2.0], dtype=torch.float64)
    g = gradflow.generator_logit_gradient("non_saturating", logits)
    torch.testing.assert_close(g, torch.sigmoid(logits) - 1)
    with pytest.raises(ValueError, match="1-D"):
        gradflow.generator_logit_gradient("minimax", torch.zeros(2, 2))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(losses=("hinge",)), ValueError, "'minimax' or 'non_saturating'"),
    (dict(losses="minimax"), ValueError, "list of loss names"),
    (dict(n=1), ValueError, "n must be >= 2"),
    (dict(p_min=0.6), ValueError, "p_min must be <= 0.49"),
    (dict(p_min=0), ValueError, "p_min must be > 0"),
])
def test_saturation_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradflow.saturation_curves(**kwargs)


def test_ratio_at_validation():
    c = gradflow.saturation_curves(n=5)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match="p must be"):
            c.ratio_at(bad)


# --------------------------------------------------------------------------- the stall
def test_stall_experiment_direction():
    r = gradflow.stall_experiment(d_steps=60, g_steps=20, hidden=32, batch_size=64, n=128)
    assert r.start < 0.05                                            # D is confident
    assert len(r.d_fake["minimax"]) == len(r.d_fake["non_saturating"]) == 21
    assert r.d_fake["minimax"][0] == r.d_fake["non_saturating"][0]   # the same start for both
    assert r.moved["non_saturating"] > 5 * r.moved["minimax"]
    gain = {name: r.d_fake[name][-1] - r.d_fake[name][0] for name in r.d_fake}      # how much mean D(G(z)) rose
    assert gain["non_saturating"] > 0.3 > gain["minimax"]
    assert r.winner() == "non_saturating"
    assert r.after["minimax"].shape == r.before.shape == (128, 2)


@pytest.mark.parametrize("seed", [0, 2, 5])
def test_stall_claims_hold_for_the_lessons_run_and_other_seeds(seed):
    """The lesson runs seed 0; its claims' margins are chosen so that other seeds pass too."""
    r = gradflow.stall_experiment(seed=seed)
    assert all(r.claims.values()), r.claims
    assert r.winner() == "non_saturating"
    mm, ns = r.start_signal["minimax"], r.start_signal["non_saturating"]
    assert mm.logit_grad == pytest.approx(r.start, rel=1e-5)          # per sample, minimax pushes with D(G(z))
    assert ns.logit_grad == pytest.approx(1 - r.start, rel=1e-5)      # and non-saturating with 1 - D(G(z))
    assert r.ratio("logit_grad") == pytest.approx(ns.logit_grad / mm.logit_grad)
    assert "Before the G steps" in r.report()


def test_stall_report_fails_loudly_when_a_claim_does_not_hold():
    r = gradflow.stall_experiment(d_steps=100, g_steps=5, n=64)
    r.moved["minimax"] = r.moved["non_saturating"]                    # as if minimax had kept up
    assert r.winner() == "same"
    with pytest.raises(AssertionError, match="over 20x as far"):
        r.report()
    with pytest.raises(ValueError, match="what must be one of"):
        r.ratio("speed")


def test_stall_experiment_is_deterministic():
    a = gradflow.stall_experiment(d_steps=10, g_steps=3, hidden=16, batch_size=32, n=32)
    b = gradflow.stall_experiment(d_steps=10, g_steps=3, hidden=16, batch_size=32, n=32)
    np.testing.assert_array_equal(a.d_fake["minimax"], b.d_fake["minimax"])
    np.testing.assert_array_equal(a.after["non_saturating"], b.after["non_saturating"])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(d_steps=0), ValueError, "d_steps must be >= 1"),
    (dict(g_steps=1.5), TypeError, "g_steps must be an integer"),
    (dict(lr_g=-1.0), ValueError, "lr_g must be > 0"),
    (dict(lr_d=0), ValueError, "lr_d must be > 0"),
    (dict(losses="minimax"), ValueError, "list of loss names"),
    (dict(losses=("wasserstein",)), ValueError, "loss must be one of"),
    (dict(data=ge.data.digits()), TypeError, "data must be a gan_edu.data source of points"),
    (dict(n=3), ValueError, "n must be >= 4"),
])
def test_stall_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradflow.stall_experiment(**kwargs)


# --------------------------------------------------------------------------- the bug clinic
def broken_d_step(*bugs: str):
    """The reference D step with the given bugs (any of clinic.BUGS) put in, written out as a learner would."""
    def d_step(D, G, real, z, opt_d):
        opt_d.zero_grad()
        fake = G(z) if "no_detach" in bugs else G(z).detach()
        real_out, fake_out = D(real), D(fake)
        if "double_sigmoid" in bugs:
            real_out, fake_out = torch.sigmoid(real_out), torch.sigmoid(fake_out)
        fake_target = torch.ones_like(fake_out) if "fake_labelled_real" in bugs else torch.zeros_like(fake_out)
        loss = (F.binary_cross_entropy_with_logits(real_out, torch.ones_like(real_out))
                + F.binary_cross_entropy_with_logits(fake_out, fake_target))
        loss.backward()
        opt_d.step()
        return loss.item()

    assert set(bugs) <= set(clinic.BUGS)
    d_step.__name__ = "d_step_with_" + "_and_".join(bugs) if bugs else "d_step"
    return d_step


def test_checker_passes_the_reference_step():
    report = clinic.check_d_step(clinic.reference_d_step)
    assert report.passed and report.present == [] and "All 3 bugs fixed" in str(report)
    assert clinic.check_d_step(broken_d_step()).passed


@pytest.mark.parametrize("bug", clinic.BUGS)
def test_checker_flags_each_bug_alone(bug):
    report = clinic.check_d_step(broken_d_step(bug))
    assert report.present == [bug]
    assert all(report.status(b) == "fixed" for b in clinic.BUGS if b != bug)
    assert not report.passed and not report.notes
    assert f"✘ still wrong: {clinic.TITLES[bug]}." in str(report)


def test_checker_flags_all_three_together():
    report = clinic.check_d_step(broken_d_step(*clinic.BUGS))
    assert report.present == list(clinic.BUGS) and "0 of 3 bugs fixed." in str(report)


def _cat_step(D, G, real, z, opt_d):
    opt_d.zero_grad()
    with torch.no_grad():
        fake = G(z)
    logits = D(torch.cat([real, fake]))
    labels = torch.cat([torch.ones(len(real)), torch.zeros(len(fake))])
    F.binary_cross_entropy_with_logits(logits, labels).backward()
    opt_d.step()


def _probability_step(D, G, real, z, opt_d):
    opt_d.zero_grad()
    p_real, p_fake = torch.sigmoid(D(real)), torch.sigmoid(D(G(z).detach()))
    loss = F.binary_cross_entropy(p_real, torch.ones_like(p_real)) + F.binary_cross_entropy(p_fake, torch.zeros_like(p_fake))
    loss.backward()
    opt_d.step()


def _module_sum_step(D, G, real, z, opt_d):
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")
    opt_d.zero_grad()
    r, f = D(real), D(G(z).detach())
    (bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))).backward()
    opt_d.step()


def _value_function_step(D, G, real, z, opt_d):
    opt_d.zero_grad()
    v = F.logsigmoid(D(real)).mean() + F.logsigmoid(-D(G(z).detach())).mean()    # log D(x) + log(1 - D(G(z)))
    (-v).backward()                                                              # D maximises V
    opt_d.step()


@pytest.mark.parametrize("step", [_cat_step, _probability_step, _module_sum_step, _value_function_step])
def test_checker_accepts_other_correct_ways_to_write_the_step(step):
    report = clinic.check_d_step(step)
    assert report.passed, str(report)


def test_checker_notes_other_mistakes():
    def swapped_real(D, G, real, z, opt_d):
        opt_d.zero_grad()
        r, f = D(real), D(G(z).detach())
        (F.binary_cross_entropy_with_logits(r, torch.zeros_like(r)) + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))).backward()
        opt_d.step()

    def no_step(D, G, real, z, opt_d):
        r, f = D(real), D(G(z).detach())
        (F.binary_cross_entropy_with_logits(r, torch.ones_like(r)) + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))).backward()

    def fresh_noise(D, G, real, z, opt_d):
        return clinic.reference_d_step(D, G, real, torch.randn_like(z), opt_d)

    def raises(D, G, real, z, opt_d):
        raise RuntimeError("boom")

    r = clinic.check_d_step(swapped_real)
    assert r.present == [] and any("labelled 0" in n for n in r.notes) and not r.passed
    r = clinic.check_d_step(no_step)
    assert any("did not change" in n for n in r.notes)
    r = clinic.check_d_step(fresh_noise)
    assert r.status("fake_labelled_real") == "could not tell" and any("neither the real batch nor G(z)" in n for n in r.notes)
    r = clinic.check_d_step(raises)
    assert r.error == "RuntimeError: boom" and all(f.status == "could not tell" for f in r.findings)
    assert "raised an error" in str(r)


def test_checker_leaves_the_global_random_state_alone():
    state = torch.get_rng_state()
    clinic.check_d_step(clinic.reference_d_step)
    assert torch.equal(state, torch.get_rng_state())


def test_checker_hypotheses_are_far_apart():
    """The shapes the checker tells apart differ by ~10 % on its GAN; its tolerance is 0.1 %: the smallest
    relative distance between two hypotheses' gradient shapes for the same batch, after the best positive
    rescaling, is far above it, so one bug cannot pass for another."""
    G, D, real, z = clinic._tiny_gan(0)
    margin = math.inf
    with torch.no_grad():
        batches = (D(real).double(), D(G(z)).double())
    for logits in batches:
        hyps = list(clinic._hypotheses(logits, (0.0, 1.0)).values())
        for i, a in enumerate(hyps):
            for b in hyps[i + 1:]:
                for u, v in ((a, b), (b, a)):
                    c = max(float(u @ v / (v @ v)), 0.0)
                    margin = min(margin, float((u - c * v).norm() / u.norm()))
    assert margin > 0.05


# --------------------------------------------------------------------------- the sigmoid twice, measured
def test_double_sigmoid_gradients_equal_the_formula():
    """Autograd through the with-logits loss (the module) against the derivative written out (the oracle):
    with the bug, d loss / d l = (sigmoid(sigmoid(l)) - y) * sigmoid'(l); without it, sigmoid(l) - y."""
    r = clinic.double_sigmoid(max_margin=9.0, n=181)
    m = torch.tensor(r.margin, dtype=torch.float64)
    for label, y, logit in (("real", 1.0, m), ("fake", 0.0, -m)):
        s = torch.sigmoid(logit)
        buggy = (torch.sigmoid(s) - y) * s * (1 - s)
        np.testing.assert_allclose(r.ratio[label], (buggy.abs() / (s - y).abs()).numpy(), rtol=1e-9)
    np.testing.assert_allclose(r.view, torch.sigmoid(torch.sigmoid(m)).numpy(), rtol=1e-12)
    floor = -math.log(1 / (1 + math.exp(-r.output.max()))) - math.log(1 - 1 / (1 + math.exp(-r.output.min())))
    assert r.floor == pytest.approx(floor, rel=1e-9) and r.floor > -math.log(1 / (1 + math.exp(-1))) + math.log(2)


def test_double_sigmoid_zones_and_claims():
    r = clinic.double_sigmoid()
    assert all(r.claims.values()), r.claims
    right, undecided = r.weaker("sure and right"), r.weaker("undecided")
    assert 1.99 < right[0] < 2.01 and 3.7 < right[1] < 3.8          # fake -> 2x, real -> 1/(1 - sigmoid(1)) = 3.7x
    assert 2.6 < undecided[0] < 2.8 and 6.4 < undecided[1] < 6.6
    assert 29 < r.weaker("sure and wrong")[0] < 33 and r.weaker("very sure and wrong")[0] > 1400
    text = r.report()
    assert "sure and right (margin 3 or more): real 3.7x to 3.8x, fake 2.0x" in text
    assert "the buggy loss never drops below 1.0: True" in text
    with pytest.raises(ValueError, match="name must be one of"):
        r.zone("confused")
    with pytest.raises(ValueError, match="max_margin must be >= 7"):
        clinic.double_sigmoid(max_margin=5)


def test_the_words_about_the_sigmoid_twice_are_what_is_measured():
    """The clinic's message, the lesson's quiz and the notebook say what the measurement shows (issue 9)."""
    r = clinic.double_sigmoid()
    assert min(r.weaker("sure and right")[0], r.weaker("undecided")[0]) >= 2 - 1e-3
    assert max(r.weaker("sure and right")[1], r.weaker("undecided")[1]) <= 7
    assert r.weaker("sure and wrong")[0] >= 30 and r.weaker("very sure and wrong")[0] >= 1000
    feedback = quiz.get("03-double-sigmoid").option_feedback["a"]
    assert "2 to 7 times weaker" in feedback and "30 to over 1000 times weaker" in feedback
    message = clinic.STILL_WRONG["double_sigmoid"]
    for wrong in ("at least 4", "never say", "fourfold"):
        assert wrong not in message and wrong not in feedback
    assert "vanishes" in message and "0.5 and 0.73" in message


def test_clinic_validation(capsys):
    with pytest.raises(TypeError, match="fn must be a function"):
        clinic.check_d_step("my_d_step")
    with pytest.raises(TypeError, match="must take five arguments"):
        clinic.check_d_step(lambda D, G: None)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        clinic.check_d_step(clinic.reference_d_step, seed=-1)
    with pytest.raises(ValueError, match="name must be one of 'd_step'"):
        clinic.solution("g_step")
    clinic.solution("d_step")
    out = capsys.readouterr().out
    assert out.startswith("def reference_d_step(") and ".detach()" in out


# --------------------------------------------------------------------------- checkpoints and pictures
def test_lesson03_checkpoints_cover_the_misconceptions():
    ids = {q.qid for q in l03.QUESTIONS}
    assert {"03-real-label", "03-copies", "03-detach", "03-double-sigmoid"} <= ids        # the CURRICULUM rows
    kinds = {type(q) for q in l03.QUESTIONS}
    assert {quiz.MultipleChoice, quiz.Prediction, quiz.Numeric} <= kinds
    for q in l03.QUESTIONS:
        assert q.qid.startswith("03-") and quiz.get(q.qid) is q
        if isinstance(q, quiz.MultipleChoice):      # exactly one option matches the stored hash
            assert sum(quiz.answer_hash(q.qid, k) == q.answer for k in q.options) == 1
            assert all("&" not in text for text in q.options.values())     # radio labels are plain text
        if isinstance(q, quiz.Prediction):
            assert all("&" not in text for text in q.options.values())


def test_ratio_checkpoint_accepts_the_measured_ratio():
    q = quiz.get("03-ratio")
    ratio = gradflow.saturation_curves(n=5).ratio_at(0.01)
    assert q.answer_with(round(ratio)).check() and not q.answer_with(1.0).check()


@pytest.mark.parametrize("value, words", [(0.01, "inverse ratio"), (0.98, "difference"), (0.99, "by itself"),
                                          (-99, "positive ratio"), (458, "losses' values")])
def test_ratio_checkpoint_gives_targeted_feedback_for_common_slips(value, words):
    q = quiz.get("03-ratio")
    assert q.answer_with(value).check() is False and words in q.feedback.value


def test_stall_and_trace_outcomes_are_prediction_options():
    assert {"yes", "no"} <= set(quiz.get("03-d-step-grad").options)
    assert {"minimax", "non_saturating", "same"} == set(quiz.get("03-stall").options)


def test_pictures():
    tr = make_trainer()
    tr.run(5, progress=False)
    trace = gradflow.trace_step(tr)
    fig = gviz.plot_grad_norms(trace.grad_norms)
    assert len(fig.axes) == 4
    pts, arr = ge.recorders.fake_gradients(tr, n=40)
    assert len(gviz.plot_arrows(tr, pts, arr).axes) == 2          # the plane and its colour bar
    assert len(gviz.plot_saturation(gradflow.saturation_curves(n=21)).axes) == 2
    r = gradflow.stall_experiment(d_steps=5, g_steps=2, hidden=8, batch_size=16, n=16)
    assert len(gviz.plot_stall(r).axes) == 3
    assert len(gviz.plot_double_sigmoid(clinic.double_sigmoid(n=41)).axes) == 2
    with pytest.raises(ValueError, match="norms must be"):
        gviz.plot_grad_norms({})
    with pytest.raises(ValueError, match="shape \\[N, 2\\]"):
        gviz.plot_arrows(tr, pts, arr[:3])
    with pytest.raises(ValueError, match="n_arrows must be"):
        gviz.plot_arrows(tr, pts, arr, n_arrows=0)
