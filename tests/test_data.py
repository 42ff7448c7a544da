"""Data sources: shapes, reproducibility, densities, the offline image sets."""
import gzip
import math

import numpy as np
import pytest
import torch

import gan_edu as ge

TOY = [ge.data.ring(), ge.data.grid(), ge.data.two_gaussians(), ge.data.spiral(), ge.data.moons(),
       ge.data.from_points([[0, 0], [1, 1]], jitter=0.1)]


@pytest.mark.parametrize("source", TOY, ids=lambda s: s.name)
def test_toy_sources_sample_reproducibly(source):
    a = source.sample(256, generator=torch.Generator().manual_seed(1))
    b = source.sample(256, generator=torch.Generator().manual_seed(1))
    assert a.shape == (256, 2) and a.dtype == torch.float32 and torch.equal(a, b)
    assert torch.isfinite(a).all()


def test_ring_and_grid_geometry():
    ring = ge.data.ring(n_modes=8, radius=1.0, std=0.01)
    assert ring.centers.shape == (8, 2) and ring.std == 0.01
    torch.testing.assert_close(ring.centers.norm(dim=1), torch.ones(8))
    grid = ge.data.grid(n=5, spacing=2.0, std=0.05)
    assert grid.centers.shape == (25, 2)
    assert grid.centers.min().item() == -4 and grid.centers.max().item() == 4
    x, modes = ring.sample(1000, generator=torch.Generator().manual_seed(0), return_modes=True)
    assert (x - ring.centers[modes]).norm(dim=1).max() < 0.06


def test_mixture_density_integrates_to_one():
    src = ge.data.two_gaussians(separation=2.0, std=0.4)
    t = np.linspace(-4, 4, 401)
    xx, yy = np.meshgrid(t, t, indexing="ij")
    dens = src.density(np.stack([xx, yy], -1))
    assert dens.shape == (401, 401)
    assert np.trapezoid(np.trapezoid(dens, t, axis=1), t) == pytest.approx(1.0, abs=1e-4)
    one = ge.data.gaussian_1d(mean=1.0, std=2.0)
    assert one.density(torch.tensor([[1.0]])).item() == pytest.approx(1 / (2 * math.sqrt(2 * math.pi)))
    with pytest.raises(ValueError, match="last dimension 1"):
        one.density(torch.zeros(3, 2))
    with pytest.raises(NotImplementedError, match="no closed-form density"):
        ge.data.moons().density(torch.zeros(1, 2))


def test_gaussian_1d_samples_have_the_right_moments():
    x = ge.data.gaussian_1d(mean=3.0, std=0.5).sample(20000, generator=torch.Generator().manual_seed(0))
    assert x.shape == (20000, 1)
    assert x.mean().item() == pytest.approx(3.0, abs=0.02) and x.std().item() == pytest.approx(0.5, abs=0.02)


def test_from_points_reads_a_csv_with_or_without_header(tmp_path):
    (tmp_path / "a.csv").write_text("x,y\n0,1\n2,3\n")
    (tmp_path / "b.csv").write_text("0,1\n2,3\n")
    for name in ("a.csv", "b.csv"):
        src = ge.data.from_points(tmp_path / name)
        assert src.points.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    (tmp_path / "bad.csv").write_text("x,y\nfoo,bar\n")
    with pytest.raises(ValueError, match="not a CSV of numbers"):
        ge.data.from_points(tmp_path / "bad.csv")
    with pytest.raises(FileNotFoundError, match="array_or_csv_path"):
        ge.data.from_points(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="finite"):
        ge.data.from_points([[0, float("nan")]])
    with pytest.raises(ValueError, match="points must be"):
        ge.data.from_points([1, 2, 3])


def test_digits_ship_with_scikit_learn():
    d = ge.data.digits()
    assert d.images.shape == (1797, 1, 8, 8) and d.labels.shape == (1797,)
    assert d.images.min().item() == -1.0 and d.images.max().item() == 1.0
    assert d.classes == list(range(10))
    x, y = d.sample(32, generator=torch.Generator().manual_seed(0), return_labels=True)
    assert x.shape == (32, 1, 8, 8) and y.shape == (32,)


def write_idx(path, array, magic_type=0x08):
    """Write an IDX file as MNIST ships it (big-endian header)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, magic_type, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.tobytes())


def test_mnist_loader_reads_tiny_local_idx_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[1, 10:18, 10:18] = 255
    labels = np.array([7, 2, 1], dtype=np.uint8)
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", images)
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    m = ge.data.mnist(tmp_path)
    assert m.images.shape == (3, 1, 28, 28) and m.labels.tolist() == [7, 2, 1]
    assert m.images[0].max().item() == -1.0 and m.images[1].max().item() == 1.0
    assert ge.data.mnist(tmp_path, limit=2).images.shape == (2, 1, 28, 28)


def test_mnist_loader_unpacks_gz_files(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", np.zeros((2, 28, 28)))
        write_idx(raw / f"{split}-labels-idx1-ubyte", np.array([3, 4]))
    for f in list(raw.iterdir()):
        f.with_name(f.name + ".gz").write_bytes(gzip.compress(f.read_bytes()))
        f.unlink()
    assert ge.data.mnist(tmp_path, kind="fashion").labels.tolist() == [3, 4]


def test_mnist_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="(?s)never downloads.*download=True"):
        ge.data.mnist(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        ge.data.mnist(tmp_path, kind="kmnist")


@pytest.mark.parametrize("source", [*TOY, ge.data.gaussian_1d(2.0, 0.3)], ids=lambda s: s.name)
def test_spec_rebuilds_the_same_source(source):
    again = ge.data.from_spec(source.spec())
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    assert torch.equal(source.sample(10, generator=g1), again.sample(10, generator=g2))


@pytest.mark.parametrize("bad, match", [
    (lambda: ge.data.ring(n_modes=0), "n_modes must be >= 1"),
    (lambda: ge.data.ring(std=-1), "std must be > 0"),
    (lambda: ge.data.ring(radius="1"), "radius must be a number"),
    (lambda: ge.data.grid(n=2.5), "n must be an integer"),
    (lambda: ge.data.moons(noise=-0.1), "noise must be >= 0"),
    (lambda: ge.data.ring().sample(0), "n must be >= 1"),
    (lambda: ge.data.ring().sample(10, generator=3), "generator must be a torch.Generator"),
    (lambda: ge.data.two_gaussians(weights=[1, -1]), "weights"),
])
def test_bad_arguments_are_named(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bad()
