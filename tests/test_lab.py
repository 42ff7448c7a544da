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


# --------------------------------------------------------------------------- what the learner sees (issue 13)
def test_the_status_line_shows_a_dash_before_anything_was_measured(lab):
    assert "loss_D — · loss_G —" in lab.w_counter.value and "nan" not in lab.w_counter.value
    lab.step()
    assert "nan" not in lab.w_counter.value and "loss_D —" not in lab.w_counter.value


def test_step_d_then_step_g_is_explained_not_counted_as_a_step(lab):
    lab.w_step_d.click()
    lab.w_step_g.click()
    s = lab.tr.state
    assert (s.step, s.d_updates, s.g_updates) == (0, 1, 1) and "step <b>0</b>" in lab.w_counter.value
    assert "D updates 1 · G updates 1" in lab.w_counter.value
    assert "counts whole steps only" in lab.w_message.value and "Step G" in lab.w_message.value


def test_slow_motion_captions_match_their_frame_and_go_away(lab):
    lab.w_slow.value = True
    lab.step()
    heights = set()
    for k, frame in enumerate(lab.frames):
        lab.show_substep(k)
        heights.add(lab.w_caption.layout.height)
        mentions_arrows = "arrows" in lab.w_caption.value.replace("its own arrow", "")
        assert mentions_arrows == (frame.get("arrows") is not None), k      # arrows named only where drawn
        assert lab.plane.arrows.patch.get_visible() == (frame.get("arrows") is not None)
    assert heights == {"5em"}                                   # a fixed height: nothing below jumps
    assert "need not follow its own arrow" in lab.w_caption.value
    lab.w_slow.value = False                                    # switched off: the caption goes
    assert lab.w_caption.value == "" and lab.w_caption.layout.display == "none" and lab.frames == []
    lab.w_slow.value = True
    lab.step()
    lab.step(slow=False)                                        # an ordinary step ends the slow one
    assert lab.frames == [] and "Sample" not in lab.w_caption.value


def test_the_view_is_square_and_drawn_at_the_size_it_is_shown():
    for size, px in (("S", 340), ("M", 420)):
        lab = TrainingLab(width=16, batch_size=32, n_points=50, size=size)
        w, h = lab.plane.fig.canvas.get_width_height()
        bbox = lab.plane.ax.bbox
        assert w == px and round(bbox.width) == round(bbox.height)             # equal scale in x and y
        assert lab.view.image.layout.width == f"{w}px" and lab.view.image.layout.height == f"{h}px"
        assert "real points" in lab.view.image.tooltip and "accuracy" in lab.chart_view.image.tooltip   # alt text
        # ipywidgets 8's frontend reads the description before it writes the title: without one synced, the
        # picture's view is never created (the browser tests see the picture itself)
        assert all("description" in v.image.keys and v.image.description == "" for v in (lab.view, lab.chart_view))
        cw, ch = lab.charts.fig.canvas.get_width_height()
        assert lab.chart_view.image.layout.width == f"{cw}px" and ch == h
        x0, x1, y0, y1 = lab.plane.extent
        assert x1 - x0 == pytest.approx(y1 - y0)


def test_the_heatmap_fills_the_plane_smoothly_pixel_for_pixel(lab):
    """One colour per pixel (2 x 2 above 300 px), not the 48 x 48 grid blown up into blocks."""
    lab.show_layers("heatmap")                                   # nothing drawn over it
    pixels, (r0, r1, c0, c1) = lab.plane.heat.pixels()
    assert pixels.shape == (r1 - r0, c1 - c0) and pixels.shape[0] > 300
    rgb = pixels.view(np.uint8).reshape(*pixels.shape, 4)[..., :3].astype(int)
    steps = np.abs(np.diff(rgb, axis=1)).max(-1)
    assert np.percentile(steps, 99) <= 6          # neighbouring pixels differ by a few levels at most: no blocks
    frame = np.asarray(lab.plane.fig.canvas.buffer_rgba())
    assert np.array_equal(frame[r0:r1, c0:c1].view(np.uint32)[..., 0], pixels)   # what is drawn is that map


def test_the_arrows_are_one_path_changed_in_place(lab):
    lab.show_layers("real", "fake", "heatmap", "arrows")
    patch = lab.plane.arrows.patch
    lab.step()
    first = patch.get_path().vertices.copy()
    lab.step()
    assert lab.plane.arrows.patch is patch and patch.get_visible()
    assert patch.get_path().vertices.shape == (6 * 80, 2) and not np.array_equal(first, patch.get_path().vertices)
    np.testing.assert_allclose(patch.get_path().vertices[::6], lab.plane.arrows.points)    # each starts at its fake


def test_projector_mode_by_argument_or_voila_url(monkeypatch):
    from gan_edu.widgets import lab as lab_mod
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    plain = TrainingLab(width=8, batch_size=16, n_points=20)
    assert not plain.projector and plain.size == "M" and "ge-lab-projector" not in plain.widget._dom_classes
    big = TrainingLab(width=8, batch_size=16, n_points=20, projector=True)
    assert big.size == "L" and big.plane.font > 1 and "ge-lab-projector" in big.widget._dom_classes
    assert "<style>" in big.widget.children[0].value and "font-size: 20px" in big.widget.children[0].value
    assert "font-size: 20px" not in plain.widget.children[0].value
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    monkeypatch.setenv("QUERY_STRING", "projector=1&other=x")
    assert lab_mod.in_voila() and lab_mod.voila_query() == {"projector": "1", "other": "x"}
    assert TrainingLab(width=8, batch_size=16, n_points=20).projector
    monkeypatch.setenv("QUERY_STRING", "")
    assert not TrainingLab(width=8, batch_size=16, n_points=20).projector
    with pytest.raises(ValueError, match="size must be one of"):
        TrainingLab(width=8, size="huge")


def test_view_size_menu_redraws_at_the_new_size(lab):
    lab.w_size.value = "L"
    assert lab.plane.fig.canvas.get_width_height()[0] == 540 and lab.view.image.layout.width == "540px"
    assert lab.w_view_box.children[0] is lab.view.image and len(lab.view.image.value) > 1000
    lab.step()                                              # still draws after the swap
    assert lab.tr.state.step == 1


# --------------------------------------------------------------------------- teaching truth (issue 9)
def test_beta1_is_a_live_validated_control(lab):
    lab.set(beta1=0.9)
    assert lab.tr.opt_g.param_groups[0]["betas"] == (0.9, 0.999) == lab.tr.opt_d.param_groups[0]["betas"]
    lab.set(loss="wgan_gp")                                  # the critic keeps beta2 = 0.9
    assert lab.tr.opt_d.param_groups[0]["betas"] == (0.9, 0.9)
    with pytest.raises(ValueError, match="beta1 must be <= 0.95, got 1.0"):
        lab.set(beta1=1.0)
    assert lab.tr.betas == (0.9, 0.9)                        # a refused value changes nothing
    lab.set(optimizer="sgd")
    assert lab.w_beta1.disabled
    lab.w_beta1.value = 0.7
    assert "does not use it" in lab.w_message.value


def test_g_and_d_get_their_own_width_and_depth(lab):
    lab.step(3)
    lab.set(g_width=32, g_depth=1, d_width=128, d_depth=3)
    assert lab.tr.state.step == 0
    assert lab.tr.G.config["hidden"] == 32 and lab.tr.G.config["depth"] == 1
    assert lab.tr.D.config["hidden"] == 128 and lab.tr.D.config["depth"] == 3
    assert "G: 1 hidden layer(s) of 32; D: 3 of 128" in lab.w_message.value
    lab.set(width=24)                                        # width sizes both
    assert lab.tr.G.config["hidden"] == lab.tr.D.config["hidden"] == 24
    G = lab.tr.G
    with pytest.raises(ValueError, match="d_depth must be <= 4, got 9"):
        lab.set(d_depth=9)
    with pytest.raises(TypeError, match="g_width must be an integer"):
        lab.set(g_width=12.5)
    assert lab.tr.G is G                                     # nothing was rebuilt
    with pytest.raises(ValueError, match="unknown setting"):
        TrainingLab(hidden=8)


def test_d_accuracy_is_charted(lab):
    lab.step(5)
    acc = lab.tr.history["d_acc"]
    assert len(acc) == 5 and all(0 <= a <= 1 for a in acc.values)
    assert lab.charts.l_acc.get_visible() and len(lab.charts.l_acc.get_xdata()) == 5


def test_a_trainer_passed_in_shows_its_own_sizes_and_packs_are_refused():
    from helpers import make_trainer
    lab = TrainingLab(make_trainer(hidden=24, latent_dim=3), n_points=50)
    assert (lab.w_g_width.value, lab.w_d_width.value, lab.w_latent.value) == (24, 32, 3)
    lab.step()
    assert len(lab.tr.history["d_acc"]) == 1                    # the lab's recorder is on this trainer too
    with pytest.raises(ValueError, match="pack=2"):
        TrainingLab(make_trainer(pack=2), n_points=50)
