r"""Lesson 06's widget: step a 1D GAN and watch the Goodfellow et al. (2014) Figure-1 view.

:class:`EquilibriumExplorer` shows, over the line x, the data density (green), G's density
(purple, KDE of its samples), D(x) (blue) and the optimal discriminator
D*(x) = p_data / (p_data + p_g) (orange, dashed), with the mapping x = G(z) below.

* **step ×N** runs N training steps (D update, then G update);
* **train D to optimum (G frozen)** runs many D updates only (a raised learning rate, then
  lower ones: :func:`gan_edu.lessons.equilibrium.train_d_to_optimum`), so the learned D meets D*;
* the **slider** goes back through snapshots kept while training (a
  :class:`gan_edu.timeline.Timeline`: bounded memory, coarser the longer you train);
* **show D*** switches the orange curve; **reset** goes back to where the widget started.

The readout gives the step, JSD(p_data || p_g), the value V(D*, G) = -log 4 + 2 JSD, and how far
D is from D* on the data's support (mean +- 2 std): the largest and the mean |D - D*|.

Python (for tests and scripts): :meth:`EquilibriumExplorer.step`,
:meth:`EquilibriumExplorer.train_d_to_optimum`, :meth:`EquilibriumExplorer.show`,
:meth:`EquilibriumExplorer.set_d_star`, :meth:`EquilibriumExplorer.reset`; read
:attr:`~EquilibriumExplorer.step_count`, :attr:`~EquilibriumExplorer.curves`,
:attr:`~EquilibriumExplorer.gap`, :attr:`~EquilibriumExplorer.numbers`.

CSS classes (for browser tests): ``ge-eq`` (the whole widget), ``ge-eq-step`` (the "step ×N"
button), ``ge-eq-n`` (steps per click), ``ge-eq-optimum`` (the "train D to optimum" button),
``ge-eq-dstar`` (the "show D*" check box), ``ge-eq-reset``, ``ge-eq-scrub`` (the slider over
snapshots), ``ge-eq-status`` (the readout), ``ge-eq-view`` (the picture).
"""
from __future__ import annotations

import ipywidgets as W

from .. import _check
from ..lessons import equilibrium as eq
from ..timeline import Timeline
from ..viz import equilibrium as veq
from ._base import FigureView, Guarded, Shown, button, per_click_menu, set_quietly

__all__ = ["EquilibriumExplorer", "PER_CLICK_CHOICES"]

#: the choices of the "steps per click" menu
PER_CLICK_CHOICES = (1, 10, 50, 100, 250, 500)
#: the picture's size in inches (at the figure's 100 dpi: 720 x 480 px, shown at exactly that size)
FIGURE_SIZE = (7.2, 4.8)


class EquilibriumExplorer(Shown, Guarded):
    """Step the 1D GAN of ``trainer`` (default: :func:`gan_edu.lessons.equilibrium.build_1d`) and show
    the Figure-1 view. ``every`` / ``capacity``: the timeline keeps a snapshot every ``every``
    steps, at most ``capacity`` of them. ``n_samples``: G's samples for the KDE. ``schedule``:
    the (updates, learning rate) phases of "train D to optimum"."""

    fallback_title = 'The equilibrium explorer: step a 1D GAN and watch D meet D* = p/(p+q)'

    def __init__(self, trainer=None, *, per_click: int = 50, every: int = 10, capacity: int = 64,
                 n_samples: int = 20000, x=None, schedule=eq.OPTIMUM_SCHEDULE, show_d_star: bool = True,
                 max_per_call: int = 5000):
        trainer = eq.build_1d() if trainer is None else trainer
        _check.cross_entropy_trainer(trainer, "the optimal discriminator here is for the GAN's cross-entropy game")
        self.trainer = trainer
        self.x = x                                         # None: eq.line(trainer.data), set by curves() below
        self.n_samples = _check.integer("n_samples", n_samples, minimum=2)
        self.max_per_call = _check.positive_int("max_per_call", max_per_call)
        self.schedule = eq._schedule(schedule)
        self.show_d_star = _check.boolean("show_d_star", show_d_star)
        self._every = _check.positive_int("every", every)
        self._curves = eq.curves(trainer, x=self.x, n_samples=self.n_samples)   # also checks it is a 1D GAN
        self._start = trainer.snapshot()
        self.timeline = Timeline(trainer, every=self._every, capacity=capacity)
        self.x = self._curves.x
        self.optimized_at: set[int] = set()
        self.shown = 0
        self._build(_check.one_of("per_click", per_click, PER_CLICK_CHOICES))
        self.show(-1)

    # ------------------------------------------------------------------ widget
    def _build(self, per_click: int) -> None:
        self.fig, self.picture = veq.draw_figure1(self._curves, show_d_star=self.show_d_star, size=FIGURE_SIZE)
        self.view = FigureView(self.fig, css_class="ge-eq-view")
        width = round(self.fig.get_figwidth() * self.fig.dpi)              # shown at the size it is drawn, never
        self.view.image.layout.width = f"{width}px"                         # stretched to the output's width
        self.step_button = button(f"step ×{per_click}", "ge-eq-step", lambda: self._guarded(self.step), icon="play",
                                  style="success", tooltip="train: each step is one D update, then one G update")
        self.per_click = per_click_menu(PER_CLICK_CHOICES, per_click, "steps per click", "ge-eq-n", "190px",
                                        self.step_button, "step ×{}")
        self.optimum_button = button("train D to optimum (G frozen)", "ge-eq-optimum",
                                     lambda: self._guarded(self.train_d_to_optimum), icon="bullseye", style="warning",
                                     tooltip=f"{sum(n for n, _ in self.schedule)} D updates only; G does not move",
                                     width="auto")
        self.d_star_box = W.Checkbox(value=self.show_d_star, description="show D*", indent=False,
                                     layout=W.Layout(width="auto"))
        self.d_star_box.add_class("ge-eq-dstar")
        self.d_star_box.observe(self._on_d_star_box, names="value")
        self.reset_button = button("reset", "ge-eq-reset", lambda: self._guarded(self.reset), icon="undo",
                                   tooltip="back to where this widget started", width="auto")
        self.scrub = W.IntSlider(value=0, min=0, max=0, description="snapshot", continuous_update=False,
                                 style={"description_width": "initial"}, layout=W.Layout(width="520px"))
        self.scrub.add_class("ge-eq-scrub")
        self.scrub.observe(self._on_scrub, names="value")
        self.scrub_label = W.HTML()
        self.status = W.HTML()
        self.status.add_class("ge-eq-status")
        for part in (self.step_button, self.per_click, self.optimum_button, self.d_star_box):
            part.layout.margin = "0 10px 0 0"
        controls = W.HBox([self.step_button, self.per_click, self.optimum_button, self.d_star_box, self.reset_button],
                          layout=W.Layout(align_items="center", flex_flow="row wrap"))
        self.widget = W.VBox([controls, self.status, self.view.image, W.HBox([self.scrub, self.scrub_label])])
        self.widget.add_class("ge-eq")

    # ------------------------------------------------------------------ python API
    def step(self, n: int | None = None) -> EquilibriumExplorer:
        """Train ``n`` steps (default: the "steps per click" value) from the newest state, keep a
        snapshot, and show it."""
        n = self.per_click.value if n is None else _check.positive_int("n", n)
        if n > self.max_per_call:
            raise ValueError(f"n must be <= {self.max_per_call} per call, got {n}")
        self.trainer.run(n, progress=False)
        self.timeline.capture()
        return self.show(-1)

    def train_d_to_optimum(self) -> EquilibriumExplorer:
        """Freeze G and train D alone towards D* (the widget's ``schedule``), keep the result as
        the snapshot of this step, and show it with D* switched on."""
        eq.train_d_to_optimum(self.trainer, self.schedule)
        self.timeline.capture()                      # replaces the snapshot taken at this step
        self.optimized_at.add(self.trainer.state.step)
        if not self.show_d_star:
            self.set_d_star(True, redraw=False)
        return self.show(-1)

    def show(self, index: int) -> EquilibriumExplorer:
        """Show timeline snapshot ``index`` (negative counts from the newest, -1 = now)."""
        n = len(self.timeline)
        i = _check.integer("index", index, minimum=-n, maximum=n - 1) % n
        self.shown = i
        G, D = self.timeline.view(i)
        step = self.timeline.steps[i]
        self._curves = eq.curves(G=G, D=D, data=self.trainer.data, x=self.x, n_samples=self.n_samples,
                                 real_label=self.trainer.real_label, step=step)
        self._sync_scrub()
        self._draw()
        return self

    def set_d_star(self, on: bool, redraw: bool = True) -> EquilibriumExplorer:
        """Show or hide the optimal discriminator D*."""
        self.show_d_star = _check.boolean("on", on)
        if self.d_star_box.value != on:
            self.d_star_box.value = on               # its observer sees no change and does nothing
        if redraw:
            self._draw()
        return self

    def reset(self) -> EquilibriumExplorer:
        """Back to where the widget started (G, D, optimisers, random state); forgets the snapshots."""
        self.trainer.restore(self._start)
        self.timeline.clear(every=self._every)
        self.timeline.capture()
        self.optimized_at.clear()
        self.error = None
        return self.show(-1)

    @property
    def step_count(self) -> int:
        """Training steps the trainer has taken (the newest snapshot's step)."""
        return self.trainer.state.step

    @property
    def curves(self) -> eq.Curves:
        """The :class:`~gan_edu.lessons.equilibrium.Curves` of the moment shown."""
        return self._curves

    @property
    def gap(self) -> eq.Gap:
        """|D - D*| on the data's support (mean +- 2 std) at the moment shown."""
        return eq.gap(self._curves, self.trainer.data)

    @property
    def numbers(self) -> eq.TheoryNumbers:
        """JSD, V(D*, G), -log 4 + 2 JSD and V(D, G) at the moment shown."""
        return eq.theory_numbers(self._curves)

    # ------------------------------------------------------------------ internals
    def _draw(self) -> None:
        c = self._curves
        step = c.step
        title = f"step {step}" + (" · D trained to the optimum, G frozen" if step in self.optimized_at else "")
        self.picture.update(c, title=title, show_d_star=self.show_d_star)
        self.view.refresh()
        self._update_status()

    def _update_status(self) -> None:
        c, g = self._curves, self.gap
        mask = eq.support(c.x, self.trainer.data)
        live = self.shown == len(self.timeline) - 1
        parts = [f"<b>step {c.step}</b>" + ("" if live else f" (snapshot; training continues from step {self.step_count})"),
                 f"JSD(p_data‖p_g) ≈ {eq.jsd_quad(c.x, c.p_data, c.p_g):.3f}",
                 f"V(D*, G) = −log 4 + 2 JSD ≈ {eq.c_of_g(c.x, c.p_data, c.p_g):.3f}",
                 f"on the data (mean ± 2 std): mean D(x) {c.d[mask].mean():.2f}, "
                 f"|D − D*| max {g.max:.3f}, mean {g.mean:.3f}"]
        if c.real_label != 1.0:
            parts.append(f"real label {c.real_label:g}: D* = {c.real_label:g}·p_data/(p_data + p_g)")
        self.status.value = self._with_error(" · ".join(parts))

    def _sync_scrub(self) -> None:
        set_quietly(self.scrub, self._on_scrub, max=len(self.timeline) - 1, value=self.shown)
        self.scrub_label.value = f"step {self.timeline.steps[self.shown]}"

    def _on_scrub(self, change) -> None:
        self._guarded(lambda: self.show(change["new"]))

    def _on_d_star_box(self, change) -> None:
        if change["new"] != self.show_d_star:
            self._guarded(lambda: self.set_d_star(change["new"]))

    def plain_text(self) -> str:
        """What a notebook shows where the widget cannot be drawn (GitHub, a notebook not yet run)."""
        g = self.gap
        return (f"[{self.fallback_title}: a picture of the data density, G's density, D(x) and D*(x) over x, with "
                f"buttons to train, to train D alone to its optimum, and a slider over the snapshots. When this "
                f"cell was run it showed step {self._curves.step}, where |D - D*| on the data was at most "
                f"{g.max:.2f}. Run the notebook's cells from the top in Jupyter to use it.]")

    def __repr__(self) -> str:
        g = self.gap
        return f"<EquilibriumExplorer step={self.step_count} shown={self._curves.step} gap_max={g.max:.3f}>"
