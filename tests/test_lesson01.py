"""Lesson 01: the generator's forward pass -- widgets driven from Python, the shape walk,
interpolation, nearby z -> nearby outputs, the transposed convolution by hand, checkpoints."""
import copy

import numpy as np
import pytest
import torch
from torch import nn

import gan_edu as ge
from gan_edu.quiz.questions import l01
from gan_edu.viz import generator as gviz
from gan_edu.widgets.latent import InterpolationExplorer, LatentExplorer


@pytest.fixture
def two_gs():
    ge.seed_everything(0)
    G0 = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=16)
    G1 = copy.deepcopy(G0)
    with torch.no_grad():
        for p in G1.parameters():
            p.add_(0.5 * torch.randn_like(p))        # a different generator ("trained")
    return G0, G1


@pytest.fixture
def image_g():
    ge.seed_everything(0)
    G = ge.models.DCGenerator(latent_dim=16, image_size=8, features=8)
    with torch.no_grad():          # collect BatchNorm statistics, so eval outputs are not all mid-grey
        for _ in range(20):
            G(torch.randn(64, 16))
    return G.eval()


def g_of(G, z):
    G.eval()
    with torch.no_grad():
        return G(torch.as_tensor(z, dtype=torch.float32).reshape(1, -1))[0]


def drawn_output(ex):
    """Where the explorer drew G(z): the position of the star marker in data space, [2]."""
    return np.asarray(ex._artists["x"].get_offsets(), dtype=np.float64)[0]


# --------------------------------------------------------------------------- latent explorer
def test_latent_slider_moves_the_drawn_point_to_g_of_z(two_gs, ring):
    G0, G1 = two_gs
    ex = LatentExplorer({"untrained": G0, "trained": G1}, ring, z=(0.0, 0.0))
    before = ex.view.image.value
    ex.set_z(0.5, -1.0)
    assert ex.view.image.value != before
    assert torch.equal(ex.z, torch.tensor([0.5, -1.0]))
    want = g_of(G0, [0.5, -1.0]).numpy()
    np.testing.assert_allclose(drawn_output(ex), want, atol=1e-5)
    np.testing.assert_allclose(ex.output.numpy(), want, atol=1e-5)
    assert "+0.50, -1.00" in ex.readout.value


def test_latent_dragging_one_slider_redraws(two_gs, ring):
    G0, _ = two_gs
    ex = LatentExplorer(G0, ring)
    frames, before = ex.view.frames, ex.view.image.value
    ex.z1_slider.value = 1.25                        # what dragging the slider does
    assert ex.view.frames == frames + 1 and ex.view.image.value != before
    np.testing.assert_allclose(drawn_output(ex), g_of(G0, [1.25, 0.0]).numpy(), atol=1e-5)


def test_latent_use_switches_generator(two_gs, ring):
    G0, G1 = two_gs
    ex = LatentExplorer({"untrained": G0, "trained": G1}, ring, z=(0.3, 0.7))
    before = ex.view.image.value
    ex.use("trained")
    assert ex.name == "trained" and ex.chooser.value == "trained" and ex.G is G1
    assert ex.view.image.value != before
    np.testing.assert_allclose(drawn_output(ex), g_of(G1, [0.3, 0.7]).numpy(), atol=1e-5)
    ex.chooser.value = "untrained"                   # what clicking the button does
    np.testing.assert_allclose(drawn_output(ex), g_of(G0, [0.3, 0.7]).numpy(), atol=1e-5)


def test_latent_neighbours_are_images_of_the_circle(two_gs):
    G0, _ = two_gs
    ex = LatentExplorer(G0, radius=0.1, n_neighbours=8)
    ex.set_z(1.0, 1.0)
    zn = torch.tensor([1.0, 1.0]) + 0.1 * ex._circle
    np.testing.assert_allclose(ex.neighbour_outputs.numpy(), gviz.generator_output(G0, zn).numpy(), atol=1e-5)


def test_latent_css_classes(two_gs):
    ex = LatentExplorer(two_gs[0])
    assert "ge-latent" in ex.widget._dom_classes
    assert "ge-latent-z1" in ex.z1_slider._dom_classes and "ge-latent-z2" in ex.z2_slider._dom_classes
    assert "ge-latent-view" in ex.view.image._dom_classes and "ge-latent-g" in ex.chooser._dom_classes
    assert "ge-latent-readout" in ex.readout._dom_classes


def test_latent_argument_validation(two_gs):
    G0, _ = two_gs
    ex = LatentExplorer(G0, z_range=2.0)
    with pytest.raises(ValueError, match="z1 must be <= 2.0"):
        ex.set_z(3.0, 0.0)
    with pytest.raises(TypeError, match="z2 must be a number"):
        ex.set_z(0.0, "a")
    with pytest.raises(ValueError, match="name must be one of 'G'"):
        ex.use("trained")
    with pytest.raises(ValueError, match="latent_dim=2"):
        LatentExplorer(ge.models.MLPGenerator(latent_dim=3))
    with pytest.raises(ValueError, match="2D points"):
        LatentExplorer(ge.models.MLPGenerator(latent_dim=2, out_dim=3))
    with pytest.raises(TypeError, match="gan_edu generator"):
        LatentExplorer({"x": nn.Linear(2, 2)})
    with pytest.raises(ValueError, match="non-empty dict"):
        LatentExplorer({})
    with pytest.raises(ValueError, match="z must be two numbers"):
        LatentExplorer(G0, z=(1.0,))


# --------------------------------------------------------------------------- interpolation
def test_interpolation_endpoints_are_g_of_z0_and_z1(image_g):
    ip = InterpolationExplorer(image_g, seed=3)
    ip.set_alpha(1.0)
    assert torch.allclose(ip.output, g_of(image_g, ip.z1), atol=1e-5)
    ip.set_alpha(0.0)
    assert torch.allclose(ip.output, g_of(image_g, ip.z0), atol=1e-5)
    before = ip.view.image.value
    ip.set_alpha(0.3)
    assert ip.view.image.value != before
    assert torch.allclose(ip.z, 0.7 * ip.z0 + 0.3 * ip.z1)
    assert torch.allclose(ip.output, g_of(image_g, 0.7 * ip.z0 + 0.3 * ip.z1), atol=1e-5)
    assert "α = 0.30" in ip.readout.value


def test_interpolation_slider_reroll_and_generators(image_g):
    other = copy.deepcopy(image_g)
    with torch.no_grad():
        other.net.up2.bias.add_(0.5)
    ip = InterpolationExplorer({"a": image_g, "b": other}, seed=0)
    ip.slider.value = 0.5                            # what dragging does
    assert torch.allclose(ip.output, g_of(image_g, ip.z), atol=1e-5)
    z0 = ip.z0.clone()
    before = ip.view.image.value
    ip.reroll_button.click()
    assert not torch.equal(ip.z0, z0) and ip.view.image.value != before
    ip.use("b")
    assert torch.allclose(ip.output, g_of(other, ip.z), atol=1e-5)
    assert "ge-interp" in ip.widget._dom_classes and "ge-interp-alpha" in ip.slider._dom_classes
    assert "ge-interp-reroll" in ip.reroll_button._dom_classes and "ge-interp-view" in ip.view.image._dom_classes


def test_interpolation_validation(image_g):
    ip = InterpolationExplorer(image_g, z0=torch.zeros(16), z1=torch.ones(16))
    assert torch.equal(ip.z1, torch.ones(16))
    with pytest.raises(ValueError, match="alpha must be <= 1.0"):
        ip.set_alpha(1.5)
    with pytest.raises(ValueError, match="name must be one of"):
        ip.use("nope")
    with pytest.raises(ValueError, match="must make images"):
        InterpolationExplorer(ge.models.MLPGenerator())
    with pytest.raises(ValueError, match="same latent_dim"):
        InterpolationExplorer({"a": image_g, "b": ge.models.DCGenerator(latent_dim=8, features=8)})
    with pytest.raises(ValueError, match=r"z0 must have shape \[16\]"):
        InterpolationExplorer(image_g, z0=torch.zeros(3))
    with pytest.raises(ValueError, match="one vector"):
        InterpolationExplorer(image_g, z1=torch.zeros(2, 16))


def test_interpolate_endpoints_and_alphas(image_g):
    z0, z1 = torch.randn(16), torch.randn(16)
    a, out = gviz.interpolate(image_g, z0, z1, steps=5)
    assert a.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0] and out.shape == (5, 1, 8, 8)
    assert torch.allclose(out[0], g_of(image_g, z0), atol=1e-5)
    assert torch.allclose(out[-1], g_of(image_g, z1), atol=1e-5)
    _, mid = gviz.interpolate(image_g, z0, z1, alphas=[0.5])
    assert torch.allclose(mid[0], out[2], atol=1e-5)
    check = gviz.walk_vs_blend(image_g, z0, z1)
    assert check.ends_match and check.middle_gap > 0
    with pytest.raises(ValueError, match="alphas must be numbers in"):
        gviz.interpolate(image_g, z0, z1, alphas=[0.2, 1.2])
    with pytest.raises(ValueError, match="steps must be >= 2"):
        gviz.interpolate(image_g, z0, z1, steps=1)
    with pytest.raises(ValueError, match="single vectors"):
        gviz.interpolate(image_g, torch.randn(2, 16), z1)
    with pytest.raises(ValueError, match="finite"):
        gviz.interpolate(image_g, torch.full((16,), float("nan")), z1)


def test_a_linear_generator_walk_equals_the_blend():
    class Linear(ge.models.MLPGenerator):
        def forward(self, z):
            return self.net.out(torch.cat([z, torch.zeros(z.shape[0], 126)], 1))

    G = Linear(latent_dim=2, out_dim=2, hidden=128)
    assert gviz.walk_vs_blend(G, [1.0, 2.0], [-3.0, 0.5]).middle_gap < 1e-6


# --------------------------------------------------------------------------- shape walk
@pytest.mark.parametrize("size, first", [(8, 2), (16, 4), (28, 7)])
def test_shape_walk_shapes(size, first):
    G = ge.models.DCGenerator(latent_dim=16, image_size=size)
    walk = gviz.shape_walk(G)
    shapes = {s.name: s.shape for s in walk}
    assert walk[0].name == "input" and shapes["input"] == (16,)
    assert shapes["project"] == (128 * first * first,)
    assert shapes["reshape"] == (128, first, first)
    assert shapes["up1"] == (64, 2 * first, 2 * first)
    assert shapes["up2"] == shapes["tanh"] == (1, size, size)
    assert sum(s.params for s in walk) == ge.models.count_parameters(G)
    text = gviz.format_shape_walk(walk)
    assert f"total parameters: {ge.models.count_parameters(G):,}" in text
    assert f"{first}x{first} -> {2 * first}x{2 * first}, 128 -> 64 channels" in text
    if size == 8:                                        # the lesson's table fits a notebook's output at 100 % zoom
        assert max(len(line) for line in text.splitlines()) <= 80


def test_shape_walk_of_the_mlp_and_validation():
    walk = gviz.shape_walk(ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=8))
    assert [s.shape for s in walk] == [(2,), (8,), (8,), (8,), (8,), (2,)]
    with pytest.raises(TypeError, match="gan_edu generator"):
        gviz.shape_walk(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="n must be >= 1"):
        gviz.shape_walk(ge.models.DCGenerator(), n=0)
    with pytest.raises(ValueError, match="list returned by shape_walk"):
        gviz.format_shape_walk([("a", 1)])
    with pytest.raises(ValueError, match="image generator"):
        gviz.plot_shape_walk(ge.models.MLPGenerator())


def test_transposed_conv_by_hand_matches_torch():
    d = gviz.transposed_conv_demo()
    assert d["output"].shape == (4, 4) and len(d["stamps"]) == 4
    assert torch.allclose(d["output"], d["torch"], atol=1e-6)
    g = torch.Generator().manual_seed(0)
    for stride, padding, k in [(3, 0, 3), (2, 0, 3), (1, 1, 3)]:
        d = gviz.transposed_conv_demo(torch.randn(3, 2, generator=g), torch.randn(k, k, generator=g), stride, padding)
        assert torch.allclose(d["output"], d["torch"], atol=1e-5)
    with pytest.raises(ValueError, match="trims away"):
        gviz.transposed_conv_demo(padding=5)
    with pytest.raises(ValueError, match="2D maps"):
        gviz.transposed_conv_demo(torch.zeros(1, 2, 2))


# --------------------------------------------------------------------------- nearby z
class Jumpy(ge.models.MLPGenerator):
    """A generator that is NOT continuous: its output flips when z moves a little."""

    def forward(self, z):
        return torch.sign(torch.sin(1000 * z))


def test_nearby_vs_far_tells_continuous_from_jumpy():
    ge.seed_everything(0)
    smooth = gviz.nearby_vs_far(ge.models.MLPGenerator(hidden=32), n=300, eps=0.05)
    jumpy = gviz.nearby_vs_far(Jumpy(), n=300, eps=0.05)
    assert smooth.ratio > 5 and jumpy.ratio < 2
    assert smooth.z_ratio == pytest.approx(jumpy.z_ratio)
    assert l01.nearby_outcome(smooth.ratio, smooth.ratio) == "both"
    assert l01.nearby_outcome(jumpy.ratio, smooth.ratio) == "trained"
    assert l01.nearby_outcome(jumpy.ratio, jumpy.ratio) == "neither"
    with pytest.raises(ValueError, match="eps must be > 0"):
        gviz.nearby_vs_far(Jumpy(), eps=0)


def test_train_mode_samples_leave_batchnorm_statistics_alone():
    G = ge.models.DCGenerator(features=8)
    G.eval()
    before = {k: v.clone() for k, v in G.state_dict().items()}
    x = gviz.train_mode_samples(G, torch.randn(8, 16))
    assert x.shape == (8, 1, 8, 8) and not G.training
    assert all(torch.equal(before[k], v) for k, v in G.state_dict().items())
    assert x.std() > 10 * gviz.generator_output(G, torch.randn(8, 16)).std()   # batch stats rescale
    with pytest.raises(ValueError, match="at least 2 samples"):
        gviz.train_mode_samples(G, torch.randn(1, 16))


# --------------------------------------------------------------------------- pictures and checkpoints
def test_figures_build(two_gs, ring, image_g):
    G0, G1 = two_gs
    g = torch.Generator().manual_seed(0)
    z = ge.models.sample_noise(100, 2, generator=g)
    figs = [
        gviz.plot_noise({"normal": z, "uniform": ge.models.sample_noise(100, 2, "uniform", g)}),
        gviz.plot_noise_vs_data(torch.randn(8, 16), torch.rand(8, 1, 8, 8) * 2 - 1),
        gviz.plot_activations(ge.models.trace(G0, z)),
        gviz.plot_shape_walk(image_g),
        gviz.plot_transposed_conv(),
        gviz.plot_manifolds({"a": G0, "b": G1}, ring),
        gviz.plot_interpolation(image_g, torch.randn(16), torch.randn(16)),
        gviz.plot_latent_path(G1, (-1, 0), (1, 0), ring),
        gviz.plot_image_sets({"x": torch.rand(4, 1, 8, 8), "y": torch.rand(9, 1, 8, 8)}, nrow=4),
    ]
    assert all(len(ge.viz.to_png(f)) > 1000 for f in figs)
    with pytest.raises(ValueError, match="non-empty dict"):
        gviz.plot_noise([])
    with pytest.raises(ValueError, match="square number"):
        gviz.plot_noise_vs_data(torch.randn(4, 5), torch.zeros(4, 1, 8, 8))
    with pytest.raises(ValueError, match="latent_dim=2"):
        gviz.plot_manifolds({"x": image_g})
    with pytest.raises(ValueError, match="plot_latent_path"):
        gviz.plot_interpolation(G0, [0, 0], [1, 1])
    with pytest.raises(ValueError, match="trace"):
        gviz.plot_activations([1, 2])


def test_checkpoints_of_lesson_01():
    qids = [q.qid for q in l01.QUESTIONS]
    assert len(qids) >= 2 and all(q.startswith("01-") for q in qids)
    kinds = {q.kind for q in l01.QUESTIONS}
    assert {"choice", "prediction"} <= kinds
    for q in l01.QUESTIONS:                          # every option explains itself
        for text in getattr(q, "option_feedback", {}).values():
            assert len(text) > 40
    walk = gviz.shape_walk(ge.models.DCGenerator(latent_dim=16, image_size=8))
    up1 = next(s for s in walk if s.name == "up1")
    key = l01.first_upconv_outcome(up1.shape)
    q = ge.quiz.get("01-first-upconv")
    q.select(key)
    q.commit()
    assert "right" in q.reveal(key)
    with pytest.raises(ValueError, match="not one of the options"):
        l01.first_upconv_outcome((3, 2, 1))


# --------------------------------------------------------------------------- issue 9: claims measured, two ways
from gan_edu.lessons import generator as gen  # noqa: E402


def test_ring_generators_are_the_factory_g_before_and_after_training_and_hand_out_copies():
    nets = gen.ring_generators(seed=0, steps=30, hidden=16)
    G, _ = ge.lessons.factory.networks(seed=0, hidden=16)
    assert all(torch.equal(a, b) for a, b in zip(nets.untrained.state_dict().values(), G.state_dict().values()))
    assert not all(torch.equal(a, b) for a, b in zip(nets.trained.state_dict().values(), G.state_dict().values()))
    with torch.no_grad():
        nets.trained.net.out.bias.add_(100.0)           # what a learner does to one copy ...
    again = gen.ring_generators(seed=0, steps=30, hidden=16)
    assert again.trained is not nets.trained and float(again.trained.net.out.bias.detach().abs().max()) < 50   # ... stays there
    with pytest.raises(ValueError, match="steps must be >= 1"):
        gen.ring_generators(steps=0)


def test_without_its_relus_the_stack_is_the_product_of_its_matrices():
    ge.seed_everything(0)
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=8)
    plain = gen.without_nonlinearity(G)
    z = torch.randn(50, 2)
    W = [m.weight for m in G.net if isinstance(m, nn.Linear)]
    b = [m.bias for m in G.net if isinstance(m, nn.Linear)]
    with torch.no_grad():                               # the same map built by hand: A z + c
        A = W[2] @ W[1] @ W[0]
        c = W[2] @ (W[1] @ b[0] + b[1]) + b[2]
        torch.testing.assert_close(plain(z), z @ A.T + c, atol=1e-5, rtol=1e-5)
    assert any(isinstance(m, nn.ReLU) for m in G.net)   # the original keeps its ReLUs
    assert gen.affine_residual(plain, z) < 1e-4 < 0.1 < gen.affine_residual(G, torch.randn(500, 2))
    with pytest.raises(TypeError, match="MLPGenerator"):
        gen.without_nonlinearity(ge.models.DCGenerator())


def test_checkerboards_counted_two_ways():
    board = gviz.checkerboard_demo()
    counts = torch.zeros(9, 9)                           # kernel 3 of ones: count by hand where the stamps land
    for i in range(4):
        for j in range(4):
            counts[2 * i:2 * i + 3, 2 * j:2 * j + 3] += 1
    assert torch.equal(board["uneven"]["output"], counts[1:-1, 1:-1])
    assert board["uneven"]["spread"] > 1 and board["even"]["spread"] == 0.0 and board["learned"]["spread"] > 0.2
    G = ge.models.DCGenerator(latent_dim=16, image_size=8)
    learned = gviz.checkerboard_demo(G.net.up2)["learned"]
    with torch.no_grad():                                # every input channel 1: the layer itself, minus its bias
        want = nn.functional.conv_transpose2d(torch.ones(1, 64, 4, 4), G.net.up2.weight, stride=2, padding=1)[0, 0]
    torch.testing.assert_close(learned["output"], want, atol=1e-5, rtol=1e-5)
    with pytest.raises(TypeError, match="kernel 4 and stride 2"):
        gviz.checkerboard_demo(nn.ConvTranspose2d(1, 1, 3, 2))


def test_walk_evenness_blend_gaps_and_paths_against_known_generators():
    class Linear(ge.models.MLPGenerator):
        def forward(self, z):
            return z @ torch.tensor([[2.0, 0.0], [0.0, 1.0]])

    class OnCircle(ge.models.MLPGenerator):              # every output exactly on the unit circle
        def forward(self, z):
            return z / z.norm(dim=1, keepdim=True)

    lin = Linear()
    assert gen.walk_evenness(lin, [0.0, 0.0], [1.0, 1.0], steps=10) == pytest.approx(0.1)
    assert gen.walk_evenness(Jumpy(), [0.0, 0.0], [1.0, 1.0], steps=10) > 0.3
    assert float(gen.blend_gaps(lin, n=20).abs().max()) < 1e-6
    walk, chord = gen.path_off_ring(OnCircle(), (1.0, 0.0), (-0.1, 1.0))
    assert walk < 1e-6 and chord > 0.1                   # the chord between two circle points dips inside
    assert gen.walks_off_ring(OnCircle(), n=10)[0] < 1e-6


def test_nearest_distance_by_brute_force():
    g = torch.Generator().manual_seed(0)
    x, images = torch.randn(5, 1, 3, 3, generator=g), torch.randn(7, 1, 3, 3, generator=g)
    want = torch.tensor([min(float((a - b).pow(2).sum().sqrt()) for b in images) for a in x])
    torch.testing.assert_close(gen.nearest_distance(x, images), want, atol=1e-5, rtol=1e-5)
    assert float(gen.nearest_distance(images[:3], images).max()) < 1e-3
    with pytest.raises(ValueError, match="one shape"):
        gen.nearest_distance(x, torch.zeros(2, 1, 4, 4))


def test_the_copier_copies_and_walks_smoothly():
    digits = ge.data.digits()
    c = gen.train_copier(digits.images, n=4, seed=1, features=8)
    assert len(set(c.index.tolist())) == 4 and torch.equal(c.images, digits.images[c.index])
    out = gviz.generator_output(c.G, c.z)
    assert c.error < 0.15 and float((out - c.images).flatten(1).norm(dim=1).max()) == pytest.approx(c.error, abs=1e-5)
    assert float(gen.nearest_distance(out, digits.images).max()) < 0.15
    assert gen.walk_evenness(c.G, c.z[0], c.z[1]) < 1 / 3
    with pytest.raises(ValueError, match="n must be"):
        gen.train_copier(digits.images[:3], n=5)


def test_shape_table_without_parameter_counts():
    walk = gviz.shape_walk(ge.models.DCGenerator(latent_dim=16, image_size=8))
    text = gviz.format_shape_walk(walk, params=False)
    assert "params" not in text and "8,192" not in text and "total parameters" not in text
    assert "64 x 4 x 4" in text and "8,192" in gviz.format_shape_walk(walk)
