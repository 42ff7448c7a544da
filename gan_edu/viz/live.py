"""Fast redrawable views for dashboards: the artists are made once and only their
data changes, so a frame costs one Agg draw plus a JPEG encode (~15 ms at 400 px).

* :class:`PlaneView` -- the 2D plane: D heatmap, real and fake samples, G's manifold,
  gradient arrows, one highlighted sample; each layer can be switched off.
* :class:`ChartsView` -- three small charts over steps: losses, mean D(real)/D(fake)
  with the 0.5 line, and JS divergence.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from ..lessons.plane import fixed_sample as sample_points
from . import ALERT, CMAP, D_COLOR, FAKE, G_COLOR, INK, NEUTRAL, REAL, arrow_scale, d_grid, figure, manifold_lines, scatter_points

__all__ = ["PlaneView", "ChartsView", "LAYERS", "sample_points"]

LAYERS = ("real", "fake", "heatmap", "manifold", "arrows")


class _Cached:
    """A view drawn over a cached background (:class:`~gan_edu.widgets.BlitView`): ``dirty`` says
    the background changed and must be drawn again."""

    dirty = True

    def consume_dirty(self) -> bool:
        """True once after the background changed (the flag is cleared)."""
        dirty, self.dirty = self.dirty, False
        return dirty


class PlaneView(_Cached):
    """One axes showing the plane; ``update(...)`` sets what each layer shows.

    Made for blitting (:class:`~gan_edu.widgets.BlitView`): the frame, the legend and the
    axes are the static background; ``animated`` lists the artists that change, and
    ``extra`` the ones made anew for a frame (the arrows). ``dirty`` says the background
    must be redrawn (after the extent changed)."""

    def __init__(self, extent, size: float = 4.0, dpi: int = 95, grid: int = 56):
        self.extent, self.grid = extent, grid
        self.fig = figure(size, size, dpi)
        ax = self.ax = self.fig.add_axes([0.02, 0.02, 0.96, 0.9])
        ax.set_xticks([])                  # no tick labels: text layout is most of a frame's cost
        ax.set_yticks([])
        # "nearest": a cell grid like GAN Lab's, and 4x cheaper to draw than "bilinear"
        self.heat = ax.imshow(np.full((grid, grid), 0.5), extent=extent, origin="lower", cmap=CMAP, vmin=0, vmax=1,
                              interpolation="nearest", aspect="auto")
        self.manifold = ax.add_collection(LineCollection([], colors=NEUTRAL, linewidths=0.6, alpha=0.55))
        self.real = scatter_points(ax, np.zeros((0, 2)), "real")
        self.fake = scatter_points(ax, np.zeros((0, 2)), "fake")
        self.pick = ax.scatter([], [], s=90, facecolors="none", edgecolors=ALERT, linewidths=1.6)
        self.title = self.fig.text(0.02, 0.96, "", fontsize=9, ha="left", va="center")
        self.fig.legend(handles=[self.real, self.fake], loc="center right", bbox_to_anchor=(0.99, 0.96), ncol=2,
                        fontsize=7, markerscale=2, frameon=False)
        self.animated = [self.heat, self.manifold, self.real, self.fake, self.pick, self.title]
        self.extra: list = []
        self.dirty = True
        self.set_extent(extent)

    def set_extent(self, extent) -> None:
        self.extent = extent
        x0, x1, y0, y1 = extent
        self.heat.set_extent(extent)
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.dirty = True

    def update(self, *, G=None, D_or_trainer=None, heat=None, real=None, fake=None, arrows=None, pick=None,
               layers=LAYERS, title: str = "") -> None:
        """Refresh the layers in ``layers`` (others are hidden). The heatmap comes from ``heat``
        (an array from :func:`d_grid`) or is computed from ``D_or_trainer``; ``arrows`` is
        ``(points, vectors)``; ``pick`` one point to circle."""
        layers = set(layers)
        self.heat.set_visible("heatmap" in layers and (heat is not None or D_or_trainer is not None))
        if self.heat.get_visible():
            self.heat.set_data(heat if heat is not None else d_grid(D_or_trainer, self.extent, self.grid))
        self.manifold.set_visible("manifold" in layers and G is not None)
        if self.manifold.get_visible():
            self.manifold.set_segments(manifold_lines(G, n_lines=9, resolution=30))
        for name, artist, pts in (("real", self.real, real), ("fake", self.fake, fake)):
            artist.set_visible(name in layers and pts is not None)
            if artist.get_visible():
                artist.set_offsets(np.asarray(pts)[:, :2])
        for artist in self.extra:
            artist.remove()
        self.extra = []
        if "arrows" in layers and arrows is not None and arrows[0] is not None and arrows[1] is not None:
            p, v = (np.asarray(a, dtype=float) for a in arrows)
            scale = arrow_scale(v, self.extent[1] - self.extent[0], 0.12)
            arrows = self.ax.quiver(p[:, 0], p[:, 1], v[:, 0] * scale, v[:, 1] * scale, angles="xy",
                                    scale_units="xy", scale=1, color=INK, width=0.004, alpha=0.75)
            arrows.set_animated(True)
            self.extra.append(arrows)
        self.pick.set_visible(pick is not None)
        if pick is not None:
            self.pick.set_offsets(np.asarray(pick, dtype=float).reshape(1, 2))
        self.title.set_text(title)
        self.title.set_visible(bool(title))


class ChartsView(_Cached):
    """Losses, D means (with the 0.5 line) and JS divergence against the step.

    The axes only grow (the step axis doubles when it fills up; the loss axis widens when
    a value leaves it), so most frames redraw just the lines over a cached background
    (``animated``; ``dirty`` is set when the axes changed)."""

    def __init__(self, size=(4.2, 4.2), dpi: int = 95):
        from matplotlib.ticker import MaxNLocator

        self.fig = figure(*size, dpi)
        self.ax_loss, self.ax_d, self.ax_js = self.fig.subplots(3, 1, sharex=True)
        self.l_d, = self.ax_loss.plot([], [], lw=1.1, color=D_COLOR, label="D loss")
        self.l_g, = self.ax_loss.plot([], [], lw=1.1, color=G_COLOR, label="G loss")
        self.l_real, = self.ax_d.plot([], [], lw=1.1, color=REAL, label="mean D(x)")
        self.l_fake, = self.ax_d.plot([], [], lw=1.1, color=FAKE, label="mean D(G(z))")
        self.ax_d.axhline(0.5, color="#444", lw=0.8, ls="--")
        self.ax_d.set_ylim(0, 1)
        self.l_js, = self.ax_js.plot([], [], lw=1.1, color="#444", marker=".", ms=3, label="JS divergence (nats)")
        self.ax_js.set_ylim(0, np.log(2) * 1.05)
        self.ax_js.set_xlabel("step", fontsize=8)
        for ax in (self.ax_loss, self.ax_d, self.ax_js):
            ax.legend(fontsize=7, loc="upper right", framealpha=0.7)
            ax.tick_params(labelsize=7)
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.fig.subplots_adjust(left=0.13, right=0.97, top=0.97, bottom=0.1, hspace=0.12)
        self.animated = [self.l_d, self.l_g, self.l_real, self.l_fake, self.l_js]
        self.xmax, self.loss_lim = 100.0, (0.0, 2.0)
        self.ax_js.set_xlim(0, self.xmax)
        self.ax_loss.set_ylim(*self.loss_lim)
        self.dirty = True

    def update(self, history, js_steps=(), js_values=(), upto: int | None = None) -> None:
        def series(name):
            if name not in history or not len(history[name]):
                return np.zeros(0), np.zeros(0)
            s, v = history[name].steps, history[name].values
            if upto is not None:
                keep = s <= upto
                s, v = s[keep], v[keep]
            return s, v

        for line, name in ((self.l_d, "loss_d"), (self.l_g, "loss_g"), (self.l_real, "d_real"), (self.l_fake, "d_fake")):
            line.set_data(*series(name))
        js_s, js_v = np.asarray(js_steps, dtype=float), np.asarray(js_values, dtype=float)
        if upto is not None and js_s.size:
            keep = js_s <= upto
            js_s, js_v = js_s[keep], js_v[keep]
        self.l_js.set_data(js_s, js_v)
        steps, ld = series("loss_d")
        _, lg = series("loss_g")
        last = float(steps[-1]) if steps.size else 0.0
        if last > self.xmax or (last < self.xmax / 8 and self.xmax > 100):      # grow, or shrink after a reset
            self.xmax = max(100.0, 2.0 ** np.ceil(np.log2(max(last, 1.0) * 1.1)))
            self.ax_js.set_xlim(0, self.xmax)
            self.dirty = True
        vals = np.concatenate([ld, lg])
        vals = vals[np.isfinite(vals)]
        if vals.size:
            lo, hi = min(self.loss_lim[0], float(vals.min())), max(self.loss_lim[1], float(vals.max()))
            if (lo, hi) != self.loss_lim:
                pad = 0.1 * (hi - lo)
                self.loss_lim = (lo - pad if lo < self.loss_lim[0] else lo, hi + pad if hi > self.loss_lim[1] else hi)
                self.ax_loss.set_ylim(*self.loss_lim)
                self.dirty = True

