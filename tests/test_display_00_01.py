"""What the learner sees in lessons 00 and 01 (issue 13), measured rather than looked at.

* every figure fits a notebook's width (so the page never shrinks it) and every text in it is at
  least 7.5 pt (10 px at 100 % zoom);
* no legend covers data: no point, line vertex or image of any panel lies inside a legend's box;
* pictures in widgets are shown at exactly the pixel size they were drawn (an Image in a flex box is
  otherwise stretched, i.e. upscaled and blurry);
* printed output lines are short enough that the page never has to break them (JupyterLab breaks
  long output lines anywhere, even mid-word), and the text/plain fallbacks are wrapped at words;
* every control is a standard, keyboard-operable ipywidgets control with a name;
* the latent explorer's neighbours are drawn in the palette's colours, and its legend keys match.
"""
import json
from pathlib import Path

import ipywidgets as W
import numpy as np
import pytest
import torch
from helpers import make_trainer
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.text import Text

import gan_edu as ge
from gan_edu import viz
from gan_edu.lessons import generator as gen
from gan_edu.viz import generator as gviz
from gan_edu.widgets.explorer import STEPS, ArchitectureExplorer, train_and_compare
from gan_edu.widgets.latent import InterpolationExplorer, LatentExplorer

MAX_WIDTH_IN = 8.8            # 880 px at 100 dpi: a notebook's output area at 100 % zoom never shrinks it
MIN_FONT_PT = 7.5             # 10.4 px at 100 dpi
MAX_LINE = 80                 # characters of printed output
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


# --------------------------------------------------------------------------- the figures
@pytest.fixture(scope="module")
def nets():
    return gen.ring_generators(seed=0, steps=40, hidden=32)


@pytest.fixture(scope="module")
def image_g():
    ge.seed_everything(0)
    G = ge.models.DCGenerator(latent_dim=16, image_size=8, features=8)
    with torch.no_grad():
        for _ in range(10):
            G(torch.randn(32, 16))
    return G.eval()


def lesson_figures(nets, image_g):
    """(name, figure) for every figure lessons 00 and 01 show; the explorer redraws one figure per
    stage, so each stage is yielded right after it was drawn."""
    ring, digits = ge.data.ring(), ge.data.digits()
    g = torch.Generator().manual_seed(0)
    z = ge.models.sample_noise(300, 2, generator=g)
    copier = gen.train_copier(digits.images, n=4, steps=30, features=8)
    yield "noise", gviz.plot_noise({"N(0, I)": z, "U[-1, 1]": ge.models.sample_noise(300, 2, "uniform", g)})
    yield "noise vs data", gviz.plot_noise_vs_data(torch.randn(16, 16, generator=g), digits.images[:16])
    yield "activations", gviz.plot_activations(ge.models.trace(nets.untrained, z))
    yield "shape walk", gviz.plot_shape_walk(ge.models.DCGenerator(latent_dim=16, image_size=8))
    yield "transposed conv", gviz.plot_transposed_conv()
    yield "checkerboards", gviz.plot_checkerboards(gviz.checkerboard_demo(image_g.net.up2))
    yield "manifolds", gviz.plot_manifolds({"untrained": nets.untrained, "trained": nets.trained}, ring)
    yield "image sets", gviz.plot_image_sets({"a": digits.images[:32], "b": digits.images[32:64], "c": digits.images[:32]})
    yield "interpolation", gviz.plot_interpolation(image_g, torch.randn(16, generator=g), torch.randn(16, generator=g))
    yield "walks", gviz.plot_walks({"G": (image_g, torch.randn(16, generator=g), torch.randn(16, generator=g)),
                                    "copier": (copier.G, copier.z[0], copier.z[1])})
    yield "latent path", gviz.plot_latent_path(nets.trained, (-1.5, -0.8), (1.5, -0.8), ring)
    yield "00 prediction", train_and_compare(make_trainer(), steps=20, n=200).figure
    yield "latent explorer", LatentExplorer({"untrained": nets.untrained, "trained": nets.trained}, ring).fig
    yield "interpolation explorer", InterpolationExplorer(image_g, seed=0).fig
    explorer = ArchitectureExplorer(make_trainer())
    explorer.take_step(20)
    for name in STEPS:
        explorer.select(name)
        yield f"explorer {name}", explorer.fig


@pytest.fixture(scope="module")
def figures(nets, image_g):
    """{name: (width in inches, too-small texts, legend problems)}, measured as each figure is made."""
    out = {}
    for name, fig in lesson_figures(nets, image_g):
        fig.canvas.draw()
        out[name] = (fig.get_figwidth(), _small_texts(fig), _legends_on_data(fig))
    return out


def _small_texts(fig) -> list[str]:
    return [f"{t.get_text()!r} at {t.get_fontsize():.1f} pt" for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT - 1e-6]


def _densify(xy: np.ndarray, per_segment: int = 8) -> np.ndarray:
    """Points along a polyline (its vertices and points between them), so a line crossing a box is seen."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None, None]
    return np.concatenate([(xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2), xy[-1:]])


def _data_points(ax) -> np.ndarray:
    """Every data point, line and image of ``ax`` as display coordinates [N, 2]."""
    pts = []
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, PathCollection):
            pts.append(coll.get_offset_transform().transform(coll.get_offsets()))
        elif isinstance(coll, LineCollection):
            pts += [coll.get_transform().transform(_densify(seg)) for seg in coll.get_segments()]
    for line in ax.lines:
        if line.get_visible() and len(line.get_xydata()):
            pts.append(line.get_transform().transform(_densify(line.get_xydata())))
    for patch in ax.patches:
        if patch.get_visible() and isinstance(patch, (Rectangle, StepPatch)):
            verts = patch.get_path().vertices
            pts.append(patch.get_transform().transform(_densify(verts)))
    for image in ax.images:
        if isinstance(image, AxesImage) and image.get_visible():
            x0, x1, y0, y1 = image.get_extent()
            gx, gy = np.meshgrid(np.linspace(x0, x1, 25), np.linspace(y0, y1, 25))
            pts.append(ax.transData.transform(np.stack([gx.ravel(), gy.ravel()], 1)))
    pts = [p for p in pts if len(p)]
    if not pts:
        return np.zeros((0, 2))
    pts = np.concatenate(pts)
    box = ax.bbox                                           # only what is inside the panel is drawn
    inside = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
    return pts[inside]


def _legends_on_data(fig) -> list[str]:
    renderer = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    problems = []
    for legend in legends:
        box = legend.get_window_extent(renderer).shrunk(0.98, 0.98)
        for ax in fig.axes:
            pts = _data_points(ax)
            hit = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            if hit.any():
                problems.append(f"legend {[t.get_text() for t in legend.get_texts()]} covers {int(hit.sum())} "
                                f"data points of the panel {ax.get_title()!r}")
    return problems


def test_every_figure_fits_the_page_and_its_text_is_readable(figures):
    assert len(figures) >= 20
    too_wide = {n: w for n, (w, _, _) in figures.items() if w > MAX_WIDTH_IN}
    small = {n: s for n, (_, s, _) in figures.items() if s}
    assert not too_wide, too_wide
    assert not small, small


def test_no_legend_covers_data(figures):
    covered = {n: p for n, (_, _, p) in figures.items() if p}
    assert not covered, covered


def test_the_legend_check_sees_a_legend_on_data():
    """The check above can fail: a legend put in the middle of a cloud of points is found."""
    fig = viz.figure(4, 4)
    ax = fig.add_subplot(111)
    viz.scatter_points(ax, np.random.default_rng(0).normal(size=(500, 2)), "real")
    ax.legend(loc="center")
    fig.canvas.draw()
    assert _legends_on_data(fig)
    ax.get_legend().remove()
    viz.legend_below(fig)
    fig.canvas.draw()
    assert not _legends_on_data(fig)


# --------------------------------------------------------------------------- widgets: pictures at drawn size
def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


def test_widget_pictures_are_shown_at_the_size_they_are_drawn(nets, image_g, ring):
    latent = LatentExplorer({"untrained": nets.untrained, "trained": nets.trained}, ring)
    interp = InterpolationExplorer(image_g, seed=0)
    explorer = ArchitectureExplorer(make_trainer())
    for image in (latent.view.image, interp.view.image, explorer.plot.image):
        assert image.layout.width == f"{png_width(image.value)}px", image.layout.width
        assert image.layout.max_width == "100%" and image.layout.height == "auto"
        assert png_width(image.value) <= MAX_WIDTH_IN * 100


def test_the_reveal_shows_its_pictures_at_the_size_they_were_drawn():
    from types import SimpleNamespace

    from IPython.utils.capture import RichOutput

    from gan_edu import quiz
    from gan_edu.quiz.panel import RevealPanel

    q = quiz.Prediction("99-pic", "?", {"a": "yes it does", "b": "no it does not"}, {"a": "x" * 50, "b": "y" * 50},
                        expected=quiz.answer_hash("99-pic", "a"))
    captured = SimpleNamespace(stdout="a long line " * 20, stderr="",   # what an experiment printed and showed
                               outputs=[RichOutput(data={"image/png": viz.to_png(viz.figure(3.2, 2.0))})])
    panel = RevealPanel(q, "a", captured)
    panel.show_without_predicting()
    images = [w for w in panel.body.children if isinstance(w, W.Image)]
    texts = [w for w in panel.body.children if isinstance(w, W.HTML)]
    assert images and images[0].layout.width == "320px" and images[0].layout.max_width == "100%"
    assert texts and "word-break:normal" in texts[0].value


# --------------------------------------------------------------------------- printed output and fallbacks
@pytest.mark.parametrize("name", ["00_welcome.ipynb", "01_generator_forward_pass.ipynb"])
def test_printed_output_never_needs_breaking(name):
    nb = json.loads((NOTEBOOKS / name).read_text())
    long = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if out.get("output_type") == "stream":
                long += [f"cell {i}: {line!r}" for line in text.splitlines() if len(line) > MAX_LINE]
    assert not long, long


def test_the_explorer_says_what_it_is_when_it_cannot_be_drawn(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    ArchitectureExplorer(make_trainer())._ipython_display_()
    text = shown[0]["text/plain"]
    assert "architecture explorer" in text and "Run All" in text and "8 blobs" in text
    assert "application/vnd.jupyter.widget-view+json" in shown[0]
    assert max(len(line) for line in text.splitlines()) <= MAX_LINE
    assert text.split() == ArchitectureExplorer(make_trainer()).plain_text().split()     # wrapped at words only
    assert "\n    pip install 'ipywidgets>=8' 'jupyterlab>=4'\n" in text                   # the command whole, to copy


def test_plain_fallbacks_and_the_environment_report_wrap_at_words(monkeypatch):
    from gan_edu.lessons import envcheck

    report = repr(envcheck.check_environment())
    assert max(len(line) for line in report.splitlines()) <= MAX_LINE
    wrapped = envcheck.wrap("one two three " * 20, 30)
    assert all(len(line) <= 30 for line in wrapped.splitlines()) and wrapped.split() == ("one two three " * 20).split()


# --------------------------------------------------------------------------- controls and colours
def _tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


STANDARD = (W.Button, W.ToggleButtons, W.FloatSlider, W.IntSlider, W.Dropdown)


def test_every_control_is_a_named_standard_control(nets, image_g, ring):
    """Buttons, sliders and toggle buttons are reached with Tab and worked with Enter, Space or the arrow
    keys; an HTML box with a click handler would not be. Every control also has a visible name."""
    for dashboard in (ArchitectureExplorer(make_trainer()), LatentExplorer(nets.trained, ring),
                      InterpolationExplorer(image_g)):
        widgets = list(_tree(dashboard.widget))
        controls = [w for w in widgets if isinstance(w, W.DOMWidget) and isinstance(w, W.ValueWidget)
                    and not isinstance(w, (W.HTML, W.HTMLMath, W.Image, W.Label))] + \
                   [w for w in widgets if isinstance(w, W.Button)]
        assert controls and all(isinstance(w, STANDARD) for w in controls), [type(w).__name__ for w in controls]
        assert all((w.description or "").strip() for w in controls), "a control without a name"
        clickable = [w for w in widgets if getattr(w, "_click_handlers", None) is not None and w._click_handlers.callbacks]
        assert all(isinstance(w, W.Button) for w in clickable)


def test_the_latent_explorers_neighbours_use_the_palette_and_its_legend_matches(nets, ring):
    ex = LatentExplorer({"untrained": nets.untrained, "trained": nets.trained}, ring)
    a = ex._artists
    assert a["xn"].get_color() == viz.INK and a["xn0"].get_color() == viz.ALERT
    assert np.allclose(a["x"].get_facecolor()[0][:3], matplotlib_rgb(viz.FAKE))
    legend = ex.fig.legends[0]
    keys = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles))
    loop = next(h for label, h in keys.items() if label.startswith("a circle of neighbours"))
    first = next(h for label, h in keys.items() if label.startswith("one neighbour"))
    assert loop.get_color() == a["xn"].get_color() and first.get_color() == a["xn0"].get_color()
    ex.set_z(1.0, -0.5)
    xs, ys = a["xn"].get_data()
    assert np.allclose(np.stack([xs[:-1], ys[:-1]], 1), ex.neighbour_outputs.numpy(), atol=1e-6)   # the loop ...
    assert np.allclose([xs[-1], ys[-1]], [xs[0], ys[0]])                                          # ... closed
    assert np.allclose(np.ravel(a["xn0"].get_data()), ex.neighbour_outputs[0].numpy(), atol=1e-6)


def matplotlib_rgb(colour):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


@pytest.mark.parametrize("name", ["00_welcome.ipynb", "01_generator_forward_pass.ipynb"])
def test_no_progress_bar_is_left_behind_in_the_saved_page(name):
    """A finished tqdm bar stays in the saved notebook as a widget of a closed model ("training: 0%" or
    "model not found" when the notebook is reopened)."""
    nb = json.loads((NOTEBOOKS / name).read_text())
    bars = [i for i, cell in enumerate(nb["cells"]) for out in cell.get("outputs", [])
            if "".join(out.get("data", {}).get("text/plain", "")).startswith("training:")]
    assert not bars, f"cells {bars} keep a progress bar"
