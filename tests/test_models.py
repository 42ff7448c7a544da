"""Model shapes, logits, the layer-by-layer trace."""
import pytest
import torch

import gan_edu as ge


def test_mlp_shapes_and_logits():
    G = ge.models.MLPGenerator(latent_dim=3, out_dim=2, hidden=16, depth=3)
    D = ge.models.MLPDiscriminator(in_dim=2, hidden=16, depth=2)
    z = G.sample_noise(5)
    assert z.shape == (5, 3)
    assert G(z).shape == (5, 2) and D(G(z)).shape == (5,)
    names = [n for n, _ in G.net.named_children()]
    assert names == ["linear1", "relu1", "linear2", "relu2", "linear3", "relu3", "out"]


@pytest.mark.parametrize("size, first", [(8, 2), (16, 4), (28, 7)])
def test_dc_models_support_8_16_28(size, first):
    G = ge.models.DCGenerator(latent_dim=16, image_size=size, channels=1)
    D = ge.models.DCDiscriminator(image_size=size, channels=1)
    x = G(G.sample_noise(4))
    assert x.shape == (4, 1, size, size) and x.abs().max() <= 1
    assert D(x).shape == (4,)
    shapes = {layer.name: layer.shape for layer in ge.models.trace(G, G.sample_noise(2))}
    assert shapes["reshape"] == (2, 128, first, first)
    assert shapes["up1"] == (2, 64, 2 * first, 2 * first)
    assert shapes["tanh"] == (2, 1, size, size)


def test_uniform_noise_is_in_minus_one_one():
    z = ge.models.sample_noise(1000, 4, "uniform", torch.Generator().manual_seed(0))
    assert z.min() >= -1 and z.max() <= 1 and z.min() < -0.9


def test_trace_restores_training_mode():
    G = ge.models.DCGenerator()
    G.train()
    layers = ge.models.trace(G, G.sample_noise(3))
    assert G.training and layers[0].name == "input" and layers[-1].kind == "Tanh"
    with pytest.raises(TypeError, match="net"):
        ge.models.trace(torch.nn.Linear(2, 2), torch.zeros(1, 2))


def test_minibatch_std_adds_one_feature_and_sees_collapse():
    m = ge.models.MinibatchStd(group_size=4)
    x = torch.randn(8, 5)
    assert m(x).shape == (8, 6)
    assert m(torch.ones(8, 5))[:, -1].max() < 1e-3      # identical samples: no spread
    assert m(torch.randn(8, 3, 4, 4)).shape == (8, 4, 4, 4)
    D = ge.models.MLPDiscriminator(minibatch_std=True)
    assert D(torch.randn(6, 2)).shape == (6,)
    assert ge.models.is_batch_coupled(D) and not ge.models.is_batch_coupled(ge.models.MLPDiscriminator())


def test_spectral_norm_bounds_the_largest_singular_value():
    D = ge.models.MLPDiscriminator(spectral_norm=True)
    for _ in range(20):
        D(torch.randn(4, 2))
    w = D.net.linear2.weight
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, abs=0.05)


def test_count_parameters_and_build():
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=128, depth=2)
    assert ge.models.count_parameters(G) == 2 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2
    again = ge.models.build("MLPGenerator", G.config)
    assert ge.models.count_parameters(again) == ge.models.count_parameters(G)


@pytest.mark.parametrize("bad, match", [
    (lambda: ge.models.MLPGenerator(latent_dim=0), "latent_dim must be >= 1"),
    (lambda: ge.models.MLPGenerator(depth=-1), "depth must be >= 1"),
    (lambda: ge.models.MLPGenerator(hidden=1.5), "hidden must be an integer"),
    (lambda: ge.models.MLPGenerator(noise="gauss"), "noise must be one of 'normal', 'uniform'"),
    (lambda: ge.models.MLPGenerator(activation="swish"), "activation must be one of"),
    (lambda: ge.models.MLPDiscriminator(in_dim=True), "in_dim must be an integer"),
    (lambda: ge.models.MLPDiscriminator(minibatch_std=1), "minibatch_std must be True or False"),
    (lambda: ge.models.DCGenerator(image_size=10), "image_size must be a multiple of 4"),
    (lambda: ge.models.DCDiscriminator(norm="layer"), "norm must be one of"),
    (lambda: ge.models.build("Transformer", {}), "class_name"),
])
def test_bad_model_arguments_are_named(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bad()


def test_eval_mode_restores_each_network_also_on_error():
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2)
    D = ge.models.MLPDiscriminator(in_dim=2)
    D.eval()
    with ge.models.eval_mode(G, D) as (g, d):
        assert not g.training and not d.training
    assert G.training and not D.training
    with pytest.raises(RuntimeError), ge.models.eval_mode(G):
        raise RuntimeError("boom")
    assert G.training
