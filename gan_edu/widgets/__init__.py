"""Interactive widgets for the lessons (ipywidgets; they render in JupyterLab and Voila)."""
from __future__ import annotations

from ._base import FigureView, Player, stop_all_players
from .explorer import ArchitectureExplorer
from .lab import TrainingLab

__all__ = ["FigureView", "Player", "stop_all_players", "ArchitectureExplorer", "TrainingLab"]
