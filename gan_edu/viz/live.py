"""Fast redrawable views for dashboards: the artists are made once and only their data
changes, so a frame costs one Agg draw of the moving artists plus a JPEG encode.

* :class:`PlaneView` -- the 2D plane: D's output as a heatmap (on the loss's own scale), real
  and fake samples, G's manifold, gradient arrows, one highlighted sample; each layer can be
  switched off. Drawn at exactly ``px`` pixels wide, the plane square in pixels.
* :class:`ChartsView` -- four small charts over steps: the losses (with the loss's "D cannot
  tell" level), D's mean output on real and on fake batches on the loss's own scale (with its
  boundary), D's accuracy (none for a critic) and the JS divergence.

Both take a ``font`` factor (1 on a laptop, 1.4 on a projector); every text is at least
11 px at ``font=1``.
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, IdentityTransform

from ..lessons.plane import fixed_sample as sample_points
from . import ALERT, CMAP, D_COLOR, FAKE, G_COLOR, INK, NEUTRAL, REAL, arrow_scale, figure, manifold_lines, scatter_points

__all__ = ["PlaneView", "ChartsView", "PixelMap", "StampedPoints", "LAYERS", "sample_points"]

LAYERS = ("real", "fake", "heatmap", "manifold", "arrows")
DPI = 100                       # figures are sized in pixels: inches = pixels / DPI


class _Cached:
    """A view drawn over a cached background (:class:`~gan_edu.widgets.BlitView`): ``dirty`` says
    the background changed and must be drawn again."""

    dirty = True

    def consume_dirty(self) -> bool:
        """True once after the background changed (the flag is cleared)."""
        dirty, self.dirty = self.dirty, False
        return dirty


class StampedPoints(PathCollection):
    """Scattered points of one marker, size and colour, drawn the way a line's markers are: Agg
    rasterises the marker once and stamps it at every point (``draw_markers``), about ten times
    faster than a scatter draws each marker anew. Otherwise a plain ``PathCollection`` (offsets,
    colours, label and legend behave as a scatter's)."""

    @classmethod
    def like(cls, ax, kind: str, size: float) -> StampedPoints:
        """Empty points of ``kind`` "real" or "fake" with the palette's colour, marker and label
        (taken from :func:`~gan_edu.viz.scatter_points`), added to ``ax``."""
        ref = scatter_points(ax, np.zeros((0, 2)), kind, size)
        pts = cls(ref.get_paths(), sizes=ref.get_sizes(), offsets=np.zeros((0, 2)), offset_transform=ax.transData,
                  facecolors=ref.get_facecolors(), edgecolors="none", label=ref.get_label())
        ref.remove()
        ax.add_collection(pts, autolim=False)
        return pts

    def draw(self, renderer) -> None:
        offsets = self.get_offsets()
        if not self.get_visible() or not len(offsets) or not hasattr(renderer, "draw_markers"):
            return
        gc = renderer.new_gc()
        self._set_gc_clip(gc)
        gc.set_linewidth(0)
        scale = np.sqrt(self.get_sizes()[0]) * self.figure.dpi / 72.0          # as a PathCollection sizes it
        xy = self.get_offset_transform().transform(np.asarray(offsets, dtype=float))
        renderer.draw_markers(gc, self.get_paths()[0], Affine2D().scale(scale), Path(xy), IdentityTransform(),
                              tuple(self.get_facecolors()[0]))
        gc.restore()
        self.stale = False


class PixelMap(Artist):
    """A heatmap that fills its axes pixel for pixel: values on a coarse grid are upsampled
    (bilinear) to the axes' size, coloured through a 256-colour table and written straight
    into the Agg canvas. Smooth, and cheaper than ``imshow`` (no resampling, no colour
    normalisation pass). Above 300 pixels a side the colours are computed at half resolution
    and each fills 2 x 2 pixels (too small to see; it quarters the work)."""

    def __init__(self, ax, cmap: str):
        super().__init__()
        import matplotlib

        self.ax = ax
        rgba = (matplotlib.colormaps[cmap](np.linspace(0, 1, 256)) * 255).round().astype(np.uint8)   # [256, 4]
        self.lut = torch.as_tensor(rgba.view(np.int32).ravel())        # value index -> one packed RGBA pixel
        self.values: np.ndarray | None = None
        self.clim = (0.0, 1.0)
        self.set_zorder(0)                                   # under the samples, lines and arrows
        ax.add_artist(self)

    def set_values(self, values: np.ndarray, clim=(0.0, 1.0)) -> None:
        """``values`` [n, n] (row i is y, from the bottom) drawn from purple at ``clim[0]`` to green at ``clim[1]``."""
        self.values, self.clim = np.asarray(values, dtype=np.float32), (float(clim[0]), float(clim[1]))
        self.stale = True

    def pixels(self) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """``(pixels, (row0, row1, col0, col1))``: packed RGBA pixels [h, w] (uint32, top row first)
        for the canvas rows row0:row1 and columns col0:col1 (just inside the axes' frame line)."""
        fig_h = int(round(self.figure.bbox.height))
        x0, y0, x1, y1 = (int(round(v)) for v in self.ax.bbox.extents)
        x0, y0, x1, y1 = x0 + 1, y0 + 1, x1 - 1, y1 - 1
        w, h = x1 - x0, y1 - y0
        f = 2 if max(w, h) > 300 else 1
        n = -(-max(w, h) // f)                                    # ceil
        lo, hi = self.clim
        v = torch.nn.functional.interpolate(torch.as_tensor(self.values)[None, None], size=(n, n),
                                            mode="bilinear", align_corners=True)[0, 0]
        idx = v.sub_(lo).mul_(255.0 / max(hi - lo, 1e-12)).clamp_(0, 255).to(torch.int64).flip(0)   # top row first
        px = self.lut[idx]                                                                        # [n, n]
        if f > 1:
            px = px[:, None, :, None].expand(n, f, n, f).reshape(n * f, n * f)
        return px[:h, :w].numpy().view(np.uint32), (fig_h - y1, fig_h - y0, x0, x1)

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.values is None or not hasattr(renderer, "buffer_rgba"):
            return                                           # (a vector backend draws no heatmap)
        px, (r0, r1, c0, c1) = self.pixels()
        canvas = np.asarray(renderer.buffer_rgba())                # [H, W, 4] uint8, written in place
        canvas.view(np.uint32)[r0:r1, c0:c1, 0] = px
        self.stale = False


class Arrows:
    """Gradient arrows drawn as ONE path (a shaft and an open two-stroke head per arrow): a single
    Agg stroke per frame however many arrows, where a quiver fills one polygon per arrow. The
    longest arrow is ``fraction`` of the view's width (:func:`~gan_edu.viz.arrow_scale`); heads
    are a fixed share of that."""

    HEAD = 0.3               # head length, as a share of the longest arrow
    ANGLE = np.deg2rad(25)   # half-angle of the head

    def __init__(self, ax, fraction: float = 0.12, lw: float = 0.9):
        self.ax, self.fraction = ax, fraction
        self.patch = ax.add_patch(PathPatch(Path(np.zeros((0, 2))), fill=False, ec=INK, lw=lw, alpha=0.8,
                                            capstyle="round", visible=False))
        self.points = self.vectors = None

    def set(self, points, vectors, width: float) -> None:
        """Arrows from ``points`` [N, 2] along ``vectors`` [N, 2] in a view ``width`` data units wide."""
        p, v = (np.asarray(a, dtype=float).reshape(-1, 2) for a in (points, vectors))
        self.points, self.vectors = p, v
        v = v * arrow_scale(v, width, self.fraction)
        tip = p + v
        length = np.linalg.norm(v, axis=1, keepdims=True)
        head = self.HEAD * length.max() if len(v) else 0.0
        back = -v / np.maximum(length, 1e-12) * np.minimum(head, length)       # from the tip back along the shaft
        c, s = np.cos(self.ANGLE), np.sin(self.ANGLE)
        left = tip + back @ np.array([[c, s], [-s, c]])
        right = tip + back @ np.array([[c, -s], [s, c]])
        verts = np.stack([p, tip, tip, left, tip, right], 1).reshape(-1, 2)     # [N * 6, 2]
        codes = np.tile([Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO], len(p))
        self.patch.set_path(Path(verts, codes.astype(Path.code_type)))


class PlaneView(_Cached):
    """One square axes showing the plane; ``update(...)`` sets what each layer shows.

    The figure is ``px`` pixels wide and ``px`` + a title band high; the axes is a square of
    ``side`` pixels, so the plane is drawn at equal scale in x and y, and the heatmap fills it pixel
    for pixel (:class:`PixelMap`). Made for blitting (:class:`~gan_edu.widgets.BlitView`): the frame and
    the legend are the static background; ``animated`` lists the artists that change; the arrows
    are one path (:class:`Arrows`), changed in place."""

    def __init__(self, extent, px: int = 420, font: float = 1.0, grid: int = 48):
        self.px, self.font, self.grid = int(px), float(font), int(grid)
        band, margin = round(26 * self.font), 3
        self.side = self.px - 2 * margin
        height = self.px + band
        self.fig = figure(self.px / DPI, height / DPI, DPI)
        ax = self.ax = self.fig.add_axes([margin / self.px, margin / height, self.side / self.px, self.side / height])
        ax.set_xticks([])                  # no tick labels: text layout is most of a frame's cost
        ax.set_yticks([])
        self.heat = PixelMap(ax, CMAP)                  # drawn first: under everything else that moves
        self.manifold = ax.add_collection(LineCollection([], colors=NEUTRAL, linewidths=0.7, alpha=0.6))
        self.real = StampedPoints.like(ax, "real", 6 * self.font)
        self.fake = StampedPoints.like(ax, "fake", 7 * self.font)
        self.pick = ax.scatter([], [], s=110 * self.font, facecolors="none", edgecolors=ALERT, linewidths=1.8)
        self.arrows = Arrows(ax)
        self.frame = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=INK, lw=1.0, ls=(0, (4, 3)), visible=False))
        y_band = 1 - band / 2 / height
        self.title = self.fig.text(6 / self.px, y_band, "", fontsize=9 * self.font, ha="left", va="center")
        self.fig.legend(handles=[self.real, self.fake], loc="center right", bbox_to_anchor=(1 - 4 / self.px, y_band),
                        ncol=2, fontsize=8 * self.font, markerscale=1.6, frameon=False, handletextpad=0.2,
                        columnspacing=0.8, borderaxespad=0)
        self.animated = [self.heat, self.frame, self.manifold, self.real, self.fake, self.arrows.patch, self.pick,
                         self.title]
        self.dirty = True
        self.set_extent(extent)

    def set_extent(self, extent) -> None:
        self.extent = tuple(float(v) for v in extent)
        x0, x1, y0, y1 = self.extent
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.dirty = True

    def show_frame(self, extent) -> None:
        """Outline ``extent`` (the data's own frame, when the view is zoomed out); None hides it."""
        self.frame.set_visible(extent is not None)
        if extent is not None:
            x0, x1, y0, y1 = extent
            self.frame.set_bounds(x0, y0, x1 - x0, y1 - y0)

    def update(self, *, G=None, heat=None, clim=(0.0, 1.0), real=None, fake=None, arrows=None, pick=None,
               layers=LAYERS, title: str = "") -> None:
        """Refresh the layers in ``layers`` (others are hidden). ``heat``: D's output on a coarse
        square grid over the extent (upsampled here); ``clim``: the values drawn full purple and
        full green; ``G``: draw its manifold; ``arrows``: ``(points, vectors)``; ``pick``: one
        point to circle."""
        layers = set(layers)
        self.heat.set_visible("heatmap" in layers and heat is not None)
        if self.heat.get_visible():
            self.heat.set_values(heat, clim)
        self.manifold.set_visible("manifold" in layers and G is not None)
        if self.manifold.get_visible():
            self.manifold.set_segments(manifold_lines(G, n_lines=9, resolution=30))
        for name, artist, pts in (("real", self.real, real), ("fake", self.fake, fake)):
            artist.set_visible(name in layers and pts is not None)
            if artist.get_visible():
                artist.set_offsets(np.asarray(pts)[:, :2])
        self._update_arrows(arrows if "arrows" in layers else None)
        self.pick.set_visible(pick is not None)
        if pick is not None:
            self.pick.set_offsets(np.asarray(pick, dtype=float).reshape(1, 2))
        self.title.set_text(title)
        self.title.set_visible(bool(title))

    def _update_arrows(self, arrows) -> None:
        show = arrows is not None and arrows[0] is not None and arrows[1] is not None
        self.arrows.patch.set_visible(show)
        if show:
            self.arrows.set(arrows[0], arrows[1], self.extent[1] - self.extent[0])


class ChartsView(_Cached):
    """Losses, D's mean outputs, D's accuracy and JS divergence against the step.

    :meth:`set_scale` sets up the charts that depend on the loss (an
    :class:`~gan_edu.lessons.training_lab.OutputScale`): the "D cannot tell" level of the loss
    chart, the D-output chart's range and boundary, and whether there is an accuracy at all.
    The axes only grow (the step axis doubles when it fills up; a value axis widens when a
    value leaves it), so most frames redraw just the lines over a cached background
    (``animated``; ``dirty`` is set when the axes changed)."""

    MAX_POINTS = 600              # points drawn per line at most (every k-th recorded step beyond that)

    def __init__(self, px: int = 420, height: int | None = None, font: float = 1.0):
        from matplotlib.ticker import MaxNLocator

        self.px, self.font = int(px), float(font)
        height = int(height or px + round(26 * font))
        self.fig = figure(self.px / DPI, height / DPI, DPI)
        self.ax_loss, self.ax_d, self.ax_acc, self.ax_js = self.fig.subplots(4, 1, sharex=True)
        fs = 8 * self.font
        self.l_d, = self.ax_loss.plot([], [], lw=1.2, color=D_COLOR, label="D loss")
        self.l_g, = self.ax_loss.plot([], [], lw=1.2, color=G_COLOR, label="G loss")
        self.chance = self.ax_loss.axhline(0, color=NEUTRAL, lw=0.8, ls=":", label="D can't tell")
        self.l_real, = self.ax_d.plot([], [], lw=1.2, color=REAL, label="on real")
        self.l_fake, = self.ax_d.plot([], [], lw=1.2, color=FAKE, label="on fake")
        self.boundary = self.ax_d.axhline(0.5, color=NEUTRAL, lw=0.8, ls="--")
        self.l_acc, = self.ax_acc.plot([], [], lw=1.2, color=D_COLOR, label="D accuracy")
        self.ax_acc.axhline(0.5, color=NEUTRAL, lw=0.8, ls="--")
        self.ax_acc.set_ylim(0, 1.02)
        self.no_acc = self.ax_acc.text(0.5, 0.5, "a critic makes no real/fake call:\nno accuracy", ha="center",
                                       va="center", fontsize=fs, transform=self.ax_acc.transAxes, visible=False)
        self.l_js, = self.ax_js.plot([], [], lw=1.2, color=INK, marker=".", ms=3, label="JS divergence")
        self.js_base = self.ax_js.axhline(np.nan, color=NEUTRAL, lw=0.8, ls=":", label="data vs data")
        self.ax_js.set_ylim(0, np.log(2) * 1.05)
        self.ax_js.set_xlabel("step", fontsize=fs, labelpad=1)
        self.legends = {}
        for ax in (self.ax_loss, self.ax_d, self.ax_acc, self.ax_js):
            self.legends[ax] = ax.legend(fontsize=fs, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                                         handlelength=1.2, borderaxespad=0.2)    # beside the axes, never on data
            ax.tick_params(labelsize=fs, pad=1)
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.fig.subplots_adjust(left=0.11, right=0.70, top=0.98, bottom=44 * self.font / height, hspace=0.18)
        self.animated = [self.l_d, self.l_g, self.l_real, self.l_fake, self.l_acc, self.l_js]
        self.xmax = 100.0
        self.ax_js.set_xlim(0, self.xmax)
        self.scale = None
        self.dirty = True

    def set_scale(self, scale) -> None:
        """Set the charts up for a loss's output scale (see the class docstring)."""
        self.scale = scale
        self.chance.set_ydata([scale.chance_loss, scale.chance_loss])
        self.loss_lim = (min(0.0, scale.chance_loss - 0.5), max(2.0, scale.chance_loss + 0.5))
        self.ax_loss.set_ylim(*self.loss_lim)
        if scale.sigmoid:
            self.d_lim = (0.0, 1.0)
        elif scale.targets is not None:
            lo, hi = min(scale.targets) - 0.5, max(scale.targets) + 0.5
            self.d_lim = (lo, hi)
        else:
            self.d_lim = (-1.0, 1.0)
        self.ax_d.set_ylim(*self.d_lim)
        self.boundary.set_visible(scale.boundary is not None)
        if scale.boundary is not None:
            self.boundary.set_ydata([scale.boundary, scale.boundary])
        self.ax_d.set_ylabel(scale.short, fontsize=8 * self.font, labelpad=1)
        self.l_acc.set_visible(scale.boundary is not None)
        self.no_acc.set_visible(scale.boundary is None)
        self.dirty = True

    def set_js_baseline(self, value: float) -> None:
        """The JS divergence a perfect G would show (a fresh sample of the data against the data), dotted."""
        self.js_base.set_ydata([value, value])
        self.dirty = True

    def update(self, history, js_steps=(), js_values=(), upto: int | None = None, since: int = -1) -> None:
        """Draw the recorded series up to step ``upto`` (None: all); the loss-dependent ones only
        after step ``since`` (when the loss last changed)."""
        def series(name, after=since):
            if name not in history or not len(history[name]):
                return np.zeros(0), np.zeros(0)
            s, v = history[name].steps, history[name].values
            keep = s > after
            if upto is not None:
                keep &= s <= upto
            s, v = s[keep], v[keep]
            every = -(-len(s) // self.MAX_POINTS)                       # a chart ~300 px wide shows no more
            return (s[::every], v[::every]) if every > 1 else (s, v)

        for line, name in ((self.l_d, "loss_d"), (self.l_g, "loss_g"), (self.l_real, "d_out_real"),
                           (self.l_fake, "d_out_fake"), (self.l_acc, "d_acc")):
            line.set_data(*series(name))
        js_s, js_v = np.asarray(js_steps, dtype=float), np.asarray(js_values, dtype=float)
        if upto is not None and js_s.size:
            keep = js_s <= upto
            js_s, js_v = js_s[keep], js_v[keep]
        self.l_js.set_data(js_s, js_v)
        steps, _ = series("loss_d", after=-1)
        last = float(steps[-1]) if steps.size else 0.0
        if last > self.xmax or (last < self.xmax / 8 and self.xmax > 100):      # grow, or shrink after a reset
            self.xmax = max(100.0, 2.0 ** np.ceil(np.log2(max(last, 1.0) * 1.1)))
            self.ax_js.set_xlim(0, self.xmax)
            self.dirty = True
        self.loss_lim = self._grow(self.ax_loss, self.loss_lim, np.concatenate([series("loss_d")[1], series("loss_g")[1]]))
        self.d_lim = self._grow(self.ax_d, self.d_lim, np.concatenate([series("d_out_real")[1], series("d_out_fake")[1]]))

    def _grow(self, ax, lim, values):
        """Widen ``ax``'s y range when a value leaves it, by a quarter of the range beyond the new
        extreme (each widening costs a full redraw of the charts, so it should be rare)."""
        values = values[np.isfinite(values)]
        if not values.size:
            return lim
        lo, hi = min(lim[0], float(values.min())), max(lim[1], float(values.max()))
        if (lo, hi) == tuple(lim):
            return lim
        pad = 0.25 * (hi - lo)
        lim = (lo - pad if lo < lim[0] else lo, hi + pad if hi > lim[1] else hi)
        ax.set_ylim(*lim)
        self.dirty = True
        return lim
