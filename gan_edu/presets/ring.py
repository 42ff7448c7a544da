"""Presets for the 2D mode-collapse lessons (ring of 8, 5x5 grid)."""
from __future__ import annotations
