"""The training lab: watch a 2D GAN learn, one step (or one sub-step) at a time.

``TrainingLab()`` is a dashboard in the spirit of GAN Lab, built from ipywidgets so it
runs in JupyterLab and in Voila:

* buttons: step D, step G, step (both), play / pause, reset, steps per click, and a
  slow-motion mode that walks one step through its sub-steps with a caption each
  (sample, classify, D's loss and gradients, update D, G's loss and arrows, update G),
  captured from the trainer's events;
* live controls: dataset (or your own points), loss, optimiser, learning rates, D steps
  per G step; network width / depth, noise size and distribution (these restart training);
* a layered view (real, fake, D(x) heatmap, G's manifold, gradient arrows);
* charts: losses, mean D(x) and D(G(z)) with the 0.5 line, JS divergence;
* a replay timeline (bounded snapshots): scrub back, look, "branch from here";
* a per-sample inspector: z, G(z), D(G(z)) and its gradient as numbers.

Play runs on the kernel's event loop in short slices (see :class:`~gan_edu.widgets.Player`),
so you can pause, change a control and resume; drawing happens at most ``fps`` times a
second, not once per step.

The lab's set-ups (:func:`build_trainer`, :data:`DEFAULTS`, :data:`DATASETS`), what slow motion
catches and the inspector's numbers are computed in :mod:`gan_edu.lessons.training_lab`.
"""
from __future__ import annotations

import asyncio
import html
import math
import time

import ipywidgets as W
import numpy as np
import torch

from .. import _check, losses, metrics, models, viz
from ..lessons.generator import generator_output
from ..lessons.plane import fixed_sample
from ..lessons.training_lab import (
    DATASETS,
    DEFAULT_POINTS,
    DEFAULTS,
    betas,
    build_trainer,
    inspect_sample,
    make_data,
    parse_points,
    substep_frames,
)
from ..recorders import fake_gradients
from ..timeline import Timeline
from ..trainer import OPTIMIZERS, Trainer, TrainingDiverged
from ..viz.live import LAYERS, ChartsView, PlaneView
from ._base import BlitView, Player, Shown, button, stop_all_players

# build_trainer, make_data, DATASETS and DEFAULTS live in gan_edu.lessons.training_lab (lesson 04 imports them here)
__all__ = ["TrainingLab", "DATASETS", "DEFAULTS", "build_trainer", "make_data"]

SUBSTEP_CAPTIONS = (
    "<b>1 · Sample.</b> A batch of real points x (green) and a batch of noise z pushed through G: "
    "the fakes G(z) (purple).",
    "<b>2 · Classify.</b> D scores every point. The background is D(x) <i>before</i> this update: "
    "mean D(x) = {d_real:.2f}, mean D(G(z)) = {d_fake:.2f}.",
    "<b>3 · D's loss and gradients.</b> loss_D = {loss_d:.3f} (real should be 1, fake 0). Backward: "
    "gradients fill D's parameters (norm {grad_d:.3g}); G gets none, the fakes were detached.",
    "<b>4 · Update D.</b> D's optimiser steps: the background now separates real from fake a little better.",
    "<b>5 · G's loss, through D.</b> loss_G = {loss_g:.3f}. The arrows show how the gradient pushes each fake "
    "(−∂loss_G/∂G(z)): uphill on D(x), toward what D calls real. D is frozen.",
    "<b>6 · Update G.</b> G's optimiser steps and the fakes move along the arrows. One step done.",
)


class TrainingLab(Shown):
    """The dashboard. ``TrainingLab()`` starts from :data:`DEFAULTS`; keyword arguments
    override them (``TrainingLab(data="grid", loss="wgan_gp")``), or pass a ready 2D
    ``trainer=``. Every button has a method (``step``, ``step_d``, ``step_g``, ``play``,
    ``pause``, ``reset``, ``scrub``, ``branch``, ``inspect``) so a notebook or a test can
    drive it from Python."""

    fallback_title = 'The training lab: step D, step G or play, with live controls, layers, replay and an inspector'

    def __init__(self, trainer: Trainer | None = None, *, fps: float = 10.0, n_points: int = 400,
                 timeline_every: int = 10, timeline_capacity: int = 64, **settings):
        unknown = set(settings) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; settings are {sorted(DEFAULTS)}")
        self.settings = {**DEFAULTS, **settings}
        self.fps = _check.positive("fps", fps)
        self.n_points = _check.positive_int("n_points", n_points)
        self.timeline_every = _check.positive_int("timeline_every", timeline_every)
        self.timeline_capacity = _check.integer("timeline_capacity", timeline_capacity, minimum=2)
        self.points = [list(p) for p in DEFAULT_POINTS]
        if trainer is not None and tuple(trainer.data.shape) != (2,):
            raise ValueError(f"the training lab shows 2D data; this trainer's data has shape {tuple(trainer.data.shape)}")
        stop_all_players()                    # a re-run notebook: the old dashboard stops playing
        self.layers = {"real", "fake", "heatmap"}
        self.replay_index: int | None = None  # None: live; else a timeline index
        self.pick_index = 0
        self.frames: list[dict] = []          # slow-motion frames of the last slow step
        self.js_steps: list[int] = []
        self.js_values: list[float] = []
        self.message = ""
        self._slow_task = None
        self._build_widgets()
        self._install(trainer or build_trainer(self.settings, self.points))
        self.player = Player(self._play_step, self._draw, fps=self.fps, on_error=self._on_error,
                             on_state=self._on_play_state)
        self._chart_time = 0.0
        self.redraw()

    # ------------------------------------------------------------------ the trainer
    def _install(self, tr: Trainer) -> None:
        self.tr = tr
        self.extent = viz.plane_extent(tr.data)
        self.timeline = Timeline(tr, every=self.timeline_every, capacity=self.timeline_capacity)
        gen = torch.Generator().manual_seed(1234)
        self.z_view = tr.G.sample_noise(self.n_points, generator=gen)
        self.real_view = fixed_sample(tr.data, self.n_points, 99)
        self.js_steps, self.js_values = [], []
        self.replay_index = None
        self.plane.set_extent(self.extent)
        self._sync_controls_from_trainer()

    def _sync_controls_from_trainer(self) -> None:
        tr = self.tr
        self._quiet = True
        try:
            self.w_loss.value = tr.loss.name
            self.w_opt.value = tr.optimizer
            self.w_lr_g.value, self.w_lr_d.value = tr.lr_g, tr.lr_d
            self.w_d_steps.value = tr.d_steps
        finally:
            self._quiet = False

    # ------------------------------------------------------------------ actions
    def step(self, n: int | None = None, slow: bool | None = None) -> None:
        """``n`` full steps (default: the steps-per-click control). In slow motion, one step
        walked through its sub-steps."""
        if (self.w_slow.value if slow is None else slow) and not self.player.playing:
            self._go_live()
            self._slow_step()
            return
        self._click(self.tr.step, n)

    def step_d(self, n: int | None = None) -> None:
        """``n`` discriminator updates alone (G fixed)."""
        self._click(self.tr.step_d, n)

    def step_g(self, n: int | None = None) -> None:
        """``n`` generator updates alone (D fixed)."""
        self._click(self.tr.step_g, n)

    def _click(self, update, n: int | None) -> None:
        """What a step button does: ``n`` calls of ``update`` (default: the steps-per-click
        control), back to live first; nothing while playing."""
        if self.player.playing:
            return
        self._go_live()
        n = self.w_per_click.value if n is None else _check.positive_int("n", n)
        self._guarded(lambda: [update() for _ in range(n)])
        self.redraw()

    def play(self):
        """Start training continuously (returns the asyncio task; a second call does nothing)."""
        self._go_live()
        return self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def toggle_play(self) -> None:
        self.pause() if self.player.playing else self.play()

    def reset(self) -> None:
        """Fresh networks with the current settings (same seed: the same start)."""
        self.pause()
        self._guarded(lambda: self._install(build_trainer(self._current_settings(), self.points)))
        self.redraw()

    def _guarded(self, fn) -> bool:
        try:
            fn()
            self.message = ""
            return True
        except TrainingDiverged as err:
            self.message = (f"⚠ Training diverged at step {err.step} ({err.what} is not finite). That step was "
                            "undone; lower a learning rate and carry on, or reset.")
        except ValueError as err:
            self.message = f"⚠ {html.escape(str(err))}"
        return False

    def _play_step(self) -> None:
        self.tr.step()

    def _on_error(self, err: BaseException) -> None:
        if isinstance(err, TrainingDiverged):
            self.message = (f"⚠ Training diverged at step {err.step} ({err.what} is not finite) and was paused. "
                            "That step was undone; lower a learning rate and press play again.")
        else:
            self.message = f"⚠ {type(err).__name__}: {html.escape(str(err))}"

    def _on_play_state(self, playing: bool) -> None:
        self.w_play.description = "Pause" if playing else "Play"
        self.w_play.icon = "pause" if playing else "play"
        self.w_play.button_style = "warning" if playing else "success"
        for b in (self.w_step, self.w_step_d, self.w_step_g):
            b.disabled = playing

    # ------------------------------------------------------------------ live settings
    def _current_settings(self) -> dict:
        return {**self.settings, "data": self.w_data.value, "loss": self.w_loss.value, "optimizer": self.w_opt.value,
                "lr_g": self.w_lr_g.value, "lr_d": self.w_lr_d.value, "d_steps": self.w_d_steps.value,
                "width": self.w_width.value, "depth": self.w_depth.value, "latent_dim": self.w_latent.value,
                "noise": self.w_noise.value}

    def set(self, **changes) -> None:
        """Change settings from Python as the controls do: ``lab.set(loss="hinge", lr_d=3e-4)``.
        Data, loss, optimiser, learning rates and D steps apply at once; width, depth,
        latent_dim and noise rebuild the networks (training restarts)."""
        controls = {"data": self.w_data, "loss": self.w_loss, "optimizer": self.w_opt, "lr_g": self.w_lr_g,
                    "lr_d": self.w_lr_d, "d_steps": self.w_d_steps, "width": self.w_width, "depth": self.w_depth,
                    "latent_dim": self.w_latent, "noise": self.w_noise}
        unknown = set(changes) - set(controls)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; settings are {sorted(controls)}")
        for k, v in changes.items():
            if k in ("data", "loss", "optimizer", "noise"):
                allowed = {"data": DATASETS, "loss": tuple(losses.LOSSES), "optimizer": OPTIMIZERS,
                           "noise": models.NOISES}[k]
                _check.one_of(k, v, allowed)
            controls[k].value = v
        if {"width", "depth", "latent_dim", "noise"} & set(changes):
            self.rebuild()

    def _on_live_change(self, change) -> None:
        if self._quiet:
            return
        name = change["owner"].description
        ok = self._guarded(lambda: self.tr.configure(
            loss=self.w_loss.value, lr_g=self.w_lr_g.value, lr_d=self.w_lr_d.value, d_steps=self.w_d_steps.value,
            betas=betas(self.w_loss.value),
            optimizer=self.w_opt.value if change["owner"] is self.w_opt else None))
        if ok:
            self.message = f"{html.escape(name)} changed: takes effect from the next step."
        self.redraw(charts=False)

    def _on_data_change(self, change) -> None:
        if self._quiet:
            return
        self._apply_data()

    def _apply_data(self) -> None:
        name = self.w_data.value
        self.w_points_box.layout.display = "" if name == "my points" else "none"
        if self._guarded(lambda: self.tr.configure(data=make_data(name, self.points))):
            self.extent = viz.plane_extent(self.tr.data)
            self.plane.set_extent(self.extent)
            self.real_view = fixed_sample(self.tr.data, self.n_points, 99)
            self.js_steps, self.js_values = [], []
            self.message = f"Data is now <b>{html.escape(name)}</b>; G and D keep training from where they are."
        self.redraw()

    def rebuild(self) -> None:
        """New networks from the current width / depth / noise controls (training restarts)."""
        self.pause()
        if self._guarded(lambda: self._install(build_trainer(self._current_settings(), self.points))):
            self.message = "New networks: training restarts from step 0."
        self.redraw()

    def set_points(self, points) -> None:
        """Use your own 2D points as the data (a list of [x, y], an array, or CSV text)."""
        self.points = parse_points(points)
        self.w_points_text.value = "\n".join(f"{x:.3g}, {y:.3g}" for x, y in self.points)
        if self.w_data.value != "my points":
            self.w_data.value = "my points"            # fires _apply_data
        else:
            self._apply_data()
        self._draw_point_canvas()

    def add_point(self, x: float, y: float) -> None:
        self.set_points(self.points + [[float(x), float(y)]])

    # ------------------------------------------------------------------ replay
    def scrub(self, index: int) -> None:
        """Show the timeline snapshot ``index`` (the last one is live)."""
        self.pause()
        n = len(self.timeline)
        index = _check.integer("index", index, minimum=0, maximum=max(n - 1, 0))
        self.replay_index = None if index >= n - 1 and self.timeline.steps[-1] == self.tr.state.step else index
        self._quiet = True
        try:
            self.w_replay.max = n - 1
            self.w_replay.value = index
        finally:
            self._quiet = False
        self.redraw()

    def branch(self) -> None:
        """Restore the trainer to the snapshot being viewed; training goes on from there."""
        if self.replay_index is None:
            self.message = "You are at the live end already: scrub back first."
        else:
            step = self.timeline.branch(self.replay_index)
            self.js_steps = [s for s in self.js_steps if s <= step]
            self.js_values = self.js_values[:len(self.js_steps)]
            self.replay_index = None
            self.message = f"Branched: training continues from step {step}; the old future is forgotten."
        self.redraw()

    def _go_live(self) -> None:
        if self.replay_index is not None:
            self.replay_index = None
            self.message = "Back to live training (use “branch from here” to continue from a replayed moment)."

    # ------------------------------------------------------------------ inspector
    def inspect(self, index: int) -> dict:
        """Numbers for displayed fake sample ``index``: z, G(z), D(G(z)) and the G-loss gradient on it."""
        index = _check.integer("index", index, minimum=0, maximum=self.n_points - 1)
        self.pick_index = index
        self.w_pick.value = index
        info = self._inspect_numbers(index)
        self.redraw(charts=False)
        return info

    def _inspect_numbers(self, index: int) -> dict:
        return inspect_sample(self.tr, self.z_view[index:index + 1])

    # ------------------------------------------------------------------ slow motion
    def _slow_step(self) -> None:
        tr, extent, grid = self.tr, self.extent, self.plane.grid
        frames = []
        if not self._guarded(lambda: frames.extend(substep_frames(tr, lambda t: viz.d_grid(t, extent, grid)))):
            self.redraw()
            return
        self.frames = frames
        self.show_substep(0)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return                                    # no event loop (plain Python): call show_substep yourself
        self._slow_task = loop.create_task(self._walk_substeps())

    async def _walk_substeps(self) -> None:
        for k in range(1, len(self.frames)):
            await asyncio.sleep(1.2)
            if self.player.playing or not self.frames:
                return
            self.show_substep(k)

    def show_substep(self, k: int) -> None:
        """Show frame ``k`` (0..5) of the last slow-motion step, with its caption."""
        if not self.frames:
            raise ValueError("no slow-motion step yet: switch on slow motion and press step")
        k = _check.integer("k", k, minimum=0, maximum=len(self.frames) - 1)
        f = self.frames[k]
        values = {"d_real": f.get("d_real", math.nan), "d_fake": f.get("d_fake", math.nan),
                  "loss_d": f.get("loss_d", math.nan), "grad_d": f.get("grad_d", math.nan), "loss_g": f.get("loss_g", math.nan)}
        self.w_caption.value = SUBSTEP_CAPTIONS[k].format(**values)
        self.plane.update(heat=f.get("heat"), real=f["real"], fake=f["fake"], arrows=f.get("arrows"),
                          layers={"real", "fake", "heatmap", "arrows"},
                          title=f"step {self.tr.state.step} · sub-step {k + 1} of {len(self.frames)}")
        self._refresh_view()
        self._update_counter()

    # ------------------------------------------------------------------ drawing
    def redraw(self, charts: bool = True) -> None:
        """Redraw the view (and the charts)."""
        self._draw(charts=charts)

    def _draw(self, charts: bool | None = None) -> None:
        if self.replay_index is not None:
            G, D = self.timeline.view(self.replay_index)
            step = self.timeline.steps[self.replay_index]
            fake = generator_output(G, self.z_view).numpy()
            self.plane.update(G=G, D_or_trainer=D, real=self.real_view, fake=fake, layers=self.layers,
                              title=f"replay: step {step} (live: {self.tr.state.step})")
            upto = step
        else:
            tr = self.tr
            fake = tr.sample(self.n_points, z=self.z_view).numpy()
            arrows = fake_gradients(tr, z=self.z_view[:150]) if "arrows" in self.layers else None
            pick = fake[self.pick_index] if self.w_show_pick.value else None
            self.plane.update(G=tr.G, D_or_trainer=tr, real=self.real_view, fake=fake, arrows=arrows, pick=pick,
                              layers=self.layers, title="")       # live: the counter above says the step
            upto = None
        self._refresh_view()
        now = time.perf_counter()
        if charts or (charts is None and now - self._chart_time > 0.5):
            self._chart_time = now
            if self.replay_index is None:
                self._measure_js(fake)
            self.charts.update(self.tr.history, self.js_steps, self.js_values, upto=upto)
            self.chart_view.refresh(full=self.charts.consume_dirty())
        self._update_counter()
        self._update_inspector()

    def _refresh_view(self) -> None:
        self.view.refresh(full=self.plane.consume_dirty(), extra=self.plane.extra)

    def _measure_js(self, fake: np.ndarray) -> None:
        step = self.tr.state.step
        if self.js_steps and self.js_steps[-1] >= step:
            return
        target = self.tr.data.density if hasattr(self.tr.data, "centers") else self.real_view
        x0, x1, y0, y1 = self.extent
        js = metrics.js_divergence_2d(fake, target, bins=40, range=((x0, x1), (y0, y1)))
        self.js_steps.append(step)
        self.js_values.append(js)
        if len(self.js_steps) > 400:                   # bounded: keep every other point
            self.js_steps, self.js_values = self.js_steps[::2], self.js_values[::2]

    def _update_counter(self) -> None:
        s = self.tr.state
        self.w_counter.value = (f"<span class='ge-lab-step-count'>step <b>{s.step}</b></span> · D updates {s.d_updates} · "
                                f"G updates {s.g_updates} · loss_D {s.loss_d:.3f} · loss_G {s.loss_g:.3f}")
        self.w_message.value = self.message
        n = len(self.timeline)
        self._quiet = True
        try:
            self.w_replay.max = max(n - 1, 0)
            if self.replay_index is None:
                self.w_replay.value = self.w_replay.max
        finally:
            self._quiet = False
        shown = self.timeline.steps[self.replay_index] if self.replay_index is not None else self.tr.state.step
        self.w_replay_label.value = f"showing step {shown}" + (" (replay)" if self.replay_index is not None else " (live)")

    def _update_inspector(self) -> None:
        if not self.w_show_pick.value:
            self.w_inspect.value = ""
            return
        info = self._inspect_numbers(self.pick_index)

        def vec(v):
            return "(" + ", ".join(f"{x:+.3f}" for x in v) + ")"

        self.w_inspect.value = (
            "<table class='ge-lab-inspect-table'>"
            f"<tr><td>z</td><td>{vec(info['z'])}</td></tr>"
            f"<tr><td>G(z)</td><td>{vec(info['G(z)'])}</td></tr>"
            f"<tr><td>D(G(z))</td><td>{info['D(G(z))']:.3f}</td></tr>"
            f"<tr><td>−∂loss_G/∂G(z)</td><td>{vec(info['gradient'])}</td></tr></table>")

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        self._quiet = True
        buttons = self._build_buttons()
        self.w_counter = W.HTML()
        self.w_counter.add_class("ge-lab-counter")
        self.w_caption = W.HTML(layout=W.Layout(min_height="2.5em"))
        self.w_caption.add_class("ge-lab-caption")
        self.w_message = W.HTML()
        self.w_message.add_class("ge-lab-message")
        tabs = {"Data": self._build_data_tab(), "Loss & optimiser": self._build_training_tab(),
                "Networks": self._build_network_tab(), "Layers": self._build_layers_tab(),
                "Replay": self._build_replay_tab(), "Inspector": self._build_inspector_tab()}
        self.tabs = W.Tab(children=list(tabs.values()))
        for i, title in enumerate(tabs):
            self.tabs.set_title(i, title)
        self.plane = PlaneView(viz.plane_extent(make_data(self.settings["data"], self.points)))
        self.view = BlitView(self.plane.fig, self.plane.animated, fmt="jpeg", css_class="ge-lab-view")
        self.charts = ChartsView()
        self.chart_view = BlitView(self.charts.fig, self.charts.animated, fmt="jpeg", css_class="ge-lab-charts")
        pictures = W.HBox([self.view.image, self.chart_view.image])
        self.widget = W.VBox([buttons, self.w_counter, self.w_caption, self.w_message, pictures, self.tabs])
        self.widget.add_class("ge-lab")
        self._quiet = False

    def _build_buttons(self) -> W.HBox:
        """Step D, Step G, Step, Play, Reset, steps per click and the slow-motion switch."""
        self.w_step_d = button("Step D", "ge-lab-step-d", self.step_d, icon="step-forward", width="auto")
        self.w_step_g = button("Step G", "ge-lab-step-g", self.step_g, icon="step-forward", width="auto")
        self.w_step = button("Step", "ge-lab-step", self.step, icon="forward", style="primary", width="auto")
        self.w_play = button("Play", "ge-lab-play", self.toggle_play, icon="play", style="success", width="auto")
        self.w_reset = button("Reset", "ge-lab-reset", self.reset, icon="undo", style="danger", width="auto")
        self.w_per_click = W.Dropdown(options=[1, 10, 100], value=1, description="steps/click",
                                      layout=W.Layout(width="170px"), style={"description_width": "initial"})
        self.w_per_click.add_class("ge-lab-per-click")
        self.w_slow = W.Checkbox(value=False, description="slow motion (one step, sub-step by sub-step)", indent=False,
                                 layout=W.Layout(width="auto"))
        self.w_slow.add_class("ge-lab-slow")
        return W.HBox([self.w_step_d, self.w_step_g, self.w_step, self.w_play, self.w_reset, self.w_per_click, self.w_slow],
                      layout=W.Layout(flex_flow="row wrap"))

    def _build_data_tab(self) -> W.VBox:
        """The dataset menu and, for "my points", the text box, the CSV upload and the click canvas."""
        s = self.settings
        self.w_data = W.Dropdown(options=DATASETS, value=s["data"], description="dataset")
        self.w_data.add_class("ge-lab-data")
        self.w_data.observe(self._on_data_change, "value")
        self.w_points_text = W.Textarea(value="\n".join(f"{x}, {y}" for x, y in self.points), rows=5,
                                        placeholder="x, y per line", layout=W.Layout(width="180px"))
        use = button("Use these points", "ge-lab-use-points",
                     lambda: self._guarded(lambda: self.set_points(self.w_points_text.value)) or self.redraw(charts=False),
                     icon="check", width="auto")
        self.w_upload = W.FileUpload(accept=".csv,.txt", multiple=False, description="Load CSV")
        self.w_upload.observe(self._on_upload, "value")
        self.point_canvas = self._make_point_canvas()
        canvas_note = W.HTML("<i>Click in the box to add points.</i>" if self.point_canvas is not None
                             else "<i>(Clicking to add points needs ipympl; type them or load a CSV.)</i>")
        self.w_points_box = W.HBox([W.VBox([self.w_points_text, use, self.w_upload, canvas_note]),
                                    *([self.point_canvas] if self.point_canvas is not None else [])],
                                   layout=W.Layout(display="" if s["data"] == "my points" else "none"))
        return W.VBox([self.w_data, self.w_points_box])

    def _build_training_tab(self) -> W.VBox:
        """Loss, optimiser, learning rates and D steps: they apply from the next step."""
        s = self.settings
        self.w_loss = W.Dropdown(options=list(losses.LOSSES), value=s["loss"], description="loss")
        self.w_opt = W.Dropdown(options=OPTIMIZERS, value=s["optimizer"], description="optimiser")
        self.w_lr_g = W.FloatLogSlider(value=s["lr_g"], base=10, min=-5, max=-1, step=0.1, description="lr G",
                                       readout_format=".1e")
        self.w_lr_d = W.FloatLogSlider(value=s["lr_d"], base=10, min=-5, max=-1, step=0.1, description="lr D",
                                       readout_format=".1e")
        self.w_d_steps = W.IntSlider(value=s["d_steps"], min=1, max=10, description="D steps/G step",
                                     style={"description_width": "initial"})
        for w, cls in ((self.w_loss, "ge-lab-loss"), (self.w_opt, "ge-lab-opt"), (self.w_lr_g, "ge-lab-lr-g"),
                       (self.w_lr_d, "ge-lab-lr-d"), (self.w_d_steps, "ge-lab-d-steps")):
            w.add_class(cls)
            w.observe(self._on_live_change, "value")
        return W.VBox([self.w_loss, self.w_opt, self.w_lr_g, self.w_lr_d, self.w_d_steps])

    def _build_network_tab(self) -> W.VBox:
        """Width, depth, noise size and distribution: "Apply" rebuilds the networks."""
        s = self.settings
        self.w_width = W.IntSlider(value=s["width"], min=8, max=256, step=8, description="width")
        self.w_depth = W.IntSlider(value=s["depth"], min=1, max=4, description="depth")
        self.w_latent = W.IntSlider(value=s["latent_dim"], min=1, max=8, description="noise dim")
        self.w_noise = W.Dropdown(options=models.NOISES, value=s["noise"], description="noise")
        apply = button("Apply (restarts training)", "ge-lab-apply-net", self.rebuild, icon="refresh", style="warning", width="auto")
        return W.VBox([self.w_width, self.w_depth, self.w_latent, self.w_noise, apply])

    def _build_layers_tab(self) -> W.VBox:
        """One check box per layer of the view."""
        self.w_layers = {name: W.Checkbox(value=name in self.layers, description=name, indent=False,
                                          layout=W.Layout(width="110px")) for name in LAYERS}
        for name, box in self.w_layers.items():
            box.add_class(f"ge-lab-layer-{name}")
            box.observe(lambda ch, n=name: self._toggle_layer(n, ch["new"]), "value")
        return W.VBox([W.HBox(list(self.w_layers.values()))])

    def _build_replay_tab(self) -> W.VBox:
        """The timeline slider, "back to live" and "branch from here"."""
        self.w_replay = W.IntSlider(value=0, min=0, max=0, description="timeline", continuous_update=False,
                                    layout=W.Layout(width="360px"))
        self.w_replay.add_class("ge-lab-replay")
        self.w_replay.observe(lambda ch: None if self._quiet else self.scrub(ch["new"]), "value")
        self.w_replay_label = W.HTML()
        self.w_replay_label.add_class("ge-lab-replay-label")
        live = button("Back to live", "ge-lab-live", lambda: (self._go_live(), self.redraw()), icon="fast-forward", width="auto")
        branch = button("Branch from here", "ge-lab-branch", self.branch, icon="code-fork", width="auto")
        return W.VBox([W.HBox([self.w_replay, self.w_replay_label]), W.HBox([live, branch])])

    def _build_inspector_tab(self) -> W.VBox:
        """Pick one fake sample and read its numbers."""
        self.w_show_pick = W.Checkbox(value=False, description="show", indent=False, layout=W.Layout(width="70px"))
        self.w_pick = W.BoundedIntText(value=0, min=0, max=self.n_points - 1, description="fake sample #",
                                       style={"description_width": "initial"}, layout=W.Layout(width="180px"))
        self.w_pick.add_class("ge-lab-pick")
        self.w_pick.observe(lambda ch: self.inspect(ch["new"]) if not self._quiet and ch["new"] != self.pick_index else None,
                            "value")
        self.w_show_pick.observe(lambda ch: self.redraw(charts=False), "value")
        self.w_inspect = W.HTML()
        self.w_inspect.add_class("ge-lab-inspect")
        return W.VBox([W.HBox([self.w_show_pick, self.w_pick]), self.w_inspect])

    def _toggle_layer(self, name: str, on: bool) -> None:
        (self.layers.add if on else self.layers.discard)(name)
        self.redraw(charts=False)

    def show_layers(self, *names: str) -> None:
        """Show exactly these layers (of ``real, fake, heatmap, manifold, arrows``)."""
        for n in names:
            _check.one_of("layer", n, LAYERS)
        for name, box in self.w_layers.items():
            box.value = name in names

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0] if isinstance(files, (list, tuple)) else next(iter(files.values()))
        text = bytes(item["content"]).decode("utf-8", errors="replace")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        try:
            float(lines[0].replace(",", " ").split()[0])
        except (ValueError, IndexError):
            lines = lines[1:]                          # a header row
        self._guarded(lambda: self.set_points("\n".join(lines)))
        self.redraw(charts=False)

    def _make_point_canvas(self):
        """A clickable ipympl canvas for adding points, or None if ipympl is missing."""
        try:
            from ipympl.backend_nbagg import Canvas, FigureManager
            from matplotlib.figure import Figure
        except Exception:  # noqa: BLE001 - any import problem means: fall back to typing points
            return None
        fig = Figure(figsize=(2.6, 2.6), dpi=80)
        canvas = Canvas(fig)
        FigureManager(canvas, 0)
        canvas.header_visible = canvas.footer_visible = canvas.toolbar_visible = False
        self._canvas_ax = fig.add_axes([0.12, 0.1, 0.85, 0.85])

        def on_click(event):
            if event.inaxes is self._canvas_ax and event.xdata is not None:
                self._guarded(lambda: self.add_point(event.xdata, event.ydata))

        canvas.mpl_connect("button_press_event", on_click)
        canvas.add_class("ge-lab-point-canvas")
        self._canvas = canvas
        self._draw_point_canvas()
        return canvas

    def _draw_point_canvas(self) -> None:
        if getattr(self, "_canvas", None) is None:
            return
        ax = self._canvas_ax
        ax.clear()
        p = np.asarray(self.points)
        viz.scatter_points(ax, p, "real", 12)
        ax.set_xlim(-2, 2)
        ax.set_ylim(-2, 2)
        ax.tick_params(labelsize=6)
        self._canvas.draw_idle()


