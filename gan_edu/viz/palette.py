"""The colours and markers of every picture, in one place.

The same thing has the same colour in every lesson (as in GAN Lab), and the colours stay
apart for colour-blind readers: each pair drawn together differs by at least 25 CIELAB units
(real vs fake by at least 50) under simulated protanopia, deuteranopia and tritanopia
(Machado et al. 2009; ``tests/test_palette.py`` checks it), and **real and fake also differ in
shape** (``MARKERS``: real circles, fake triangles) wherever they are scattered
(:func:`gan_edu.viz.scatter_points`).

* ``REAL`` -- real data x (green); ``FAKE`` -- the generator's samples G(z) (purple);
* ``D_COLOR`` -- the discriminator: its curve D(x), its loss, its gradients (blue);
  ``G_COLOR`` -- the generator, its loss and gradients (the colour of its samples);
* ``D_STAR_COLOR`` -- the optimal discriminator D* of lesson 06 (orange);
* ``CMAP`` -- D's probability of "real" over the plane: purple (0, "fake") through white
  (0.5, "can't tell") to green (1, "real"), ColorBrewer's PRGn: both halves darken steadily
  from the white middle and stay apart under every simulated colour blindness;
* ``SIGNED_CMAP`` -- signed numbers (activations, weights, pixel changes): blue < 0,
  white = 0, red > 0;
* ``LOSS_COLORS`` -- the two generator losses compared in lesson 03; ``CYCLE`` -- several
  runs or discriminators side by side; ``NEUTRAL`` / ``INK`` -- greys for noise, grids and
  arrows; ``ALERT`` -- what needs a second look (an unsure label, the selected sample).
"""
from __future__ import annotations

__all__ = ["REAL", "FAKE", "D_COLOR", "G_COLOR", "D_STAR_COLOR", "CMAP", "SIGNED_CMAP", "LOSS_COLORS", "CYCLE",
           "NEUTRAL", "INK", "ALERT", "MARKERS"]

# Chosen by searching the green, purple, blue and orange hues for the largest smallest colour
# difference under the three simulations, with real and fake of middle lightness (seen on
# light and on dark backgrounds alike).
REAL = "#2cb37b"            # green, light
FAKE = "#9e4ef3"            # violet, darker than the green
D_COLOR = "#0c4570"         # dark blue, as D(x) in Goodfellow et al.'s Figure 1
G_COLOR = FAKE              # the generator makes the fakes
D_STAR_COLOR = "#e69f00"    # orange (Okabe-Ito)
CMAP = "PRGn"               # purple (0: fake) -> white (0.5) -> green (1: real)
SIGNED_CMAP = "RdBu_r"      # blue < 0, white = 0, red > 0 (ColorBrewer, colour-blind safe)
LOSS_COLORS = {"minimax": "#d55e00", "non_saturating": "#0072b2"}      # Okabe-Ito vermillion and blue
CYCLE = ("#e69f00", "#56b4e9", "#000000", "#0072b2", "#009e73", "#cc79a7", "#d55e00")   # Okabe-Ito
NEUTRAL = "#555555"
INK = "#222222"
ALERT = "#c0392b"
#: scatter markers: real circles, fake triangles, so the two differ without colour
MARKERS = {"real": "o", "fake": "^"}
