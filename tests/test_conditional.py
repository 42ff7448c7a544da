"""Conditional networks (lesson 09): each built a second way by hand, labels followed through the
trainer, bad labels refused by name, and a conditional trainer saved, restored and continued exactly."""
import pytest
import torch
from helpers import differences, full_state, make_trainer

import gan_edu as ge
from gan_edu import models

K = 10


def cond_trainer(seed=0, **kw):
    ge.seed_everything(seed)
    G = models.ConditionalDCGenerator(latent_dim=8, n_classes=K, features=4)
    D = models.ConditionalDCDiscriminator(n_classes=K, features=4, norm=kw.pop("norm", "batch"))
    kw.setdefault("batch_size", 16)
    return ge.Trainer(G, D, ge.data.digits(), device="cpu", seed=seed, **kw)


# --------------------------------------------------------------------------- the networks, built two ways
def test_one_hot_into_the_projection_is_adding_a_vector_per_class():
    """W [z, onehot(y)] = W_z z + w_y: the one-hot label is a learned vector per class added to
    the projection of z (then the same layers follow)."""
    torch.manual_seed(0)
    G = models.ConditionalDCGenerator(latent_dim=6, n_classes=K, features=4).eval()
    z, y = torch.randn(20, 6), torch.arange(20) % K
    W = G.net.project.weight                                       # [out, latent + K]
    W_z, class_vectors = W[:, :6], W[:, 6:].T                      # [out, latent], [K, out]
    projected = z @ W_z.T + class_vectors[y]                       # [N, out], no bias in this layer
    by_hand = G.net[1:](projected)
    with torch.no_grad():
        assert torch.allclose(G(z, y), by_hand, atol=1e-6)
        # and the class changes the output only through that vector: same z, other class -> other image
        assert not torch.allclose(G(z, y), G(z, (y + 1) % K))


@pytest.mark.parametrize("norm", ["batch", "spectral", "none"])
def test_projection_discriminator_is_psi_of_phi_plus_class_inner_product(norm):
    """D(x, y) = psi(phi(x)) + <e_y, phi(x)> (Miyato & Koyama 2018), computed by hand."""
    torch.manual_seed(1)
    D = models.ConditionalDCDiscriminator(n_classes=K, features=4, norm=norm).eval()
    x, y = torch.rand(12, 1, 8, 8) * 2 - 1, torch.randint(K, (12,))
    with torch.no_grad():
        phi = D.features(x)                                        # [N, width]
        psi = phi @ D.out.weight.T + D.out.bias                    # [N, 1]
        e_y = D.embed.weight[y]                                    # [N, width]
        by_hand = psi[:, 0] + (e_y * phi).sum(1)
        assert torch.allclose(D(x, y), by_hand, atol=1e-5)
        # the class-free part is the same for every class; only the inner product changes
        other = (y + 3) % K
        assert torch.allclose(D(x, y) - D(x, other), ((e_y - D.embed.weight[other]) * phi).sum(1), atol=1e-5)


# --------------------------------------------------------------------------- labels flow through the trainer
def test_real_batch_labels_are_the_datas_labels_for_the_sampled_images():
    tr = cond_trainer()
    tr.step()
    data, seen = tr.data, []
    tr.on("d_forward_end", lambda t: seen.append((t.state.real.clone(), t.state.labels.clone())))
    replay = torch.Generator()
    replay.set_state(tr.rng.get_state())
    tr.step()
    idx = torch.randint(len(data), (tr.batch_size,), generator=replay)   # the data's own draw, replayed
    real, labels = seen[0]
    assert torch.equal(real, data.images[idx]) and torch.equal(labels, data.labels[idx])
    assert len(set(labels.tolist())) > 1


def test_the_class_asked_of_g_reaches_d_in_both_phases():
    """The classes G draws (state.fake_labels) are what G gets and what D judges the fakes as, in the
    D update (next to the real labels) and in the G update."""
    tr = cond_trainer()
    calls = {"G": [], "D": []}
    tr.G.register_forward_pre_hook(lambda m, args: calls["G"].append(args[1].clone()))
    tr.D.register_forward_pre_hook(lambda m, args: calls["D"].append(args[1].clone()))
    seen = {}
    tr.on("d_forward_end", lambda t: seen.update(d_real=t.state.labels.clone(), d_fake=t.state.fake_labels.clone()))
    tr.on("g_forward_end", lambda t: seen.update(g=t.state.fake_labels.clone()))
    tr.step()
    # BatchNorm D: real and fake batches are judged apart, so D is called 3 times (real, fake, G phase)
    assert len(calls["G"]) == 1 and len(calls["D"]) == 3
    assert torch.equal(calls["G"][0], seen["d_fake"])
    assert torch.equal(calls["D"][0], seen["d_real"]) and torch.equal(calls["D"][1], seen["d_fake"])
    assert torch.equal(calls["D"][2], seen["g"]) and torch.equal(seen["g"], seen["d_fake"])
    assert len(set(seen["g"].tolist())) > 1 and int(seen["g"].max()) < K


def test_without_batchnorm_d_judges_real_and_fake_in_one_call_with_both_label_sets():
    tr = cond_trainer(norm="spectral")
    calls = []
    tr.D.register_forward_pre_hook(lambda m, args: calls.append(args[1].clone()))
    seen = {}
    tr.on("d_forward_end", lambda t: seen.update(real=t.state.labels.clone(), fake=t.state.fake_labels.clone()))
    tr.step()
    assert torch.equal(calls[0], torch.cat([seen["real"], seen["fake"]]))


# --------------------------------------------------------------------------- sampling and bad inputs
def test_sample_draws_the_classes_asked_for():
    tr = cond_trainer()
    tr.run(2, progress=False)
    z = torch.randn(5, 8)
    y = torch.tensor([3, 1, 4, 1, 5])
    with models.eval_mode(tr.G), torch.no_grad():
        expected = tr.G(z, y)
    assert torch.equal(tr.sample(5, z=z, labels=y), expected)
    assert torch.equal(tr.sample(5, z=z, labels=7), tr.sample(5, z=z, labels=torch.full((5,), 7)))
    default = tr.sample(5, z=z)                                  # default: classes 0, 1, 2, ... in turn
    assert torch.equal(default, tr.sample(5, z=z, labels=torch.arange(5)))


@pytest.mark.parametrize("labels, error, match", [
    (torch.zeros(3, dtype=torch.long), ValueError, r"labels must have shape \[4\]"),
    (torch.zeros(4, 1, dtype=torch.long), ValueError, r"labels must have shape \[4\]"),
    (torch.zeros(4), TypeError, "labels must hold whole class indices"),
    (2.0, TypeError, "labels must be"),
    ("3", TypeError, "labels must be"),
    (torch.tensor([0, 1, 2, 10]), ValueError, "labels must be class indices from 0 to 9"),
    (torch.tensor([0, -1, 2, 3]), ValueError, "labels must be class indices from 0 to 9"),
    (True, TypeError, "labels must be"),
])
def test_sample_refuses_bad_labels_by_name(labels, error, match):
    tr = cond_trainer()
    with pytest.raises(error, match=match):
        tr.sample(4, labels=labels)


def test_labels_on_an_unconditional_trainer_are_refused():
    tr = make_trainer()
    with pytest.raises(ValueError, match="labels were given, but this trainer's G and D are not conditional"):
        tr.sample(4, labels=torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="labels"):
        tr.d_prob(torch.zeros(4, 2), labels=torch.zeros(4, dtype=torch.long))


def test_a_conditional_d_needs_labels_to_judge():
    tr = cond_trainer()
    x = tr.data.images[:4]
    with pytest.raises(TypeError, match="pass labels="):
        tr.d_prob(x)
    p = tr.d_prob(x, labels=tr.data.labels[:4])
    assert p.shape == (4,) and bool(((p > 0) & (p < 1)).all())


def test_g_conditional_but_d_not_is_a_clear_error():
    G = models.ConditionalDCGenerator(latent_dim=8, features=4)
    D = models.DCDiscriminator(features=4)
    with pytest.raises(ValueError, match="G is conditional .* but D is not"):
        ge.Trainer(G, D, ge.data.digits(), device="cpu")
    with pytest.raises(ValueError, match="D is conditional .* but G is not"):
        ge.Trainer(models.DCGenerator(latent_dim=8, features=4), models.ConditionalDCDiscriminator(features=4),
                   ge.data.digits(), device="cpu")
    with pytest.raises(ValueError, match="n_classes=10 but D has n_classes=5"):
        ge.Trainer(G, models.ConditionalDCDiscriminator(n_classes=5, features=4), ge.data.digits(), device="cpu")


def test_pack_with_conditional_networks_is_a_clear_error():
    G = models.ConditionalDCGenerator(latent_dim=8, features=4)
    D = models.ConditionalDCDiscriminator(features=4, channels=2)
    with pytest.raises(ValueError, match="pack=2 cannot be used with conditional networks"):
        ge.Trainer(G, D, ge.data.digits(), device="cpu", pack=2, batch_size=16)


def test_conditional_networks_need_labelled_data():
    G = models.ConditionalDCGenerator(latent_dim=8, features=4)
    D = models.ConditionalDCDiscriminator(features=4)
    with pytest.raises(ValueError, match="need data with class labels"):
        ge.Trainer(G, D, ge.data.ring(), device="cpu")
    few = models.ConditionalDCGenerator(latent_dim=8, n_classes=5, features=4)
    with pytest.raises(ValueError, match="build them with n_classes=10"):
        ge.Trainer(few, models.ConditionalDCDiscriminator(n_classes=5, features=4), ge.data.digits(), device="cpu")


# --------------------------------------------------------------------------- saved, restored, continued
def test_a_conditional_trainer_continues_identically_after_restore():
    tr = cond_trainer()
    tr.run(3, progress=False)
    snap = tr.snapshot()
    before = full_state(tr)
    losses = []
    for _ in range(3):
        tr.step()
        losses.append((tr.state.loss_d, tr.state.loss_g, tr.state.fake_labels.clone()))
    tr.restore(snap)
    assert not differences(full_state(tr), before)
    for loss_d, loss_g, fake_labels in losses:
        tr.step()
        assert (tr.state.loss_d, tr.state.loss_g) == (loss_d, loss_g)
        assert torch.equal(tr.state.fake_labels, fake_labels)       # the same classes drawn again


def test_a_conditional_checkpoint_round_trips_and_continues(tmp_path):
    tr = cond_trainer()
    tr.run(3, progress=False)
    tr.save(tmp_path / "c.pt")
    again = ge.Trainer.load(tmp_path / "c.pt", device="cpu")
    assert type(again.G) is models.ConditionalDCGenerator and again.n_classes == K
    assert not differences(full_state(again), full_state(tr))
    assert torch.load(tmp_path / "c.pt", weights_only=True)["version"] == 2   # a conditional file needs version 2
    G = ge.trainer.load_generator(tmp_path / "c.pt")                         # usable as G(z, y), eval mode
    z, y = torch.randn(4, 8), torch.tensor([0, 3, 6, 9])
    assert type(G) is models.ConditionalDCGenerator and G.n_classes == K and not G.training
    with torch.no_grad():
        assert torch.equal(G(z, y), tr.sample(4, z=z, labels=y))
    for _ in range(2):
        tr.step()
        again.step()
        assert (again.state.loss_d, again.state.loss_g) == (tr.state.loss_d, tr.state.loss_g)


def test_a_plain_checkpoint_is_still_version_1(tmp_path):
    tr = make_trainer()
    tr.step()
    tr.save(tmp_path / "c.pt")
    ckpt = torch.load(tmp_path / "c.pt", weights_only=True)
    assert ckpt["version"] == 1 and "ema" not in ckpt["trainer"] and "G_ema" not in ckpt
