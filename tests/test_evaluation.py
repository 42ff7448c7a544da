"""gan_edu.evaluation against oracles: closed forms on hand-made Gaussians and point sets,
scipy's matrix square root, a direct double loop for KID, the reference ``prdc`` package,
brute-force nearest neighbours, and the classifier's own layers."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn

from gan_edu import evaluation as ev
from gan_edu.lessons import classifier as C

try:
    from prdc import compute_prdc
except ImportError:          # an oracle for tests only; CI installs it with the dev extra
    compute_prdc = None

needs_prdc = pytest.mark.skipif(compute_prdc is None and not os.environ.get("CI"),
                                reason="the prdc package (test oracle) is not installed: pip install prdc")


def gaussian_samples(n, d, seed, shift=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(size=(n, d)) * scale + shift


def fd_scipy(a, b):
    """The textbook formula with scipy.linalg.sqrtm (as pytorch-fid computes it)."""
    m1, m2, s1, s2 = a.mean(0), b.mean(0), np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(s1 @ s2)
    return float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(root.real))


def fit(mean, cov):
    return ev.GaussianFit(torch.as_tensor(mean, dtype=torch.float64), torch.as_tensor(cov, dtype=torch.float64), 100)


# --------------------------------------------------------------------------- Fréchet distance
def test_frechet_distance_closed_forms_on_hand_made_gaussians():
    d = 6
    eye = np.eye(d)
    mu = np.arange(d, dtype=float)
    assert ev.frechet_distance(fit(mu, eye), fit(mu, eye)) == pytest.approx(0, abs=1e-12)
    delta = np.array([3.0, -4.0, 0, 0, 0, 0])                     # shifted mean: ||Δμ||² = 25
    assert ev.frechet_distance(fit(mu, 2 * eye), fit(mu + delta, 2 * eye)) == pytest.approx(25, abs=1e-10)
    # isotropic a²I against b²I: d (a - b)²
    assert ev.frechet_distance(fit(mu, 4 * eye), fit(mu, 9 * eye)) == pytest.approx(d * (2 - 3) ** 2, abs=1e-10)
    # diagonal covariances: sum (sqrt(a_i) - sqrt(b_i))², plus the mean term
    a, b = np.array([1, 4, 9, 16, 25, 36.0]), np.array([4, 4, 1, 1, 0.25, 36.0])
    expected = 25 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert ev.frechet_distance(fit(mu, np.diag(a)), fit(mu + delta, np.diag(b))) == pytest.approx(expected, abs=1e-10)
    # the same covariance, rank-deficient (a singular matrix): only the means count
    low = np.diag([1.0, 2, 0, 0, 0, 0])
    assert ev.frechet_distance(fit(mu, low), fit(mu + delta, low)) == pytest.approx(25, abs=1e-9)


def test_frechet_distance_matches_scipy_sqrtm_on_non_commuting_covariances():
    rng = np.random.default_rng(1)
    for d in (2, 5, 20):
        a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
        s1, s2 = a @ a.T + 0.1 * np.eye(d), b @ b.T + 0.1 * np.eye(d)
        m1, m2 = rng.normal(size=d), rng.normal(size=d)
        expected = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
        assert ev.frechet_distance(fit(m1, s1), fit(m2, s2)) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_on_samples_matches_scipy_and_is_symmetric():
    a = gaussian_samples(400, 12, 0)
    b = gaussian_samples(300, 12, 1, shift=0.3, scale=1.5)
    fd = ev.frechet_distance(a, b)
    assert fd == pytest.approx(fd_scipy(a, b), rel=1e-8)
    assert ev.frechet_distance(torch.tensor(b), torch.tensor(a, dtype=torch.float32)) == pytest.approx(fd, rel=1e-6)
    assert ev.frechet_distance(ev.gaussian_fit(a), b) == pytest.approx(fd, rel=1e-12)
    assert ev.frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    few = gaussian_samples(30, 60, 2)                            # N < d: singular covariances still work
    assert ev.frechet_distance(few, few + 1.0) == pytest.approx(60.0, rel=1e-6)


def test_frechet_baseline_is_seeded_and_its_bias_shrinks_with_n():
    x = gaussian_samples(4000, 10, 3)
    assert ev.frechet_baseline(x, seed=0) == ev.frechet_baseline(x, seed=0) != ev.frechet_baseline(x, seed=1)
    small = np.mean([ev.frechet_baseline(x, n=50, seed=s) for s in range(5)])
    large = ev.frechet_baseline(x, n=2000)
    assert small > 3 * large > 0                 # two samples of ONE distribution: FD > 0, more so at small n
    with pytest.raises(ValueError, match="n must be <= 2000"):
        ev.frechet_baseline(x, n=2001)


def test_frechet_distance_rejects_bad_input_naming_the_argument():
    a = gaussian_samples(10, 3, 0)
    with pytest.raises(ValueError, match="real and generated must have the same number of features d, got 3 and 4"):
        ev.frechet_distance(a, gaussian_samples(10, 4, 0))
    bad = a.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="generated contains NaN .* in 1 of 10 samples .*G produced NaN samples"):
        ev.frechet_distance(a, bad)
    with pytest.raises(ValueError, match=r"real must contain at least 2 sample"):
        ev.frechet_distance(a[:1], a)
    with pytest.raises(ValueError, match=r"real must have shape \[N, d\]"):
        ev.frechet_distance(a.ravel(), a)
    with pytest.raises(TypeError, match="real must be a torch.Tensor or a NumPy array, got list"):
        ev.frechet_distance(a.tolist(), a)


# --------------------------------------------------------------------------- KID
def mmd2_loop(x, y):
    """Unbiased MMD² with k(a, b) = (a·b/d + 1)³, by a direct double loop over pairs."""
    d = x.shape[1]
    k = lambda a, b: (float(np.dot(a, b)) / d + 1) ** 3     # noqa: E731
    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_mmd2_and_kid_match_a_direct_loop():
    x, y = gaussian_samples(15, 4, 0), gaussian_samples(11, 4, 1, shift=0.5)
    tx, ty = torch.tensor(x), torch.tensor(y)
    got = ev.mmd2_unbiased(ev.polynomial_kernel(tx, tx), ev.polynomial_kernel(ty, ty), ev.polynomial_kernel(tx, ty))
    assert got == pytest.approx(mmd2_loop(x, y), rel=1e-10)
    # one subset of the whole (smaller) set: a permutation of it, so the loop value on those samples
    kid = ev.kernel_distance(x[:11], y, subset_size=11, subsets=1)
    assert kid.mean == pytest.approx(mmd2_loop(x[:11], y), rel=1e-10) and kid.std == 0 and kid.subset_size == 11


def test_kid_subsets_are_seeded_and_both_code_paths_agree(monkeypatch):
    x, y = gaussian_samples(200, 8, 0), gaussian_samples(150, 8, 1, shift=0.2)
    a = ev.kernel_distance(x, y, subset_size=50, subsets=20, seed=3)
    assert a.subset_size == 50 and a.subsets == 20 and len(a.values) == 20
    assert a.mean == pytest.approx(a.values.mean()) and a.std == pytest.approx(a.values.std()) and a.std > 0
    assert np.array_equal(ev.kernel_distance(x, y, subset_size=50, subsets=20, seed=3).values, a.values)
    monkeypatch.setattr(ev, "_GRAM_LIMIT", 0)               # kernels per subset instead of once
    np.testing.assert_allclose(ev.kernel_distance(x, y, subset_size=50, subsets=20, seed=3).values, a.values, rtol=1e-10)
    monkeypatch.undo()
    assert ev.kernel_distance(x, y, subset_size=50, subsets=1, seed=3).values[0] == a.values[0]   # one seeded stream
    assert ev.kernel_distance(x, y).subset_size == 150        # default: min(1000, both sizes)


def test_kid_is_unbiased_where_the_biased_estimate_is_not():
    """Two samples of ONE distribution, 20 points each, 300 times: the unbiased estimator averages 0
    (within 4 standard errors), the V-statistic (diagonal kept) is clearly above 0."""
    unbiased, biased = [], []
    for s in range(300):
        x, y = torch.tensor(gaussian_samples(20, 4, 2 * s)), torch.tensor(gaussian_samples(20, 4, 2 * s + 1))
        kxx, kyy, kxy = ev.polynomial_kernel(x, x), ev.polynomial_kernel(y, y), ev.polynomial_kernel(x, y)
        unbiased.append(ev.mmd2_unbiased(kxx, kyy, kxy))
        biased.append(float(kxx.mean() + kyy.mean() - 2 * kxy.mean()))
    se = np.std(unbiased) / math.sqrt(len(unbiased))
    assert abs(np.mean(unbiased)) < 4 * se
    assert np.mean(biased) > 10 * np.std(biased) / math.sqrt(len(biased))


def test_kid_is_near_zero_for_one_distribution_and_grows_with_the_shift():
    x, y = gaussian_samples(600, 8, 0), gaussian_samples(600, 8, 1)
    same = ev.kernel_distance(x, y, subset_size=300, subsets=30)
    shifted = [ev.kernel_distance(x, y + s, subset_size=300, subsets=30).mean for s in (0.25, 0.5, 1.0)]
    assert abs(same.mean) < 2 * same.std and abs(same.mean) < 0.05 * shifted[0]
    assert shifted[0] < shifted[1] < shifted[2]


def test_kid_rejects_bad_input():
    x = gaussian_samples(20, 3, 0)
    with pytest.raises(ValueError, match=r"subset_size must be <= the smaller set \(10 samples\), got 15"):
        ev.kernel_distance(x, x[:10], subset_size=15)
    with pytest.raises(ValueError, match="subset_size must be >= 2"):
        ev.kernel_distance(x, x, subset_size=1)
    with pytest.raises(ValueError, match="subsets must be >= 1"):
        ev.kernel_distance(x, x, subsets=0)
    with pytest.raises(ValueError, match="same number of features"):
        ev.kernel_distance(x, gaussian_samples(20, 2, 0))
    with pytest.raises(ValueError, match="G produced NaN samples"):
        ev.kernel_distance(x, np.full((5, 3), np.inf))


# --------------------------------------------------------------------------- distances, k-NN balls, PRDC
def test_pairwise_distances_are_exact_for_copies_and_match_direct_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 64)) * 3 + 100                   # large norms: the fast formula alone is off by ~1e-6
    y = np.concatenate([x[:5], rng.normal(size=(10, 64)) + 100])
    d = ev.pairwise_distances(x, y)
    direct = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
    np.testing.assert_allclose(d.numpy(), direct, rtol=1e-9, atol=1e-9)
    assert (d[torch.arange(5), torch.arange(5)] == 0).all()
    images = torch.tensor(x[:4]).view(4, 1, 8, 8)              # images are flattened
    assert torch.equal(ev.pairwise_distances(images, images).diagonal(), torch.zeros(4, dtype=torch.float64))


def test_knn_radii_against_sorting():
    x = gaussian_samples(30, 3, 4)
    full = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    for k in (1, 2, 5):
        expected = np.sort(full, axis=1)[:, k]                 # column 0 is the point itself
        np.testing.assert_allclose(ev.knn_radii(x, k).numpy(), expected, rtol=1e-10)
    with pytest.raises(ValueError, match=r"features has 3 samples; k-nearest-neighbour balls with k=5 need at least k \+ 1 = 6"):
        ev.knn_radii(x[:3], 5)


def test_prdc_on_a_hand_made_point_set():
    """Worked by hand (1D, k=1). Real 0, 1, 3, 6 have nearest-neighbour radii 1, 1, 2, 3: balls
    [-1, 1], [0, 2], [1, 5], [3, 9]. Generated 0.5, 10, 20, 21 have radii 9.5, 9.5, 1, 1.
    precision: only 0.5 lies in a real ball -> 1/4; density: 0.5 lies in 2 balls -> 2 / (1 * 4);
    coverage: the balls of 0 and 1 hold a generated point -> 2/4; recall: the generated ball
    [-9, 10] around 0.5 (stretched by the outlier 10) holds every real point -> 1."""
    real = np.array([[0.0], [1.0], [3.0], [6.0]])
    gen = np.array([[0.5], [10.0], [20.0], [21.0]])
    assert tuple(ev.prdc(real, gen, k=1)) == pytest.approx((0.25, 1.0, 0.5, 0.5, 1))


def test_prdc_balls_are_closed_and_k_counts_other_points():
    """Unit square corners, k=2: each corner's 2nd neighbour is at distance 1. The centre is in all four
    balls (density counts it four times); (1, 2) is at distance exactly 1 from (1, 1): on the boundary, inside."""
    real = np.array([[0.0, 0], [1, 0], [0, 1], [1, 1]])
    gen = np.array([[0.5, 0.5], [1, 2], [5, 5]])
    r = ev.prdc(real, gen, k=2)
    assert r.precision == pytest.approx(2 / 3)                 # the centre and (1, 2)
    assert r.density == pytest.approx((4 + 1 + 0) / (2 * 3))  # (1, 2) is only in the ball of (1, 1)
    assert r.coverage == 1.0 and r.recall == 1.0              # generated radii (k=2 among 3 points) are >= 5


@needs_prdc
@pytest.mark.parametrize("k", [1, 3, 5])
def test_prdc_matches_the_reference_package(k, capsys):
    for seed in range(3):
        real = gaussian_samples(200, 10, seed)
        gen = gaussian_samples(150, 10, seed + 100, shift=0.3, scale=1.2)
        ours = ev.prdc(real, gen, k=k)
        ref = compute_prdc(real, gen, nearest_k=k)
        assert ours.precision == pytest.approx(ref["precision"]) and ours.recall == pytest.approx(ref["recall"])
        assert ours.density == pytest.approx(ref["density"]) and ours.coverage == pytest.approx(ref["coverage"])


def test_prdc_responds_as_published():
    """Same distribution: precision, recall, coverage high and density about 1; a generated set squeezed
    into a corner of the real one keeps precision and loses recall and coverage."""
    real, gen = gaussian_samples(500, 4, 0), gaussian_samples(500, 4, 1)
    same = ev.prdc(real, gen, k=5)
    assert same.precision > 0.9 and same.recall > 0.9 and same.coverage > 0.9 and 0.8 < same.density < 1.2
    squeezed = ev.prdc(real, gaussian_samples(500, 4, 2, scale=0.3), k=5)
    assert squeezed.precision > 0.95 and squeezed.recall < 0.5 and squeezed.coverage < 0.5


def test_prdc_rejects_too_few_samples_and_mismatched_features():
    x = gaussian_samples(10, 3, 0)
    with pytest.raises(ValueError, match="generated has 5 samples; .* k=5 need at least k \\+ 1 = 6"):
        ev.prdc(x, x[:5], k=5)
    with pytest.raises(ValueError, match="real and generated must have the same number of features"):
        ev.prdc(x, gaussian_samples(10, 4, 0))
    with pytest.raises(TypeError, match="k must be an integer"):
        ev.prdc(x, x, k=2.5)


# --------------------------------------------------------------------------- classes
def test_class_balance_on_hand_made_labels():
    real = [0, 1, 2, 3]
    r = ev.class_balance(np.array([0, 0, 1, 1]), np.array(real))
    assert (r.classes, r.n_classes, r.missing) == (2, 4, [2, 3])
    assert r.kl == pytest.approx(math.log(2))                  # (1/2, 1/2, 0, 0) against uniform over 4
    np.testing.assert_allclose(r.histogram, [0.5, 0.5, 0, 0])
    two_missing = ev.class_balance(torch.arange(8).repeat(5), torch.arange(10))
    assert two_missing.classes == 8 and two_missing.kl == pytest.approx(math.log(10 / 8))
    assert ev.class_balance(torch.tensor([0, 1]), torch.tensor([0, 0, 1, 1])).kl == pytest.approx(0)
    assert ev.class_balance(torch.tensor([0, 2]), torch.tensor([0, 1]), n_classes=3).kl == math.inf


def test_class_balance_from_probabilities_agrees_with_the_classifiers_kl_to_uniform():
    rng = np.random.default_rng(0)
    logits = torch.tensor(rng.normal(size=(300, 10)) * 3)
    probs = logits.softmax(1)
    r = ev.class_balance(probs, torch.arange(10).repeat(30))   # real histogram uniform
    assert r.kl == pytest.approx(C.kl_to_uniform(np.bincount(probs.argmax(1).numpy(), minlength=10)), rel=1e-12)
    cov = C.class_coverage(probs.float(), threshold=0.9)
    assert ev.class_balance(probs, torch.arange(10), threshold=0.9).classes == cov.classes


def test_class_balance_threshold_and_min_count():
    sure, unsure = [0.95, 0.05, 0.0], [0.5, 0.0, 0.5]
    probs = torch.tensor([sure, sure, [0.05, 0.95, 0.0], unsure, unsure], dtype=torch.float64)
    real = torch.tensor([0, 1, 2])
    assert ev.class_balance(probs, real).classes == 2                       # argmax: classes 0, 1 (ties -> 0)
    assert ev.class_balance(probs, real, threshold=0.9, min_count=2).missing == [1, 2]


def test_class_balance_rejects_bad_input():
    with pytest.raises(ValueError, match="generated must be probabilities .*apply softmax to logits"):
        ev.class_balance(torch.randn(4, 3), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="real: class labels must be >= 0"):
        ev.class_balance(torch.tensor([0, 1]), torch.tensor([0, -1]))
    with pytest.raises(ValueError, match="threshold=0.9 needs generated to be probabilities"):
        ev.class_balance(torch.tensor([0, 1]), torch.tensor([0, 1]), threshold=0.9)
    with pytest.raises(ValueError, match="n_classes=2, but the inputs have 3 classes"):
        ev.class_balance(torch.tensor([0, 2]), torch.tensor([0, 1]), n_classes=2)
    with pytest.raises(ValueError, match="generated must be probabilities \\[N, K\\] \\(float\\) or integer labels"):
        ev.class_balance(torch.tensor([0.0, 1.0]), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="generated must be class probabilities"):
        ev.class_balance("0 1 2", torch.tensor([0, 1]))


# --------------------------------------------------------------------------- memorisation
@pytest.fixture(scope="module")
def digits_split():
    import gan_edu as ge

    data = ge.data.digits()
    train, held = C.split_indices(data.labels, test_fraction=0.5, seed=0)
    a, b = C.split_indices(data.labels[held], test_fraction=0.5, seed=0)
    return data.images[train], data.images[held[a]], data.images[held[b]]


def test_memorisation_flags_exact_copies_at_distance_zero(digits_split):
    train, probe, held_out = digits_split
    pick = torch.tensor([5, 17, 400, 3, 5])
    m = ev.memorisation_check(train[pick], train, held_out)
    assert (m.generated == 0).all() and m.exact_copies == 1.0 and m.share == 1.0 and m.space == "pixels"
    assert list(m.nearest) == pick.tolist()
    assert m.threshold > 0 and len(m.held_out) == len(held_out)
    assert "100.0 % of generated samples" in m.summary() and "100.0 % are exact copies" in m.summary()


def test_memorisation_does_not_flag_new_real_images(digits_split):
    train, probe, held_out = digits_split
    m = ev.memorisation_check(probe, train, held_out, quantile=0.05)
    assert m.share < 0.15 and m.exact_copies == 0          # about 5 %: new images of the same distribution
    assert m.threshold == pytest.approx(np.quantile(m.held_out, 0.05))
    half = torch.cat([probe[:100], train[:100]])              # half copies: about half flagged
    assert 0.45 <= ev.memorisation_check(half, train, held_out).share <= 0.6


def test_memorisation_matches_brute_force_nearest_neighbours():
    rng = np.random.default_rng(0)
    gen, train, held = rng.normal(size=(50, 5)), rng.normal(size=(80, 5)), rng.normal(size=(40, 5))
    m = ev.memorisation_check(gen, train, held, quantile=0.1)
    full = np.sqrt(((gen[:, None] - train[None]) ** 2).sum(-1))
    np.testing.assert_allclose(m.generated, full.min(1), rtol=1e-10)
    assert list(m.nearest) == list(full.argmin(1)) and m.space == "as given"
    dh = np.sqrt(((held[:, None] - train[None]) ** 2).sum(-1)).min(1)
    assert m.threshold == pytest.approx(np.quantile(dh, 0.1))
    assert m.share == pytest.approx(np.mean(full.min(1) <= np.quantile(dh, 0.1)))


def test_memorisation_in_feature_space(digits_split):
    train, probe, held_out = digits_split
    torch.manual_seed(0)
    model = C.DigitClassifier()
    m = ev.memorisation_check(torch.cat([train[:10], probe[:10]]), train, held_out, model=model)
    assert m.space == "features" and (m.generated[:10] == 0).all() and (m.generated[10:] > 0).all()


def test_memorisation_rejects_bad_input(digits_split):
    train, probe, held_out = digits_split
    with pytest.raises(ValueError, match="quantile must be <= 0.5"):
        ev.memorisation_check(probe, train, held_out, quantile=0.9)
    with pytest.raises(ValueError, match="generated and train must have the same number of features d, got 16 and 64"):
        ev.memorisation_check(probe[:, :, :4, :4], train, held_out)
    bad = probe.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="generated contains NaN .*G produced NaN samples"):
        ev.memorisation_check(bad, train, held_out)


# --------------------------------------------------------------------------- features
def test_penultimate_features_are_the_input_of_the_last_linear_layer(digits_split):
    train, probe, _ = digits_split
    torch.manual_seed(0)
    model = C.DigitClassifier()
    model.train()
    with torch.no_grad():
        expected = model.net[:-1](probe)                        # every layer up to the final Linear
    feats = ev.penultimate_features(model, probe, batch_size=37)
    assert feats.shape == (len(probe), 512) and feats.dtype == torch.float32 and not feats.requires_grad
    torch.testing.assert_close(feats, expected)
    assert model.training                                       # mode restored
    torch.testing.assert_close(ev.penultimate_features(model, probe, batch_size=4096), feats)
    trained = C.TrainedClassifier(model, 0.0, None, None, None, None)
    torch.testing.assert_close(ev.penultimate_features(trained, probe[:3]), feats[:3])


def test_penultimate_features_reject_bad_input():
    with pytest.raises(ValueError, match="has no nn.Linear layer"):
        ev.penultimate_features(nn.Conv2d(1, 2, 3), torch.zeros(2, 1, 8, 8))
    with pytest.raises(TypeError, match="model must be a classifier"):
        ev.penultimate_features("classifier", torch.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match=r"images must be a torch.Tensor \[N, C, H, W\]"):
        ev.penultimate_features(C.DigitClassifier(), torch.zeros(2, 64))
    with pytest.raises(ValueError, match="images contains NaN .*G produced NaN samples"):
        ev.penultimate_features(C.DigitClassifier(), torch.full((2, 1, 8, 8), float("nan")))


def test_evaluation_is_core_and_imports_nothing_heavy():
    """(torch itself imports tqdm, so tqdm is not in the list: test_layers checks the source for it.)"""
    probe = "import sys, gan_edu.evaluation\nprint(sorted({m.split('.')[0] for m in sys.modules} & " \
            "{'scipy', 'sklearn', 'matplotlib', 'ipywidgets', 'IPython'}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
