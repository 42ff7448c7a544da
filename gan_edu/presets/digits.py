"""Presets for the image lessons (8x8 digits)."""
from __future__ import annotations
