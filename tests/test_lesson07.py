"""Lesson 07: the digit classifier and class-coverage score, the DCGAN preset, the image widgets,
the image plots and the checkpoints. Fast: no long training here."""
import io
import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import gan_edu as ge
from gan_edu import quiz
from gan_edu.lessons import classifier as C
from gan_edu.lessons import memorisation as M
from gan_edu.viz import images as vi
from gan_edu.widgets import images as wi


@pytest.fixture(scope="module")
def digits():
    return ge.data.digits()


@pytest.fixture(scope="module")
def clf(digits):
    return C.train_classifier(digits, epochs=4)


@pytest.fixture
def G():
    torch.manual_seed(0)
    return ge.models.DCGenerator(latent_dim=8, features=8)



def one_hot(classes, k=10, p=1.0):
    out = torch.full((len(classes), k), (1 - p) / (k - 1))
    out[torch.arange(len(classes)), torch.as_tensor(classes)] = p
    return out


# --------------------------------------------------------------------------- classifier
def test_classifier_is_deterministic_and_accurate(digits, clf):
    again = C.train_classifier(digits, epochs=4)
    assert all(torch.equal(a, b) for a, b in zip(clf.model.state_dict().values(), again.model.state_dict().values()))
    assert clf.accuracy == again.accuracy >= 0.90
    assert set(clf.train_idx.tolist()).isdisjoint(clf.test_idx.tolist())
    assert len(clf.train_idx) + len(clf.test_idx) == len(digits)
    assert torch.equal(clf.test_labels, digits.labels[clf.test_idx])
    acc = (clf.proba(clf.test_images).argmax(1) == clf.test_labels).float().mean().item()
    assert acc == pytest.approx(clf.accuracy)


def test_training_the_classifier_leaves_the_global_random_state_alone(digits):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    C.train_classifier(digits, epochs=1)
    assert torch.equal(torch.rand(3), expected)


def test_split_is_stratified_and_seeded():
    labels = torch.arange(10).repeat_interleave(20)
    tr, te = C.split_indices(labels, 0.25, seed=3)
    assert torch.equal(torch.bincount(labels[te]), torch.full((10,), 5))
    assert sorted(tr.tolist() + te.tolist()) == list(range(200))
    assert torch.equal(te, C.split_indices(labels, 0.25, seed=3)[1])
    assert not torch.equal(te, C.split_indices(labels, 0.25, seed=4)[1])
    with pytest.raises(ValueError, match="test_fraction"):
        C.split_indices(labels, 0.0)
    with pytest.raises(ValueError, match="labels"):
        C.split_indices(torch.zeros(2, 2))


def test_classifier_works_on_other_image_sizes():
    net = C.DigitClassifier(channels=1, n_classes=10)
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10) and net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


def test_classifier_argument_validation(digits, clf):
    with pytest.raises(TypeError, match="data must be an image set"):
        C.train_classifier(ge.data.ring())
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        C.train_classifier(digits, epochs=0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        C.train_classifier(digits, lr=0.0)
    with pytest.raises(ValueError, match="images must have shape"):
        C.predict_proba(clf, torch.zeros(3, 8, 8))
    with pytest.raises(TypeError, match="model must be"):
        C.predict_proba("clf", torch.zeros(3, 1, 8, 8))


# --------------------------------------------------------------------------- class coverage
def test_coverage_of_one_class_is_one_class_and_log10():
    cov = C.class_coverage(one_hot([3] * 50))
    assert cov.classes == 1 and cov.confident == 1.0 and cov.n == 50
    assert cov.kl == pytest.approx(math.log(10))
    assert cov.counts.tolist() == [0, 0, 0, 50, 0, 0, 0, 0, 0, 0]


def test_coverage_of_balanced_classes_is_ten_and_zero():
    cov = C.class_coverage(one_hot(list(range(10)) * 7))
    assert cov.classes == 10 and cov.kl == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(cov.histogram, 0.1)


def test_coverage_of_two_classes_half_and_half_is_log5():
    assert C.class_coverage(one_hot([1, 7] * 20)).kl == pytest.approx(math.log(5))
    assert C.kl_to_uniform([5, 5, 0, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(math.log(5))


def test_unsure_samples_are_not_covered_but_count_in_the_histogram():
    probs = torch.cat([one_hot([0] * 10), one_hot([1] * 10, p=0.6)])       # class 1 only at p = 0.6
    cov = C.class_coverage(probs, threshold=0.9)
    assert cov.classes == 1 and cov.confident == 0.5 and cov.histogram[1] == 0.5
    assert C.class_coverage(probs, threshold=0.5).classes == 2
    assert C.class_coverage(probs, min_count=11).classes == 0                 # 10 samples each, 11 needed


def test_coverage_argument_validation():
    with pytest.raises(ValueError, match="probs must have shape"):
        C.class_coverage(torch.ones(10))
    with pytest.raises(ValueError, match="softmax"):
        C.class_coverage(torch.ones(4, 10))
    with pytest.raises(ValueError, match="threshold must be > 0"):
        C.class_coverage(one_hot([1]), threshold=0)
    with pytest.raises(ValueError, match="min_count must be >= 1"):
        C.class_coverage(one_hot([1]), min_count=0)
    with pytest.raises(ValueError, match="histogram"):
        C.kl_to_uniform([0, 0])


def test_evaluate_generator_from_trainer_or_generator(clf, G):
    tr = ge.Trainer(G, ge.models.DCDiscriminator(features=8), ge.data.digits(), batch_size=16, device="cpu")
    a = C.evaluate_generator(tr, clf, n=50, seed=1)
    b = C.evaluate_generator(G, clf, n=50, seed=1)
    assert a.n == b.n == 50 and np.array_equal(a.histogram, b.histogram)     # same noise, same samples
    with pytest.raises(TypeError, match="source must be"):
        C.evaluate_generator("G", clf)


def test_latent_for_class(clf, G):
    probs = clf.proba(wi.generate(G, G.sample_noise(64, generator=torch.Generator().manual_seed(0))))
    made = int(probs.argmax(1)[0])
    z = C.latent_for_class(G, clf, made, n=64, seed=0)
    assert z.shape == (8,) and int(clf.proba(wi.generate(G, z)).argmax(1)) == made
    missing = [c for c in range(10) if c not in probs.argmax(1).tolist()]
    if missing:
        with pytest.raises(ValueError, match="none of the 64 samples"):
            C.latent_for_class(G, clf, missing[0], n=64, seed=0)
    with pytest.raises(ValueError, match="digit must be <= 9"):
        C.latent_for_class(G, clf, 10)


# --------------------------------------------------------------------------- preset
def test_digits_preset_builds_a_trainer_that_runs():
    preset = ge.presets.get("digits-dcgan")
    assert preset.name in ge.presets.names("images") and preset.steps > 0
    tr = ge.presets.build("digits-dcgan", seed=0)
    assert isinstance(tr, ge.Trainer) and tr.data.shape == (1, 8, 8)
    assert tr.sample(3).shape == (3, 1, 8, 8)
    assert tr.d_prob(tr.data.images[:4]).shape == (4,)
    tr.run(20, progress=False)
    assert tr.state.step == 20 and math.isfinite(tr.state.loss_d) and math.isfinite(tr.state.loss_g)
    again = ge.presets.build("digits-dcgan", seed=0)
    again.run(20, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(tr.G.state_dict().values(), again.G.state_dict().values()))


def test_dcgan_builds_from_the_data_shape():
    big = ge.data.ImageSet(torch.zeros(20, 1, 16, 16), torch.arange(20) % 10, "blank16", {"kind": "blank"})
    tr = ge.presets.digits.dcgan(big, seed=1)
    assert tr.sample(2).shape == (2, 1, 16, 16)
    with pytest.raises(TypeError, match="data must be an image set"):
        ge.presets.digits.dcgan(ge.data.ring())
    with pytest.raises(ValueError, match="steps must be >="):
        ge.presets.digits.dcgan(steps=10)


def test_preset_lr_decays_linearly():
    tr = ge.presets.build("digits-dcgan", 0)
    d = ge.presets.digits.DCGAN
    start, steps = d["decay_start"], ge.presets.get("digits-dcgan").steps
    tr.state.step = start                      # pretend we are there; the decay reads the step only
    tr._fire("step_end")
    tr.state.step = steps
    tr._fire("step_end")
    assert tr.lr_g == pytest.approx(d["lr"] * d["decay_factor"]) and tr.lr_d == pytest.approx(d["lr"] * d["decay_factor"])


# --------------------------------------------------------------------------- widgets
def small_trainer(G):
    return ge.Trainer(G, ge.models.DCDiscriminator(features=8), ge.data.digits(), batch_size=16, device="cpu")


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def test_live_grid_redraws_every_n_steps_and_keeps_snapshots(G):
    tr = small_trainer(G)
    live = wi.LiveSampleGrid(tr, n=16, nrow=4, every=5, keep=(0, 10))
    assert "ge-live-grid" in live.widget._dom_classes and live.frames == 1 and list(live.snapshots) == [0]
    assert "step 0" in live.caption.value and "nan" not in live.caption.value and "—" in live.caption.value
    first = live.image.value
    tr.run(10, progress=False)
    assert live.frames == 3 and list(live.snapshots) == [0, 10]
    assert live.image.value != first and "step 10" in live.caption.value
    assert torch.equal(live.images, tr.sample(16, z=live.z))                  # the same fixed noise
    live.detach()
    tr.run(5, progress=False)
    assert live.frames == 3 and not live.attached
    live.attach().attach()
    assert sum(f is live._handler for f, _ in tr.handlers["step_end"]) == 1
    with pytest.raises(ValueError, match="multiples of every=5"):
        wi.LiveSampleGrid(tr, every=5, keep=(7,))
    with pytest.raises(TypeError, match="trainer must be"):
        wi.LiveSampleGrid(G)


def test_live_grid_is_drawn_at_the_size_it_is_shown(G):
    """Issue 13: no upscaled PNG. The picture's pixels are the displayed pixels, each image pixel a
    scale x scale square of the exact grid (torchvision's make_grid, padding 1)."""
    live = wi.LiveSampleGrid(small_trainer(G), n=16, nrow=4, scale=5)
    w, h = png_size(live.image.value)
    assert (w, h) == ((4 * 9 + 1) * 5, (4 * 9 + 1) * 5)
    assert live.image.layout.width == f"{w}px" and live.image.layout.height == f"{h}px"
    from PIL import Image

    shown = np.asarray(Image.open(io.BytesIO(live.image.value)).convert("L"), dtype=float) / 255
    grid = ge.viz.image_grid(live.images, 4)[..., 0]
    assert np.abs(shown[::5, ::5] - grid).max() <= 1 / 255 + 1e-9 and np.array_equal(shown, vi.upscale(shown[::5, ::5], 5))


def test_walk_and_nudge_views_are_shown_at_their_figures_size(G):
    for widget in (wi.LatentWalk(G, steps=3), wi.LatentNudge(G, sweep=3)):
        w, h = png_size(widget.view.image.value)
        assert widget.view.image.layout.width == f"{w}px" and widget.view.image.layout.max_width == "100%"


def test_walk_endpoints_are_g_of_z0_and_z1_and_the_slider_redraws(G, clf):
    walk = wi.LatentWalk(G, steps=5, classifier=clf)
    assert "ge-walk" in walk.widget._dom_classes and "ge-walk-alpha" in walk.slider._dom_classes
    assert torch.equal(walk.output, wi.generate(G, walk.z0)[0])
    frames, picture = walk.view.frames, walk.view.image.value
    walk.slider.value = 0.5                                                     # what dragging does
    assert walk.view.frames == frames + 1 and walk.view.image.value != picture
    assert torch.allclose(walk.output, wi.generate(G, 0.5 * walk.z0 + 0.5 * walk.z1)[0])
    walk.set_alpha(1.0)
    assert torch.equal(walk.output, wi.generate(G, walk.z1)[0])
    assert torch.allclose(walk.strip[0], wi.generate(G, walk.z0)[0], atol=1e-6) and len(walk.strip_labels) == 5
    assert walk.label is not None and 0 <= walk.label[0] <= 9
    old = walk.z0.clone()
    walk.reroll_button.click()
    assert not torch.equal(walk.z0, old)
    walk = wi.LatentWalk(G, torch.zeros(8), torch.ones(8), steps=3).set_alpha(0.0)
    assert torch.equal(walk.output, wi.generate(G, torch.zeros(8))[0])


def test_walk_validation(G):
    walk = wi.LatentWalk(G, steps=3)
    with pytest.raises(ValueError, match="alpha must be <= 1"):
        walk.set_alpha(1.5)
    with pytest.raises(ValueError, match="z0 must have 8 numbers"):
        wi.LatentWalk(G, z0=torch.zeros(3))
    with pytest.raises(ValueError, match="steps must be >= 2"):
        wi.LatentWalk(G, steps=1)
    with pytest.raises(TypeError, match="G must be a gan_edu generator"):
        wi.LatentWalk(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="classifier must be"):
        wi.LatentWalk(G, classifier="clf")


def test_nudge_moves_one_coordinate(G, clf):
    nudge = wi.LatentNudge(G, classifier=clf, max_amount=2.0, sweep=5)
    assert "ge-nudge" in nudge.widget._dom_classes and "ge-nudge-dim" in nudge.dim_slider._dom_classes
    assert torch.allclose(nudge.before, nudge.after, atol=1e-6)                # amount 0: no change
    picture = nudge.view.image.value
    nudge.set_dim(3).set_amount(-1.5)
    expected = nudge.z.clone()
    expected[3] -= 1.5
    assert torch.equal(nudge.z_nudged, expected)
    assert torch.allclose(nudge.after, wi.generate(G, expected)[0])
    assert torch.allclose(nudge.before, wi.generate(G, nudge.z)[0], atol=1e-6)
    assert nudge.view.image.value != picture
    nudge.amount_slider.value = 1.0                                             # what dragging does
    assert nudge.amount == 1.0 and torch.allclose(nudge.after, wi.generate(G, nudge.z_nudged)[0])
    old = nudge.z.clone()
    nudge.reroll()
    assert not torch.equal(old, nudge.z)
    with pytest.raises(ValueError, match="d must be <= 7"):
        nudge.set_dim(8)
    with pytest.raises(ValueError, match="t must be >= -2.0"):
        nudge.set_amount(-3.0)
    with pytest.raises(ValueError, match="max_amount must be > 0"):
        wi.LatentNudge(G, max_amount=0)


def test_dimension_effects_and_collapsed_noise(G):
    z = torch.randn(8, generator=torch.Generator().manual_seed(0))
    eff = wi.dimension_effects(G, z, amount=1.0)
    moved = z.clone()
    moved[2] += 1.0
    assert eff.shape == (8,) and eff[2] == pytest.approx((wi.generate(G, moved) - wi.generate(G, z)).abs().mean().item(), abs=1e-6)
    zc = wi.collapsed_noise(G, 300, points=3, spread=0.0, seed=1)
    assert zc.shape == (300, 8) and len(torch.unique(zc, dim=0)) == 3
    assert torch.equal(zc, wi.collapsed_noise(G, 300, points=3, spread=0.0, seed=1))
    assert len(torch.unique(wi.collapsed_noise(G, 50, points=2, spread=0.1), dim=0)) == 50
    with pytest.raises(ValueError, match="points must be >= 1"):
        wi.collapsed_noise(G, 10, points=0)
    with pytest.raises(ValueError, match="spread must be >= 0"):
        wi.collapsed_noise(G, 10, spread=-1.0)


def test_copycat_scores_perfectly_with_ten_images(digits, clf):
    cheat = C.copycat_samples(digits, clf, n=500, seed=0)
    assert cheat.shape == (500, 1, 8, 8) and len(torch.unique(cheat.flatten(1), dim=0)) == 10
    cov = clf.coverage(cheat, min_count=10)
    assert cov.classes == 10 and cov.kl < 0.05
    with pytest.raises(TypeError, match="TrainedClassifier"):
        C.copycat_samples(digits, clf.model)


def test_generate_puts_the_mode_back(G):
    G.train()
    out = wi.generate(G, torch.zeros(8))
    assert G.training and out.shape == (1, 1, 8, 8)
    with pytest.raises(ValueError, match="z must have shape"):
        wi.generate(G, torch.zeros(2, 3))


# --------------------------------------------------------------------------- plots
def test_layer_table_walks_up_and_down(G):
    D = ge.models.DCDiscriminator(features=8)
    g = vi.layer_table(G, torch.zeros(2, 8))
    assert "1 x 8 x 8" in g and "ConvTranspose2d" in g and f"{ge.models.count_parameters(G):,}" in g
    d = vi.layer_table(D, torch.zeros(2, 1, 8, 8))
    assert "Conv2d" in d and "1 (a logit)" in d and f"{ge.models.count_parameters(D):,}" in d
    with pytest.raises(TypeError, match="model must be a gan_edu model"):
        vi.layer_table(torch.nn.Linear(2, 2), torch.zeros(1, 2))


def test_plots_return_figures_and_validate(clf):
    imgs = torch.rand(12, 1, 8, 8) * 2 - 1
    assert isinstance(vi.plot_grid_strip({0: imgs, 100: imgs}, nrow=4), Figure)
    assert isinstance(vi.plot_d_histograms(torch.rand(50), torch.rand(50)), Figure)
    cov = clf.coverage(clf.test_images)
    assert isinstance(vi.plot_class_histogram({"real": cov, "again": cov}), Figure)
    assert isinstance(vi.plot_classified(imgs, clf.proba(imgs), nrow=6), Figure)
    with pytest.raises(ValueError, match="snapshots"):
        vi.plot_grid_strip({})
    with pytest.raises(ValueError, match="p_real"):
        vi.plot_d_histograms(torch.tensor([1.5]), torch.rand(3))
    with pytest.raises(ValueError, match="one row per image"):
        vi.plot_classified(imgs, clf.proba(imgs[:3]))
    with pytest.raises(ValueError, match="coverages"):
        vi.plot_class_histogram({})


# --------------------------------------------------------------------------- checkpoints
def test_lesson07_checkpoints(progress_file, monkeypatch, digits, clf):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    ids = {q for q in quiz._bank() if q.startswith("07-")}
    assert ids == {"07-eye", "07-collapse", "07-kl-meaning", "07-ten-copies", "07-copied"}
    assert quiz.get("07-eye").select("b").check() is True
    assert quiz.get("07-eye").select("a").check() is False
    assert quiz.get("07-kl-meaning").select("b").check() is True
    assert quiz.get("07-copied").select("a").check() is True
    assert quiz.get("07-copied").misconceptions_of("c") == ("smooth-walk-no-memorisation",)
    for qid in ("07-collapse", "07-ten-copies"):
        assert all(not text.endswith(".") for text in quiz.get(qid).options.values())
    q = quiz.get("07-ten-copies")                       # the lesson's own experiment, through the reveal panel
    q.select("perfect").commit()
    for _ in range(2):
        quiz.reveal("07-ten-copies", run=lambda: C.score_copycat(digits, clf, n=1000, seed=0))
        assert q.panel.revealed and "right" in q.panel.note.value
    assert quiz.progress()["07-ten-copies"]["attempts"] == 1


# --------------------------------------------------------------------------- the held-out split
def test_hold_out_is_the_classifiers_split_and_is_never_trained_on(digits, clf):
    split = C.hold_out(digits, test_fraction=0.25, seed=0)
    assert torch.equal(split.held_out_idx, clf.test_idx) and torch.equal(split.train_idx, clf.train_idx)
    assert len(split.train) + len(split.held_out) == len(digits)
    assert set(split.train_idx.tolist()).isdisjoint(split.held_out_idx.tolist())
    assert torch.equal(split.train.images, digits.images[split.train_idx])
    assert torch.equal(split.held_out.labels, digits.labels[split.held_out_idx])
    assert split.train.shape == digits.shape and split.train.classes == digits.classes
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=8, features=8), ge.models.DCDiscriminator(features=8), split.train,
                    batch_size=16, device="cpu")
    real = tr.data.sample(256, generator=torch.Generator().manual_seed(0))      # what D's real batches hold
    assert bool((torch.cdist(real.flatten(1), split.train.images.flatten(1)).min(1).values == 0).all())


def test_a_part_cannot_pass_for_the_whole_set_when_rebuilt(digits):
    split = C.hold_out(digits)
    spec = split.train.spec()
    assert spec["kind"] == "subset" and spec["indices"] == split.train_idx.tolist() and spec["of"] == digits.spec()
    rebuilt = ge.data.from_spec(spec)                       # a checkpoint rebuilds exactly the part
    assert torch.equal(rebuilt.images, split.train.images) and torch.equal(rebuilt.labels, split.train.labels)
    with pytest.raises(ValueError, match="indices must lie in"):
        ge.data.from_spec({**spec, "indices": [0, len(digits)]})
    with pytest.raises(TypeError, match="data must be an image set"):
        C.hold_out(ge.data.ring())


# --------------------------------------------------------------------------- did G copy?
def brute_nearest(x, t):
    """The oracle: every pair's distance in NumPy, one image at a time."""
    x, t = x.flatten(1).double().numpy(), t.flatten(1).double().numpy()
    d = np.array([[np.sqrt(((a - b) ** 2).sum()) for b in t] for a in x])
    return d.min(1), d.argmin(1)


def test_nearest_training_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    x, t = torch.rand(37, 1, 8, 8, generator=g) * 2 - 1, torch.rand(23, 1, 8, 8, generator=g) * 2 - 1
    near = M.nearest_training(x, t, chunk=5)                                  # several chunks
    dist, idx = brute_nearest(x, t)
    assert np.allclose(near.distance.numpy(), dist, atol=1e-12) and np.array_equal(near.index.numpy(), idx)
    with pytest.raises(ValueError, match="same number of features"):
        M.nearest_training(x, torch.zeros(3, 1, 4, 4))
    assert np.array_equal(M.nearest_training(x.numpy(), t).index.numpy(), idx)     # arrays work too
    with pytest.raises(ValueError, match="NaN"):
        M.nearest_training(torch.full((2, 1, 8, 8), float("nan")), t)


def test_memorisation_check_flags_copies_and_not_new_samples(digits):
    split = C.hold_out(digits)
    train, held = split.train.images, split.held_out.images
    g = torch.Generator().manual_seed(1)
    copies = train[torch.randint(len(train), (200,), generator=g)]
    check = M.memorisation_check(copies, train, held, quantile=0.05)
    assert check.share == 1.0 and check.exact_copies == 1.0 and check.median_ratio == 0.0
    assert np.array_equal(train[check.nearest].flatten(1).numpy(), copies.flatten(1).numpy())
    dist, _ = brute_nearest(held[:40], train)
    assert np.allclose(check.held_out[:40], dist)
    assert check.threshold == pytest.approx(float(np.quantile(check.held_out, 0.05)))
    # "new" digits: half the held-out part checked against the training part behaves like the yardstick
    new = M.memorisation_check(held[::2], train, held)
    assert 0.02 <= new.share <= 0.09 and new.exact_copies == 0.0 and 0.9 < new.median_ratio < 1.1
    mixed = M.memorisation_check(M.mix_in_copies(held[::2], train, share=0.2, seed=0), train, held)
    assert mixed.exact_copies == pytest.approx(round(0.2 * len(held[::2])) / len(held[::2]))
    assert mixed.share >= new.share + 0.15
    with pytest.raises(ValueError, match="quantile must be <= 0.5"):
        M.memorisation_check(copies, train, held, quantile=0.9)
    with pytest.raises(ValueError, match="share must be <= 1"):
        M.mix_in_copies(held, train, share=1.5)


def test_closest_are_the_suspects_in_order_and_the_table_reads(digits):
    split = C.hold_out(digits)
    train, held = split.train.images, split.held_out.images
    samples = torch.cat([train[:3], torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(2)) * 2 - 1])
    check = M.memorisation_check(samples, train, held)
    idx, near, dist = check.closest(5)
    assert sorted(idx[:3].tolist()) == [0, 1, 2] and np.all(dist[:3] == 0) and np.all(np.diff(dist) >= 0)
    assert np.array_equal(near, check.nearest[idx])
    h_idx, h_near, h_dist = check.closest(4, "held_out")
    assert np.array_equal(h_dist, np.sort(check.held_out)[:4]) and np.array_equal(h_near, check.held_out_nearest[h_idx])
    lines = M.format_checks({"our G": check}).splitlines()
    assert lines[1].startswith("held-out real digits") and lines[2].startswith("our G") and "13.0 %" in lines[2]
    assert max(map(len, lines)) <= 88
    with pytest.raises(ValueError, match="which must be one of"):
        check.closest(3, "train")
    with pytest.raises(ValueError, match="checks must be"):
        M.format_checks({})


# --------------------------------------------------------------------------- the two predictions' experiments
def coverage_of(classes, confident, k=10):
    counts = np.zeros(k, dtype=int)
    counts[:classes] = 50
    hist = np.full(k, 1 / k)
    return C.ClassCoverage(classes, confident, 0.0, counts, hist, 1000, 0.9)


@pytest.mark.parametrize("classes, confident, outcome", [
    (10, 0.8, "all"), (9, 0.2, "all"), (8, 0.8, "few-sure"), (2, 0.5, "few-sure"), (5, 0.49, "few-unsure"),
    (1, 0.9, "one"), (0, 0.0, "one")])
def test_collapse_outcome_follows_the_options_words(classes, confident, outcome):
    assert C.FakeCollapse(torch.zeros(1, 1, 8, 8), coverage_of(classes, confident)).outcome == outcome


def test_collapse_experiment_reads_g_and_repeats_exactly(G, clf):
    before = [p.clone() for p in G.state_dict().values()]
    a = C.fake_collapse(G, clf, n=200, points=3, spread=0.2, seed=0)
    b = C.fake_collapse(G, clf, n=200, points=3, spread=0.2, seed=0)
    assert torch.equal(a.samples, b.samples) and a.outcome == b.outcome
    assert all(torch.equal(x, y) for x, y in zip(before, G.state_dict().values()))
    assert len(torch.unique(C.fake_collapse(G, clf, n=50, spread=0.0).samples.flatten(1), dim=0)) == 3


def test_copycat_score_is_perfect(digits, clf):
    cheat = C.score_copycat(digits, clf, n=500, seed=0)
    assert cheat.distinct == 10 and cheat.outcome == "perfect"
    assert quiz.answer_hash("07-ten-copies", cheat.outcome) == quiz.get("07-ten-copies").expected


def test_format_scores_lines_are_short_and_say_what_they_measure(clf):
    text = C.format_scores({"real digits (held out)": clf.coverage(clf.test_images, min_count=10)})
    lines = text.splitlines()
    assert "classes" in lines[0] and "confident" in lines[0] and "10 / 10" in lines[1]
    assert max(map(len, lines)) <= 88 and "log 10 = 2.30" in lines[-1]
    with pytest.raises(ValueError, match="scores must be"):
        C.format_scores({"x": 3})


def test_labels_along_a_walk(G, clf):
    z0, z1 = torch.zeros(8), torch.ones(8)
    labels, conf = C.labels_along(G, clf, z0, z1, steps=5)
    a = torch.linspace(0, 1, 5).unsqueeze(1)
    top, pred = clf.proba(wi.generate(G, (1 - a) * z0 + a * z1)).max(1)
    assert labels == pred.tolist() and np.allclose(conf, top.tolist())
    with pytest.raises(ValueError, match="steps must be >= 2"):
        C.labels_along(G, clf, z0, z1, steps=1)


# --------------------------------------------------------------------------- what the learner sees
def rendered(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float) / 255


def test_pixel_panels_are_pixel_exact_and_fit_the_page():
    g = torch.Generator().manual_seed(0)
    imgs = torch.rand(16, 1, 8, 8, generator=g) * 2 - 1
    fig = vi.plot_grid_strip({0: imgs, 100: imgs, 200: imgs, 300: imgs, 400: imgs}, nrow=4, scale=3)
    pixels = rendered(fig)
    assert pixels.shape[1] <= vi.MAX_WIDTH
    grid = vi.upscale(ge.viz.image_grid(imgs, 4)[..., 0], 3)                  # [111, 111]
    target = np.repeat(grid[..., None], 3, axis=2)
    h, w = grid.shape
    tol = 1.01 / 255                                                          # 8-bit rounding, nothing more
    found = [(y, x) for y in range(pixels.shape[0] - h + 1) for x in range(pixels.shape[1] - w + 1)
             if np.abs(pixels[y, x] - target[0, 0]).max() < tol and np.abs(pixels[y:y + h, x:x + w] - target).max() < tol]
    assert len(found) == 5                                                    # every panel, unresampled
    with pytest.raises(ValueError, match="scale must be >= 1"):
        vi.pixel_panels({"a": np.zeros((2, 2))}, scale=0)


def text_sizes_px(fig):
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_fontsize() * fig.dpi / 72 for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def legends_off_data(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_window_extent(r).overlaps(ax.get_window_extent(r)):
            return False
    return True


def test_lesson07_figures_have_readable_text_and_legends_off_the_data(clf):
    g = torch.Generator().manual_seed(0)
    imgs = torch.rand(8, 1, 8, 8, generator=g) * 2 - 1
    tr = small_trainer(ge.models.DCGenerator(latent_dim=8, features=8))
    tr.run(30, progress=False)
    cov = clf.coverage(clf.test_images)
    figs = [vi.plot_training_curves(tr.history), vi.plot_d_histograms(torch.rand(50), torch.rand(50)),
            vi.plot_class_histogram({"real": cov, "G": cov}), vi.plot_classified(imgs, clf.proba(imgs), nrow=4),
            vi.plot_grid_strip({"a": imgs}), vi.plot_distance_histograms({"held-out": torch.rand(30), "G": torch.rand(40)}, 0.5),
            vi.plot_nearest_pairs({"pairs": (imgs[:4], imgs[4:], torch.rand(4))})]
    for fig in figs:
        assert min(text_sizes_px(fig)) >= 10, fig
        assert legends_off_data(fig), fig


def test_d_histograms_show_the_counts():
    fig = vi.plot_d_histograms(torch.full((50,), 0.7), torch.full((20,), 0.2), bins=10)
    assert fig.axes[0].get_ylim()[1] >= 50


def test_wrap_lines_breaks_at_words_and_keeps_commands():
    text = "word " * 40 + "\n    python -c \"a very long command that must stay on one line " + "x" * 80 + "\""
    lines = vi.wrap_lines(text, width=30).splitlines()
    assert all(len(line) <= 30 for line in lines[:-1]) and lines[-1].startswith("    python -c")
    assert all(w == "word" for line in lines[:-1] for w in line.split())
    assert vi.wrap_lines(ValueError("short")) == "short"
    hyphenated = vi.wrap_lines("against 85 % of the held-out real digits", width=27).splitlines()
    assert hyphenated == ["against 85 % of the", "held-out real digits"]          # never "held-" / "out"


def test_distance_histograms_look_the_same_in_any_order():
    """Real digits solid green, a generator's samples hatched purple, whichever comes first (lessons 07, 09
    and 10 pass them in different orders)."""
    def looks(fig):
        return {p.get_label().split(" (")[0]: (p.get_hatch() or "", tuple(round(c, 3) for c in p.get_facecolor()[:3]))
                for p in fig.axes[0].patches}

    real, fake = torch.rand(30), torch.rand(40)
    first = looks(vi.plot_distance_histograms({"held-out real digits": real, "G's samples": fake}))
    second = looks(vi.plot_distance_histograms({"G's samples": fake, "held-out real digits": real}))
    assert first == second and first["held-out real digits"][0] == "" and first["G's samples"][0] == "//"
    assert looks(vi.plot_distance_histograms({"reference digits": real, "G": fake}))["reference digits"][0] == ""


def test_plot_validation():
    imgs = torch.zeros(2, 1, 8, 8)
    with pytest.raises(ValueError, match="same number of the same images"):
        vi.plot_nearest_pairs({"x": (imgs, imgs[:1], torch.zeros(2))})
    with pytest.raises(ValueError, match="distances\\['x'\\] must be"):
        vi.plot_distance_histograms({"x": torch.tensor([-1.0])})
    with pytest.raises(ValueError, match="array must be an image"):
        vi.png_pixels(np.zeros(3))


def test_a_reveal_shows_its_pictures_at_their_own_size():
    """The collapsed G's samples inside the 07-collapse panel are not stretched across the panel."""
    from types import SimpleNamespace

    from IPython.utils.capture import RichOutput

    from gan_edu.quiz.panel import _output_widgets

    imgs = torch.rand(32, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    fig = vi.plot_grid_strip({"32 samples": imgs}, scale=6)
    captured = SimpleNamespace(stdout="", stderr="", outputs=[RichOutput(data={"image/png": ge.viz.to_png(fig)})])
    [image] = _output_widgets(captured)
    assert image.layout.width == f"{png_size(image.value)[0]}px" == f"{fig.canvas.get_width_height()[0]}px"
    assert image.layout.max_width == "100%"
