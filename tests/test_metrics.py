"""Metrics against hand-made samples and closed forms."""
import math

import numpy as np
import pytest
import torch

import gan_edu as ge

CENTERS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])


def test_mode_coverage_on_hand_made_samples():
    samples = np.array([
        [1.0, 0.0], [1.02, 0.0],          # mode 0, both within 3 std (0.03)
        [0.0, 1.029],                     # mode 1, just inside
        [0.0, 1.031],                     # nearest is mode 1 but outside 3 std: low quality
        [0.5, 0.5],                       # between modes: low quality
    ])
    modes, hq, counts = ge.metrics.mode_coverage(samples, CENTERS, std=0.01)
    assert modes == 2 and hq == pytest.approx(3 / 5) and list(counts) == [2, 1, 0, 0]
    modes, hq, _ = ge.metrics.mode_coverage(torch.tensor(CENTERS), CENTERS, std=0.01)
    assert modes == 4 and hq == 1.0


def test_mode_coverage_of_the_data_itself():
    ring = ge.data.ring()
    x = ring.sample(2500, generator=torch.Generator().manual_seed(0))
    modes, hq, counts = ge.metrics.mode_coverage(x, ring.centers, ring.std)
    assert modes == 8 and hq > 0.98 and counts.sum() == round(hq * 2500)


def test_mode_coverage_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="share d"):
        ge.metrics.mode_coverage(np.zeros((3, 3)), CENTERS, 0.1)
    with pytest.raises(ValueError, match="std"):
        ge.metrics.mode_coverage(CENTERS, CENTERS, 0)


def test_optimal_discriminator_closed_form():
    """N(0,1) against N(1,1): D*(x) = 1 / (1 + exp(x - 1/2))."""
    x = np.linspace(-4, 5, 101)
    p = np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)
    q = np.exp(-(x - 1) ** 2 / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(ge.metrics.optimal_discriminator(p, q), 1 / (1 + np.exp(x - 0.5)), rtol=1e-10)
    # p_g = p_data: 1/2 everywhere
    np.testing.assert_allclose(ge.metrics.optimal_discriminator(p, p), 0.5)
    out = ge.metrics.optimal_discriminator(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 0.0]))
    assert out.tolist() == [0.5, 1.0]
    with pytest.raises(ValueError, match="same shape"):
        ge.metrics.optimal_discriminator(p, q[:3])


def test_js_divergence_bounds_and_known_values():
    p = np.array([1.0, 0.0])
    q = np.array([0.0, 1.0])
    assert ge.metrics.js_divergence(p, q) == pytest.approx(math.log(2))
    assert ge.metrics.js_divergence(p, p) == pytest.approx(0.0)
    a, b = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    expected = 0.5 * (0.5 * math.log(0.5 / 0.7) + 0.5 * math.log(0.5 / 0.3)) \
        + 0.5 * (0.9 * math.log(0.9 / 0.7) + 0.1 * math.log(0.1 / 0.3))
    assert ge.metrics.js_divergence(a, b) == pytest.approx(expected)
    assert ge.metrics.kl_divergence(b, a) == pytest.approx(0.9 * math.log(1.8) + 0.1 * math.log(0.2))


def test_js_divergence_2d_from_samples_and_densities():
    ring = ge.data.ring(std=0.05)
    g = torch.Generator().manual_seed(0)
    x, y = ring.sample(20000, generator=g), ring.sample(20000, generator=g)
    rng = ((-1.5, 1.5), (-1.5, 1.5))
    same_dist = ge.metrics.js_divergence_2d(x, y, bins=40, range=rng)
    collapsed = ge.metrics.js_divergence_2d(x, x[:, :] * 0 + ring.centers[0], bins=40, range=rng)
    assert same_dist < 0.02 and collapsed > 0.5
    vs_density = ge.metrics.js_divergence_2d(x, ring.density, bins=40, range=rng)
    assert vs_density < 0.03


def test_js_divergence_2d_counts_the_samples_off_the_grid():
    """G puts 90 % of its samples far off the grid: the JSD says it is far from the data (it said about 0
    when only the samples on the grid counted); every sample off the grid: exactly log 2."""
    ring = ge.data.ring(std=0.05)
    x = ring.sample(20000, generator=torch.Generator().manual_seed(0))
    box = ((-1.5, 1.5), (-1.5, 1.5))
    away = x.clone()
    away[:18000] += 10
    assert ge.metrics.js_divergence_2d(x, ring.density, bins=40, range=box) < 0.03
    assert ge.metrics.js_divergence_2d(away, ring.density, bins=40, range=box) > 0.5
    assert ge.metrics.js_divergence_2d(x + 10, ring.density, bins=40, range=box) == pytest.approx(math.log(2))


def test_kde_1d_integrates_to_one_and_matches_a_gaussian():
    s = torch.randn(5000, generator=torch.Generator().manual_seed(0))
    x = np.linspace(-5, 5, 1001)
    dens = ge.metrics.kde_1d(s, x)
    assert np.trapezoid(dens, x) == pytest.approx(1.0, abs=1e-3)
    assert np.abs(dens - np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)).max() < 0.03


def test_value_function_at_equilibrium_is_minus_log_4():
    assert ge.metrics.value_function([0.5] * 4, [0.5] * 4) == pytest.approx(-math.log(4))


def test_mode_coverage_in_chunks_equals_the_one_shot_answer():
    """Many samples against many centres are measured in chunks; the answer is the same."""
    grid = ge.data.grid(n=30, std=0.05)                              # 900 centres: several chunks of rows
    x = grid.sample(20_000, generator=torch.Generator().manual_seed(0))
    modes, hq, counts = ge.metrics.mode_coverage(x, grid.centers, grid.std)
    d2 = ((x.double()[:, None, :] - grid.centers.double()[None]) ** 2).sum(-1)
    nearest, dist = d2.argmin(1), d2.min(1).values.sqrt()
    ok = dist <= 3 * grid.std
    expected = np.bincount(nearest[ok].numpy(), minlength=900)
    assert list(counts) == list(expected) and modes == int((expected > 0).sum()) and hq == pytest.approx(float(ok.double().mean()))
