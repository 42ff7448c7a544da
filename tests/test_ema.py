"""The moving average of G (``Trainer(..., ema=β)``): the formula applied by hand, sampling from it,
saving and loading it, and every failed step leaving it exactly as it was."""
import sys
import warnings

import pytest
import torch
from helpers import Fault, clean_states, differences, full_state, make_trainer, step_traced

import gan_edu as ge
from gan_edu import models


def dc_trainer(ema=0.9, conditional=False, seed=0, **kw):
    ge.seed_everything(seed)
    if conditional:
        G, D = models.ConditionalDCGenerator(latent_dim=8, features=4), models.ConditionalDCDiscriminator(features=4)
    else:
        G, D = models.DCGenerator(latent_dim=8, features=4), models.DCDiscriminator(features=4)
    kw.setdefault("batch_size", 16)
    return ge.Trainer(G, D, ge.data.digits(), device="cpu", seed=seed, ema=ema, **kw)


def tensors(net):
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


# --------------------------------------------------------------------------- the formula
@pytest.mark.parametrize("ema", [0.5, 0.999])
def test_the_average_is_the_formula_applied_by_hand(ema):
    """After the n-th G update: avg <- b avg + (1 - b) theta with b = min(ema, (1 + n) / (10 + n)),
    for every parameter and floating buffer (BatchNorm's running statistics); the batch counter is
    copied. Starts as a copy of G."""
    tr = dc_trainer(ema=ema)
    avg = tensors(tr.G)
    assert not differences(tensors(tr.G_ema), avg)
    decays = []
    for n in range(1, 13):          # 12 updates: ema=0.5 leaves the warm-up at n = 8, ema=0.999 stays in it
        tr.step()
        b = min(ema, (1 + n) / (10 + n))
        decays.append(b)
        for k, theta in tensors(tr.G).items():
            avg[k] = b * avg[k] + (1 - b) * theta if theta.is_floating_point() else theta.clone()
        for k, value in tensors(tr.G_ema).items():
            assert torch.allclose(value, avg[k], rtol=1e-5, atol=1e-6), (n, k)
    assert tr.state.g_updates == 12
    assert decays[0] == 2 / 11 and decays[-1] == (0.5 if ema == 0.5 else 13 / 22)


def test_step_g_alone_updates_the_average_and_step_d_does_not():
    tr = dc_trainer(ema=0.5)
    tr.step()
    avg = tensors(tr.G_ema)
    tr.step_d()
    assert not differences(tensors(tr.G_ema), avg)
    tr.step_g()
    b = min(0.5, 3 / 12)                            # the second G update
    expected = {k: b * avg[k] + (1 - b) * v if v.is_floating_point() else v for k, v in tensors(tr.G).items()}
    for k, value in tensors(tr.G_ema).items():
        assert torch.allclose(value, expected[k], rtol=1e-5, atol=1e-6), k


def test_the_average_is_never_trained_directly():
    tr = dc_trainer()
    assert all(not p.requires_grad for p in tr.G_ema.parameters()) and not tr.G_ema.training
    assert not any(p is q for p in tr.G_ema.parameters() for q in tr.G.parameters())
    tr.step()
    assert all(p.grad is None for p in tr.G_ema.parameters())


@pytest.mark.parametrize("ema, error, match", [(1.0, ValueError, "ema must be a decay in"),
                                                (1.5, ValueError, "ema"), (-0.1, ValueError, "ema"),
                                                ("0.9", TypeError, "ema")])
def test_bad_ema_is_refused_by_name(ema, error, match):
    with pytest.raises(error, match=match):
        dc_trainer(ema=ema)


# --------------------------------------------------------------------------- sampling
def test_sample_draws_from_the_average_unless_told_otherwise():
    tr = dc_trainer(ema=0.9)
    tr.run(3, progress=False)
    z = torch.randn(6, 8)
    with torch.no_grad(), models.eval_mode(tr.G):
        from_g, from_avg = tr.G(z), tr.G_ema(z)
    assert not torch.equal(from_g, from_avg)
    assert torch.equal(tr.sample(6, z=z), from_avg) and torch.equal(tr.sample(6, z=z, use_ema=True), from_avg)
    assert torch.equal(tr.sample(6, z=z, use_ema=False), from_g)
    plain = make_trainer()
    with pytest.raises(ValueError, match="use_ema=True, but this trainer keeps no moving average"):
        plain.sample(4, use_ema=True)
    with pytest.raises(TypeError, match="use_ema"):
        tr.sample(4, use_ema="yes")


# --------------------------------------------------------------------------- saved and loaded
@pytest.mark.parametrize("conditional", [False, True])
def test_save_load_round_trip_is_bit_exact_with_the_average(tmp_path, conditional):
    tr = dc_trainer(ema=0.95, conditional=conditional)
    tr.run(4, progress=False)
    tr.save(tmp_path / "c.pt")
    ckpt = torch.load(tmp_path / "c.pt", weights_only=True)
    assert ckpt["version"] == 2 and ckpt["trainer"]["ema"] == 0.95
    again = ge.Trainer.load(tmp_path / "c.pt", device="cpu")
    assert again.ema == 0.95
    assert not differences(full_state(again), full_state(tr))        # G_ema included (helpers.full_state)
    for _ in range(3):
        tr.step()
        again.step()
        assert (again.state.loss_d, again.state.loss_g) == (tr.state.loss_d, tr.state.loss_g)
    assert not differences(tensors(again.G_ema), tensors(tr.G_ema))


def test_load_generator_returns_the_average_by_default(tmp_path):
    tr = dc_trainer(ema=0.9)
    tr.run(3, progress=False)
    tr.save(tmp_path / "c.pt")
    z = torch.randn(5, 8)
    avg, G = ge.trainer.load_generator(tmp_path / "c.pt"), ge.trainer.load_generator(tmp_path / "c.pt", ema=False)
    with torch.no_grad():
        assert torch.equal(avg(z), tr.sample(5, z=z)) and torch.equal(G(z), tr.sample(5, z=z, use_ema=False))
    assert not avg.training and not G.training
    assert not differences(tensors(ge.trainer.load_generator(tmp_path / "c.pt", ema=True)), tensors(tr.G_ema))
    plain = make_trainer()
    plain.save(tmp_path / "plain.pt")
    with pytest.raises(ValueError, match="ema=True, but .* holds no moving average"):
        ge.trainer.load_generator(tmp_path / "plain.pt", ema=True)
    assert type(ge.trainer.load_generator(tmp_path / "plain.pt")) is models.MLPGenerator


def _edited(tmp_path, edit):
    tr = dc_trainer(ema=0.9)
    tr.step()
    tr.save(tmp_path / "c.pt")
    ckpt = torch.load(tmp_path / "c.pt", weights_only=True)
    edit(ckpt)
    torch.save(ckpt, tmp_path / "bad.pt")
    return tmp_path / "bad.pt"


@pytest.mark.parametrize("name, edit, match", [
    ("no G_ema", lambda c: c.pop("G_ema"), "ema=0.9.* the 'G_ema' entry is missing"),
    ("G_ema without ema", lambda c: c["trainer"].pop("ema"), "holds a moving average of G .* ema is 0"),
    ("G_ema wrong shape", lambda c: c["G_ema"]["state"].update({"net.up2.bias": torch.zeros(3)}),
     "G_ema's weight 'net.up2.bias' has shape"),
    ("G_ema NaN", lambda c: c["G_ema"]["state"]["net.up2.bias"].fill_(float("nan")), "G_ema's weight .* NaN"),
    ("G_ema not a dict", lambda c: c.update(G_ema=[1, 2]), "'G_ema' entry must be a dict"),
    ("ema out of range", lambda c: c["trainer"].update(ema=1.0), "ema must be a decay"),
])
def test_a_broken_average_in_a_file_is_refused_clearly(tmp_path, name, edit, match):
    bad = _edited(tmp_path, edit)
    with pytest.raises(ValueError, match=match):
        ge.Trainer.load(bad, device="cpu")


# --------------------------------------------------------------------------- snapshots and failed steps
def test_restore_puts_the_average_back_and_refuses_a_snapshot_that_does_not_fit():
    tr = dc_trainer(ema=0.9)
    tr.run(2, progress=False)
    snap, before = tr.snapshot(), full_state(tr)
    tr.run(2, progress=False)
    tr.restore(snap)
    assert not differences(full_state(tr), before)
    plain = dc_trainer(ema=0.0)
    with pytest.raises(ValueError, match="moving average of G .* is missing"):
        tr.restore(plain.snapshot())
    with pytest.raises(ValueError, match="this trainer keeps none"):
        plain.restore(snap)
    assert not differences(full_state(tr), before)


def boom(t):
    raise RuntimeError("injected")


def test_a_handler_raising_after_the_average_moved_leaves_it_unchanged_bit_exactly():
    tr = dc_trainer(ema=0.9)
    tr.run(2, progress=False)
    before = full_state(tr)
    tr.on("g_step_end", boom)                       # fires after G and its average were updated
    with pytest.raises(ge.HandlerError, match="rolled back"):
        tr.step()
    assert not differences(full_state(tr), before)
    assert not differences(tensors(tr.G_ema), before["G_ema"])


STEP_EVENTS = [e for e in ge.EVENTS if e not in ("run_start", "run_end")]


@pytest.mark.parametrize("conditional", [False, True])
def test_a_fault_at_every_event_leaves_the_average_and_everything_else_bit_exact(conditional):
    """Like tests/test_faults.py, for a trainer with ema= (and conditional networks): an error or a
    Ctrl-C at any event of a step is undone bit for bit, G_ema included, and the next steps equal
    those of a twin that never failed (same losses, same classes drawn)."""
    def make():
        return dc_trainer(ema=0.9, conditional=conditional)
    fail_at = 3
    ref = clean_states(make, fail_at + 2)
    for event in STEP_EVENTS:
        for kind in ("error", "ctrl-c"):
            tr = make()
            for _ in range(fail_at - 1):
                tr.step()
            tr.on(event, Fault(kind))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises((ge.HandlerError, KeyboardInterrupt)):
                    tr.step()
            diff = differences(full_state(tr), ref[fail_at - 1])
            assert not diff, (event, kind, diff[:5])
            for s in (fail_at, fail_at + 1):
                tr.step()
                diff = differences(full_state(tr), ref[s])
                assert not diff, (event, kind, "after", s, diff[:5])


def test_divergence_with_the_average_is_undone_and_named():
    tr = dc_trainer(ema=0.9)
    tr.run(2, progress=False)
    before = full_state(tr)

    def nan_grad(t):
        next(t.G.parameters()).grad.fill_(float("nan"))
    tr.on("g_backward_end", nan_grad)
    with pytest.raises(ge.TrainingDiverged, match="rolled back"):
        tr.step()
    assert not differences(full_state(tr), before)


def test_a_nan_average_before_the_step_is_named_as_the_cause():
    tr = dc_trainer(ema=0.9)
    tr.step()
    with torch.no_grad():
        next(tr.G_ema.parameters()).fill_(float("nan"))
        next(tr.G.parameters()).fill_(float("nan"))
    with pytest.raises(ge.TrainingDiverged, match="was already NaN or inf before this step"):
        tr.step()


# --------------------------------------------------------------------------- Ctrl-C at any instruction
def test_ctrl_c_at_any_instruction_of_the_step_leaves_the_average_whole():
    """KeyboardInterrupt just before every 11th instruction of the loop (trainer.py), the networks
    and the averaging (models.py: average_into) and the guard (undo.py), for a conditional trainer
    with ema=: afterwards the trainer, G_ema included, is bit-exactly as before the step or as after it,
    and autograd is on."""
    import gan_edu.trainer
    import gan_edu.undo

    files = {gan_edu.trainer.__file__, models.__file__, gan_edu.undo.__file__}
    tr = dc_trainer(ema=0.9, conditional=True)
    tr.run(2, progress=False)
    template = tr.snapshot()
    tr.restore(template)
    before = full_state(tr)
    count = [0]
    step_traced(tr, files, lambda frame: count.__setitem__(0, count[0] + 1))
    after = full_state(tr)
    tr.restore(template)
    problems, interrupted, chosen = [], 0, range(0, count[0], 11)
    for k in chosen:
        seen = [0]

        def on_opcode(frame, k=k, seen=seen):
            seen[0] += 1
            if seen[0] == k + 1:
                sys.settrace(None)
                raise KeyboardInterrupt
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            interrupted += step_traced(tr, files, on_opcode)
        if not torch.is_grad_enabled():
            problems.append((k, "autograd left off"))
            torch.set_grad_enabled(True)
        now = full_state(tr)
        if differences(now, before) and differences(now, after):
            problems.append((k, "neither rolled back nor complete", differences(now, before)[:3]))
        tr.restore(template)
    assert interrupted == len(chosen) and len(chosen) > 100 and not problems, problems[:5]
