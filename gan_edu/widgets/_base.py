"""Pieces every widget here is built from.

* :class:`FigureView` -- a matplotlib figure shown as an ``ipywidgets.Image`` and
  redrawn from the kernel. Nothing is drawn through pyplot, so no figure leaks
  into a cell's outputs, and it needs no ipympl (it works in Voila and in any
  frontend that shows ipywidgets).
* :class:`Player` -- "play" without freezing the notebook: steps run on the
  kernel's event loop in short slices, so button clicks and slider moves are
  handled between slices; drawing happens at most ``fps`` times a second, on a
  time budget, never once per step.
"""
from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable

import ipywidgets as W

from .. import viz

__all__ = ["FigureView", "Player", "stop_all_players"]


class FigureView:
    """Show ``fig`` in an Image widget; call :meth:`refresh` after changing it.

    ``fmt="jpeg"`` encodes ~5x faster than PNG (used for live views)."""

    def __init__(self, fig, fmt: str = "png", css_class: str | None = None):
        self.fig = fig
        self.fmt = fmt
        self.image = W.Image(format=fmt, layout=W.Layout(max_width="100%", height="auto"))
        if css_class:
            self.image.add_class(css_class)
        self.frames = 0

    def refresh(self) -> None:
        self.image.value = viz.to_jpeg(self.fig) if self.fmt == "jpeg" else viz.to_png(self.fig)
        self.frames += 1


_players: weakref.WeakSet = weakref.WeakSet()


def stop_all_players() -> None:
    """Pause every Player (a new dashboard calls this so two never fight over the CPU)."""
    for p in list(_players):
        p.pause()


class Player:
    """Call ``step()`` over and over while playing, ``draw()`` at most ``fps`` times a second.

    ``play()`` starts a task on the running asyncio loop (the Jupyter kernel's); it
    does nothing if already playing, so double clicks never start two loops.
    ``pause()`` stops it after the current slice (within ~``slice_s`` seconds).
    If ``step()`` raises, playing stops and ``on_error(exc)`` is called.
    """

    def __init__(self, step: Callable[[], object], draw: Callable[[], object], fps: float = 10.0,
                 slice_s: float = 0.03, on_error: Callable[[BaseException], object] | None = None,
                 on_state: Callable[[bool], object] | None = None):
        self.step_fn, self.draw_fn = step, draw
        self.fps, self.slice_s = fps, slice_s
        self.on_error, self.on_state = on_error, on_state
        self.playing = False
        self.task: asyncio.Task | None = None
        self.steps = self.frames = 0
        self.error: BaseException | None = None
        _players.add(self)

    def play(self) -> asyncio.Task | None:
        if self.playing:
            return self.task
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop()
        self.playing = True
        self.error = None
        if self.on_state:
            self.on_state(True)
        self.task = loop.create_task(self._loop())
        return self.task

    def pause(self) -> None:
        self.playing = False

    async def _loop(self) -> None:
        frame_every = 1.0 / self.fps
        last_draw = time.perf_counter()
        try:
            while self.playing:
                t_slice = time.perf_counter() + self.slice_s
                while self.playing and time.perf_counter() < t_slice:
                    self.step_fn()
                    self.steps += 1
                now = time.perf_counter()
                if now - last_draw >= frame_every:
                    last_draw = now
                    self.draw_fn()
                    self.frames += 1
                await asyncio.sleep(0.001)          # let the kernel handle clicks and slider moves
        except Exception as err:  # noqa: BLE001 - reported to the widget, not lost
            self.error = err
            if self.on_error:
                self.on_error(err)
        finally:
            self.playing = False
            try:
                self.draw_fn()
            except Exception:  # noqa: BLE001
                pass
            if self.on_state:
                self.on_state(False)
