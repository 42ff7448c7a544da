"""Lesson logic that moved out of the widgets and figures into gan_edu/lessons/: the seeded
factory, the plane's arrays, the explorer's step catcher and lesson 00's experiment, the lab's
set-ups and slow motion, the generator's measurements; the old import paths; one D histogram."""
import numpy as np
import pytest
import torch
from helpers import make_trainer

import gan_edu as ge
from gan_edu import metrics, viz
from gan_edu.lessons import architecture, factory, plane, training_lab
from gan_edu.lessons import equilibrium as eq
from gan_edu.lessons import generator as lgen


def weights(*nets):
    return torch.cat([p.detach().reshape(-1) for net in nets for p in net.parameters()])


# --------------------------------------------------------------------------- the seeded factory
def test_networks_are_the_ones_a_manual_seed_builds_and_leave_the_random_state_alone():
    """Two ways: the factory against building the same MLPs right after torch.manual_seed(seed)."""
    torch.manual_seed(123)
    state = torch.get_rng_state()
    G, D = factory.networks(seed=7, dim=2, latent_dim=3, hidden=16, depth=1, g_depth=2, g_activation="elu",
                            noise="uniform")
    assert torch.equal(state, torch.get_rng_state())             # the caller's random numbers are untouched
    torch.manual_seed(7)
    G2 = ge.models.MLPGenerator(latent_dim=3, out_dim=2, hidden=16, depth=2, activation="elu", noise="uniform")
    D2 = ge.models.MLPDiscriminator(in_dim=2, hidden=16, depth=1)
    assert torch.equal(weights(G, D), weights(G2, D2)) and G.config == G2.config and D.config == D2.config
    assert not torch.equal(weights(*factory.networks(seed=8, latent_dim=3, hidden=16, depth=1, g_depth=2)), weights(G, D))


def test_tiny_gan_is_seeded_once_for_weights_and_stream():
    a, b = factory.tiny_gan(3, hidden=16, batch_size=32), factory.tiny_gan(3, hidden=16, batch_size=32)
    a.run(5, progress=False)
    b.run(5, progress=False)
    assert torch.equal(weights(a.G, a.D), weights(b.G, b.D)) and a.seed == 3 and a.device.type == "cpu"
    assert a.data.name == "ring" and a.batch_size == 32
    with pytest.raises(TypeError, match="data must be a gan_edu.data source of points"):
        factory.tiny_gan(0, data=ge.data.digits())
    with pytest.raises(ValueError, match="seed must be >= 0"):
        factory.networks(seed=-1)


def test_every_lesson_gan_comes_from_the_factory():
    """The explorer's, the lab's, lesson 06's and the stall's GANs have the factory's weights."""
    from gan_edu.widgets.explorer import tiny_gan
    assert tiny_gan is factory.tiny_gan
    lab = training_lab.build_trainer({"width": 16, "depth": 1, "latent_dim": 3, "seed": 4})
    G, D = factory.networks(4, latent_dim=3, hidden=16, depth=1)
    assert torch.equal(weights(lab.G, lab.D), weights(G, D)) and lab.betas == (0.5, 0.999)
    one_d = eq.build_1d(seed=2, hidden=8)
    G, D = factory.networks(2, dim=1, latent_dim=1, hidden=8, depth=2, g_depth=1, g_activation="elu")
    assert torch.equal(weights(one_d.G, one_d.D), weights(G, D))
    stall = ge.gradflow.stall_experiment(d_steps=1, g_steps=1, hidden=8, n=8, seed=5)
    assert stall.D.config == factory.networks(5, hidden=8)[1].config


# --------------------------------------------------------------------------- the plane
def test_d_grid_of_a_trainer_and_of_its_d_agree_and_restore_the_mode():
    tr = make_trainer()
    tr.D.train()
    ext = (-1.0, 1.0, -2.0, 2.0)
    a, b = plane.d_grid(tr, ext, n=9), plane.d_grid(tr.D, ext, n=9)
    assert a.shape == (9, 9) and np.allclose(a, b, atol=1e-6) and tr.D.training
    x, y = -1.0 + 2.0 * 3 / 8, -2.0 + 4.0 * 5 / 8                     # row 5 is y, column 3 is x
    assert a[5, 3] == pytest.approx(float(tr.d_prob(torch.tensor([[x, y]]))[0]), abs=1e-6)


def test_manifold_lines_are_g_of_the_z_grid():
    G = ge.models.MLPGenerator(latent_dim=3, out_dim=2, hidden=8)
    lines = plane.manifold_lines(G, n_lines=3, z_range=1.0, resolution=5)
    assert len(lines) == 6 and all(line.shape == (5, 2) for line in lines)
    with torch.no_grad():
        first = G(torch.tensor([[-1.0, t, 0.0] for t in np.linspace(-1, 1, 5)], dtype=torch.float32))      # the line z1 = -1
    assert np.allclose(lines[0], first.numpy(), atol=1e-6)
    assert np.allclose(plane.fixed_sample(ge.data.ring(), 4, 1), plane.fixed_sample(ge.data.ring(), 4, 1))


# --------------------------------------------------------------------------- lesson 00: catch one step
def test_catch_step_removes_its_handlers_even_when_the_step_fails():
    tr = make_trainer()

    def boom(t):
        raise RuntimeError("boom")

    tr.on("g_backward_end", boom)
    before = weights(tr.G, tr.D)
    with pytest.raises(ge.HandlerError, match="boom"):
        architecture.catch_step(tr, extent=(-1, 1, -1, 1))
    tr.off("g_backward_end", boom)
    assert all(not tr.handlers.get(e) for e in ge.EVENTS)        # nothing of the catcher is left behind
    assert torch.equal(weights(tr.G, tr.D), before) and tr.state.step == 0
    cap = architecture.catch_step(tr)
    assert cap.step == 1 == tr.state.step and cap.manifold is None and cap.heat_d_update is None


def test_compare_before_after_computes_and_the_face_only_draws():
    tr, twin = make_trainer(), make_trainer()
    result = architecture.compare_before_after(tr, steps=20, n=100)
    assert result.figure is None and [m.step for m in result.moments] == [0, 20] and result.real.shape == (100, 2)
    assert result.before == pytest.approx(architecture.distance_to_modes(torch.as_tensor(result.moments[0].fake),
                                                                         tr.data))
    from gan_edu.widgets.explorer import train_and_compare
    drawn = train_and_compare(twin, steps=20, n=100)
    assert (drawn.before, drawn.after, drawn.outcome) == (result.before, result.after, result.outcome)
    assert drawn.figure is not None and len(drawn.figure.axes) == 2
    with pytest.raises(TypeError, match="trainer must be a gan_edu Trainer"):
        architecture.compare_before_after("ring")
    with pytest.raises(ValueError, match="2D Gaussian-mixture data"):
        architecture.compare_before_after(make_trainer(data=ge.data.moons()))


# --------------------------------------------------------------------------- lesson 04: the lab's set-ups
def test_build_trainer_settings_and_data():
    tr = training_lab.build_trainer({"data": "grid", "loss": "wgan_gp", "d_steps": 2, "batch_size": 32})
    assert tr.loss.name == "wgan_gp" and tr.betas == (0.5, 0.9) and tr.d_steps == 2 and tr.data.n_modes == 9
    mine = training_lab.build_trainer({"data": "my points"}, points=[[0.0, 0.0], [1.0, 1.0]])
    assert mine.data.points.shape == (2, 2)
    assert training_lab.make_data("my points", None).points.shape == (4, 2)   # the default points
    with pytest.raises(ValueError, match="data must be one of"):
        training_lab.make_data("circles")
    with pytest.raises(ValueError, match="seed must be >= 0"):
        training_lab.build_trainer({"seed": -2})


def test_parse_points_reads_text_and_arrays_and_says_what_is_wrong():
    assert training_lab.parse_points("0.5, -1\n\n2 3; 4,5") == [[0.5, -1.0], [2.0, 3.0], [4.0, 5.0]]
    assert training_lab.parse_points(np.zeros((2, 2))) == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="each line must be two numbers"):
        training_lab.parse_points("1, a")
    with pytest.raises(ValueError, match=r"points must be \[x, y\] pairs .* got shape \(1, 3\)"):
        training_lab.parse_points([[1, 2, 3]])


def test_substep_frames_are_the_numbers_of_the_step():
    tr = make_trainer()
    frames = training_lab.substep_frames(tr, lambda t: plane.d_grid(t, (-1, 1, -1, 1), 6))
    assert len(frames) == 6 and tr.state.step == 1
    assert all(not tr.handlers.get(e) for e in ge.EVENTS)
    assert frames[2]["loss_d"] == pytest.approx(tr.history["loss_d"].values[-1])
    assert frames[4]["loss_g"] == pytest.approx(tr.history["loss_g"].values[-1])
    assert not np.allclose(frames[1]["heat"], frames[3]["heat"])          # D moved in its update
    with torch.no_grad():                                                   # the G step's z, after G moved
        assert np.allclose(frames[5]["fake"], tr.G(tr.state.z).numpy())
    assert frames[4]["arrows"][1].shape == frames[4]["fake"].shape and frames[5]["arrows"] is None


def test_substep_frames_leave_nothing_behind_when_the_step_diverges():
    tr = make_trainer(optimizer="sgd", lr_g=1e6, lr_d=1e6)
    for _ in range(20):
        before, step = weights(tr.G, tr.D), tr.state.step
        try:
            training_lab.substep_frames(tr, lambda t: None)
        except ge.TrainingDiverged:
            break
    else:
        pytest.fail("absurd learning rates should diverge within 20 steps")
    assert all(not tr.handlers.get(e) for e in ge.EVENTS)
    assert torch.equal(weights(tr.G, tr.D), before) and tr.state.step == step       # the failed step was undone


def test_inspect_sample_matches_fake_gradients():
    tr = make_trainer()
    z = tr.G.sample_noise(1, generator=torch.Generator().manual_seed(3))
    info = training_lab.inspect_sample(tr, z)
    pts, grad = ge.recorders.fake_gradients(tr, z=z)
    assert info["G(z)"] == pts[0].tolist() and info["gradient"] == grad[0].tolist() and info["z"] == z[0].tolist()
    assert info["D(G(z))"] == pytest.approx(float(tr.d_prob(pts)[0]))


# --------------------------------------------------------------------------- the generator, measured
def test_generator_output_runs_eval_mode_and_puts_the_mode_back():
    G = ge.models.DCGenerator(latent_dim=8, image_size=8, features=8)
    G.train()
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(0))
    running = [m.running_mean.clone() for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    out = lgen.generator_output(G, z)
    assert G.training and all(torch.equal(a, m.running_mean) for a, m in
                              zip(running, [m for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]))
    G.eval()
    with torch.no_grad():
        assert torch.equal(out, G(z))
    with pytest.raises(ValueError, match="finite"):
        lgen.generator_output(G, torch.full((8,), float("nan")))


# --------------------------------------------------------------------------- old names, one object
def test_old_import_paths_are_the_moved_objects():
    from gan_edu.viz import generator as gviz
    from gan_edu.viz import live
    from gan_edu.widgets import explorer, lab
    from gan_edu.widgets import images as wi
    assert lab.build_trainer is training_lab.build_trainer and lab.DEFAULTS is training_lab.DEFAULTS
    assert lab.make_data is training_lab.make_data and lab.DATASETS is training_lab.DATASETS
    assert explorer.Capture is architecture.Capture and explorer.describe is architecture.describe
    assert explorer.distance_to_modes is architecture.distance_to_modes
    for name in ("shape_walk", "format_shape_walk", "generator_output", "train_mode_samples", "transposed_conv_demo",
                 "nearby_vs_far", "interpolate", "walk_vs_blend"):
        assert getattr(gviz, name) is getattr(lgen, name)
    assert wi.generate is lgen.generator_output and wi.dimension_effects is lgen.dimension_effects
    assert wi.collapsed_noise is lgen.collapsed_noise
    assert viz.d_grid is plane.d_grid and viz.manifold_lines is plane.manifold_lines
    assert live.sample_points is plane.fixed_sample and eq.trapezoid is metrics.trapezoid


# --------------------------------------------------------------------------- the quadrature, in metrics
def test_trapezoid_against_numpy_and_exact_integrals():
    x = np.linspace(-1.0, 2.0, 301)
    y = np.exp(-x ** 2)
    assert metrics.trapezoid(y, x) == pytest.approx(float(np.trapezoid(y, x)), rel=1e-12)
    assert metrics.trapezoid(3 * x + 1, x) == pytest.approx(0.5 * 3 * (4 - 1) + 3, rel=1e-12)   # exact for lines
    assert metrics.trapezoid(torch.ones(3), [0.0, 0.5, 2.0]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        metrics.trapezoid([1, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="one value per grid point"):
        metrics.trapezoid([1, 2, 3], [0.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        metrics.trapezoid([1, np.inf], [0.0, 1.0])


# --------------------------------------------------------------------------- one D(real) / D(fake) histogram
def test_d_histograms_count_like_numpy_and_update_the_legend():
    ax = viz.figure().add_subplot(111)
    hist = viz.DHistograms(ax, bins=10)
    ax.legend()
    pr, pf = np.random.default_rng(0).uniform(0.5, 1, 40), np.random.default_rng(1).uniform(0, 0.5, 30)
    hist.update(pr, pf, emphasis="fake")
    assert np.array_equal(hist.real.get_data().values, np.histogram(pr, np.linspace(0, 1, 11))[0])
    assert np.array_equal(hist.fake.get_data().values, np.histogram(pf, np.linspace(0, 1, 11))[0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"D(x), real, mean {pr.mean():.2f}",
                                                                   f"D(G(z)), fake, mean {pf.mean():.2f}"]
    assert hist.fake.get_alpha() > hist.real.get_alpha()
    assert hist.real.get_facecolor()[:3] == pytest.approx(__import__("matplotlib").colors.to_rgb(viz.REAL))
