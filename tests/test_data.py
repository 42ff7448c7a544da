"""Data sources: shapes, reproducibility, densities, the offline image sets."""
import gzip
import math
from pathlib import Path

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
    with pytest.raises(ValueError, match="line 2: 'foo' is not a number"):
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


# --------------------------------------------------------------------------- CSV files, read as a learner writes them
@pytest.mark.parametrize("text, expected", [
    ("x,y\n0,1\n2,3\n", [[0, 1], [2, 3]]),
    ("0,1\n2,3", [[0, 1], [2, 3]]),
    ("\ufeffx,y\r\n0,1\r\n", [[0, 1]]),                         # a BOM and Windows line ends (Excel)
    ("# my points\n\nx , y\n 0 , 1 \n\n2,3\n\n", [[0, 1], [2, 3]]),
    ("2.5e-1,-2\n", [[0.25, -2]]),
    ("7\n8\n", [[7], [8]]),
])
def test_csv_files_that_are_read(tmp_path, text, expected):
    (tmp_path / "p.csv").write_bytes(text.encode())
    assert ge.data.from_points(tmp_path / "p.csv").points.tolist() == expected


# --------------------------------------------------------------------------- specs
def test_numpy_numbers_are_stored_as_plain_python_in_specs():
    """A spec goes into a checkpoint read with weights_only=True: numpy numbers must not leak into it."""
    specs = [ge.data.ring(n_modes=np.int64(4), radius=np.float32(2.0), std=np.float64(0.02)).spec(),
             ge.data.grid(n=np.int32(3), std=np.float64(0.1)).spec(), ge.data.gaussian_1d(np.float64(1), np.float64(2)).spec(),
             ge.data.two_gaussians(std=np.float64(0.2), weights=np.array([1, 3])).spec()]
    for spec in specs:
        for value in spec.values():
            assert type(value) in (str, int, float, list, type(None)), (spec, value)
    assert specs[3]["weights"] == [1.0, 3.0] and all(type(w) is float for w in specs[3]["weights"])


# --------------------------------------------------------------------------- MNIST files that are damaged
# (each damaged file's error message is a row of tests/test_bad_inputs.py; here: what is left behind)
def mnist_folder(root, n_images=3, n_labels=3, kind="MNIST"):
    raw = root / kind / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", np.arange(n_images * 784).reshape(n_images, 28, 28) % 256)
        write_idx(raw / f"{split}-labels-idx1-ubyte", np.arange(n_labels) % 10)
    return raw


def gzip_all(raw):
    for f in list(raw.iterdir()):
        f.with_name(f.name + ".gz").write_bytes(gzip.compress(f.read_bytes()))
        f.unlink()


def test_a_truncated_gz_leaves_nothing_behind_and_a_good_one_then_loads(tmp_path):
    raw = mnist_folder(tmp_path)
    gzip_all(raw)
    gz = raw / "train-images-idx3-ubyte.gz"
    good = gz.read_bytes()
    gz.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz' is damaged"):
        ge.data.mnist(tmp_path)
    assert not (raw / "train-images-idx3-ubyte").exists()          # no 0-byte file that would break the folder
    assert not [f for f in raw.iterdir() if f.name.startswith(".")]  # nor a temporary one
    gz.write_bytes(good)
    assert ge.data.mnist(tmp_path).images.shape == (3, 1, 28, 28)
    assert (raw / "train-images-idx3-ubyte").stat().st_size == 4 * 4 + 3 * 784   # unpacked for next time


def test_a_broken_unpacked_file_is_replaced_from_its_gz(tmp_path):
    """The state an older version left behind: a 0-byte unpacked file beside a good .gz."""
    raw = mnist_folder(tmp_path)
    gzip_all(raw)
    (raw / "train-images-idx3-ubyte").write_bytes(b"")
    assert ge.data.mnist(tmp_path).images.shape == (3, 1, 28, 28)
    assert (raw / "train-images-idx3-ubyte").stat().st_size > 0


def test_a_read_only_folder_unpacks_into_the_cache(tmp_path, monkeypatch):
    """Root ignores file modes, so the read-only folder is simulated by refusing writes into it
    (tests/test_bad_inputs.py repeats this with a real read-only folder in a subprocess)."""
    raw = mnist_folder(tmp_path / "data")
    gzip_all(raw)
    monkeypatch.setenv("GAN_EDU_CACHE", str(tmp_path / "cache"))
    real_write = ge._files.write_bytes

    def read_only(path, data):
        if raw in Path(path).parents:
            raise PermissionError(13, "Permission denied", str(path))
        real_write(path, data)

    monkeypatch.setattr(ge._files, "write_bytes", read_only)
    first = ge.data.mnist(tmp_path / "data")
    cached = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert cached == ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    assert not [p for p in raw.iterdir() if not p.name.endswith(".gz")]
    monkeypatch.setattr(ge.data, "_gunzip", lambda gz: pytest.fail("the cached copy should be used"))
    assert torch.equal(ge.data.mnist(tmp_path / "data").images, first.images)
