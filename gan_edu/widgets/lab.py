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
"""
from __future__ import annotations

import asyncio
import html
import math

import ipywidgets as W
import numpy as np
import torch

from .. import _check, losses, metrics, models, viz
from .. import data as data_mod
from ..recorders import fake_gradients, layer_grad_norms
from ..timeline import Timeline
from ..trainer import OPTIMIZERS, Trainer, TrainingDiverged
from ..viz.live import LAYERS, ChartsView, PlaneView, sample_points
from ._base import BlitView, Player, stop_all_players

__all__ = ["TrainingLab", "DATASETS", "DEFAULTS"]

DATASETS = ("ring", "grid", "two_gaussians", "spiral", "moons", "my points")
DEFAULT_POINTS = [[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0], [0.0, 0.0]]

#: the settings a fresh lab starts from (any can be passed to TrainingLab(...))
DEFAULTS = dict(data="ring", loss="non_saturating", optimizer="adam", lr_g=1e-3, lr_d=1e-3, d_steps=1,
                width=64, depth=2, latent_dim=2, noise="normal", batch_size=128, seed=0)

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


def build_trainer(settings: dict, points=None) -> Trainer:
    """A 2D trainer from the lab's settings (see :data:`DEFAULTS`)."""
    s = {**DEFAULTS, **settings}
    ge_seed = _check.integer("seed", s["seed"], minimum=0)
    torch.manual_seed(ge_seed)
    data = make_data(s["data"], points)
    G = models.MLPGenerator(latent_dim=s["latent_dim"], out_dim=2, hidden=s["width"], depth=s["depth"], noise=s["noise"])
    D = models.MLPDiscriminator(in_dim=2, hidden=s["width"], depth=s["depth"])
    betas = (0.5, 0.9) if s["loss"] == "wgan_gp" else (0.5, 0.999)
    return Trainer(G, D, data, loss=s["loss"], batch_size=s["batch_size"], lr_g=s["lr_g"], lr_d=s["lr_d"],
                   d_steps=s["d_steps"], optimizer=s["optimizer"], seed=ge_seed, betas=betas)


def make_data(name: str, points=None) -> data_mod.DataSource:
    _check.one_of("data", name, DATASETS)
    if name == "my points":
        return data_mod.from_points(points if points is not None and len(points) else DEFAULT_POINTS, jitter=0.03)
    if name == "two_gaussians":
        return data_mod.two_gaussians(separation=2.0, std=0.2)
    if name == "grid":
        return data_mod.grid(n=3, spacing=1.0, std=0.05)
    return data_mod.TOY_DATASETS[name]()


class TrainingLab:
    """The dashboard. ``TrainingLab()`` starts from :data:`DEFAULTS`; keyword arguments
    override them (``TrainingLab(data="grid", loss="wgan_gp")``), or pass a ready 2D
    ``trainer=``. Every button has a method (``step``, ``step_d``, ``step_g``, ``play``,
    ``pause``, ``reset``, ``scrub``, ``branch``, ``inspect``) so a notebook or a test can
    drive it from Python."""

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
        self.real_view = sample_points(tr.data, self.n_points, seed=99)
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
        if self.player.playing:
            return
        self._go_live()
        slow = self.w_slow.value if slow is None else slow
        if slow:
            self._slow_step()
            return
        n = self.w_per_click.value if n is None else _check.positive_int("n", n)
        self._guarded(lambda: [self.tr.step() for _ in range(n)])
        self.redraw()

    def step_d(self, n: int | None = None) -> None:
        """``n`` discriminator updates alone (G fixed)."""
        if self.player.playing:
            return
        self._go_live()
        n = self.w_per_click.value if n is None else _check.positive_int("n", n)
        self._guarded(lambda: [self.tr.step_d() for _ in range(n)])
        self.redraw()

    def step_g(self, n: int | None = None) -> None:
        """``n`` generator updates alone (D fixed)."""
        if self.player.playing:
            return
        self._go_live()
        n = self.w_per_click.value if n is None else _check.positive_int("n", n)
        self._guarded(lambda: [self.tr.step_g() for _ in range(n)])
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
            betas=(0.5, 0.9) if self.w_loss.value == "wgan_gp" else (0.5, 0.999),
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
            self.real_view = sample_points(self.tr.data, self.n_points, seed=99)
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
        if isinstance(points, str):
            rows = [r for r in points.replace(";", "\n").splitlines() if r.strip()]
            try:
                points = [[float(v) for v in r.replace(",", " ").split()] for r in rows]
            except ValueError:
                raise ValueError("points: each line must be two numbers, like '0.5, -1'") from None
        arr = np.asarray(points, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 1:
            raise ValueError(f"points must be [x, y] pairs (at least one), got shape {arr.shape}")
        self.points = arr.tolist()
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
        z = self.z_view[index:index + 1]
        pts, grad = fake_gradients(self.tr, z=z)
        p = float(self.tr.d_prob(pts)[0])
        return {"z": z[0].tolist(), "G(z)": pts[0].tolist(), "D(G(z))": p, "gradient": grad[0].tolist()}

    # ------------------------------------------------------------------ slow motion
    def _slow_step(self) -> None:
        frames, tr, extent = [], self.tr, self.extent
        grid = self.plane.grid

        def heat():
            return viz.d_grid(tr, extent, grid)

        def on_d_forward(t):
            if t.state.d_iter == 0:
                s = t.state
                frames.append({"real": s.real.cpu().numpy(), "fake": s.fake.detach().cpu().numpy()})
                frames.append({**frames[0], "heat": heat(), "d_real": s.d_real, "d_fake": s.d_fake})

        def on_d_backward(t):
            if t.state.d_iter == 0:
                norms = layer_grad_norms(t.D)
                frames.append({**frames[1], "loss_d": t.state.loss_d, "grad_d": math.sqrt(sum(v * v for v in norms.values()))})

        def on_d_step(t):
            if t.state.d_iter == t.d_steps - 1:
                frames.append({**frames[2], "heat": heat()})

        def on_g_forward(t):
            if t.state.fake.requires_grad:
                t.state.fake.retain_grad()

        def on_g_backward(t):
            f = t.state.fake
            arrows = (f.detach().cpu().numpy(), None if f.grad is None else -f.grad.cpu().numpy())
            frames.append({**frames[3], "fake": f.detach().cpu().numpy(), "arrows": arrows, "loss_g": t.state.loss_g})

        def on_g_step(t):
            with torch.no_grad():
                moved = t.G(t.state.z).cpu().numpy()
            frames.append({**frames[4], "fake": moved, "arrows": None})

        hooks = [("d_forward_end", on_d_forward), ("d_backward_end", on_d_backward), ("d_step_end", on_d_step),
                 ("g_forward_end", on_g_forward), ("g_backward_end", on_g_backward), ("g_step_end", on_g_step)]
        for event, fn in hooks:
            tr.on(event, fn)
        try:
            ok = self._guarded(tr.step)
        finally:
            for event, fn in hooks:
                tr.off(event, fn)
        if not ok:
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
        import time

        if self.replay_index is not None:
            G, D = self.timeline.view(self.replay_index)
            step = self.timeline.steps[self.replay_index]
            fake = _g_points(G, self.z_view)
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
        s = self.settings

        def button(text, icon, cls, fn, style=""):
            b = W.Button(description=text, icon=icon, button_style=style, layout=W.Layout(width="auto"))
            b.add_class(cls)
            b.on_click(lambda _: fn())
            return b

        self.w_step_d = button("Step D", "step-forward", "ge-lab-step-d", self.step_d)
        self.w_step_g = button("Step G", "step-forward", "ge-lab-step-g", self.step_g)
        self.w_step = button("Step", "forward", "ge-lab-step", self.step, "primary")
        self.w_play = button("Play", "play", "ge-lab-play", self.toggle_play, "success")
        self.w_reset = button("Reset", "undo", "ge-lab-reset", self.reset, "danger")
        self.w_per_click = W.Dropdown(options=[1, 10, 100], value=1, description="steps/click",
                                      layout=W.Layout(width="170px"), style={"description_width": "initial"})
        self.w_per_click.add_class("ge-lab-per-click")
        self.w_slow = W.Checkbox(value=False, description="slow motion (one step, sub-step by sub-step)", indent=False,
                                 layout=W.Layout(width="auto"))
        self.w_slow.add_class("ge-lab-slow")
        self.w_counter = W.HTML()
        self.w_counter.add_class("ge-lab-counter")
        self.w_caption = W.HTML(layout=W.Layout(min_height="2.5em"))
        self.w_caption.add_class("ge-lab-caption")
        self.w_message = W.HTML()
        self.w_message.add_class("ge-lab-message")

        # data
        self.w_data = W.Dropdown(options=DATASETS, value=s["data"], description="dataset")
        self.w_data.add_class("ge-lab-data")
        self.w_data.observe(self._on_data_change, "value")
        self.w_points_text = W.Textarea(value="\n".join(f"{x}, {y}" for x, y in self.points), rows=5,
                                        placeholder="x, y per line", layout=W.Layout(width="180px"))
        use = button("Use these points", "check", "ge-lab-use-points",
                     lambda: self._guarded(lambda: self.set_points(self.w_points_text.value)) or self.redraw(charts=False))
        self.w_upload = W.FileUpload(accept=".csv,.txt", multiple=False, description="Load CSV")
        self.w_upload.observe(self._on_upload, "value")
        self.point_canvas = self._make_point_canvas()
        canvas_note = W.HTML("<i>Click in the box to add points.</i>" if self.point_canvas is not None
                             else "<i>(Clicking to add points needs ipympl; type them or load a CSV.)</i>")
        self.w_points_box = W.HBox([W.VBox([self.w_points_text, use, self.w_upload, canvas_note]),
                                    *([self.point_canvas] if self.point_canvas is not None else [])],
                                   layout=W.Layout(display="" if s["data"] == "my points" else "none"))
        data_tab = W.VBox([self.w_data, self.w_points_box])

        # training
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
        train_tab = W.VBox([self.w_loss, self.w_opt, self.w_lr_g, self.w_lr_d, self.w_d_steps])

        # networks
        self.w_width = W.IntSlider(value=s["width"], min=8, max=256, step=8, description="width")
        self.w_depth = W.IntSlider(value=s["depth"], min=1, max=4, description="depth")
        self.w_latent = W.IntSlider(value=s["latent_dim"], min=1, max=8, description="noise dim")
        self.w_noise = W.Dropdown(options=models.NOISES, value=s["noise"], description="noise")
        apply = button("Apply (restarts training)", "refresh", "ge-lab-apply-net", self.rebuild, "warning")
        net_tab = W.VBox([self.w_width, self.w_depth, self.w_latent, self.w_noise, apply])

        # view
        self.w_layers = {name: W.Checkbox(value=name in self.layers, description=name, indent=False,
                                          layout=W.Layout(width="110px")) for name in LAYERS}
        for name, box in self.w_layers.items():
            box.add_class(f"ge-lab-layer-{name}")
            box.observe(lambda ch, n=name: self._toggle_layer(n, ch["new"]), "value")
        view_tab = W.VBox([W.HBox(list(self.w_layers.values()))])

        # replay
        self.w_replay = W.IntSlider(value=0, min=0, max=0, description="timeline", continuous_update=False,
                                    layout=W.Layout(width="360px"))
        self.w_replay.add_class("ge-lab-replay")
        self.w_replay.observe(lambda ch: None if self._quiet else self.scrub(ch["new"]), "value")
        self.w_replay_label = W.HTML()
        self.w_replay_label.add_class("ge-lab-replay-label")
        live = button("Back to live", "fast-forward", "ge-lab-live", lambda: (self._go_live(), self.redraw()))
        branch = button("Branch from here", "code-fork", "ge-lab-branch", self.branch)
        replay_tab = W.VBox([W.HBox([self.w_replay, self.w_replay_label]), W.HBox([live, branch])])

        # inspector
        self.w_show_pick = W.Checkbox(value=False, description="show", indent=False, layout=W.Layout(width="70px"))
        self.w_pick = W.BoundedIntText(value=0, min=0, max=self.n_points - 1, description="fake sample #",
                                       style={"description_width": "initial"}, layout=W.Layout(width="180px"))
        self.w_pick.add_class("ge-lab-pick")
        self.w_pick.observe(lambda ch: self.inspect(ch["new"]) if not self._quiet and ch["new"] != self.pick_index else None,
                            "value")
        self.w_show_pick.observe(lambda ch: self.redraw(charts=False), "value")
        self.w_inspect = W.HTML()
        self.w_inspect.add_class("ge-lab-inspect")
        inspect_tab = W.VBox([W.HBox([self.w_show_pick, self.w_pick]), self.w_inspect])

        self.tabs = W.Tab(children=[data_tab, train_tab, net_tab, view_tab, replay_tab, inspect_tab])
        for i, title in enumerate(("Data", "Loss & optimiser", "Networks", "Layers", "Replay", "Inspector")):
            self.tabs.set_title(i, title)

        self.plane = PlaneView(viz.plane_extent(make_data(s["data"], self.points)))
        self.view = BlitView(self.plane.fig, self.plane.animated, fmt="jpeg", css_class="ge-lab-view")
        self.charts = ChartsView()
        self.chart_view = BlitView(self.charts.fig, self.charts.animated, fmt="jpeg", css_class="ge-lab-charts")
        buttons = W.HBox([self.w_step_d, self.w_step_g, self.w_step, self.w_play, self.w_reset, self.w_per_click, self.w_slow],
                         layout=W.Layout(flex_flow="row wrap"))
        pictures = W.HBox([self.view.image, self.chart_view.image])
        self.widget = W.VBox([buttons, self.w_counter, self.w_caption, self.w_message, pictures, self.tabs])
        self.widget.add_class("ge-lab")
        self._quiet = False

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
        ax.scatter(p[:, 0], p[:, 1], s=12, c=viz.REAL)
        ax.set_xlim(-2, 2)
        ax.set_ylim(-2, 2)
        ax.tick_params(labelsize=6)
        self._canvas.draw_idle()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _g_points(G, z: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return G(z.to(next(G.parameters()).device)).cpu().numpy()
