"""The training lab: watch a 2D GAN learn, one step (or one sub-step) at a time.

``TrainingLab()`` is a dashboard in the spirit of GAN Lab, built from ipywidgets so it
runs in JupyterLab and in Voila:

* buttons: step D, step G, step (both), play / pause, reset, steps per click, and a
  slow-motion mode that walks one step through its sub-steps with a caption each
  (sample, classify, D's loss and gradients, update D, G's loss and arrows, update G),
  captured from the trainer's events;
* live controls: dataset (or your own points), loss, optimiser, learning rates, Adam's beta1,
  D steps per G step; the width and depth of G and of D, noise size and distribution (these
  restart training);
* a layered view (real, fake, D's output as a heatmap, G's manifold, gradient arrows), drawn on
  the chosen loss's own scale (a probability, a raw output, a margin or a critic score; the
  caption under it says which) and zoomed out when G's samples leave the frame;
* charts: losses (with the level where D cannot tell), D's mean output on real and fake batches
  with its boundary, D's accuracy (capacity balance: near 100 % for long starves G) and the JS
  divergence;
* a replay timeline (bounded snapshots): scrub back, look, "branch from here";
* a per-sample inspector: z, G(z), D's output on G(z) and its gradient as numbers;
* a view size menu and a projector mode (``projector=True``, or ``?projector=1`` in a Voila
  URL): larger pictures and fonts.

Play runs on the kernel's event loop in short slices (see :class:`~gan_edu.widgets.Player`),
so you can pause, change a control and resume; drawing happens at most ``fps`` times a
second, not once per step.

:class:`ExperimentPanel` runs a predict-then-run experiment at once in Jupyter, or when its
button is pressed in Voila (where a long cell would hold the whole page back), with a progress
bar, and reveals the outcome after the prediction (:mod:`gan_edu.quiz.panel`).

The lab's set-ups (:func:`build_trainer`, :data:`DEFAULTS`, :data:`DATASETS`), what its pictures
and charts measure, what slow motion catches and the inspector's numbers are computed in
:mod:`gan_edu.lessons.training_lab`.
"""
from __future__ import annotations

import asyncio
import html
import math
import os
import time
from urllib.parse import parse_qs

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
    LIMITS,
    DOutputs,
    betas,
    build_trainer,
    check_settings,
    colour_range,
    d_map,
    d_scores,
    follow_extent,
    inspect_sample,
    make_data,
    network_sizes,
    on_scale,
    output_scale,
    parse_points,
    substep_frames,
)
from ..recorders import fake_gradients
from ..timeline import Timeline
from ..trainer import OPTIMIZERS, Trainer, TrainingDiverged
from ..viz.live import LAYERS, ChartsView, PlaneView
from ._base import BlitView, Player, Shown, button, stop_all_players

# build_trainer, make_data, DATASETS and DEFAULTS live in gan_edu.lessons.training_lab (lesson 04 imports them here)
__all__ = ["TrainingLab", "ExperimentPanel", "show_more_d", "voila_query", "in_voila", "VIEW_SIZES", "DATASETS",
           "DEFAULTS", "build_trainer", "make_data"]

#: the view sizes (pixels of the plane's width; the charts are as wide) and the one a projector starts at
VIEW_SIZES = {"S": 340, "M": 420, "L": 540, "XL": 680}
PROJECTOR_SIZE, PROJECTOR_FONT = "L", 1.4
N_ARROWS = 80                 # fakes that get a gradient arrow in the live view (slow motion shows the whole batch)
VIEW_TEXT = ("The plane: D's output as the background (the note below says on what scale), real points as green "
             "circles, G's samples as purple triangles, and when switched on G's grid and the gradient arrows")
CHARTS_TEXT = ("Charts over the training steps: D's and G's losses, D's mean output on real and on fake points, "
               "D's accuracy, and the JS divergence between G's samples and the data")


def voila_query() -> dict[str, str]:
    """The query string of the Voila page this kernel serves (``?projector=1`` -> ``{"projector": "1"}``);
    empty outside Voila. Voila puts it in the kernel's environment (``QUERY_STRING``)."""
    if not in_voila():
        return {}
    return {k: v[-1] for k, v in parse_qs(os.environ.get("QUERY_STRING", "")).items()}


def in_voila() -> bool:
    """True in a kernel started by Voila (it sets ``SERVER_SOFTWARE=voila/...`` or its own ``VOILA_*``
    variables), where cells cannot be re-run and every cell runs before the page shows."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila") or "VOILA_KERNEL_ID" in os.environ


def _projector_from_voila() -> bool:
    return voila_query().get("projector", "").lower() in ("1", "true", "yes", "on")


SUBSTEP_CAPTIONS = (
    "<b>1 · Sample.</b> A batch of real points x (green circles) and a batch of noise z pushed through G: "
    "the fakes G(z) (purple triangles).",
    "<b>2 · Classify.</b> D scores every point. The background is D's output ({short}) <i>before</i> this "
    "update: mean on the real batch {d_real:.2f}, on the fakes {d_fake:.2f}.",
    "<b>3 · D's loss and gradients.</b> loss_D = {loss_d:.3f}: {goal}. Backward: gradients fill D's parameters "
    "(norm {grad_d:.3g}); G gets none, the fakes were detached.",
    "<b>4 · Update D.</b> D's optimiser steps ({d_steps} D update(s) in this step): the background now shows D "
    "after its update. Compare it with sub-step 2.",
    "<b>5 · G's loss, through D.</b> loss_G = {loss_g:.3f}. The arrows show how the gradient pushes each fake "
    "(−∂loss_G/∂G(z)): {toward}. D is frozen.",
    "<b>6 · Update G.</b> G's optimiser changes G's weights, so the same z now land elsewhere (compare with "
    "sub-step 5). G moves its weights, not each point, so a fake need not follow its own arrow exactly. "
    "One step done.",
)

_LAB_CSS = """<style>
.ge-lab .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 0 !important; max-width: none !important; }
.ge-lab .ge-lab-caption .widget-html-content, .ge-lab .ge-lab-scale-note .widget-html-content { line-height: 1.4; }
</style>"""
_PROJECTOR_CSS = """<style>
.ge-lab.ge-lab-projector, .ge-lab.ge-lab-projector .widget-label, .ge-lab.ge-lab-projector .widget-button,
.ge-lab.ge-lab-projector .widget-dropdown select, .ge-lab.ge-lab-projector .widget-readout,
.ge-lab.ge-lab-projector .widget-checkbox label, .ge-lab.ge-lab-projector .lm-TabBar-tabLabel,
.ge-lab.ge-lab-projector .widget-html-content { font-size: 20px !important; line-height: 1.4 !important; }
.ge-lab.ge-lab-projector .widget-button { height: auto !important; padding: 4px 12px !important; }
</style>"""


def _fmt(value: float, spec: str = ".3f") -> str:
    """A number for the status line; "—" for a value not measured yet (NaN)."""
    return "—" if value is None or not math.isfinite(value) else format(value, spec)


class TrainingLab(Shown):
    """The dashboard. ``TrainingLab()`` starts from :data:`DEFAULTS`; keyword arguments
    override them (``TrainingLab(data="grid", loss="wgan_gp", g_width=32)``), or pass a ready 2D
    ``trainer=``. ``size`` is the view size (one of :data:`VIEW_SIZES`); ``projector=True``
    (or a Voila URL ending in ``?projector=1`` when ``projector`` is left None) draws larger with
    larger fonts. Every button has a method (``step``, ``step_d``, ``step_g``, ``play``,
    ``pause``, ``reset``, ``scrub``, ``branch``, ``inspect``, ``set``, ``set_view_size``) so a
    notebook or a test can drive it from Python."""

    fallback_title = ("The training lab: a 2D GAN you step (D, G or both) or play, with live controls for the data, "
                      "the loss, the optimiser and the networks, a view of D's output and G's samples, charts of the "
                      "losses, D's output and accuracy, a replay timeline and a sample inspector")

    def __init__(self, trainer: Trainer | None = None, *, fps: float = 10.0, n_points: int = 400,
                 timeline_every: int = 10, timeline_capacity: int = 64, size: str | None = None,
                 projector: bool | None = None, **settings):
        self.settings = check_settings(settings)
        self.fps = _check.positive("fps", fps)
        self.n_points = _check.positive_int("n_points", n_points)
        self.timeline_every = _check.positive_int("timeline_every", timeline_every)
        self.timeline_capacity = _check.integer("timeline_capacity", timeline_capacity, minimum=2)
        self.projector = _projector_from_voila() if projector is None else _check.boolean("projector", projector)
        self.size = _check.one_of("size", size, VIEW_SIZES) if size is not None else (
            PROJECTOR_SIZE if self.projector else "M")
        self.points = [list(p) for p in DEFAULT_POINTS]
        if trainer is not None and (tuple(trainer.data.shape) != (2,) or trainer.pack != 1):
            raise ValueError("the training lab shows 2D data judged one point at a time; this trainer has data of shape "
                             f"{tuple(trainer.data.shape)} and pack={trainer.pack}")
        stop_all_players()                    # a re-run notebook: the old dashboard stops playing
        self.layers = {"real", "fake", "heatmap"}
        self.replay_index: int | None = None  # None: live; else a timeline index
        self.pick_index = 0
        self.frames: list[dict] = []          # slow-motion frames of the last slow step
        self.js_steps: list[int] = []
        self.js_values: list[float] = []
        self.message = ""
        self.zoom, self.outside = 1.0, 0
        self.scale_since = -1                 # the loss-dependent charts start after this step
        self._slow_task = None
        self._recorder: DOutputs | None = None
        self._build_widgets()
        self._install(trainer or build_trainer(self.settings, self.points))
        self.player = Player(self._play_step, self._draw, fps=self.fps, on_error=self._on_error,
                             on_state=self._on_play_state)
        self._chart_time = 0.0
        self.redraw()

    # ------------------------------------------------------------------ the trainer
    def _install(self, tr: Trainer) -> None:
        if self._recorder is not None:
            self._recorder.detach()
        self.tr = tr
        self._recorder = DOutputs().attach(tr)
        self.base_extent = viz.plane_extent(tr.data)
        self.extent, self.zoom, self.outside = self.base_extent, 1.0, 0
        self.timeline = Timeline(tr, every=self.timeline_every, capacity=self.timeline_capacity)
        gen = torch.Generator().manual_seed(1234)
        self.z_view = tr.G.sample_noise(self.n_points, generator=gen)
        self.real_view = fixed_sample(tr.data, self.n_points, 99)
        self.js_steps, self.js_values = [], []
        self.replay_index = None
        self.scale_since = tr.state.step - 1
        self.plane.set_extent(self.extent)
        self._sync_controls_from_trainer()
        self._on_scale_change()
        self._measure_js_baseline()

    def _sync_controls_from_trainer(self) -> None:
        tr = self.tr
        self._quiet = True
        try:
            self.w_loss.value = tr.loss.name
            self.w_opt.value = tr.optimizer
            self.w_lr_g.value, self.w_lr_d.value = tr.lr_g, tr.lr_d
            self.w_beta1.value = tr.betas[0]
            self.w_d_steps.value = tr.d_steps
            self.w_beta1.disabled = tr.optimizer != "adam"
            for net, width, depth in ((tr.G, self.w_g_width, self.w_g_depth), (tr.D, self.w_d_width, self.w_d_depth)):
                config = getattr(net, "config", {})               # an MLP from gan_edu.models says its size
                if "hidden" in config and "depth" in config:
                    width.value, depth.value = config["hidden"], config["depth"]
            if getattr(tr.G, "latent_dim", None) is not None:
                self.w_latent.value = tr.G.latent_dim
            self.w_points_box.layout.display = "" if self.w_data.value == "my points" else "none"
        finally:
            self._quiet = False

    @property
    def scale(self):
        """How D's output is read under the current loss (:func:`~gan_edu.lessons.training_lab.output_scale`)."""
        return output_scale(self.tr.loss)

    def _on_scale_change(self) -> None:
        """The loss changed (or a new trainer): the charts and the caption switch to its scale."""
        self.charts.set_scale(self.scale)
        self.w_scale_note.value = html.escape(self.scale.caption)

    # ------------------------------------------------------------------ actions
    def step(self, n: int | None = None, slow: bool | None = None) -> None:
        """``n`` full steps (default: the steps-per-click control). In slow motion, one step
        walked through its sub-steps."""
        if (self.w_slow.value if slow is None else slow) and not self.player.playing:
            self._go_live()
            self._slow_step()
            return
        self._end_slow_motion()
        self._click(self.tr.step, n)

    def step_d(self, n: int | None = None) -> None:
        """``n`` discriminator updates alone (G fixed). They are not a step: the step counter stays."""
        if self._click(self.tr.step_d, n):
            self.message = (f"Step D: {self._last_n} D update(s) alone; G did not move. The step counter counts whole "
                            "steps only (d_steps D updates, then one G update: the Step button); the D and G update "
                            "counts include these.")
            self._update_counter()

    def step_g(self, n: int | None = None) -> None:
        """``n`` generator updates alone (D fixed). They are not a step: the step counter stays."""
        if self._click(self.tr.step_g, n):
            self.message = (f"Step G: {self._last_n} G update(s) alone; D did not move. The step counter counts whole "
                            "steps only (d_steps D updates, then one G update: the Step button); the D and G update "
                            "counts include these.")
            self._update_counter()

    def _click(self, update, n: int | None) -> bool:
        """What a step button does: ``n`` calls of ``update`` (default: the steps-per-click
        control), back to live first; nothing while playing. True if it worked."""
        if self.player.playing:
            return False
        self._go_live()
        self._end_slow_motion()
        self._last_n = n = self.w_per_click.value if n is None else _check.positive_int("n", n)
        ok = self._guarded(lambda: [update() for _ in range(n)])
        self.redraw()
        return ok

    def play(self):
        """Start training continuously (returns the asyncio task; a second call does nothing)."""
        self._go_live()
        self._end_slow_motion()
        return self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def toggle_play(self) -> None:
        self.pause() if self.player.playing else self.play()

    def reset(self) -> None:
        """Fresh networks with the current settings (same seed: the same start)."""
        self.pause()
        self._end_slow_motion()
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
        except (ValueError, TypeError) as err:
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
    _CONTROLS = ("data", "loss", "optimizer", "lr_g", "lr_d", "beta1", "d_steps", "g_width", "g_depth", "d_width",
                 "d_depth", "latent_dim", "noise")
    _REBUILD = {"width", "depth", "g_width", "g_depth", "d_width", "d_depth", "latent_dim", "noise"}

    def _controls(self) -> dict:
        return {"data": self.w_data, "loss": self.w_loss, "optimizer": self.w_opt, "lr_g": self.w_lr_g,
                "lr_d": self.w_lr_d, "beta1": self.w_beta1, "d_steps": self.w_d_steps, "g_width": self.w_g_width,
                "g_depth": self.w_g_depth, "d_width": self.w_d_width, "d_depth": self.w_d_depth,
                "latent_dim": self.w_latent, "noise": self.w_noise}

    def _current_settings(self) -> dict:
        return {**self.settings, **{k: w.value for k, w in self._controls().items()}}

    def set(self, **changes) -> None:
        """Change settings from Python as the controls do: ``lab.set(loss="hinge", lr_d=3e-4, beta1=0.9)``.
        Data, loss, optimiser, learning rates, beta1 and D steps apply at once; ``width`` / ``depth``
        (both networks), ``g_width``, ``g_depth``, ``d_width``, ``d_depth``, ``latent_dim`` and
        ``noise`` rebuild the networks (training restarts). Every value is checked first
        (:func:`~gan_edu.lessons.training_lab.check_settings`): nothing changes if one is wrong."""
        allowed = set(self._CONTROLS) | {"width", "depth"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; settings are {sorted(allowed)}")
        check_settings(changes)
        for shared in ("width", "depth"):                  # width / depth size both networks
            if shared in changes:
                value = changes.pop(shared)
                changes.setdefault(f"g_{shared}", value)
                changes.setdefault(f"d_{shared}", value)
        controls = self._controls()
        rebuild = bool(self._REBUILD & set(changes))
        self._quiet = rebuild                              # network controls: one rebuild at the end
        try:
            for k, v in changes.items():
                controls[k].value = v
        finally:
            self._quiet = False
        if rebuild:
            self.rebuild()

    def _on_live_change(self, change) -> None:
        if self._quiet:
            return
        name = change["owner"].description
        loss_before = self.tr.loss.name
        ok = self._guarded(lambda: self.tr.configure(
            loss=self.w_loss.value, lr_g=self.w_lr_g.value, lr_d=self.w_lr_d.value, d_steps=self.w_d_steps.value,
            betas=betas(self.w_loss.value, self.w_beta1.value),
            optimizer=self.w_opt.value if change["owner"] is self.w_opt else None))
        self.w_beta1.disabled = self.tr.optimizer != "adam"
        if ok:
            self.message = f"{html.escape(name)} changed: takes effect from the next step."
            if self.tr.loss.name != loss_before:
                self.scale_since = self.tr.state.step
                self._on_scale_change()
                self.message += (" D's output is now read on this loss's own scale (see under the picture); the "
                                 "loss, output and accuracy charts start again from here.")
            if change["owner"] is self.w_beta1 and self.tr.optimizer != "adam":
                self.message += " β₁ is Adam's momentum: the current optimiser does not use it."
        self.redraw(charts=True)

    def _on_data_change(self, change) -> None:
        if self._quiet:
            return
        self._apply_data()

    def _apply_data(self) -> None:
        name = self.w_data.value
        self.w_points_box.layout.display = "" if name == "my points" else "none"
        if self._guarded(lambda: self.tr.configure(data=make_data(name, self.points))):
            self.base_extent = viz.plane_extent(self.tr.data)
            self.extent, self.zoom = self.base_extent, 1.0
            self.plane.set_extent(self.extent)
            self.real_view = fixed_sample(self.tr.data, self.n_points, 99)
            self.js_steps, self.js_values = [], []
            self._measure_js_baseline()
            self.message = f"Data is now <b>{html.escape(name)}</b>; G and D keep training from where they are."
        self.redraw()

    def rebuild(self) -> None:
        """New networks from the current network controls (training restarts)."""
        self.pause()
        self._end_slow_motion()
        if self._guarded(lambda: self._install(build_trainer(self._current_settings(), self.points))):
            n = network_sizes(self._current_settings())
            self.message = (f"New networks (G: {n['g_depth']} hidden layer(s) of {n['g_width']}; D: {n['d_depth']} of "
                            f"{n['d_width']}): training restarts from step 0.")
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

    def set_view_size(self, size: str) -> None:
        """Draw the view and the charts at another size (one of :data:`VIEW_SIZES`)."""
        self.size = _check.one_of("size", size, VIEW_SIZES)
        if self.w_size.value != size:
            self.w_size.value = size                   # fires this again through the menu
            return
        self._make_views()
        self._on_scale_change()
        self._measure_js_baseline()
        self.redraw()

    # ------------------------------------------------------------------ replay
    def scrub(self, index: int) -> None:
        """Show the timeline snapshot ``index`` (the last one is live)."""
        self.pause()
        self._end_slow_motion()
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
            self.scale_since = min(self.scale_since, step - 1)
            self.replay_index = None
            self._sync_controls_from_trainer()
            self._on_scale_change()
            self.message = f"Branched: training continues from step {step}; the old future is forgotten."
        self.redraw()

    def _go_live(self) -> None:
        if self.replay_index is not None:
            self.replay_index = None
            self.message = "Back to live training (use “branch from here” to continue from a replayed moment)."

    # ------------------------------------------------------------------ inspector
    def inspect(self, index: int) -> dict:
        """Numbers for displayed fake sample ``index``: z, G(z), D's output on it (on the loss's
        scale) and the G-loss gradient on it."""
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
        tr, extent, grid, scale = self.tr, self.extent, self.plane.grid, self.scale
        frames = []
        if not self._guarded(lambda: frames.extend(substep_frames(tr, lambda t: d_map(t, extent, grid, scale)))):
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
        frames = self.frames
        for k in range(1, len(frames)):
            await asyncio.sleep(1.2)
            if self.player.playing or self.frames is not frames:
                return                                # playing, another step, or slow motion turned off
            self.show_substep(k)

    def show_substep(self, k: int) -> None:
        """Show frame ``k`` (0..5) of the last slow-motion step, with its caption."""
        if not self.frames:
            raise ValueError("no slow-motion step yet: switch on slow motion and press step")
        k = _check.integer("k", k, minimum=0, maximum=len(self.frames) - 1)
        f, scale = self.frames[k], self.scale
        values = {key: f.get(key, math.nan) for key in ("d_real", "d_fake", "loss_d", "grad_d", "loss_g")}
        self.w_caption.value = SUBSTEP_CAPTIONS[k].format(**values, short=scale.short, goal=scale.goal,
                                                          toward=scale.toward, d_steps=self.tr.d_steps)
        self.w_caption.layout.display = ""
        heat = f.get("heat")
        self.plane.update(heat=heat, clim=self._clim(heat, f["real"], f["fake"]) if heat is not None else (0, 1),
                          real=f["real"], fake=f["fake"], arrows=f.get("arrows"),
                          layers={"real", "fake", "heatmap", "arrows"},
                          title=f"step {self.tr.state.step} · sub-step {k + 1} of {len(self.frames)}")
        self._refresh_view()
        self._update_counter()

    def _end_slow_motion(self) -> None:
        """Forget the last slow-motion step and its caption (an ordinary step or play follows)."""
        self.frames = []
        self.w_caption.value = ""
        self.w_caption.layout.display = "" if self.w_slow.value else "none"

    def _on_slow_toggle(self, change) -> None:
        self._end_slow_motion()
        if change["new"]:
            self.w_caption.value = ("<i>Slow motion is on: press <b>Step</b> to walk through one step, "
                                    "sub-step by sub-step.</i>")
        self.redraw(charts=False)

    # ------------------------------------------------------------------ drawing
    def redraw(self, charts: bool = True) -> None:
        """Redraw the view (and the charts)."""
        self._draw(charts=charts)

    def _clim(self, heat, real, fake):
        """The heatmap's colour range on the loss's scale (a critic: from the scores in view)."""
        scale = self.scale
        if scale.span is not None:
            lo, _, hi = colour_range(scale, heat)
            return lo, hi
        G_or_D = self.tr if self.replay_index is None else self.timeline.view(self.replay_index)[1]
        r = on_scale(scale, d_scores(G_or_D, real))
        f = on_scale(scale, d_scores(G_or_D, fake))
        lo, _, hi = colour_range(scale, heat, r, f)
        return lo, hi

    def _draw(self, charts: bool | None = None) -> None:
        if self.replay_index is not None:
            G, D = self.timeline.view(self.replay_index)
            step = self.timeline.steps[self.replay_index]
            fake = generator_output(G, self.z_view).numpy()
            self._follow(fake)
            heat = d_map(D, self.extent, self.plane.grid, self.scale) if "heatmap" in self.layers else None
            self.plane.update(G=G, heat=heat, clim=self._clim(heat, self.real_view, fake) if heat is not None else (0, 1),
                              real=self.real_view, fake=fake, layers=self.layers,
                              title=f"replay: step {step} (live: {self.tr.state.step})")
            upto = step
        else:
            tr = self.tr
            fake = tr.sample(self.n_points, z=self.z_view).numpy()
            self._follow(fake)
            heat = d_map(tr, self.extent, self.plane.grid, self.scale) if "heatmap" in self.layers else None
            arrows = fake_gradients(tr, z=self.z_view[:N_ARROWS]) if "arrows" in self.layers else None
            pick = fake[self.pick_index] if self.w_show_pick.value else None
            self.plane.update(G=tr.G, heat=heat, clim=self._clim(heat, self.real_view, fake) if heat is not None else (0, 1),
                              real=self.real_view, fake=fake, arrows=arrows, pick=pick, layers=self.layers,
                              title="")       # live: the counter above says the step
            upto = None
        self._refresh_view()
        now = time.perf_counter()
        if charts or (charts is None and now - self._chart_time > 0.5):
            self._chart_time = now
            if self.replay_index is None:
                self._measure_js(fake)
            self.charts.update(self.tr.history, self.js_steps, self.js_values, upto=upto, since=self.scale_since)
            self.chart_view.refresh(full=self.charts.consume_dirty())
        self._update_counter()
        self._update_inspector()

    def _follow(self, fake: np.ndarray) -> None:
        """Zoom the view out (or back in) to keep G's samples in sight; the note under the picture says so."""
        extent, zoom, outside = follow_extent(self.base_extent, fake, self.zoom)
        if zoom != self.zoom:
            self.plane.set_extent(extent)
        self.extent, self.zoom, self.outside = extent, zoom, outside
        self.plane.show_frame(self.base_extent if zoom > 1 else None)
        note = ""
        if zoom > 1:
            note = (f"<br><b>Zoomed out ×{zoom:.1f}</b> to keep G's samples in sight (the dashed square is the data's "
                    "own frame).")
        if outside:
            note += f" {outside} of {len(fake)} fakes are beyond even this frame."
        text = html.escape(self.scale.caption) + note
        if self.w_scale_note.value != text:
            self.w_scale_note.value = text

    def _refresh_view(self) -> None:
        self.view.refresh(full=self.plane.consume_dirty())

    def _js(self, samples: np.ndarray) -> float:
        """JS divergence of ``samples`` from the data on a 40 x 40 grid over the data's frame (samples
        beyond it count as mismatch): the data's density for a mixture, else the fixed real sample."""
        target = self.tr.data.density if hasattr(self.tr.data, "centers") else self.real_view
        x0, x1, y0, y1 = self.base_extent
        return metrics.js_divergence_2d(samples, target, bins=40, range=((x0, x1), (y0, y1)))

    def _measure_js_baseline(self) -> None:
        """What a perfect G would score: as many fresh samples of the data itself as G draws (above 0,
        since a finite sample never matches a distribution exactly). The JS chart draws it dotted."""
        self.charts.set_js_baseline(self._js(fixed_sample(self.tr.data, self.n_points, 98)))

    def _measure_js(self, fake: np.ndarray) -> None:
        step = self.tr.state.step
        if self.js_steps and self.js_steps[-1] >= step:
            return
        js = self._js(fake)
        self.js_steps.append(step)
        self.js_values.append(js)
        if len(self.js_steps) > 400:                   # bounded: keep every other point
            self.js_steps, self.js_values = self.js_steps[::2], self.js_values[::2]

    def _update_counter(self) -> None:
        s = self.tr.state
        self.w_counter.value = (f"<span class='ge-lab-step-count'>step <b>{s.step}</b></span> · D updates {s.d_updates} · "
                                f"G updates {s.g_updates} · loss_D {_fmt(s.loss_d)} · loss_G {_fmt(s.loss_g)}")
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
            f"<tr><td>D(G(z)), {html.escape(info['scale'])}</td><td>{info['D(G(z))']:.3f}</td></tr>"
            f"<tr><td>−∂loss_G/∂G(z)</td><td>{vec(info['gradient'])}</td></tr></table>")

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        self._quiet = True
        buttons = self._build_buttons()
        self.w_counter = W.HTML()
        self.w_counter.add_class("ge-lab-counter")
        self.w_caption = W.HTML(layout=W.Layout(height="5em", overflow="hidden", display="none"))  # fixed: no jumps
        self.w_caption.add_class("ge-lab-caption")
        self.w_message = W.HTML(layout=W.Layout(min_height="1.6em"))
        self.w_message.add_class("ge-lab-message")
        tabs = {"Data": self._build_data_tab(), "Loss & optimiser": self._build_training_tab(),
                "Networks": self._build_network_tab(), "View": self._build_view_tab(),
                "Replay": self._build_replay_tab(), "Inspector": self._build_inspector_tab()}
        self.tabs = W.Tab(children=list(tabs.values()), layout=W.Layout(flex="1 1 360px", min_width="320px"))
        for i, title in enumerate(tabs):
            self.tabs.set_title(i, title)
        self.w_scale_note = W.HTML(layout=W.Layout(min_height="5.2em"))
        self.w_scale_note.add_class("ge-lab-scale-note")
        self.w_view_box = W.VBox([])
        self.w_charts_box = W.VBox([])
        self.view = self.chart_view = None
        self._make_views()
        pictures = W.HBox([self.w_view_box, self.w_charts_box, self.tabs],
                          layout=W.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="8px"))
        css = W.HTML(_LAB_CSS + (_PROJECTOR_CSS if self.projector else ""), layout=W.Layout(height="0px"))
        children = [css, buttons, self.w_counter, self.w_message, self.w_caption, pictures]
        self.widget = W.VBox(children, layout=W.Layout(width="100%"))
        self.widget.add_class("ge-lab")
        if self.projector:
            self.widget.add_class("ge-lab-projector")
        self._quiet = False

    def _make_views(self) -> None:
        """The plane and the charts at the current size (and font, larger on a projector)."""
        px, font = VIEW_SIZES[self.size], PROJECTOR_FONT if self.projector else 1.0
        extent = getattr(self, "extent", None) or viz.plane_extent(make_data(self.settings["data"], self.points))
        self.plane = PlaneView(extent, px=px, font=font)
        self.charts = ChartsView(px=px, height=self.plane.fig.canvas.get_width_height()[1], font=font)
        old = (self.view, self.chart_view)
        self.view = BlitView(self.plane.fig, self.plane.animated, fmt="jpeg", css_class="ge-lab-view")
        self.chart_view = BlitView(self.charts.fig, self.charts.animated, fmt="jpeg", css_class="ge-lab-charts")
        for bv, fig, text in ((self.view, self.plane.fig, VIEW_TEXT), (self.chart_view, self.charts.fig, CHARTS_TEXT)):
            w, h = fig.canvas.get_width_height()
            bv.image.layout = W.Layout(width=f"{w}px", height=f"{h}px", max_width="100%", object_fit="contain")
            bv.image.tooltip = text                        # the image's title: what a screen reader says
        self.w_scale_note.layout.width = f"{px}px"
        self.w_scale_note.layout.max_width = "100%"
        self.w_view_box.children = (self.view.image, self.w_scale_note)
        self.w_charts_box.children = (self.chart_view.image,)
        for bv in old:
            if bv is not None:
                bv.image.close()

    def _build_buttons(self) -> W.HBox:
        """Step D, Step G, Step, Play, Reset, steps per click and the slow-motion switch."""
        self.w_step_d = button("Step D", "ge-lab-step-d", self.step_d, icon="step-forward", width="auto",
                               tooltip="D updates alone (G fixed); not a whole step")
        self.w_step_g = button("Step G", "ge-lab-step-g", self.step_g, icon="step-forward", width="auto",
                               tooltip="G updates alone (D fixed); not a whole step")
        self.w_step = button("Step", "ge-lab-step", self.step, icon="forward", style="primary", width="auto",
                             tooltip="one step: d_steps D updates, then one G update")
        self.w_play = button("Play", "ge-lab-play", self.toggle_play, icon="play", style="success", width="auto")
        self.w_reset = button("Reset", "ge-lab-reset", self.reset, icon="undo", style="danger", width="auto")
        self.w_per_click = W.Dropdown(options=[1, 10, 100], value=1, description="steps/click",
                                      layout=W.Layout(width="170px"), style={"description_width": "initial"})
        self.w_per_click.add_class("ge-lab-per-click")
        self.w_slow = W.Checkbox(value=False, description="slow motion (one step, sub-step by sub-step)", indent=False,
                                 layout=W.Layout(width="auto"))
        self.w_slow.add_class("ge-lab-slow")
        self.w_slow.observe(self._on_slow_toggle, "value")
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
        """Loss, optimiser, learning rates, Adam's beta1 and D steps: they apply from the next step."""
        s, wide = self.settings, {"description_width": "initial"}
        lr_lo, lr_hi = (math.log10(v) for v in LIMITS["lr_g"])
        self.w_loss = W.Dropdown(options=list(losses.LOSSES), value=s["loss"], description="loss")
        self.w_opt = W.Dropdown(options=OPTIMIZERS, value=s["optimizer"], description="optimiser")
        self.w_lr_g = W.FloatLogSlider(value=s["lr_g"], base=10, min=lr_lo, max=lr_hi, step=0.1, description="lr G",
                                       readout_format=".1e")
        self.w_lr_d = W.FloatLogSlider(value=s["lr_d"], base=10, min=lr_lo, max=lr_hi, step=0.1, description="lr D",
                                       readout_format=".1e")
        self.w_beta1 = W.FloatSlider(value=s["beta1"], min=LIMITS["beta1"][0], max=LIMITS["beta1"][1], step=0.05,
                                     description="Adam β₁", style=wide, readout_format=".2f",
                                     tooltip="Adam's momentum: 0.5 is DCGAN's choice, 0.9 Adam's default")
        self.w_d_steps = W.IntSlider(value=s["d_steps"], min=LIMITS["d_steps"][0], max=LIMITS["d_steps"][1],
                                     description="D steps/G step", style=wide)
        for w, cls in ((self.w_loss, "ge-lab-loss"), (self.w_opt, "ge-lab-opt"), (self.w_lr_g, "ge-lab-lr-g"),
                       (self.w_lr_d, "ge-lab-lr-d"), (self.w_beta1, "ge-lab-beta1"), (self.w_d_steps, "ge-lab-d-steps")):
            w.add_class(cls)
            w.observe(self._on_live_change, "value")
        return W.VBox([self.w_loss, self.w_opt, self.w_lr_g, self.w_lr_d, self.w_beta1, self.w_d_steps])

    def _build_network_tab(self) -> W.VBox:
        """Width and depth of G and of D, noise size and distribution: "Apply" rebuilds the networks."""
        s, n = self.settings, network_sizes(self.settings)

        def slider(name, description):
            lo, hi = LIMITS[name]
            w = W.IntSlider(value=n[name], min=lo, max=hi, step=4 if "width" in name else 1, description=description,
                            style={"description_width": "initial"})
            w.add_class(f"ge-lab-{name.replace('_', '-')}")
            return w

        self.w_g_width, self.w_g_depth = slider("g_width", "G width"), slider("g_depth", "G depth")
        self.w_d_width, self.w_d_depth = slider("d_width", "D width"), slider("d_depth", "D depth")
        self.w_latent = W.IntSlider(value=s["latent_dim"], min=LIMITS["latent_dim"][0], max=LIMITS["latent_dim"][1],
                                    description="noise dim")
        self.w_noise = W.Dropdown(options=models.NOISES, value=s["noise"], description="noise")
        apply = button("Apply (restarts training)", "ge-lab-apply-net", self.rebuild, icon="refresh", style="warning",
                       width="auto")
        note = W.HTML("<i>Width: units per hidden layer; depth: hidden layers. A D much stronger than G wins "
                      "too easily (watch D's accuracy); a much weaker one gives G poor directions.</i>")
        return W.VBox([W.HBox([W.VBox([self.w_g_width, self.w_g_depth]), W.VBox([self.w_d_width, self.w_d_depth])],
                              layout=W.Layout(flex_flow="row wrap")), self.w_latent, self.w_noise, apply, note])

    def _build_view_tab(self) -> W.VBox:
        """One check box per layer of the view, and the view size."""
        self.w_layers = {name: W.Checkbox(value=name in self.layers, description=name, indent=False,
                                          layout=W.Layout(width="110px")) for name in LAYERS}
        for name, box in self.w_layers.items():
            box.add_class(f"ge-lab-layer-{name}")
            box.observe(lambda ch, n=name: self._toggle_layer(n, ch["new"]), "value")
        self.w_size = W.Dropdown(options=list(VIEW_SIZES), value=self.size, description="view size",
                                 layout=W.Layout(width="200px"))
        self.w_size.add_class("ge-lab-size")
        self.w_size.observe(lambda ch: None if self._quiet else self.set_view_size(ch["new"]), "value")
        return W.VBox([W.HBox(list(self.w_layers.values()), layout=W.Layout(flex_flow="row wrap")), self.w_size])

    def _build_replay_tab(self) -> W.VBox:
        """The timeline slider, "back to live" and "branch from here"."""
        self.w_replay = W.IntSlider(value=0, min=0, max=0, description="timeline", continuous_update=False,
                                    layout=W.Layout(width="360px", max_width="100%"))
        self.w_replay.add_class("ge-lab-replay")
        self.w_replay.observe(lambda ch: None if self._quiet else self.scrub(ch["new"]), "value")
        self.w_replay_label = W.HTML()
        self.w_replay_label.add_class("ge-lab-replay-label")
        live = button("Back to live", "ge-lab-live", lambda: (self._go_live(), self.redraw()), icon="fast-forward", width="auto")
        branch = button("Branch from here", "ge-lab-branch", self.branch, icon="code-fork", width="auto")
        return W.VBox([W.HBox([self.w_replay, self.w_replay_label], layout=W.Layout(flex_flow="row wrap")),
                       W.HBox([live, branch])])

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
        ax.tick_params(labelsize=8)
        self._canvas.draw_idle()


# --------------------------------------------------------------------------- predict, then run (on demand in Voila)
class ExperimentPanel(Shown):
    """A predict-then-run experiment with a button and a progress bar.

    ``ExperimentPanel(qid, run)``: ``run(progress)`` runs the experiment, calling
    ``progress(fraction_done)``, shows what it found and returns its result (with an
    ``.outcome``, the prediction's option key). :meth:`start` displays the panel and, in Jupyter,
    runs the experiment at once (a Run All and nbval check its claim: a wrong outcome raises
    :class:`~gan_edu.quiz.ClaimFailed`); in Voila it waits for "Run the experiment", so the page
    shows at once. Either way the outcome appears only after the prediction is committed
    (:class:`gan_edu.quiz.panel.RevealPanel`), and ``result`` keeps the last result."""

    fallback_title = ("A predict-then-run experiment: commit your prediction above, then run the experiment here; "
                      "its result appears after your prediction")

    def __init__(self, qid: str, run, *, label: str = "Run the experiment"):
        from ..quiz import Prediction, get

        self.question = get(qid)
        if not isinstance(self.question, Prediction):
            raise ValueError(f"{qid} is not a prediction question")
        if not callable(run):
            raise TypeError(f"run must be a function run(progress) -> result, got {run!r}")
        self.run_fn, self.result, self.error = run, None, None
        self.button = button(label, "ge-experiment-run", self.run, icon="play", style="primary", width="auto")
        self.bar = W.FloatProgress(value=0.0, min=0.0, max=1.0, description="running",
                                   layout=W.Layout(width="320px", display="none"))
        self.bar.add_class("ge-experiment-progress")
        self.status = W.HTML("<i>The experiment has not run yet: press the button (it takes a little while).</i>")
        self.status.add_class("ge-experiment-status")
        self.body = W.VBox([])
        self.controls = W.HBox([self.button, self.bar])
        self.widget = W.VBox([self.controls, self.status, self.body])
        self.widget.add_class("ge-experiment")

    def start(self, auto: bool | None = None) -> ExperimentPanel:
        """Show the panel; run the experiment now unless in Voila (``auto=None``) or ``auto=False``."""
        from IPython.display import display

        display(self)
        if (not in_voila()) if auto is None else auto:
            self.run(raise_errors=True)
        return self

    def run(self, raise_errors: bool = False):
        """What the button does: run the experiment (progress bar), then show the reveal panel."""
        from ..quiz.panel import RevealPanel, run_experiment

        self.button.disabled, self.error = True, None
        self.bar.value, self.bar.layout.display = 0.0, ""
        self.status.value = "<i>Running the experiment…</i>"
        try:
            key, result, captured = run_experiment(self.question, lambda: self.run_fn(self._progress))
        except Exception as err:  # noqa: BLE001 - shown in the panel (and re-raised for a notebook run)
            self.error = err
            self.status.value = f"<span style='color:{viz.ALERT}'>{html.escape(type(err).__name__)}: {html.escape(str(err))}</span>"
            self.button.disabled = False
            if raise_errors:
                raise
            return None
        finally:
            self.bar.layout.display = "none"
        self.result = result
        self.status.value = "<i>The experiment has run.</i>"
        self.controls.children = ()                 # done: the button and the progress bar go (closed, not hidden)
        self.button.close()
        self.bar.close()
        self.body.children = (RevealPanel(self.question, key, captured).widget,)
        return result

    def _progress(self, fraction: float) -> None:
        self.bar.value = min(max(float(fraction), 0.0), 1.0)


def show_more_d(experiment, progress=None):
    """Run lesson 04's experiment (:class:`~gan_edu.lessons.training_lab.MoreDSteps`) and show what it
    found: the first seed's samples side by side, the table and the summary. Returns the result."""
    from IPython.display import HTML, display

    from ..lessons.experiments import table_html
    from ..viz.collapse import plot_side_by_side

    result = experiment.run(progress)
    first = {k: rows[0] for k, rows in result.rows.items()}
    panels = {f"k = {k}: JSD {r['jsd']:.2f}, {r['modes']} modes, {r['hq']:.0%} HQ": result.trainers[k]
              for k, r in first.items()}
    viz.show(plot_side_by_side(panels, cols=len(panels), panel=2.6))      # 780 px: shown at its size
    display(HTML(table_html(result.table, {
        "setup": ("D updates per G update", "{}"), "jsd": ("JS divergence (0 = match)", "{:.2f}"),
        "modes": ("modes captured", "{:.1f}"), "hq": ("high-quality samples", "{:.0%}"),
        "loss_d": ("D's loss", "{:.2f}"), "d_acc": ("D's accuracy", "{:.0%}")})))
    display(HTML("".join(f"<p>{html.escape(p)}</p>" for p in result.summary().split("\n"))))
    return result
