"""Small builders and comparisons shared by the unit tests (import them from here, not from conftest)."""
import torch

import gan_edu as ge


def make_trainer(seed=0, data=None, **kw):
    """A small 2D trainer, fully seeded."""
    ge.seed_everything(seed)
    data = data if data is not None else ge.data.ring()
    d = data.shape[0]
    G = ge.models.MLPGenerator(latent_dim=kw.pop("latent_dim", 2), out_dim=d, hidden=kw.pop("hidden", 32),
                               depth=kw.pop("depth", 2))
    D = ge.models.MLPDiscriminator(in_dim=d * kw.get("pack", 1), hidden=32, depth=2,
                                   minibatch_std=kw.pop("minibatch_std", False))
    kw.setdefault("batch_size", 64)
    kw.setdefault("device", "cpu")
    return ge.Trainer(G, D, data, seed=seed, **kw)


def params_of(*nets):
    return [p.detach().clone() for net in nets for p in net.parameters()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))
