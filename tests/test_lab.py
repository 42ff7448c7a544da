"""The training lab driven from Python: buttons, play/pause, controls, replay, inspector."""
import asyncio
import sys

import numpy as np
import pytest
import torch

import gan_edu as ge
from gan_edu.timeline import Timeline
from gan_edu.widgets.lab import TrainingLab


@pytest.fixture
def lab():
    return TrainingLab(width=16, batch_size=32, n_points=100, timeline_every=2)


def test_step_button_advances_the_counter_and_changes_the_picture(lab):
    before = lab.view.image.value
    lab.w_step.click()
    assert lab.tr.state.step == 1 and "step <b>1</b>" in lab.w_counter.value
    assert lab.view.image.value != before
    lab.w_per_click.value = 10
    lab.w_step.click()
    assert lab.tr.state.step == 11


def test_step_d_and_step_g_buttons_move_one_network(lab):
    g0 = [p.clone() for p in lab.tr.G.parameters()]
    lab.w_step_d.click()
    assert lab.tr.state.d_updates == 1 and lab.tr.state.g_updates == 0
    assert all(torch.equal(a, b) for a, b in zip(g0, lab.tr.G.parameters()))
    lab.w_step_g.click()
    assert lab.tr.state.g_updates == 1


def run(coro):
    return asyncio.run(coro)


def test_play_then_pause_stops_stepping(lab):
    async def scenario():
        lab.w_play.click()
        lab.w_play.click() if False else None
        await asyncio.sleep(0.6)
        assert lab.player.playing and lab.w_play.description == "Pause"
        lab.w_play.click()                         # pause
        await asyncio.sleep(0.1)
        stopped_at = lab.tr.state.step
        await asyncio.sleep(0.3)
        return stopped_at

    stopped_at = run(scenario())
    assert stopped_at > 0 and lab.tr.state.step == stopped_at and not lab.player.playing
    assert f"step <b>{stopped_at}</b>" in lab.w_counter.value
    assert lab.w_play.description == "Play"


def test_double_play_does_not_start_two_loops(lab):
    async def scenario():
        t1 = lab.play()
        t2 = lab.play()
        await asyncio.sleep(0.2)
        lab.pause()
        await asyncio.sleep(0.1)
        return t1, t2

    t1, t2 = run(scenario())
    assert t1 is t2


def test_controls_change_training_live(lab):
    lab.w_loss.value = "hinge"
    lab.w_lr_d.value = 3e-4
    lab.w_d_steps.value = 2
    assert lab.tr.loss.name == "hinge" and lab.tr.opt_d.param_groups[0]["lr"] == pytest.approx(3e-4)
    lab.step()
    assert lab.tr.state.d_updates == 2
    lab.w_opt.value = "sgd"
    assert isinstance(lab.tr.opt_g, torch.optim.SGD)
    lab.w_data.value = "spiral"
    assert lab.tr.data.name == "spiral" and "spiral" in lab.w_message.value


def test_network_controls_rebuild(lab):
    lab.step(3)
    lab.set(width=24, latent_dim=3)
    assert lab.tr.state.step == 0 and lab.tr.G.config["hidden"] == 24 and lab.tr.G.latent_dim == 3
    with pytest.raises(ValueError, match="unknown setting"):
        lab.set(colour="red")
    with pytest.raises(ValueError, match="loss must be one of"):
        lab.set(loss="nope")


def test_own_points(lab):
    lab.set_points("0, 0\n1, 1\n-1, 0.5")
    assert lab.w_data.value == "my points" and lab.tr.data.points.tolist() == [[0, 0], [1, 1], [-1, 0.5]]
    lab.add_point(0.5, -0.5)
    assert len(lab.tr.data.points) == 4
    with pytest.raises(ValueError, match="two numbers"):
        lab.set_points("a, b")
    lab.w_points_text.value = "oops"
    lab.w_points_box.children[0].children[1].click()        # "Use these points": error shown, not raised
    assert "two numbers" in lab.w_message.value


def test_clicking_the_point_canvas_adds_a_point(lab):
    """With ipympl, the 'my points' box has a canvas: a click at (0.5, -0.25) adds that point."""
    from matplotlib.backend_bases import MouseEvent
    assert lab.point_canvas is not None and "Click in the box" in lab.w_points_box.children[0].children[3].value
    lab.set_points("0, 0\n1, 1")
    x, y = lab._canvas_ax.transData.transform((0.5, -0.25))
    lab.point_canvas.callbacks.process("button_press_event", MouseEvent("button_press_event", lab.point_canvas, x, y, button=1))
    assert lab.tr.data.points[-1].tolist() == pytest.approx([0.5, -0.25], abs=1e-4) and len(lab.tr.data.points) == 3


def test_without_ipympl_points_are_typed_instead_of_clicked(monkeypatch):
    """A kernel without ipympl: no canvas, a note saying how else to add points, everything else works."""
    monkeypatch.setitem(sys.modules, "ipympl", None)            # makes "import ipympl..." raise ImportError
    monkeypatch.setitem(sys.modules, "ipympl.backend_nbagg", None)
    lab = TrainingLab(width=16, batch_size=32, n_points=100)
    assert lab.point_canvas is None
    assert "needs ipympl; type them or load a CSV" in lab.w_points_box.children[0].children[3].value
    lab.set_points("0, 0\n1, 1\n-1, 0.5")
    lab.w_step.click()
    assert lab.tr.state.step == 1 and lab.w_message.value == ""


def test_replay_shows_the_past_and_branches(lab):
    lab.step(10)
    assert len(lab.timeline) >= 5
    live = lab.view.image.value
    lab.w_replay.value = 1                                   # the slider scrubs
    assert lab.replay_index == 1 and "replay" in lab.w_replay_label.value
    assert lab.view.image.value != live and lab.tr.state.step == 10
    lab.branch()
    assert lab.tr.state.step == lab.timeline.steps[-1] == 2 and lab.replay_index is None
    assert len(lab.tr.history["loss_d"]) == 2


def test_slow_motion_walks_the_sub_steps(lab):
    lab.w_slow.value = True
    lab.step()
    assert lab.tr.state.step == 1 and len(lab.frames) == 6
    captions = []
    for k in range(6):
        lab.show_substep(k)
        captions.append(lab.w_caption.value)
    assert "Sample" in captions[0] and "Update G" in captions[5] and "loss_D" in captions[2]
    assert lab.frames[4]["arrows"][1].shape == (32, 2)
    assert not np.array_equal(lab.frames[4]["fake"], lab.frames[5]["fake"])    # the fakes moved


def test_inspector_numbers(lab):
    lab.w_show_pick.value = True
    info = lab.inspect(7)
    z = lab.z_view[7:8]
    assert info["G(z)"] == pytest.approx(lab.tr.sample(1, z=z)[0].tolist(), abs=1e-6)
    assert 0 < info["D(G(z))"] < 1 and "D(G(z))" in lab.w_inspect.value


def test_divergence_is_reported_not_raised(lab):
    lab.set(optimizer="sgd")
    lab.w_lr_d.value = 0.1
    lab.tr.configure(lr_d=1e30, lr_g=1e30)
    lab.step(50)
    assert "diverged" in lab.w_message.value
    assert all(torch.isfinite(p).all() for p in lab.tr.D.parameters())


def test_a_new_lab_pauses_the_old_one(lab):
    async def scenario():
        lab.play()
        await asyncio.sleep(0.2)
        TrainingLab(width=8, batch_size=16, n_points=20)
        await asyncio.sleep(0.1)
        return lab.player.playing

    assert run(scenario()) is False


def test_timeline_is_bounded_and_thins():
    ge.seed_everything(0)
    tr = ge.Trainer(ge.models.MLPGenerator(hidden=8), ge.models.MLPDiscriminator(hidden=8), ge.data.ring(), batch_size=8,
                    device="cpu")
    tl = Timeline(tr, every=1, capacity=8)
    tr.run(50, progress=False)
    assert tl.every == 8 and tl.steps == [0, 8, 16, 24, 32, 40, 48]
    G, _ = tl.view(0)
    assert not torch.equal(next(G.parameters()), next(tr.G.parameters()))
    with pytest.raises(ValueError, match="index"):
        tl.view(99)
