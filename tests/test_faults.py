"""Failures never lie (issue 10 §3): each fault found by injection, reproduced and kept fixed.

Every test builds the trainer, keeps a bit-exact copy of everything training changes
(``helpers.full_state``), injects one fault, and compares.
"""
import contextlib
import signal
import sys
import time
import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from helpers import Fault, clean_states, differences, full_state, make_trainer, opcode_tracer, params_of, same, step_traced

import gan_edu as ge

COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    """Print what the fault injection tried and found (also without -s): see docs/RELIABILITY.md."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and COUNTS:
        groups: dict[str, list[str]] = {}
        for key in sorted(COUNTS):
            what, _, count = key.rpartition(": ")
            groups.setdefault(what, []).append(f"{COUNTS[key]} {count}")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_sep("-", "fault injection (issue 10 §4): what was tried, what held")
            for what, counts in groups.items():
                reporter.write_line(f"  {what}: {', '.join(counts)}")


def boom(t):
    raise RuntimeError("injected")


def assert_same(a, b):
    diff = differences(a, b)
    assert not diff, "state differs at: " + ", ".join(diff[:8])


# --------------------------------------------------------------------------- rollback of the step
def test_unrolled_gan_rolls_back_d_optimiser_state_exactly():
    """The look-ahead used to replace D's optimiser state tensors; the undo buffers were then
    copied into the old ones, and a failure from the second step on left stale Adam state."""
    tr = make_trainer(unroll=1)
    tr.run(2, progress=False)
    before = full_state(tr)
    tr.on("g_step_end", boom)
    with pytest.raises(ge.HandlerError, match="rolled back"):
        tr.step()
    assert_same(full_state(tr), before)


def test_learning_rate_changes_made_by_a_failing_step_are_undone():
    tr = make_trainer()
    tr.run(2, progress=False)
    before = full_state(tr)
    tr.on("step_end", lambda t: t.configure(lr_g=0.5, lr_d=0.25, betas=(0.1, 0.2)))
    tr.on("step_end", boom)
    with pytest.raises(ge.HandlerError):
        tr.step()
    assert_same(full_state(tr), before)
    assert tr.opt_g.param_groups[0]["lr"] == tr.lr_g == 1e-3


def test_a_new_optimiser_chosen_in_a_failing_step_is_undone():
    tr = make_trainer()
    tr.run(2, progress=False)
    before, opts = full_state(tr), (tr.opt_g, tr.opt_d)
    tr.on("d_step_end", lambda t: t.configure(optimizer="sgd"))
    tr.on("g_backward_end", boom)
    with pytest.raises(ge.HandlerError, match="rolled back"):
        tr.step()
    assert (tr.opt_g, tr.opt_d) == opts and tr.optimizer == "adam"
    assert_same(full_state(tr), before)


def test_configure_is_all_or_nothing():
    tr = make_trainer()
    before = full_state(tr)
    with pytest.raises(ValueError, match="loss"):
        tr.configure(lr_g=0.5, d_steps=3, loss="nope")
    with pytest.raises(ValueError, match="betas"):
        tr.configure(lr_d=0.5, betas=(0.5, 2.0))
    with pytest.raises(ValueError, match="optimizer"):
        tr.configure(lr_d=0.5, optimizer="adamw")
    assert_same(full_state(tr), before)


def test_label_smoothing_with_a_loss_that_has_no_labels_is_refused_in_configure(tmp_path):
    """configure(loss="hinge") after real_label=0.9 used to be accepted and save an unloadable file."""
    tr = make_trainer(real_label=0.9)
    with pytest.raises(ValueError, match=r"real_label=0.9 .*'hinge'.*real_label=1.0"):
        tr.configure(loss="hinge")
    assert tr.loss is ge.losses.non_saturating and tr.real_label == 0.9
    tr.configure(loss="hinge", real_label=1.0)                      # both together: fine
    tr.step()
    tr.save(tmp_path / "ok.pt")
    assert ge.Trainer.load(tmp_path / "ok.pt").loss is ge.losses.hinge


def test_a_failure_at_the_step_that_thins_the_history_leaves_it_whole():
    tr = make_trainer(history_size=4)
    tr.run(4, progress=False)                                       # full: the next point thins it
    before = full_state(tr)
    tr.on("step_end", boom)
    with pytest.raises(ge.HandlerError):
        tr.step()
    assert_same(full_state(tr), before)
    assert list(tr.history["loss_d"].steps) == [1, 2, 3, 4] and tr.history["loss_d"].stride == 1


def test_the_timeline_forgets_the_snapshot_of_a_failed_step():
    tr = make_trainer()
    tl = ge.timeline.Timeline(tr, every=1, capacity=4)
    tr.run(3, progress=False)
    before = full_state(tr, tl)
    tr.on("step_end", boom)                                         # after the timeline's capture
    with pytest.raises(ge.HandlerError):
        tr.step()
    assert_same(full_state(tr, tl), before)
    assert tl.steps == [0, 1, 2, 3]


@pytest.mark.parametrize("event", ["run_start", "run_end"])
def test_errors_outside_a_step_do_not_claim_a_rollback(event):
    tr = make_trainer()
    tr.run(2, progress=False)
    before = full_state(tr)
    tr.on(event, boom)
    with pytest.raises(ge.HandlerError) as info:
        tr.run(3, progress=False)
    assert "rolled back" not in str(info.value) and "nothing to undo" in str(info.value)
    if event == "run_start":
        assert_same(full_state(tr), before)
    else:
        assert tr.state.step == 5                                  # the three steps were done and are kept


@pytest.mark.parametrize("where", ["undo", "loop"])
def test_ctrl_c_at_every_instruction_leaves_nothing_stuck(where):
    """Ctrl-C can land at any instruction, also in the guard's own code. Raise KeyboardInterrupt at
    every instruction of the guard's functions (``undo``: gan_edu/undo.py; inside its list
    comprehensions, every 20th) and at every 7th instruction of the loop and its helpers (trainer,
    events, history). After each: autograd is on; the trainer is bit-exactly as before the step
    (or, if the interrupt came after the step was complete, as after it); the next failure is
    really rolled back."""
    import gan_edu.events
    import gan_edu.history
    import gan_edu.undo

    files = {gan_edu.undo.__file__} if where == "undo" else \
        {ge.trainer.__file__, gan_edu.events.__file__, gan_edu.history.__file__}
    tr = make_trainer(history_size=4)
    tr.run(3, progress=False)
    template = tr.snapshot()
    tr.restore(template)                        # every trial starts right after a restore, so does the count
    before = full_state(tr)
    names = _instructions(tr, files)
    after = full_state(tr)
    tr.restore(template)
    if where == "undo":
        chosen = [k for k, name in enumerate(names) if not name.startswith("<") or k % 20 == 0]
    else:
        chosen = list(range(0, len(names), 7))
    problems, interrupted = [], 0
    for i, k in enumerate(chosen):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            interrupted += _interrupt_at(tr, files, k)
            if not torch.is_grad_enabled():
                problems.append((k, names[k], "autograd left off"))
                torch.set_grad_enabled(True)
            now = full_state(tr)
            if differences(now, before) and differences(now, after):
                problems.append((k, names[k], "neither rolled back nor complete"))
            if i % 10 == 0 or i == len(chosen) - 1:
                with tr.attached(step_end=boom), pytest.raises(ge.HandlerError, match="rolled back"):
                    tr.step()
                if differences(full_state(tr), now):
                    problems.append((k, names[k], "a later failure was not rolled back"))
            tr.restore(template)
    label = "Ctrl-C at every instruction of the guard (undo.py)" if where == "undo" else \
        "Ctrl-C at every 7th instruction of the loop (trainer, events, history)"
    COUNTS[f"{label}: cases"] += len(chosen)
    COUNTS[f"{label}: exact"] += len(chosen) - len({p[0] for p in problems})
    assert interrupted == len(chosen) and len(chosen) > 150 and not problems, problems[:5]


def _instructions(tr, files) -> list[str]:
    """The name of the function of each traced instruction of one step, in order."""
    names = []
    sys.settrace(opcode_tracer(files, lambda frame: names.append(frame.f_code.co_name)))
    try:
        tr.step()
    finally:
        sys.settrace(None)
    return names


def _interrupt_at(tr, files, k) -> bool:
    """One step with a KeyboardInterrupt raised just before its k-th traced instruction."""
    count = [0]

    def on_opcode(frame):
        count[0] += 1
        if count[0] == k + 1:
            sys.settrace(None)
            raise KeyboardInterrupt

    return step_traced(tr, files, on_opcode)


# --------------------------------------------------------------------------- divergence names its cause
class NaNData(ge.data.DataSource):
    name = "nan-data"
    shape = (2,)

    def sample(self, n, generator=None):
        x = torch.randn(n, 2, generator=generator)
        x[0, 0] = float("nan")
        return x


def test_nan_in_the_real_batch_is_named_as_the_cause():
    tr = make_trainer(data=NaNData())
    with pytest.raises(ge.TrainingDiverged, match="real batch") as info:
        tr.step()
    assert "try a smaller learning rate" not in str(info.value)
    assert str(info.value).endswith("The trainer was rolled back to the state before this step; clean the data "
                                    "(a smaller learning rate would not help).")


def test_a_parameter_that_was_nan_before_the_step_is_named_as_the_cause():
    tr = make_trainer()
    tr.run(2, progress=False)
    with torch.no_grad():
        tr.D.net.linear1.weight[0, 0] = float("nan")
    with pytest.raises(ge.TrainingDiverged, match="already") as info:
        tr.step()
    assert "try a smaller learning rate" not in str(info.value) and "D" in str(info.value)


def test_non_finite_optimiser_state_is_caught_and_named():
    """A gradient of 1e25 makes Adam's second moment inf: the weight stops moving while every
    parameter stays finite. That must not go unnoticed."""
    tr = make_trainer()
    tr.run(2, progress=False)
    before = full_state(tr)

    @tr.on("d_backward_end")
    def huge(t):
        t.D.net.out.weight.grad.fill_(1e25)

    with pytest.raises(ge.TrainingDiverged, match="optimiser state") as info:
        tr.step()
    assert "exp_avg_sq" in str(info.value)
    assert_same(full_state(tr), before)


# --------------------------------------------------------------------------- restore, device
def test_restore_from_a_differently_shaped_trainer_changes_nothing():
    tr, other = make_trainer(), make_trainer(hidden=16)
    other.step()
    tr.step()
    before = full_state(tr)
    with pytest.raises(ValueError, match="shape"):
        tr.restore(other.snapshot())
    assert_same(full_state(tr), before)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA"):
        make_trainer(device="cuda")
    with pytest.raises(ValueError, match="CUDA"):
        ge.trainer.resolve_device("cuda:1")


# --------------------------------------------------------------------------- numbers from numpy
def test_numpy_numbers_in_model_and_trainer_settings_save_and_load(tmp_path):
    G = ge.models.MLPGenerator(latent_dim=np.int64(2), hidden=np.int32(16), depth=np.int64(1))
    D = ge.models.MLPDiscriminator(in_dim=np.int64(2), hidden=np.int64(16))
    tr = ge.Trainer(G, D, ge.data.ring(), batch_size=np.int64(32), lr_g=np.float32(1e-3), betas=np.array([0.5, 0.9]),
                    d_steps=np.int64(1), device="cpu")
    assert type(G.config["latent_dim"]) is int and type(tr.batch_size) is int and type(tr.betas[0]) is float
    tr.step()
    tr.save(tmp_path / "np.pt")
    tr2 = ge.Trainer.load(tmp_path / "np.pt")
    assert tr2.G.latent_dim == 2 and same(params_of(tr.G, tr.D), params_of(tr2.G, tr2.D))


# --------------------------------------------------------------------------- every event x every set-up
def _dc_digits(**kw):
    ge.seed_everything(0)
    G = ge.models.DCGenerator(latent_dim=8, image_size=8, features=4)
    D = ge.models.DCDiscriminator(image_size=8, features=4)              # BatchNorm: real and fake apart
    return ge.Trainer(G, D, ge.data.digits(), batch_size=16, device="cpu", **kw)


def _with_recorders_and_timeline(**kw):
    tr = make_trainer(**kw)
    ge.recorders.standard(tr)
    tr.timeline = ge.timeline.Timeline(tr, every=1, capacity=4)      # thins at step 4, like the history
    return tr


def _with_lr_schedule(**kw):
    tr = make_trainer(**kw)
    ge.presets.linear_decay(tr, start=2, end=9, final_factor=0.1)    # configure() at every step_end
    return tr


SETUPS = {
    "mlp": lambda **kw: make_trainer(**kw),
    "recorders+timeline": _with_recorders_and_timeline,
    "d_steps=2+wgan_gp": lambda **kw: make_trainer(d_steps=2, loss="wgan_gp", **kw),
    "unroll=1": lambda **kw: make_trainer(unroll=1, **kw),
    "pack=2+minibatch_std": lambda **kw: make_trainer(pack=2, minibatch_std=True, **kw),
    "dc_digits_batchnorm": _dc_digits,
    "lr_schedule": _with_lr_schedule,
}
FAIL_AT = 5          # with history_size=4 the history thins at step 5 (and the timeline at step 4)


def _state(tr):
    return full_state(tr, getattr(tr, "timeline", None))


def _reference(setup, steps):
    """full_state after 0..steps clean steps of a twin that never fails."""
    return clean_states(lambda: SETUPS[setup](history_size=4), steps, _state)


def _cases():
    for event in ge.EVENTS:
        for kind in ("error", "ctrl-c"):
            yield "step", event, kind
        if event.endswith("_backward_end"):
            yield "step", event, "nan"
        if event[:2] in ("d_", "g_"):
            yield ("step_d" if event.startswith("d_") else "step_g"), event, "error"


@pytest.mark.parametrize("setup", list(SETUPS))
def test_a_fault_at_every_event_is_undone_bit_exactly(setup):
    """For each event, each kind of fault, step() and the sub-steps: the trainer after the fault
    equals the trainer before it bit for bit (G, D, both optimisers with every group setting, the
    settings, both random streams, counters, history including its thinning, the timeline), and
    the steps after it equal those of a twin that never failed."""
    ref = _reference(setup, FAIL_AT + 2)
    exact = clear = cases = 0
    for call, event, kind in _cases():
        cases += 1
        tr = SETUPS[setup](history_size=4)
        for _ in range(FAIL_AT - 1):
            tr.step()
        fault = Fault(kind)
        tr.on(event, fault)
        before = _state(tr)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                tr.run(1, progress=False) if call == "step" else getattr(tr, call)()
                error = None
            except (ge.HandlerError, ge.TrainingDiverged, KeyboardInterrupt) as err:
                error = err
        tr.off(event, fault)
        assert fault.fired and error is not None, (setup, call, event, kind)
        said = str(error) if not isinstance(error, KeyboardInterrupt) else " ".join(str(w.message) for w in caught)
        if event == "run_end":                                   # the step was complete: kept, and said so
            expected, honest = ref[FAIL_AT], kind == "ctrl-c" or "nothing to undo" in said
        elif event == "run_start":
            expected, honest = before, kind == "ctrl-c" or "nothing to undo" in said
        else:
            expected = before
            honest = ("rolled back to the state before this" in said and tr.state.step == FAIL_AT - 1) \
                if kind != "ctrl-c" else ("undone" in said)
        diff = differences(_state(tr), expected)
        assert not diff, (setup, call, event, kind, diff[:5])
        assert honest, (setup, call, event, kind, said)
        clear += honest
        if call == "step" and event not in ("run_end",):         # and the future is the twin's
            for s in range(FAIL_AT, FAIL_AT + 3):
                tr.step()
                diff = differences(_state(tr), ref[s])
                assert not diff, (setup, event, kind, "after", s, diff[:5])
        exact += 1
    COUNTS["a fault at every event x 7 set-ups: cases"] += cases
    COUNTS["a fault at every event x 7 set-ups: bit-exact (and the twin's future)"] += exact
    COUNTS["a fault at every event x 7 set-ups: honest messages"] += clear


# --------------------------------------------------------------------------- real interrupts at random times
RANDOM_SETUPS = ("mlp", "recorders+timeline", "unroll=1", "lr_schedule")
TRIALS = 50          # per set-up: 200 real interrupts in all


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
@pytest.mark.parametrize("setup", RANDOM_SETUPS)
def test_real_interrupts_at_random_times_during_run(setup):
    """A timer signal raises KeyboardInterrupt at a random moment of ``run(8)`` -- inside a step,
    between steps, in the guard, in a handler -- exactly as Ctrl-C does (Python runs the handler
    between two instructions). Afterwards the trainer equals the twin that never stopped, at the
    step it reached, bit for bit; and the next two steps equal the twin's too. (SIGVTALRM, the
    CPU-time timer, not SIGALRM: pytest-timeout owns SIGALRM.)"""
    ref = _reference(setup, 10)
    durations = []
    for _ in range(2):                           # the second is warm: how long a run(8) takes now
        tr = SETUPS[setup](history_size=4)
        started = time.process_time()
        tr.run(8, progress=False)
        durations.append(time.process_time() - started)
    duration = min(durations)
    rng = np.random.default_rng(sum(map(ord, setup)))
    armed = [False]

    def alarm(signum, frame):
        if armed[0]:
            armed[0] = False
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGVTALRM, alarm)
    exact = interrupted = 0
    try:
        for _ in range(TRIALS):
            tr = SETUPS[setup](history_size=4)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    armed[0] = True
                    signal.setitimer(signal.ITIMER_VIRTUAL, float(rng.uniform(1e-5, duration)))
                    try:
                        tr.run(8, progress=False)
                    finally:
                        armed[0] = False
                        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
                except KeyboardInterrupt:
                    interrupted += 1
            k = tr.state.step
            assert torch.is_grad_enabled(), "autograd left off"
            diff = differences(_state(tr), ref[k])
            assert not diff, (setup, k, diff[:5])
            tr.step()
            tr.step()
            diff = differences(_state(tr), ref[k + 2])
            assert not diff, (setup, k + 2, diff[:5])
            exact += 1
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    COUNTS["random real interrupts (timer signal) during run(): trials"] += TRIALS
    COUNTS["random real interrupts (timer signal) during run(): interrupted"] += interrupted
    COUNTS["random real interrupts (timer signal) during run(): exact"] += exact
    assert interrupted >= TRIALS // 3             # most alarms land inside the run
