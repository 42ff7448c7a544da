"""Every bad input a careless student or a hostile file can give to data, metrics and the command line.

Each row is (id, call, expected exception, a fragment of the message): the call must raise exactly that
kind of error, with a message that names the argument and what is allowed. The CLI rows run in a
subprocess (one process for all of them, each through ``gan_edu.cli.main`` as ``python -m gan_edu``
runs it; started without root's power to ignore file modes, so a read-only folder is read-only) and
assert the exit code, ONE line on stderr, no traceback and nothing written. ACCEPTED lists inputs that
look hostile but are valid (numpy numbers, a read-only MNIST folder): they must work. The counts of the
last run are in docs/RELIABILITY.md ("The command line and bad input").
Trainer and model rows (the core's part of issue 11 §3) are in test_bad_inputs_trainer.py.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import gan_edu as ge

NAN, INF = float("nan"), float("inf")
CENTERS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
BOX = ((-1.5, 1.5), (-1.5, 1.5))


def ring_samples():
    return ge.data.ring().sample(200, generator=torch.Generator().manual_seed(0))


def csv(text):
    def make(tmp):
        (tmp / "p.csv").write_text(text)
        return ge.data.from_points(tmp / "p.csv")
    return make


def write_idx(path, array):
    array = np.asarray(array, dtype=np.uint8)
    path.write_bytes(bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
                     + array.tobytes())


def mnist_folder(root, n_images=3, n_labels=3, gz=False):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", np.arange(n_images * 784).reshape(n_images, 28, 28) % 256)
        write_idx(raw / f"{split}-labels-idx1-ubyte", np.arange(n_labels) % 10)
    if gz:
        for f in list(raw.iterdir()):
            f.with_name(f.name + ".gz").write_bytes(gzip.compress(f.read_bytes()))
            f.unlink()
    return raw


def damaged_mnist(damage):
    def make(tmp):
        raw = mnist_folder(tmp)
        damage(raw / "train-images-idx3-ubyte")
        return ge.data.mnist(tmp)
    return make


def truncated_gz(tmp):
    raw = mnist_folder(tmp, gz=True)
    gz = raw / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:60])
    return ge.data.mnist(tmp)


# --------------------------------------------------------------------------- the Python API: (id, call(tmp), error, fragment)
V, T = ValueError, TypeError
API = [
    # data: CSV files
    ("csv-typo-row1-no-header", csv("1,2\n3\n"), V, "line 2 has 1 value(s) but line 1 has 2"),
    ("csv-ragged-line-number", csv("x,y\n1,2\n3\n"), V, "line 3 has 1 value(s) but line 2 has 2"),
    ("csv-typo-in-first-row", csv("1,2a\n3,4\n"), V, "line 1: '2a' is not a number"),
    ("csv-word-in-data", csv("x,y\n1,2\n3,oops\n"), V, "line 3: 'oops' is not a number"),
    ("csv-semicolons", csv("1;2\n3;4\n"), V, "(values must be separated by commas)"),
    ("csv-inf", csv("1,2\n3,inf\n"), V, "line 2: 'inf' is not a finite number"),
    ("csv-trailing-comma", csv("1,2,\n"), V, "line 1: '' is not a number"),
    ("csv-empty", csv(""), V, "has no lines with numbers"),
    ("csv-header-only", csv("x,y\n"), V, "has only a header (line 1)"),
    ("csv-binary", lambda tmp: (tmp / "b.csv").write_bytes(bytes(range(256))) and ge.data.from_points(tmp / "b.csv"),
     V, "not UTF-8 text"),
    ("csv-folder", lambda tmp: ge.data.from_points(tmp), FileNotFoundError, "is a folder, not a file"),
    ("csv-missing", lambda tmp: ge.data.from_points(tmp / "none.csv"), FileNotFoundError, "no file there"),
    # data: arrays of points, mixtures
    ("points-nan", lambda tmp: ge.data.from_points([[0, NAN]]), V, "points must be finite"),
    ("points-1d", lambda tmp: ge.data.from_points([1, 2, 3]), V, "points must be an array of shape [n_points, dim]"),
    ("points-bools", lambda tmp: ge.data.from_points([[True, False]]), T, "points must hold numbers"),
    ("points-text", lambda tmp: ge.data.from_points([["a", "b"]]), T, "points must hold numbers"),
    ("points-ragged", lambda tmp: ge.data.from_points([[0, 1], [2]]), V, "points must be a rectangular array"),
    ("points-empty", lambda tmp: ge.data.from_points(np.zeros((0, 2))), V, "points is empty"),
    ("points-none", lambda tmp: ge.data.from_points(None), T, "points must be an array of numbers"),
    ("points-complex", lambda tmp: ge.data.from_points([[1j, 0]]), T, "points must hold real numbers"),
    ("points-too-big-for-float32", lambda tmp: ge.data.from_points([[1e39, 0]]), V, "too large for float32"),
    ("points-jitter-nan", lambda tmp: ge.data.from_points([[0, 0]], jitter=NAN), V, "jitter must be finite"),
    ("points-bytes", lambda tmp: ge.data.from_points(b"1,2\n3,4"), T, "points must be an array of numbers"),
    ("points-jitter-negative", lambda tmp: ge.data.from_points([[0, 0]], jitter=-1), V, "jitter must be >= 0"),
    ("weights-nan", lambda tmp: ge.data.two_gaussians(weights=[NAN, 1]), V, "weights must be finite"),
    ("weights-inf", lambda tmp: ge.data.two_gaussians(weights=[INF, 1]), V, "weights must be finite"),
    ("weights-scalar", lambda tmp: ge.data.two_gaussians(weights=5), V, "weights must be 2 non-negative numbers"),
    ("weights-negative", lambda tmp: ge.data.two_gaussians(weights=[1, -1]), V, "weights must be 2 non-negative"),
    ("weights-text", lambda tmp: ge.data.two_gaussians(weights=["a", "b"]), T, "weights must hold numbers"),
    ("centers-nan", lambda tmp: ge.data.GaussianMixture([[0, 0], [NAN, 1]], 0.1), V, "centers must be finite"),
    ("centers-1d", lambda tmp: ge.data.GaussianMixture([0, 1], 0.1), V, "centers must have shape [n_modes, dim]"),
    ("mixture-std-nan", lambda tmp: ge.data.GaussianMixture([[0, 0]], NAN), V, "std must be finite"),
    ("mixture-name", lambda tmp: ge.data.GaussianMixture([[0, 0]], 0.1, name=3), T, "name must be a string"),
    ("ring-n-modes-zero", lambda tmp: ge.data.ring(n_modes=0), V, "n_modes must be >= 1"),
    ("ring-std-negative", lambda tmp: ge.data.ring(std=-1), V, "std must be > 0"),
    ("ring-std-bool", lambda tmp: ge.data.ring(std=True), T, "std must be a number"),
    ("ring-radius-text", lambda tmp: ge.data.ring(radius="1"), T, "radius must be a number"),
    ("ring-huge", lambda tmp: ge.data.ring(n_modes=10 ** 6), V, "n_modes must be <= 10000"),
    ("grid-huge", lambda tmp: ge.data.grid(n=10 ** 4), V, "n must be <= 100"),
    ("grid-float", lambda tmp: ge.data.grid(n=2.5), T, "n must be an integer"),
    ("gaussian1d-mean-inf", lambda tmp: ge.data.gaussian_1d(mean=INF), V, "mean must be finite"),
    ("moons-noise-negative", lambda tmp: ge.data.moons(noise=-0.1), V, "noise must be >= 0"),
    ("spiral-scale-inf", lambda tmp: ge.data.spiral(scale=INF), V, "scale must be finite"),
    ("moons-noise-text", lambda tmp: ge.data.moons(noise="a"), T, "noise must be a number"),
    ("gaussian1d-std-zero", lambda tmp: ge.data.gaussian_1d(std=0), V, "std must be > 0"),
    ("spiral-turns-zero", lambda tmp: ge.data.spiral(turns=0), V, "turns must be > 0"),
    ("sample-zero", lambda tmp: ge.data.ring().sample(0), V, "n must be >= 1"),
    ("sample-numpy-float", lambda tmp: ge.data.ring().sample(np.float64(3)), T, "n must be an integer"),
    ("sample-huge", lambda tmp: ge.data.ring().sample(10 ** 9), V, "draw at most"),
    ("sample-images-huge", lambda tmp: ge.data.digits().sample(10 ** 7), V, "draw at most"),
    ("sample-generator-int", lambda tmp: ge.data.ring().sample(4, generator=3), T, "generator must be a torch.Generator"),
    ("sample-return-modes-int", lambda tmp: ge.data.ring().sample(4, return_modes=1), T, "return_modes must be True"),
    ("density-nan", lambda tmp: ge.data.ring().density([[NAN, 0]]), V, "x must be finite"),
    ("density-tensor-nan", lambda tmp: ge.data.ring().density(torch.tensor([[NAN, 0.0]])), V, "x must be finite"),
    ("density-bools", lambda tmp: ge.data.ring().log_density([[True, False]]), T, "x must hold numbers"),
    ("density-wrong-dim", lambda tmp: ge.data.ring().density(np.zeros((3, 3))), V, "x must have last dimension 2"),
    ("density-text", lambda tmp: ge.data.ring().density("0,0"), T, "x must be an array of numbers"),
    ("plane-extent-images", lambda tmp: ge.data.plane_extent(ge.data.digits()), V, "data must be a 2D data source"),
    ("plane-extent-margin-nan", lambda tmp: ge.data.plane_extent(ge.data.ring(), margin=NAN), V, "margin must be finite"),
    ("imageset-10-images-5-labels", lambda tmp: ge.data.ImageSet(torch.zeros(10, 1, 8, 8), torch.zeros(5, dtype=torch.long),
                                                                 "x", {}), V, "10 images but 5 labels"),
    ("imageset-0-255-pixels", lambda tmp: ge.data.ImageSet(torch.full((2, 1, 8, 8), 255.0), torch.zeros(2, dtype=torch.long),
                                                           "x", {}), V, "scaled to [-1, 1]"),
    ("imageset-nan-pixels", lambda tmp: ge.data.ImageSet(torch.full((2, 1, 8, 8), NAN), torch.zeros(2, dtype=torch.long),
                                                          "x", {}), V, "scaled to [-1, 1]"),
    ("imageset-numpy-images", lambda tmp: ge.data.ImageSet(np.zeros((2, 1, 8, 8)), torch.zeros(2, dtype=torch.long),
                                                           "x", {}), T, "images must be a float tensor"),
    ("imageset-float-labels", lambda tmp: ge.data.ImageSet(torch.zeros(2, 1, 8, 8), torch.zeros(2), "x", {}), T,
     "labels must be an integer tensor"),
    ("spec-list", lambda tmp: ge.data.from_spec([1, 2]), T, "spec must be a dict"),
    ("spec-unknown-kind", lambda tmp: ge.data.from_spec({"kind": "cifar"}), V, "spec['kind'] must be one of"),
    ("spec-unhashable-kind", lambda tmp: ge.data.from_spec({"kind": ["ring"]}), V, "spec['kind'] must be one of"),
    ("spec-unknown-key", lambda tmp: ge.data.from_spec({"kind": "ring", "bogus": 1}), V, "has unknown keys ['bogus']"),
    ("spec-missing-key", lambda tmp: ge.data.from_spec({"kind": "mixture", "std": 0.1}), V, "lacks ['centers']"),
    # data: MNIST files
    ("mnist-0-byte", damaged_mnist(lambda f: f.write_bytes(b"")), V, "is empty (0 bytes)"),
    ("mnist-random-bytes", damaged_mnist(lambda f: f.write_bytes(np.random.default_rng(0).bytes(5000))), V,
     "is not an MNIST IDX file of images"),
    ("mnist-truncated", damaged_mnist(lambda f: f.write_bytes(f.read_bytes()[:-100])), V, "is truncated"),
    ("mnist-header-only", damaged_mnist(lambda f: f.write_bytes(f.read_bytes()[:10])), V, "is truncated (10 bytes)"),
    ("mnist-too-long", damaged_mnist(lambda f: f.write_bytes(f.read_bytes() + b"x")), V, "longer than its header says"),
    ("mnist-8x8-images", damaged_mnist(lambda f: write_idx(f, np.zeros((2, 8, 8)))), V, "expected [N, 28, 28]"),
    ("mnist-10-images-5-labels", lambda tmp: mnist_folder(tmp, 10, 5) and ge.data.mnist(tmp), V,
     "holds 10 images but train-labels-idx1-ubyte holds 5 labels"),
    ("mnist-label-42", lambda tmp: write_idx(mnist_folder(tmp) / "train-labels-idx1-ubyte", [1, 2, 42])
     or ge.data.mnist(tmp), V, "a label 42; labels are digits 0-9"),
    ("mnist-truncated-gz", truncated_gz, V, "train-images-idx3-ubyte.gz' is damaged"),
    ("mnist-missing", lambda tmp: ge.data.mnist(tmp), FileNotFoundError, "never downloads"),
    ("mnist-labels-missing", lambda tmp: mnist_folder(tmp).joinpath("train-labels-idx1-ubyte").unlink()
     or ge.data.mnist(tmp), FileNotFoundError, "incomplete: train-labels-idx1-ubyte"),
    ("mnist-root-none", lambda tmp: ge.data.mnist(None), T, "root must be a folder path"),
    ("mnist-kind", lambda tmp: ge.data.mnist(tmp, kind="kmnist"), V, "kind must be one of 'mnist', 'fashion'"),
    ("mnist-limit-zero", lambda tmp: ge.data.mnist(tmp, limit=0), V, "limit must be >= 1"),
    ("mnist-limit-bool", lambda tmp: ge.data.mnist(tmp, limit=True), T, "limit must be an integer"),
    ("mnist-train-text", lambda tmp: ge.data.mnist(tmp, train="yes"), T, "train must be True or False"),
    # metrics
    ("mode-coverage-nan-samples", lambda tmp: ge.metrics.mode_coverage(torch.full((5, 2), NAN), CENTERS, 0.1), V,
     "G produced NaN samples"),
    ("mode-coverage-inf-samples", lambda tmp: ge.metrics.mode_coverage(np.full((5, 2), INF), CENTERS, 0.1), V,
     "G produced NaN samples"),
    ("mode-coverage-nan-centers", lambda tmp: ge.metrics.mode_coverage(CENTERS, [[NAN, 0.0]], 0.1), V,
     "centers must be finite"),
    ("mode-coverage-no-samples", lambda tmp: ge.metrics.mode_coverage(np.zeros((0, 2)), CENTERS, 0.1), V, "samples is empty"),
    ("mode-coverage-no-centers", lambda tmp: ge.metrics.mode_coverage(CENTERS, np.zeros((0, 2)), 0.1), V, "centers is empty"),
    ("mode-coverage-shapes", lambda tmp: ge.metrics.mode_coverage(np.zeros((3, 3)), CENTERS, 0.1), V, "must share d"),
    ("mode-coverage-std-zero", lambda tmp: ge.metrics.mode_coverage(CENTERS, CENTERS, 0), V, "std must be > 0"),
    ("mode-coverage-n-std-negative", lambda tmp: ge.metrics.mode_coverage(CENTERS, CENTERS, 0.1, n_std=-1), V,
     "n_std must be > 0"),
    ("mode-coverage-text", lambda tmp: ge.metrics.mode_coverage([["a", "b"]], CENTERS, 0.1), T, "samples must hold numbers"),
    ("kl-nan", lambda tmp: ge.metrics.kl_divergence([NAN, 1], [1, 1]), V, "p must be finite"),
    ("kl-eps-negative", lambda tmp: ge.metrics.kl_divergence([1, 1], [1, 1], eps=-1), V, "eps must be >= 0"),
    ("kl-cells", lambda tmp: ge.metrics.kl_divergence([1, 1], [1, 1, 1]), V, "same number of cells"),
    ("js-zeros", lambda tmp: ge.metrics.js_divergence([0, 0], [1, 1]), V, "p must have a positive sum"),
    ("js-negative", lambda tmp: ge.metrics.js_divergence([1, -1, 1], [1, 1, 1]), V, "p must be non-negative"),
    ("js-nan", lambda tmp: ge.metrics.js_divergence([1, 1], [NAN, 1]), V, "q must be finite"),
    ("js-empty", lambda tmp: ge.metrics.js_divergence([], []), V, "p is empty"),
    ("grid-bandwidth-negative", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), method="kde", bandwidth=-0.1,
                                                                          range=BOX), V, "bandwidth must be > 0"),
    ("grid-bandwidth-with-hist", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), bandwidth=0.1, range=BOX), V,
     "only applies to method='kde'"),
    ("grid-samples-outside", lambda tmp: ge.metrics.grid_probabilities(ring_samples() + 10, range=BOX), V,
     "none of the samples lies inside range"),
    ("grid-no-samples", lambda tmp: ge.metrics.grid_probabilities(np.zeros((0, 2)), range=BOX), V, "samples is empty"),
    ("grid-density-zero", lambda tmp: ge.metrics.grid_probabilities(lambda x: torch.zeros(x.shape[:-1]), range=BOX), V,
     "is 0 everywhere"),
    ("grid-density-shape", lambda tmp: ge.metrics.grid_probabilities(lambda x: torch.zeros(3), range=BOX), V,
     "one value per point"),
    ("grid-density-negative", lambda tmp: ge.metrics.grid_probabilities(lambda x: -torch.ones(x.shape[:-1]), range=BOX),
     V, "negative value"),
    ("grid-range-reversed", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), range=((1, -1), (0, 1))), V,
     "min < max"),
    ("grid-range-nan", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), range=((NAN, 1), (0, 1))), V,
     "range must be"),
    ("grid-range-text", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), range="everywhere"), V, "range must be"),
    ("grid-bins-huge", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), bins=10 ** 6), V, "bins must be <= 2000"),
    ("grid-method", lambda tmp: ge.metrics.grid_probabilities(ring_samples(), method="gmm"), V, "method must be one of"),
    ("js2d-nan-samples", lambda tmp: ge.metrics.js_divergence_2d(ring_samples() * NAN, ge.data.ring().density), V,
     "G produced NaN samples"),
    ("js2d-no-samples", lambda tmp: ge.metrics.js_divergence_2d(np.zeros((0, 2)), ring_samples()), V, "p is empty"),
    ("js2d-3d-samples", lambda tmp: ge.metrics.js_divergence_2d(np.zeros((5, 3)), ring_samples()), V,
     "p must be samples of shape [N, 2]"),
    ("js2d-two-densities", lambda tmp: ge.metrics.js_divergence_2d(ge.data.ring().density, ge.data.ring().density), V,
     "range is needed"),
    ("dstar-nan", lambda tmp: ge.metrics.optimal_discriminator([NAN], [1.0]), V, "p_data must be finite"),
    ("dstar-negative", lambda tmp: ge.metrics.optimal_discriminator([-1.0], [1.0]), V, "must be >= 0"),
    ("dstar-shapes", lambda tmp: ge.metrics.optimal_discriminator([1.0, 2.0], [1.0]), V, "same shape"),
    ("kde-nan-samples", lambda tmp: ge.metrics.kde_1d([0.0, NAN, 1.0], [0.0]), V, "G produced NaN samples"),
    ("kde-2d-samples", lambda tmp: ge.metrics.kde_1d(ring_samples(), [0.0]), V, "samples must be 1D"),
    ("kde-bandwidth-negative", lambda tmp: ge.metrics.kde_1d([0.0, 1.0], [0.0], bandwidth=-0.1), V, "bandwidth must be > 0"),
    ("kde-nan-x", lambda tmp: ge.metrics.kde_1d([0.0, 1.0], [NAN]), V, "x must be finite"),
    ("kde-one-sample", lambda tmp: ge.metrics.kde_1d([0.0], [0.0]), V, "at least 2 samples"),
    ("value-logits", lambda tmp: ge.metrics.value_function([2.3, -1.2], [0.5]), V, "d_real must be probabilities in [0, 1]"),
    ("value-empty", lambda tmp: ge.metrics.value_function([0.5], []), V, "d_fake is empty"),
    ("value-nan", lambda tmp: ge.metrics.value_function([NAN], [0.5]), V, "d_real must be finite"),
    ("value-eps-negative", lambda tmp: ge.metrics.value_function([0.5], [0.5], eps=-1), V, "eps must be > 0"),
]


@pytest.mark.parametrize("call, error, fragment", [row[1:] for row in API], ids=[row[0] for row in API])
def test_bad_api_input_is_a_clear_error(call, error, fragment, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # a numpy warning on the way is not an answer
        with pytest.raises(error) as caught:
            call(tmp_path)
    assert fragment in str(caught.value), str(caught.value)
    assert type(caught.value) is error or error is FileNotFoundError, type(caught.value)


def read_only_mnist(tmp):
    """A class folder holding only .gz files, that cannot be written to: unpacked into the cache instead."""
    raw = mnist_folder(tmp / "data", gz=True)
    raw.chmod(0o555)
    os.environ["GAN_EDU_CACHE"] = str(tmp / "cache")
    try:
        images = ge.data.mnist(tmp / "data").images
    finally:
        del os.environ["GAN_EDU_CACHE"]
        raw.chmod(0o755)
    cached = sorted(p.name for p in (tmp / "cache").rglob("*-ubyte"))
    assert images.shape == (3, 1, 28, 28) and cached == ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"], cached
    assert sorted(p.name for p in raw.iterdir()) == sorted(f"{s}-{k}.gz" for s in ("t10k", "train") for k in
                                                            ("images-idx3-ubyte", "labels-idx1-ubyte"))


# Inputs that look hostile but are valid: they must work (and do what they say).
ACCEPTED = [
    ("numpy-int-n-modes", lambda tmp: ge.data.ring(n_modes=np.int64(4)).n_modes == 4),
    ("numpy-float-std-in-spec", lambda tmp: type(ge.data.ring(std=np.float64(0.02)).spec()["std"]) is float),
    ("numpy-weights", lambda tmp: ge.data.two_gaussians(weights=np.array([1, 3])).spec()["weights"] == [1.0, 3.0]),
    ("tensor-points-with-grad", lambda tmp: ge.data.from_points(torch.ones(3, 2, requires_grad=True)).shape == (2,)),
    ("numpy-n", lambda tmp: ge.data.ring().sample(np.int32(5)).shape == (5, 2)),
    ("csv-bom-crlf", lambda tmp: (tmp / "p.csv").write_bytes(b"\xef\xbb\xbfx,y\r\n0,1\r\n") and
     ge.data.from_points(tmp / "p.csv").points.tolist() == [[0.0, 1.0]]),
    ("mnist-gz-only", lambda tmp: ge.data.mnist(mnist_folder(tmp, gz=True).parents[1]).images.shape == (3, 1, 28, 28)),
    ("collapsed-samples-kde", lambda tmp: ge.metrics.grid_probabilities(np.zeros((50, 2)), method="kde", range=BOX).sum()
     == pytest.approx(1.0)),
    ("dstar-both-zero-is-half", lambda tmp: ge.metrics.optimal_discriminator([0.0], [0.0]).tolist() == [0.5]),
]


@pytest.mark.parametrize("call", [row[1] for row in ACCEPTED], ids=[row[0] for row in ACCEPTED])
def test_valid_inputs_that_look_hostile_work(call, tmp_path):
    assert call(tmp_path)


# --------------------------------------------------------------------------- the command line
def _checkpoint(tmp, edit=None, name="c.pt"):
    """A small ring checkpoint, optionally edited as a crafted or damaged file would be."""
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.MLPGenerator(hidden=8), ge.models.MLPDiscriminator(hidden=8), ge.data.ring(),
                    device="cpu")
    tr.save(tmp / name)
    if edit:
        ck = torch.load(tmp / name, weights_only=True)
        edit(ck)
        torch.save(ck, tmp / name)
    return str(tmp / name)


def _scale_weights(factor):
    def edit(ck):
        for v in ck["G"]["state"].values():
            v.mul_(factor)
    return edit


def _read_only(tmp):
    (tmp / "ro").mkdir()
    (tmp / "ro").chmod(0o555)
    return str(tmp / "ro")


def _random_mnist(tmp):
    raw = tmp / "m" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        (raw / name).write_bytes(np.random.default_rng(1).bytes(5000))
    return str(tmp / "m")


def _train(*args):
    return lambda tmp: ["train", "--no-progress", "--steps", "3", *[a(tmp) if callable(a) else a for a in args]]


def _sample(checkpoint, *args):
    return lambda tmp: ["sample", "--checkpoint", checkpoint(tmp), *[a(tmp) if callable(a) else a for a in args]]


def out(name):
    return lambda tmp: str(tmp / name)


def a_file(tmp):
    (tmp / "file").write_text("not a folder")
    return str(tmp / "file")


# (id, argv(tmp), exit code, fragment of the one stderr line)
CLI = [
    ("device-cuda-without-cuda", _train("--device", "cuda", "--out", out("r")), 1, "--device cuda: no CUDA GPU"),
    ("device-unknown", _train("--device", "tpu", "--out", out("r")), 2, "--device: expected auto, cpu, cuda"),
    ("out-is-a-file", _train("--out", a_file), 1, "is a file, not a folder"),
    ("out-is-a-file-force", _train("--out", a_file, "--force"), 1, "is a file, not a folder"),
    ("out-under-a-file", _train("--out", lambda tmp: a_file(tmp) + "/run"), 1, "cannot write into --out"),
    ("out-read-only", _train("--out", lambda tmp: _read_only(tmp) + "/run"), 1, "(Permission denied)"),
    ("out-read-only-itself", _train("--out", _read_only), 1, "(Permission denied)"),
    ("train-mnist-random-bytes", _train("--data", "mnist", "--mnist-root", _random_mnist, "--out", out("r")), 1,
     "is not an MNIST IDX file of images"),
    ("train-mnist-missing", _train("--data", "mnist", "--mnist-root", out("none"), "--out", out("r")), 1, "never downloads"),
    ("preset-structure", _train("--preset", "ring-pacgan", "--hidden", "64", "--out", out("r")), 2,
     "--hidden cannot be combined with --preset ring-pacgan"),
    ("preset-bad-tunable", _train("--preset", "ring-wgan-gp", "--real-label", "0.9", "--out", out("r")), 2,
     "label smoothing"),
    ("preset-batch-pack", _train("--preset", "ring-pacgan", "--batch-size", "33", "--out", out("r")), 2,
     "multiple of the preset's pack (2)"),
    ("batch-pack", _train("--pack", "3", "--out", out("r")), 2, "must be a multiple of pack"),
    ("hidden-huge", _train("--hidden", "100000", "--out", out("r")), 2, "--hidden: must be at most 4096"),
    ("snapshots-huge", _train("--snapshots", "1000000000", "--out", out("r")), 2, "--snapshots: must be at most 10000"),
    ("batch-huge", _train("--batch-size", "1000000000", "--out", out("r")), 2, "--batch-size: must be at most 65536"),
    ("seed-huge", _train("--seed", str(10 ** 30), "--out", out("r")), 2, "--seed: must be at most 4294967295"),
    ("seed-negative", _train("--seed", "-1", "--out", out("r")), 2, "--seed: must be at least 0"),
    ("steps-zero", _train("--steps", "0", "--out", out("r")), 2, "--steps: must be at least 1"),
    ("steps-float", _train("--steps", "2.5", "--out", out("r")), 2, "--steps: expected a whole number"),
    ("lr-nan", _train("--lr-g", "nan", "--out", out("r")), 2, "--lr-g: must be > 0"),
    ("lr-inf", _train("--lr-d", "inf", "--out", out("r")), 2, "--lr-d: must be > 0 and <= 1000"),
    ("lr-negative", _train("--lr-d=-1e-3", "--out", out("r")), 2, "--lr-d: must be > 0"),
    ("real-label-zero", _train("--real-label", "0", "--out", out("r")), 2, "--real-label: must be > 0 and <= 1"),
    ("unroll-negative", _train("--unroll", "-1", "--out", out("r")), 2, "--unroll: must be at least 0"),
    ("loss-unknown", _train("--loss", "wasserstein", "--out", out("r")), 2, "invalid choice: 'wasserstein'"),
    ("preset-unknown", _train("--preset", "ring", "--out", out("r")), 2, "invalid choice: 'ring'"),
    ("resume-nothing", _train("--resume", "--out", out("r")), 1, "nothing to resume"),
    ("resume-and-force", _train("--resume", "--force", "--out", out("r")), 2, "--resume and --force cannot be combined"),
    ("out-missing", lambda tmp: ["train"], 2, "the following arguments are required: --out"),
    ("no-command", lambda tmp: [], 2, "the following arguments are required"),
    ("unknown-command", lambda tmp: ["frobnicate"], 2, "invalid choice: 'frobnicate'"),
    ("unknown-flag", lambda tmp: ["train", "--out", "x", "--frob", "1"], 2, "unrecognized arguments: --frob 1"),
    ("ambiguous-flag", lambda tmp: ["train", "--out", "x", "--lr", "1"], 2, "ambiguous option: --lr could match"),
    ("sample-wrong-shapes", _sample(lambda tmp: _checkpoint(tmp, lambda c: c["G"]["config"].update(hidden=32)),
                                    "--out", out("s.png")), 1, "G's weight 'net.linear1.weight' has shape [8, 2] but must have shape"),
    ("sample-no-G", _sample(lambda tmp: _checkpoint(tmp, lambda c: c.pop("G")), "--out", out("s.png")), 1,
     "the 'G' entry is missing"),
    ("sample-G-not-a-dict", _sample(lambda tmp: _checkpoint(tmp, lambda c: c.update(G="hello")), "--out", out("s.png")), 1,
     "is not a usable gan_edu checkpoint"),
    ("sample-absurd-size", _sample(lambda tmp: _checkpoint(tmp, lambda c: c["G"]["config"].update(hidden=10 ** 12)),
                                   "--out", out("s.png")), 1, "is not a usable gan_edu checkpoint"),
    ("sample-large-size", _sample(lambda tmp: _checkpoint(tmp, lambda c: c["G"]["config"].update(hidden=10 ** 5)),
                                  "--out", out("s.png")), 1, "the network would hold"),
    ("sample-unknown-class", _sample(lambda tmp: _checkpoint(tmp, lambda c: c["G"].update({"class": "Foo"})),
                                     "--out", out("s.png")), 1, "G's class must be one of"),
    ("sample-unknown-config-key", _sample(lambda tmp: _checkpoint(tmp, lambda c: c["G"]["config"].update(bogus=1)),
                                          "--out", out("s.png")), 1, "unexpected keyword argument 'bogus'"),
    ("sample-nan-weights", _sample(lambda tmp: _checkpoint(tmp, _scale_weights(NAN)), "--out", out("s.png")), 1,
     "holds NaN or inf values"),
    ("sample-nan-output", _sample(lambda tmp: _checkpoint(tmp, _scale_weights(1e20)), "--out", out("s.png")), 1,
     "produced NaN or infinite samples"),
    ("sample-junk-file", _sample(lambda tmp: (tmp / "j.pt").write_bytes(b"junk") and str(tmp / "j.pt"),
                                 "--out", out("s.png")), 1, "is not a gan_edu checkpoint"),
    ("sample-missing-file", _sample(out("none.pt"), "--out", out("s.png")), 1, "no checkpoint at"),
    ("sample-checkpoint-is-a-folder", _sample(lambda tmp: str(tmp), "--out", out("s.png")), 1, "is a folder, not a checkpoint file"),
    ("sample-out-folder", _sample(_checkpoint, "--out", lambda tmp: str(tmp)), 1, "is a folder; give a .png file name"),
    ("sample-out-read-only", _sample(_checkpoint, "--out", lambda tmp: _read_only(tmp) + "/s.png"), 1,
     "(Permission denied)"),
    ("sample-out-jpg", _sample(_checkpoint, "--out", out("s.jpg")), 2, "--out must be a .png file"),
    ("sample-too-many-points", _sample(_checkpoint, "--n", "1000000", "--out", out("s.png")), 2, "at most 100000"),
    ("sample-n-zero", _sample(_checkpoint, "--n", "0", "--out", out("s.png")), 2, "--n: must be at least 1"),
    ("class-report-no-paths", lambda tmp: ["class-report", "--out", str(tmp / "r")], 2,
     "the following arguments are required: PATH"),
]

# the files a case may leave behind: what its set-up made, never anything the command wrote
SET_UP = {"file", "ro", "m", "c.pt", "j.pt"}

RUNNER = """
import contextlib, io, json, os, sys, traceback
from pathlib import Path
sys.path.insert(0, {tests!r})
import test_bad_inputs as t
from gan_edu.cli import main
base, results = Path(sys.argv[1]), {{}}
for case, argv, _, _ in t.CLI:
    tmp = base / case
    tmp.mkdir()
    err, out = io.StringIO(), io.StringIO()
    escaped = None
    try:
        args = argv(tmp)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(args)
            except SystemExit as exit_:
                code = exit_.code
    except BaseException:                       # would be a traceback in a real process
        code, escaped = None, traceback.format_exc()
    for p in tmp.rglob("*"):
        with contextlib.suppress(OSError):
            p.chmod(0o755 if p.is_dir() else 0o644)
    results[case] = dict(code=code, stderr=err.getvalue(), escaped=escaped,
                         left=sorted(p.name for p in tmp.iterdir()))
print("RESULTS", json.dumps(results))
"""


def _without_root_powers() -> list[str]:
    """Root ignores file modes; run the cases without that power so a read-only folder is one."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad_cli")
    code = RUNNER.format(tests=str(Path(__file__).parent))
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
        [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([*_without_root_powers(), sys.executable, "-c", code, str(base)], capture_output=True,
                       text=True, timeout=900, env=env)
    assert r.returncode == 0 and "RESULTS" in r.stdout, r.stderr[-3000:]
    return json.loads(r.stdout.split("RESULTS", 1)[1])


@pytest.mark.parametrize("case, code, fragment", [(c[0], c[2], c[3]) for c in CLI], ids=[c[0] for c in CLI])
def test_bad_command_line_is_one_line_and_an_exit_code(cli_results, case, code, fragment):
    r = cli_results[case]
    assert r["escaped"] is None, r["escaped"]
    lines = [line for line in r["stderr"].splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in r["stderr"], r["stderr"]
    assert r["code"] == code and fragment in lines[0], (r["code"], lines[0])
    assert lines[0].startswith("gan-edu")
    assert set(r["left"]) <= SET_UP, r["left"]                   # nothing written, not even an empty folder


def test_a_read_only_mnist_folder_unpacks_into_the_cache(tmp_path):
    """The same, for the data: a real read-only class folder (without root's powers when root)."""
    tests = str(Path(__file__).parent)
    code = (f"import sys; from pathlib import Path; sys.path.insert(0, {tests!r}); import test_bad_inputs as t; "
            f"t.read_only_mnist(Path({str(tmp_path)!r})); print('OK')")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
        [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([*_without_root_powers(), sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stderr[-3000:]


@pytest.mark.parametrize("case", ["device-cuda-without-cuda", "train-mnist-random-bytes", "sample-absurd-size"])
def test_as_a_real_process_too(cli_results, case, tmp_path):
    """A few rows again as `python -m gan_edu` itself: the same exit code and line, no traceback."""
    row = next(c for c in CLI if c[0] == case)
    argv = row[1](tmp_path)
    r = subprocess.run([sys.executable, "-m", "gan_edu", *argv], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.returncode == row[2] and len(lines) == 1 and row[3] in lines[0] and "Traceback" not in r.stderr, r.stderr


def test_counts():
    """The numbers docs/RELIABILITY.md reports (printed with -s)."""
    print(f"\nbad inputs: {len(API)} API calls, {len(CLI)} command lines, {len(API) + len(CLI)} in all, each a clear "
          f"error; {len(ACCEPTED)} valid inputs that look hostile accepted")
    assert len({row[0] for row in API + CLI + ACCEPTED}) == len(API) + len(CLI) + len(ACCEPTED)     # ids are unique
