"""The colours of every picture, in one place.

The same thing has the same colour in every lesson (as in GAN Lab):

* ``REAL`` -- real data x (green); ``FAKE`` -- the generator's samples G(z) (purple);
* ``D_COLOR`` -- the discriminator: its curve D(x), its loss, its gradients (blue);
  ``G_COLOR`` -- the generator, its loss and gradients (the colour of its samples);
* ``D_STAR_COLOR`` -- the optimal discriminator D* of lesson 06 (orange);
* ``CMAP`` -- D's probability of "real" over the plane: purple (0, "fake") through white
  (0.5, "can't tell") to green (1, "real");
* ``SIGNED_CMAP`` -- signed numbers (activations, weights, pixel changes): blue < 0,
  white = 0, red > 0;
* ``LOSS_COLORS`` -- the two generator losses compared in lesson 03; ``CYCLE`` -- several
  runs or discriminators side by side; ``NEUTRAL`` / ``INK`` -- greys for noise, grids and
  arrows; ``ALERT`` -- what needs a second look (an unsure label, the selected sample).
"""
from __future__ import annotations

__all__ = ["REAL", "FAKE", "D_COLOR", "G_COLOR", "D_STAR_COLOR", "CMAP", "SIGNED_CMAP", "LOSS_COLORS", "CYCLE",
           "NEUTRAL", "INK", "ALERT"]

REAL = "#1a9850"            # green
FAKE = "#8e44ad"            # purple
D_COLOR = "#2166ac"         # blue, as D(x) in Goodfellow et al.'s Figure 1
G_COLOR = FAKE              # the generator makes the fakes
D_STAR_COLOR = "#e66101"    # orange
CMAP = "PRGn"               # purple (0: fake) -> white (0.5) -> green (1: real)
SIGNED_CMAP = "RdBu_r"      # blue < 0, white = 0, red > 0
LOSS_COLORS = {"minimax": "#b42318", "non_saturating": "#1f6fb4"}
CYCLE = ("#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#444444")
NEUTRAL = "#555555"
INK = "#222222"
ALERT = "#c0392b"
