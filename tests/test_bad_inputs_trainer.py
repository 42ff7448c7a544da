"""Bad inputs to the trainer, the models and the presets (issue 11 §3, the core's part).

The same table form as test_bad_inputs.py: (id, call, expected exception, fragment of the message).
These rows check the core's fixes; written on the inputs branch, several fail there until the core
branch is merged (the lead knows which) -- they are not marked xfail, on purpose.
"""
import numpy as np
import pytest
import torch

import gan_edu as ge


def trainer(data=None, device="cpu", **kw):
    ge.seed_everything(0)
    return ge.Trainer(ge.models.MLPGenerator(hidden=8), ge.models.MLPDiscriminator(hidden=8),
                      ge.data.ring() if data is None else data, device=device, **kw)


def cuda_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    return trainer(device="cuda")


V, T = ValueError, TypeError
BAD = [
    ("sample-noise-latent-zero", lambda: ge.models.sample_noise(4, 0), V, "latent_dim"),
    ("sample-noise-negative", lambda: ge.models.sample_noise(-1, 2), V, "n must be >= 1"),
    ("sample-noise-float", lambda: ge.models.sample_noise(2.5, 2), T, "n must be an integer"),
    ("sample-noise-absurd", lambda: ge.models.sample_noise(10 ** 12, 2), V, "n"),
    ("off-unknown-event", lambda: trainer().off("step_ennd", print), V, "step_ennd"),
    ("sample-z-wrong-width", lambda: trainer().sample(4, z=torch.zeros(4, 5)), V, "z"),
    ("d-prob-text", lambda: trainer().d_prob("abc"), T, "x"),
    ("device-cuda-without-cuda", cuda_without_cuda, V, "cuda"),
]


@pytest.mark.parametrize("call, error, fragment", [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_trainer_input_is_a_clear_error(call, error, fragment):
    with pytest.raises(error) as caught:
        call()
    assert fragment in str(caught.value), str(caught.value)


def test_an_array_of_points_is_data():
    """The docs say any array of points works as data."""
    tr = trainer(data=[[0, 0], [1, 1]])
    assert isinstance(tr.data, ge.data.Points) and tr.data.points.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_numpy_numbers_are_numbers():
    tr = trainer(betas=(np.float32(0.5), np.float32(0.9)), lr_g=np.float32(1e-3), batch_size=np.int64(32))
    assert tr.betas == (0.5, pytest.approx(0.9)) and tr.batch_size == 32


@pytest.mark.parametrize("name", ["ring-vanilla", "digits-dcgan"])
def test_presets_leave_the_global_rng_alone(name):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ge.presets.build(name, seed=7)
    assert torch.equal(torch.rand(3), expected)
