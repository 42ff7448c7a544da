"""The palette stays readable for colour-blind learners (issue 13).

Colour vision deficiency is simulated with the matrices of Machado, Oliveira & Fernandes (2009,
"A physiologically-based model for simulation of color vision deficiency", severity 1.0: full
protanopia, deuteranopia, tritanopia), applied to linear sRGB; colours are compared in CIELAB
(D65) by their Euclidean distance, Delta E*ab (1976): about 2.3 is just noticeable, and 20 or
more reads as "another colour" at a glance. The simulation and the conversion are checked
against known values first, then every pair of colours the lessons draw together.
"""
import ast
import itertools
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from helpers import make_trainer
from matplotlib.collections import PathCollection

import gan_edu as ge
from gan_edu import viz
from gan_edu.viz import palette

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", *MACHADO)
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour) -> np.ndarray:
    c = np.asarray(matplotlib.colors.to_rgb(colour), dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(lin: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ lin / WHITE_D65
    d = 6 / 29
    f = np.where(t > d ** 3, np.cbrt(t), t / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour, vision: str) -> np.ndarray:
    """CIELAB of ``colour`` as seen with ``vision`` ("normal" or one of MACHADO)."""
    lin = linear_rgb(colour)
    if vision != "normal":
        lin = np.clip(MACHADO[vision] @ lin, 0.0, 1.0)
    return lab(lin)


def delta_e(a, b, vision: str) -> float:
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def worst(a, b) -> tuple[float, str]:
    """The smallest Delta E between ``a`` and ``b`` over normal vision and the three simulations."""
    return min((delta_e(a, b, v), v) for v in VISIONS)


# --------------------------------------------------------------------------- the yardstick itself
def test_cielab_conversion_matches_known_values():
    assert seen("#ffffff", "normal") == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert seen("#000000", "normal") == pytest.approx([0.0, 0.0, 0.0], abs=0.01)
    assert seen("#ff0000", "normal") == pytest.approx([53.24, 80.09, 67.20], abs=0.05)      # sRGB red, D65
    assert seen("#0000ff", "normal") == pytest.approx([32.30, 79.19, -107.86], abs=0.05)    # sRGB blue


@pytest.mark.parametrize("vision", MACHADO)
def test_simulations_keep_greys_and_lose_their_axis(vision):
    for grey in ("#000000", "#555555", "#bbbbbb", "#ffffff"):
        assert delta_e(grey, grey, "normal") == 0 and np.allclose(seen(grey, vision), seen(grey, "normal"), atol=0.05)
    # the pair each deficiency confuses collapses; the pair it keeps stays apart
    confused = {"protanopia": ("#d62728", "#2ca02c"), "deuteranopia": ("#d62728", "#2ca02c"),
                "tritanopia": ("#1f77b4", "#2ca02c")}[vision]
    assert delta_e(*confused, vision) < 0.45 * delta_e(*confused, "normal")
    kept = ("#1f77b4", "#ff7f0e") if vision != "tritanopia" else ("#d62728", "#2ca02c")
    assert delta_e(*kept, vision) > 40


# --------------------------------------------------------------------------- the palette
def test_real_and_fake_stay_far_apart_for_everyone():
    d, vision = worst(palette.REAL, palette.FAKE)
    assert d >= 50, f"real and fake differ by only {d:.1f} under {vision}"


def test_colours_drawn_together_stay_apart():
    """Lesson 06 draws the data density, G's density, D(x) and D* in one figure; loss curves
    show D and G together; lesson 03 compares the two generator losses."""
    groups = {"figure 1": (palette.REAL, palette.FAKE, palette.D_COLOR, palette.D_STAR_COLOR),
              "D and G": (palette.D_COLOR, palette.G_COLOR),
              "the two G losses": tuple(palette.LOSS_COLORS.values())}
    for name, colours in groups.items():
        for a, b in itertools.combinations(colours, 2):
            d, vision = worst(a, b)
            assert d >= 25, f"{name}: {a} and {b} differ by only {d:.1f} under {vision}"


def test_the_run_cycle_keeps_its_first_colours_apart():
    for a, b in itertools.combinations(palette.CYCLE[:4], 2):
        d, vision = worst(a, b)
        assert d >= 20, f"CYCLE colours {a} and {b} differ by only {d:.1f} under {vision}"


def test_every_colour_shows_on_white():
    for c in (palette.REAL, palette.FAKE, palette.D_COLOR, palette.D_STAR_COLOR, *palette.LOSS_COLORS.values(),
              *palette.CYCLE, palette.NEUTRAL, palette.INK, palette.ALERT):
        d, vision = worst(c, "#ffffff")
        assert d >= 35, f"{c} is only {d:.1f} from white under {vision}"


@pytest.mark.parametrize("cmap, ends", [(palette.CMAP, 40), (palette.SIGNED_CMAP, 30)])
def test_diverging_maps_read_the_same_for_everyone(cmap, ends):
    """D's heatmap (and the map of signed numbers): both ends far from each other and from the
    middle, each half darkening steadily from the middle for every kind of vision, and values
    equally far from the middle on either side (D = 0.25 vs 0.75) told apart."""
    cm = matplotlib.colormaps[cmap]
    at = {t: matplotlib.colors.to_hex(cm(t)) for t in np.round(np.linspace(0, 1, 21), 2)}
    for vision in VISIONS:
        assert delta_e(at[0.0], at[1.0], vision) >= ends
        assert min(delta_e(at[0.0], at[0.5], vision), delta_e(at[1.0], at[0.5], vision)) >= 60
        lightness = [seen(at[t], vision)[0] for t in sorted(at)]
        assert all(np.diff(lightness[:11]) > 0) and all(np.diff(lightness[10:]) < 0), vision
        for t in (0.05, 0.15, 0.25, 0.35):
            assert delta_e(at[t], at[round(1 - t, 2)], vision) >= 20, (vision, t)


# --------------------------------------------------------------------------- real vs fake differ in shape
def test_markers_of_real_and_fake_differ():
    assert palette.MARKERS["real"] != palette.MARKERS["fake"]
    ax = viz.figure().add_subplot(111)
    real, fake = viz.scatter_points(ax, np.zeros((3, 2)), "real"), viz.scatter_points(ax, np.zeros((3, 2)), "fake")
    assert not same_path(marker(real), marker(fake))
    assert real.get_label() == "real x" and fake.get_label() == "fake G(z)"
    with pytest.raises(ValueError, match="kind must be 'real' or 'fake'"):
        viz.scatter_points(ax, np.zeros((1, 2)), "noise")


def marker(collection: PathCollection):
    return collection.get_paths()[0]


def same_path(a, b) -> bool:
    return a.vertices.shape == b.vertices.shape and np.allclose(a.vertices, b.vertices)


def reference_markers():
    ax = viz.figure().add_subplot(111)
    return {kind: marker(ax.scatter([0], [0], marker=m)) for kind, m in palette.MARKERS.items()}


def colour_kind(collection: PathCollection) -> str | None:
    """"real" or "fake" when the collection is drawn in that colour, else None."""
    colours = collection.get_facecolors()
    if not len(colours):
        return None
    for kind, colour in (("real", palette.REAL), ("fake", palette.FAKE)):
        if np.allclose(colours[0][:3], matplotlib.colors.to_rgb(colour)):
            return kind
    return None


def figures_with_points():
    """Every kind of picture that scatters real or fake samples."""
    from gan_edu.lessons import equilibrium as eq
    from gan_edu.viz import collapse, gradients, live
    from gan_edu.viz import discriminator as vd
    from gan_edu.viz import equilibrium as veq
    from gan_edu.viz import generator as gviz
    from gan_edu.widgets.explorer import ArchitectureExplorer, train_and_compare

    tr = make_trainer()
    real, fake = tr.data.sample(40), tr.sample(40)
    pts, arrows = ge.recorders.fake_gradients(tr, n=20)
    view = live.PlaneView((-1.5, 1.5, -1.5, 1.5))
    view.update(real=real, fake=fake)
    explorer = ArchitectureExplorer(make_trainer())
    yield "plot_plane", viz.plot_plane(tr, layers=("heat", "real", "fake", "manifold", "arrows"))
    yield "plot_arrows", gradients.plot_arrows(tr, pts, arrows)
    yield "plot_d_plane", vd.plot_d_plane(tr, real=real, fake=fake)
    yield "DTrainerFigure", vd.DTrainerFigure((-1.5, 1.5, -1.5, 1.5), real, fake).fig
    yield "PlaneView", view.fig
    yield "train_and_compare", train_and_compare(make_trainer(), steps=2, n=50).figure
    for stage in ("G(z)", "x", "D(x)", "D(G(z))", "gradients"):
        yield f"explorer {stage}", explorer.select(stage).fig
    yield "plot_side_by_side", collapse.plot_side_by_side({"a": tr}, n=50)
    yield "plot_datasets", collapse.plot_datasets([ge.data.ring()], n=50)
    G2 = ge.models.MLPGenerator(latent_dim=2, out_dim=2, hidden=8)
    yield "plot_manifolds", gviz.plot_manifolds({"G": G2}, data=ge.data.ring(), n_real=50)
    yield "plot_latent_path", gviz.plot_latent_path(G2, torch.zeros(2), torch.ones(2), data=ge.data.ring(), steps=5)
    yield "plot_stall", gradients.plot_stall(ge.gradflow.stall_experiment(d_steps=2, g_steps=2, hidden=8, n=16))
    one_d = eq.build_1d(hidden=8)
    yield "figure 1", veq.draw_figure1(eq.curves(one_d, n_samples=200))[0]


def test_every_scatter_draws_real_and_fake_in_their_own_shapes():
    """In every picture with points, the real samples are circles and the fakes triangles (G's
    samples drawn in another colour, e.g. grey "before", are triangles too); a collection in the
    real colour never has the fake shape and the other way round (the mode centres of lesson 05
    are green crosses, G(z) in lesson 01 a purple star: other shapes again)."""
    ref = reference_markers()
    for name, fig in figures_with_points():
        fig.canvas.draw()
        found = set()
        for ax in fig.axes:
            for coll in (c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())):
                label, colour = str(coll.get_label()), colour_kind(coll)
                by_label = "real" if label.startswith("real") else "fake" if label.startswith(("fake", "G(", "after")) else None
                for kind in {by_label, colour} - {None}:
                    other = "fake" if kind == "real" else "real"
                    assert not same_path(marker(coll), ref[other]), f"{name}: a {kind} scatter has the {other} marker"
                if by_label:
                    assert same_path(marker(coll), ref[by_label]), f"{name}: {label!r} is not drawn as {by_label}"
                    found.add(by_label)
        assert found, f"{name}: no real or fake points found"


def test_no_scatter_bypasses_the_palette_markers():
    """Source check: every scatter in the pictures and widgets coloured REAL or FAKE goes through
    viz.scatter_points (which sets the marker) or names its own, different marker, so a new
    picture cannot forget the shapes."""
    bad = []
    for path in sorted((Path(ge.__file__).parent).glob("*/*.py")):
        if path.parent.name not in ("viz", "widgets"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "scatter":
                names = {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
                         if isinstance(n, (ast.Name, ast.Attribute))}
                if names & {"REAL", "FAKE", "G_COLOR"} and not any(k.arg == "marker" for k in node.keywords):
                    bad.append(f"{path.name}:{node.lineno}")
    assert not bad, f"scatter coloured real/fake without its marker (use viz.scatter_points): {bad}"
