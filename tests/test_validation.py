"""Every trainer argument is validated with a message naming it."""
import numpy as np
import pytest
import torch
from helpers import make_trainer

import gan_edu as ge
from gan_edu.widgets.discriminator import DTrainer
from gan_edu.widgets.equilibrium import EquilibriumExplorer


def parts(data=None, in_dim=2, out_dim=2):
    return (ge.models.MLPGenerator(out_dim=out_dim, hidden=8), ge.models.MLPDiscriminator(in_dim=in_dim, hidden=8),
            data if data is not None else ge.data.ring())


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(loss="wasserstein"), ValueError, "loss must be one of 'minimax', 'non_saturating', 'least_squares', 'hinge', 'wgan_gp'"),
    (dict(loss=None), TypeError, "loss must be a loss name"),
    (dict(batch_size=0), ValueError, "batch_size must be >= 1, got 0"),
    (dict(batch_size=12.0), TypeError, "batch_size must be an integer"),
    (dict(lr_g=0), ValueError, "lr_g must be > 0"),
    (dict(lr_d=-1e-3), ValueError, "lr_d must be > 0"),
    (dict(lr_d="fast"), TypeError, "lr_d must be a number"),
    (dict(lr_g=float("nan")), ValueError, "lr_g must be finite"),
    (dict(betas=(0.5,)), ValueError, "betas must be two numbers"),
    (dict(betas=(1.0, 0.9)), ValueError, "betas must be two numbers in \\[0, 1\\)"),
    (dict(d_steps=0), ValueError, "d_steps must be >= 1"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(optimizer="adamw"), ValueError, "optimizer must be one of 'adam', 'sgd', 'rmsprop'"),
    (dict(device="tpu"), ValueError, "device must be"),
    (dict(real_label=1.2), ValueError, "real_label must be <= 1"),
    (dict(real_label=0.9, loss="hinge"), ValueError, "label smoothing"),
    (dict(gp_weight=-1), ValueError, "gp_weight must be >= 0"),
    (dict(pack=0), ValueError, "pack must be >= 1"),
    (dict(pack=3), ValueError, "batch_size \\(256\\) must be a multiple of pack \\(3\\)"),
    (dict(history_size=1), ValueError, "history_size must be >= 2"),
])
def test_bad_trainer_arguments(kwargs, error, match):
    G, D, data = parts()
    with pytest.raises(error, match=match):
        ge.Trainer(G, D, data, device=kwargs.pop("device", "cpu"), **kwargs)


def test_wrong_kinds_of_networks_and_data():
    G, D, data = parts()
    with pytest.raises(TypeError, match="G must be a torch.nn.Module"):
        ge.Trainer("G", D, data)
    with pytest.raises(TypeError, match="D must be a torch.nn.Module"):
        ge.Trainer(G, None, data)
    with pytest.raises(TypeError, match="data must be a gan_edu.data source"):
        ge.Trainer(G, D, "ring")
    with pytest.raises(ValueError, match="latent_dim"):
        ge.Trainer(torch.nn.Linear(2, 2), D, data)


def test_generator_output_that_does_not_match_the_data():
    G, D, _ = parts(out_dim=3, in_dim=3)
    with pytest.raises(ValueError, match=r"G makes samples of shape \(3,\) but the data 'ring' has samples of shape \(2,\)"):
        ge.Trainer(G, D, ge.data.ring(), device="cpu")


def test_discriminator_that_cannot_take_the_samples():
    G, D, data = parts(in_dim=3)
    with pytest.raises(ValueError, match="D has in_dim=3 but must take 2"):
        ge.Trainer(G, D, data, device="cpu")
    G, D, data = parts()
    with pytest.raises(ValueError, match="pack=2 .* build D with in_dim=4"):
        ge.Trainer(G, D, data, pack=2, device="cpu")
    custom = torch.nn.Sequential(torch.nn.Linear(5, 1))
    with pytest.raises(ValueError, match="D cannot take G's samples"):
        ge.Trainer(G, custom, data, device="cpu")
    no_squeeze = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match="one logit per sample"):
        ge.Trainer(G, no_squeeze, data, device="cpu")


def test_data_of_the_wrong_dimension_for_images():
    G = ge.models.DCGenerator(image_size=8)
    D = ge.models.DCDiscriminator(image_size=8)
    with pytest.raises(ValueError, match=r"G makes samples of shape \(1, 8, 8\)"):
        ge.Trainer(G, D, ge.data.ring(), device="cpu")


def test_points_array_is_accepted_as_data():
    G, D, _ = parts()
    tr = ge.Trainer(G, D, torch.randn(50, 2), device="cpu", batch_size=16)
    tr.step()


def test_run_and_seed_everything_arguments():
    G, D, data = parts()
    tr = ge.Trainer(G, D, data, device="cpu")
    with pytest.raises(ValueError, match="steps must be >= 1"):
        tr.run(0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        ge.seed_everything("0")
    assert isinstance(ge.seed_everything(3), torch.Generator)


@pytest.mark.parametrize("build", [DTrainer, EquilibriumExplorer])
def test_cross_entropy_widgets_refuse_other_losses_and_packs(build):
    """The lesson 02 and 06 widgets read D's output as a probability: they say which losses and pack they need."""
    with pytest.raises(TypeError, match="trainer must be a gan_edu Trainer, got str"):
        build("not a trainer")
    with pytest.raises(ValueError, match="loss must be one of 'minimax', 'non_saturating', got 'hinge'"):
        build(make_trainer(loss="hinge"))
    with pytest.raises(ValueError, match="needs pack=1 .* got pack=2"):
        build(make_trainer(pack=2))


# --------------------------------------------------------------------------- issue 11 §3: the core's inputs
def test_a_list_of_points_is_data_and_numpy_numbers_are_numbers():
    G, D, _ = parts()
    tr = ge.Trainer(G, D, [[0, 0], [1, 1], [2, 0]], device="cpu", batch_size=np.int64(8), betas=(np.float32(0.5), np.float64(0.9)),
                    lr_g=np.float32(1e-3), d_steps=np.int64(2), seed=np.uint8(3))
    assert tr.data.points.tolist() == [[0, 0], [1, 1], [2, 0]]
    assert (type(tr.batch_size), type(tr.d_steps), type(tr.seed), type(tr.lr_g)) == (int, int, int, float)
    assert tr.betas == (0.5, pytest.approx(0.9)) and all(type(b) is float for b in tr.betas)
    tr.step()
    tr.configure(betas=np.array([0.4, 0.8]), lr_d=np.float64(2e-3))
    assert tr.opt_d.param_groups[0]["betas"] == tr.betas and type(tr.lr_d) is float


@pytest.mark.parametrize("call, error, match", [
    (lambda: ge.models.sample_noise(4, 0), ValueError, "latent_dim must be >= 1, got 0"),
    (lambda: ge.models.sample_noise(0, 2), ValueError, "n must be >= 1, got 0"),
    (lambda: ge.models.sample_noise(-3, 2), ValueError, "n must be >= 1, got -3"),
    (lambda: ge.models.sample_noise(2.5, 2), TypeError, "n must be an integer, got 2.5"),
    (lambda: ge.models.sample_noise(4, 2.0), TypeError, "latent_dim must be an integer"),
    (lambda: ge.models.sample_noise(10**9, 10**3), ValueError, "sample_noise: z for n=1000000000 .* at most"),
    (lambda: ge.models.sample_noise(4, 2, "gaussian"), ValueError, "noise must be one of 'normal', 'uniform'"),
    (lambda: ge.models.MLPGenerator(hidden=10**6), ValueError, r"MLPGenerator\(.*hidden=1000000.*\): the network would hold"),
    (lambda: ge.models.MLPDiscriminator(hidden=10**12), ValueError, "the network would hold 1,000,"),
    (lambda: ge.models.DCGenerator(features=10**5), ValueError, "DCGenerator.* at most 268,435,456"),
    (lambda: ge.models.DCDiscriminator(image_size=10**6 * 4), ValueError, "DCDiscriminator.* at most"),
    (lambda: ge.models.MLPGenerator(depth=10**6), ValueError, "depth must be <= 100"),
    (lambda: ge.models.MLPGenerator(activation="sigmoid"), ValueError, "activation must be one of"),
    (lambda: ge.models.MLPDiscriminator(group_size=0), ValueError, "group_size must be >= 1"),
    (lambda: ge.models.MLPDiscriminator(minibatch_std="yes"), TypeError, "minibatch_std must be True or False"),
])
def test_models_refuse_bad_sizes_before_allocating(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_sizes_build_models_with_plain_settings():
    G = ge.models.DCGenerator(latent_dim=np.int64(4), features=np.int32(4))
    D = ge.models.MLPDiscriminator(minibatch_std=np.bool_(True), hidden=np.int16(8))
    assert all(type(v) in (int, str, bool, type(None)) for v in [*G.config.values(), *D.config.values()])


def test_trainer_inputs_that_used_to_give_raw_errors():
    tr = make_trainer()
    with pytest.raises(ValueError, match="unknown event 'step_ned'"):
        tr.off("step_ned", print)
    with pytest.raises(ValueError, match=r"z must have shape \[N, 2\] \(latent_dim=2\), got shape \[5, 3\]"):
        tr.sample(5, z=torch.zeros(5, 3))
    with pytest.raises(TypeError, match="x must be an array of shape"):
        tr.d_prob("abc")
    with pytest.raises(ValueError, match=r"x must have shape \[N, 2\] .* got shape \[4\]"):
        tr.d_prob([1, 2, 3, 4])
    assert tr.d_prob(np.zeros((3, 2))).shape == (3,) and tr.sample(2, z=[[0.0, 1.0], [1.0, 0.0]]).shape == (2, 2)
    with pytest.raises(ValueError, match="batch_size: a batch of 1000000000 samples"):
        make_trainer(batch_size=10**9)
    with pytest.raises(ValueError, match="device='cuda:7'|device must be"):
        make_trainer(device="cuda:7")
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu' or 'cuda'"):
        make_trainer(device="meta")


def test_presets_leave_the_callers_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ge.presets.build("ring-vanilla", seed=5)
    ge.presets.digits.dcgan(seed=2)
    assert torch.equal(torch.rand(3), expected)
    a, b = ge.presets.build("ring-pacgan", seed=5), ge.presets.build("ring-pacgan", seed=5)
    assert all(torch.equal(x, y) for x, y in zip(a.G.parameters(), b.G.parameters()))
