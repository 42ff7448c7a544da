"""The stepwise trainer: events, sub-steps, atomic steps, divergence, determinism, snapshots."""
import math
import re

import pytest
import torch
import torch.nn.functional as F
from helpers import differences, full_state, make_trainer, params_of, same

import gan_edu as ge


def record_events(tr):
    seen = []
    for event in ge.EVENTS:
        tr.on(event, lambda t, e=event: seen.append(e))
    return seen


def test_event_order_for_two_d_steps_is_exact():
    tr = make_trainer(d_steps=2)
    seen = record_events(tr)
    tr.run(1, progress=False)
    assert seen == ["run_start", "step_start",
                    "d_forward_end", "d_backward_end", "d_step_end",
                    "d_forward_end", "d_backward_end", "d_step_end",
                    "g_forward_end", "g_backward_end", "g_step_end",
                    "step_end", "run_end"]


def test_sub_steps_fire_only_their_own_events(trainer):
    seen = record_events(trainer)
    trainer.step_d()
    assert seen == ["d_forward_end", "d_backward_end", "d_step_end"]
    seen.clear()
    trainer.step_g()
    assert seen == ["g_forward_end", "g_backward_end", "g_step_end"]
    assert trainer.state.step == 0 and trainer.state.d_updates == 1 and trainer.state.g_updates == 1


def test_step_d_moves_only_d_and_step_g_moves_only_g(trainer):
    g0, d0 = params_of(trainer.G), params_of(trainer.D)
    trainer.step_d()
    assert same(params_of(trainer.G), g0) and not same(params_of(trainer.D), d0)
    d1 = params_of(trainer.D)
    trainer.step_g()
    assert same(params_of(trainer.D), d1) and not same(params_of(trainer.G), g0)


def test_unknown_event_lists_the_valid_ones(trainer):
    with pytest.raises(ValueError, match="d_backward_end"):
        trainer.on("d_backwards_end", lambda t: None)
    with pytest.raises(TypeError, match="callable"):
        trainer.on("step_end", 42)
    with pytest.raises(ValueError, match="every"):
        trainer.on("step_end", lambda t: None, every=0)


def test_decorator_form_and_every_filter(trainer):
    calls = []

    @trainer.on("step_end", every=3)
    def handler(t):
        calls.append(t.state.step)

    assert callable(handler)
    trainer.run(10, progress=False)
    assert calls == [3, 6, 9]
    trainer.off("step_end", handler)
    trainer.run(3, progress=False)
    assert calls == [3, 6, 9]


def test_handlers_receive_the_trainer_and_see_gradients_before_the_update(trainer):
    seen = {}

    def at_d_backward(t):
        seen["d_grads"] = all(p.grad is not None for p in t.D.parameters())
        seen["g_grads_in_d_step"] = any(p.grad is not None for p in t.G.parameters())
        seen["d_before"] = params_of(t.D)

    def at_g_backward(t):
        seen["g_grads"] = all(p.grad is not None for p in t.G.parameters())
        seen["d_grads_in_g_step"] = any(p.grad is not None for p in t.D.parameters())

    trainer.on("d_backward_end", at_d_backward)
    trainer.on("g_backward_end", at_g_backward)
    before = params_of(trainer.D)
    trainer.step()
    assert seen["d_grads"] and not seen["g_grads_in_d_step"]       # fake is detached in the D step
    assert seen["g_grads"] and not seen["d_grads_in_g_step"]       # D is frozen in the G step
    assert same(seen["d_before"], before)                          # optimiser had not stepped yet


def test_run_stops_when_a_handler_sets_stop(trainer):
    @trainer.on("step_end")
    def stop_at_5(t):
        t.state.stop = t.state.step == 5

    trainer.run(100, progress=False)
    assert trainer.state.step == 5


def test_state_after_a_step(trainer):
    trainer.step()
    s = trainer.state
    assert s.step == 1 and s.d_updates == 1 and s.g_updates == 1
    assert s.real.shape == s.fake.shape == (64, 2) and s.z.shape == (64, 2)
    assert 0 < s.d_real < 1 and 0 < s.d_fake < 1
    assert math.isfinite(s.loss_d) and math.isfinite(s.loss_g)
    assert list(trainer.history["loss_d"].steps) == [1]


def test_trainer_step_matches_the_straightforward_loop():
    """One D forward on cat([real, fake]) and the fused optimiser give the same numbers
    as pytorch/examples' formulation (separate forwards, plain Adam), within float tolerance."""
    tr = make_trainer(seed=3)
    ge.seed_everything(3)
    G = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=32, depth=2)
    D = ge.models.MLPDiscriminator(in_dim=2, hidden=32, depth=2)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(3)
    for _ in range(20):
        tr.step()
        real = tr.data.sample(64, generator=gen)
        fake = G(torch.randn(64, 2, generator=gen))
        opt_d.zero_grad()
        lr, lf = D(real), D(fake.detach())
        (F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr))
         + F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf))).backward()
        opt_d.step()
        opt_g.zero_grad()
        lf = D(fake)
        F.binary_cross_entropy_with_logits(lf, torch.ones_like(lf)).backward()
        opt_g.step()
    for a, b in zip(params_of(tr.G, tr.D), params_of(G, D)):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_same_seed_gives_bit_identical_parameters_after_100_steps():
    a, b = make_trainer(seed=7), make_trainer(seed=7)
    a.run(100, progress=False)
    b.run(100, progress=False)
    assert same(params_of(a.G, a.D), params_of(b.G, b.D))
    c = make_trainer(seed=8)
    c.run(100, progress=False)
    assert not same(params_of(a.G), params_of(c.G))


def test_sampling_for_pictures_does_not_change_training():
    a, b = make_trainer(seed=1), make_trainer(seed=1)
    for _ in range(20):
        a.step()
        b.step()
        b.sample(100)
        b.d_prob(torch.zeros(5, 2))
    assert same(params_of(a.G, a.D), params_of(b.G, b.D))


def test_a_raising_handler_is_named_and_the_step_is_undone(trainer):
    trainer.run(3, progress=False)
    before = full_state(trainer)

    def broken(t):
        raise KeyError("oops")

    trainer.on("g_backward_end", broken)
    with pytest.raises(ge.HandlerError, match="broken.*g_backward_end.*step 4") as info:
        trainer.step()
    assert isinstance(info.value.__cause__, KeyError)
    assert info.value.event == "g_backward_end" and info.value.handler is broken
    # D was already updated when the handler ran; the whole step is rolled back
    assert trainer.state.step == 3 and trainer.state.d_updates == 3 and trainer.state.g_updates == 3
    assert not differences(full_state(trainer), before)            # nets, optimisers, rng, history: bit for bit
    assert str(info.value).endswith("The trainer was rolled back to the state before this step.")
    # and training goes on exactly as if nothing had happened
    trainer.off("g_backward_end", broken)
    reference = make_trainer()
    reference.run(4, progress=False)
    trainer.step()
    assert same(params_of(trainer.G, trainer.D), params_of(reference.G, reference.D))


def test_a_failure_in_the_very_first_step_leaves_no_optimiser_state(trainer):
    trainer.on("step_end", lambda t: 1 / 0)
    with pytest.raises(ge.HandlerError, match="ZeroDivisionError"):
        trainer.step()
    assert len(trainer.opt_d.state) == 0 and len(trainer.opt_g.state) == 0
    trainer.handlers.clear()
    reference = make_trainer()
    reference.step()
    trainer.step()
    assert same(params_of(trainer.G, trainer.D), params_of(reference.G, reference.D))


def test_divergence_is_caught_at_its_step_and_the_last_good_state_restored(trainer):
    trainer.run(5, progress=False)
    good = params_of(trainer.G, trainer.D)

    @trainer.on("d_backward_end")
    def poison(t):           # an exploding gradient
        if t.state.step == 6:
            next(t.D.parameters()).grad.fill_(float("inf"))

    with pytest.raises(ge.TrainingDiverged) as info:
        trainer.run(10, progress=False)
    assert info.value.step == 6 and "D" in info.value.what
    assert trainer.state.step == 5
    assert same(params_of(trainer.G, trainer.D), good)
    trainer.off("d_backward_end", poison)
    trainer.run(2, progress=False)
    trainer.restore()                                   # last_good: back to step 5
    assert trainer.state.step == 5 and same(params_of(trainer.G, trainer.D), good)


def test_a_nan_loss_raises_training_diverged():
    data = ge.data.ring()
    tr = make_trainer(data=data)
    tr.on("g_forward_end", lambda t: t.state.fake_logits.data.fill_(float("nan")))
    with pytest.raises(ge.TrainingDiverged, match="step 1"):
        tr.step()


def test_a_huge_learning_rate_diverges_cleanly():
    tr = make_trainer(optimizer="sgd", lr_d=1e30, lr_g=1e30)
    with pytest.raises(ge.TrainingDiverged) as info:
        tr.run(50, progress=False)
    assert re.fullmatch(r"training diverged at step \d+: .+ is not finite( \(.+\))?\. The trainer was rolled back to the "
                        r"state before this step; try a smaller learning rate\.", str(info.value)), str(info.value)
    assert all(torch.isfinite(p).all() for p in tr.G.parameters())
    assert tr.state.step == info.value.step - 1


def test_snapshot_restore_round_trip(trainer):
    trainer.run(5, progress=False)
    snap = trainer.snapshot()
    trainer.run(5, progress=False)
    after10 = params_of(trainer.G, trainer.D)
    trainer.restore(snap)
    assert trainer.state.step == 5 and len(trainer.history["loss_d"]) == 5
    trainer.run(5, progress=False)                      # same RNG state: same future
    assert same(params_of(trainer.G, trainer.D), after10)


def test_restore_needs_something_to_restore(trainer):
    with pytest.raises(ValueError, match="nothing to restore"):
        trainer.restore()
    with pytest.raises(ValueError, match="snapshot"):
        trainer.restore({"G": {}})


def test_history_is_bounded():
    h = ge.History(capacity=100)
    for i in range(1, 100_001):
        h.record(i, loss=float(i))
    s = h["loss"]
    assert len(s) <= 100 and s.steps[0] <= 1024 and s.steps[-1] > 99_000
    assert list(s.values) == [float(x) for x in s.steps]
    with pytest.raises(KeyError, match="recorded"):
        h["nope"]


def test_trainer_history_stays_bounded_over_long_runs():
    tr = make_trainer(history_size=64, batch_size=8)
    tr.run(300, progress=False)
    assert len(tr.history["loss_g"]) <= 64 and tr.history["loss_g"].steps[-1] >= 256


def test_configure_changes_settings_live(trainer):
    trainer.configure(lr_g=5e-4, d_steps=3, loss="least_squares")
    assert trainer.opt_g.param_groups[0]["lr"] == 5e-4 and trainer.d_steps == 3
    assert trainer.loss is ge.losses.least_squares
    with pytest.raises(ValueError, match="loss"):
        trainer.configure(loss="wasserstein")
    with pytest.raises(ValueError, match="lr_d"):
        trainer.configure(lr_d=-1)


def test_short_1d_run_moves_the_generator_toward_the_data():
    data = ge.data.gaussian_1d(mean=3.0, std=0.5)
    tr = make_trainer(data=data, latent_dim=1, batch_size=128, lr_g=2e-3, lr_d=2e-3)
    start = tr.sample(2000).mean().item()
    tr.run(400, progress=False)
    samples = tr.sample(2000)
    assert abs(samples.mean().item() - 3.0) < 0.5 < abs(start - 3.0)
    assert 0.2 < samples.std().item() < 1.0


@pytest.mark.parametrize("loss", list(ge.losses.LOSSES))
def test_every_loss_trains_without_error(loss):
    tr = make_trainer(loss=loss)
    tr.run(5, progress=False)
    assert tr.state.step == 5 and math.isfinite(tr.state.loss_d)


def test_pack_shows_d_several_samples_at_once():
    tr = make_trainer(pack=2)
    seen = []
    tr.on("d_forward_end", lambda t: seen.append(t.state.real_logits.shape))
    tr.step()
    assert seen == [(32,)]


def test_batch_coupled_d_sees_real_and_fake_separately():
    tr = make_trainer(minibatch_std=True)
    assert not tr._concat_d
    tr.run(3, progress=False)


def test_label_smoothing_changes_d_loss():
    a, b = make_trainer(), make_trainer(real_label=0.9)
    a.step_d()
    b.step_d()
    assert a.state.loss_d != b.state.loss_d


def test_keyboard_interrupt_undoes_the_unfinished_step(trainer):
    trainer.run(2, progress=False)
    before = params_of(trainer.G, trainer.D)

    def interrupt(t):
        raise KeyboardInterrupt

    trainer.on("d_step_end", interrupt)
    with pytest.warns(UserWarning, match="undone"), pytest.raises(KeyboardInterrupt):
        trainer.step()
    assert trainer.state.step == 2 and same(params_of(trainer.G, trainer.D), before)


def test_attached_handlers_are_removed_after_the_block_also_on_error(trainer):
    seen = []
    with trainer.attached(step_end=seen.append, d_step_end=[seen.append, seen.append]):
        trainer.step()
    assert len(seen) == 3
    with pytest.raises(KeyError), trainer.attached({"step_start": seen.append}):
        raise KeyError("x")
    trainer.step()
    assert len(seen) == 3 and not any(trainer.handlers.values())
    with pytest.raises(ValueError, match="unknown event"), trainer.attached(step_ned=seen.append):
        pass


def test_names_that_said_something_else_have_honest_ones_and_the_old_names_still_work(trainer):
    assert trainer.rng is trainer.generator and isinstance(trainer.rng, torch.Generator)   # the RNG, not G
    x = torch.arange(8.0).reshape(4, 2)
    assert torch.equal(trainer.packed(x), trainer._packed(x))
    seen = {}
    trainer.on("d_forward_end", lambda t: seen.update(d=torch.sigmoid(t.state.fake_logits).mean().item()))
    trainer.on("g_forward_end", lambda t: seen.update(g=torch.sigmoid(t.state.fake_logits).mean().item(),
                                                      d_fake_in_g=t.state.d_fake))
    trainer.step()
    s = trainer.state
    # d_fake keeps one meaning: D's score of the fakes in the D update (next to d_real, the same D);
    # d_fake_g is what the D that G answers (after its update) says about them
    assert s.d_fake == pytest.approx(seen["d"]) and seen["d_fake_in_g"] == s.d_fake
    assert s.d_fake_g == pytest.approx(seen["g"]) and s.d_fake_g != s.d_fake
    assert trainer.history["d_fake"][-1] == s.d_fake


def test_a_step_run_by_a_handler_is_part_of_the_outer_step(trainer):
    """A handler may call step_d() (the lab's "step D" inside a run): the outer step's guard covers
    both, and a failure after it undoes both."""
    trainer.run(2, progress=False)
    before = full_state(trainer)
    trainer.on("step_end", lambda t: t.step_d())
    trainer.step()
    assert trainer.state.d_updates == 4 and trainer.state.step == 3
    after = full_state(trainer)
    trainer.on("step_end", lambda t: 1 / 0)
    with pytest.raises(ge.HandlerError, match="rolled back to the state before this step"):
        trainer.step()
    assert not differences(full_state(trainer), after) and differences(after, before)


def test_history_mark_and_rollback_are_exact_across_thinning():
    h = ge.History(capacity=4)
    for i in range(1, 5):
        h.record(i, a=float(i))
    before = h.state_dict()
    mark = h.mark()
    h.record(5, a=5.0, b=1.0)                   # thins "a" (stride 2) and starts "b"
    assert h["a"].stride == 2 and "b" in h
    h.rollback(mark)
    assert h.state_dict() == before and "b" not in h
    h.record(5, a=5.0)                          # and recording goes on as if nothing had happened
    assert list(h["a"].steps) == [2, 4]
