"""The opt-in recorders."""
import math

import torch
from helpers import make_trainer

import gan_edu as ge


def test_d_accuracy_matches_a_hand_count():
    tr = make_trainer()
    acc = ge.recorders.DAccuracy().attach(tr)
    seen = {}
    tr.on("d_forward_end", lambda t: seen.update(r=t.state.real_logits.detach().clone(), f=t.state.fake_logits.detach().clone()))
    tr.step()
    expected = 0.5 * ((seen["r"] > 0).float().mean() + (seen["f"] < 0).float().mean()).item()
    assert acc.acc == expected and tr.history["d_acc"][-1] == expected


def test_grad_norms_per_layer_are_read_before_the_update():
    tr = make_trainer()
    rec = ge.recorders.GradNorms().attach(tr)
    by_hand = {}

    @tr.on("d_backward_end")
    def norms(t):
        w, b = t.D.net.linear1.weight.grad, t.D.net.linear1.bias.grad
        by_hand["linear1"] = math.sqrt(w.pow(2).sum().item() + b.pow(2).sum().item())

    tr.step()
    assert set(rec.d) == {"linear1", "linear2", "out"} and set(rec.g) == {"linear1", "linear2", "out"}
    assert math.isclose(rec.d["linear1"], by_hand["linear1"], rel_tol=1e-6)
    assert "grad_g/out" in tr.history and "grad_d/linear2" in tr.history


def test_generator_arrows_are_minus_the_gradient_on_each_fake_sample():
    tr = make_trainer()
    arrows = ge.recorders.GeneratorArrows().attach(tr)
    tr.step()
    assert arrows.points.shape == arrows.arrows.shape == (64, 2)
    # recompute: d loss_g / d fake with the D that the G step saw
    fake = arrows.points.clone().requires_grad_(True)
    ge.losses.non_saturating.g_loss(tr.D(fake)).backward()
    torch.testing.assert_close(arrows.arrows, -fake.grad)


def test_standard_attaches_and_detaches():
    tr = make_trainer()
    recs = ge.recorders.standard(tr)
    tr.run(3, progress=False)
    assert len(tr.history["d_acc"]) == 3
    for r in recs:
        r.detach()
    assert all(not v for v in tr.handlers.values())


def test_fake_gradients_changes_nothing_also_with_batchnorm():
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.DCGenerator(latent_dim=4, features=4), ge.models.DCDiscriminator(features=4),
                    ge.data.digits(), batch_size=8, device="cpu")
    tr.step()
    before = {k: v.clone() for k, v in [*tr.G.state_dict().items(), *tr.D.state_dict().items()]}
    points, arrows = ge.recorders.fake_gradients(tr, n=6)
    after = {k: v for k, v in [*tr.G.state_dict().items(), *tr.D.state_dict().items()]}
    assert points.shape == arrows.shape == (6, 1, 8, 8) and tr.G.training and tr.D.training
    assert all(torch.equal(before[k], after[k]) for k in before)        # BatchNorm running statistics untouched
