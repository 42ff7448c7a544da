"""Pieces every widget here is built from.

* :class:`FigureView` -- a matplotlib figure shown as an ``ipywidgets.Image`` and
  redrawn from the kernel. Nothing is drawn through pyplot, so no figure leaks
  into a cell's outputs, and it needs no ipympl (it works in Voila and in any
  frontend that shows ipywidgets).
* :class:`Player` -- "play" without freezing the notebook: steps run on the
  kernel's event loop in short slices, so button clicks and slider moves are
  handled between slices; drawing happens at most ``fps`` times a second, on a
  time budget, never once per step.
* :class:`Shown` (a dashboard whose ``.widget`` a cell shows), :func:`button` (a button
  with its CSS class and its click), :func:`per_click_menu`, :func:`set_quietly` (move a
  slider without firing its observer), :class:`Guarded` (a click's error shown, not lost),
  :class:`SliderWalk` (a slider ``a`` walking from z0 to z1) and :func:`move_slider` -- the
  small parts every dashboard repeats.
"""
from __future__ import annotations

import asyncio
import html
import io
import time
import weakref
from collections.abc import Callable

import ipywidgets as W
import numpy as np
import traitlets

from .. import _check, viz

__all__ = ["Picture", "FigureView", "BlitView",
           "Player", "stop_all_players", "Shown", "button", "per_click_menu", "set_quietly",
           "Guarded", "SliderWalk", "move_slider"]


class Picture(W.Image):
    """An ``ipywidgets.Image`` with a text alternative: ``Picture(alt="...")`` puts it in the <img>'s
    ``title`` (what a screen reader says and a mouse-over shows). ipywidgets 8's frontend reads the
    widget's ``description`` before it writes the title, and an Image has none: setting ``tooltip`` on
    a plain Image makes its view fail ("Could not create a view"), so an empty one is synced here."""

    description = traitlets.Unicode("").tag(sync=True)

    def __init__(self, alt: str = "", **kwargs):
        super().__init__(tooltip=alt or None, **kwargs)


class FigureView:
    """Show ``fig`` in an Image widget; call :meth:`refresh` after changing it.

    ``fmt="jpeg"`` encodes ~5x faster than PNG (used for live views). ``alt`` says what the picture
    shows (the image's title, which screen readers read); by default the figure's axes titles."""

    def __init__(self, fig, fmt: str = "png", css_class: str | None = None, alt: str | None = None):
        self.fig = fig
        self.fmt = fmt
        self.image = Picture(alt=alt or viz.figure_alt(fig), format=fmt, layout=W.Layout(max_width="100%", height="auto"))
        if css_class:
            self.image.add_class(css_class)
        self.frames = 0

    def refresh(self) -> None:
        self.image.value = viz.to_jpeg(self.fig) if self.fmt == "jpeg" else viz.to_png(self.fig)
        self.frames += 1


class BlitView(FigureView):
    """A :class:`FigureView` that redraws only the artists that move.

    The figure without the ``animated`` artists is rendered once (and again after
    ``refresh(full=True)``, when something static changed) and kept as a background; an
    ordinary ``refresh()`` pastes the background, draws the moving artists on top and encodes
    the pixels. That keeps a slider's redraw to a few milliseconds of drawing plus encoding."""

    def __init__(self, fig, animated, fmt: str = "png", css_class: str | None = None):
        super().__init__(fig, fmt=fmt, css_class=css_class)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)
        self._background = None

    def refresh(self, full: bool = False, extra=()) -> None:
        """Redraw; ``full=True`` after something static changed. ``extra``: artists made for
        this frame only (e.g. a new quiver), drawn after the animated ones."""
        canvas = self.fig.canvas
        if full or self._background is None:
            canvas.draw()                                   # animated artists are left out
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in [*self.animated, *extra]:
            if artist.get_visible():
                (artist.axes or self.fig).draw_artist(artist)
        self.image.value = _encode(np.asarray(canvas.buffer_rgba()), self.fmt)
        self.frames += 1


def _encode(rgba: np.ndarray, fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    if fmt == "jpeg":                      # read the RGBA buffer in place as RGBX: no copy to drop the alpha
        h, w = rgba.shape[:2]
        Image.frombuffer("RGBX", (w, h), np.ascontiguousarray(rgba), "raw", "RGBX", 0, 1).save(buf, format="JPEG",
                                                                                              quality=90)
    else:
        Image.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class Shown:
    """Mixin for a dashboard whose ``.widget`` (an ipywidgets container) is what a cell shows.

    The display bundle holds the live widget and a readable ``text/plain`` (:meth:`plain_text`):
    what GitHub, nbviewer and a notebook opened before its cells ran show instead of the raw
    ``VBox(children=...)`` repr. Subclasses set ``fallback_title`` (and may override ``plain_text``)."""

    fallback_title = "An interactive widget"

    def plain_text(self) -> str:
        return (f"[{self.fallback_title}. It appears here when this cell runs in Jupyter: run the notebook's cells "
                f"from the top (or Run All), then use it.]")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = self.plain_text()
        return bundle


def button(text: str, css: str, on_click: Callable[[], object], icon: str = "", style: str = "", tooltip: str = "",
           **layout) -> W.Button:
    """A button with the CSS class ``css`` (the browser tests find it by it) that calls
    ``on_click()`` when clicked; ``layout`` keywords go to its ``ipywidgets.Layout``."""
    b = W.Button(description=text, icon=icon, button_style=style, tooltip=tooltip, layout=W.Layout(**layout))
    b.add_class(css)
    b.on_click(lambda _: on_click())
    return b


def per_click_menu(choices, value: int, description: str, css: str, width: str, relabel: W.Button,
                   label: str) -> W.Dropdown:
    """A "how many per click" menu; choosing N relabels the button ``relabel`` to ``label.format(N)``."""
    menu = W.Dropdown(options=list(choices), value=value, description=description,
                      style={"description_width": "initial"}, layout=W.Layout(width=width))
    menu.add_class(css)
    menu.observe(lambda change: setattr(relabel, "description", label.format(change["new"])), names="value")
    return menu


def set_quietly(slider, on_value: Callable, **traits) -> None:
    """Set ``slider``'s traits (``max=``, ``value=`` ...) without calling its ``value`` observer
    ``on_value``: the program moved it, the learner did not."""
    slider.unobserve(on_value, names="value")
    try:
        for name, value in traits.items():
            setattr(slider, name, value)
    finally:
        slider.observe(on_value, names="value")


class Guarded:
    """Mixin: :meth:`_guarded` runs what a click asked for; if it raises, the error is kept in
    ``error`` and shown in the status line (``_update_status()``) instead of vanishing into the
    kernel's log. :meth:`_with_error` appends it to a status text."""

    error: str | None = None

    def _guarded(self, fn: Callable[[], object]) -> None:
        self.error = None
        try:
            fn()
        except Exception as err:  # noqa: BLE001 - shown to the learner, not lost in the log
            self.error = f"{type(err).__name__}: {err}"
            self._update_status()

    def _with_error(self, text: str) -> str:
        if not self.error:
            return text
        return f"{text}<br><span style='color:{viz.ALERT}'>{html.escape(self.error)}</span>"


class SliderWalk:
    """Mixin for a widget whose ``slider`` (a in [0, 1]) walks in a straight line from ``z0`` to
    ``z1`` and whose ``redraw()`` draws G at the current point."""

    @property
    def alpha(self) -> float:
        return float(self.slider.value)

    @property
    def z(self):
        """The current point of the walk, ``(1 - a) z0 + a z1``, shape [latent_dim]."""
        a = self.alpha
        return (1 - a) * self.z0 + a * self.z1

    def set_alpha(self, alpha: float):
        """Move the slider to ``alpha`` in [0, 1] (what dragging it does)."""
        move_slider(self.slider, _check.number("alpha", alpha, minimum=0.0, maximum=1.0), self.redraw)
        return self


_players: weakref.WeakSet = weakref.WeakSet()


def move_slider(slider, value, redraw) -> None:
    """Set ``slider`` to ``value`` as dragging it would (its observer redraws); if it is already
    there, no change event fires, so call ``redraw()`` instead."""
    if slider.value == value:
        redraw()
    else:
        slider.value = value


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
        next_frame = time.perf_counter() + frame_every
        try:
            while self.playing:
                slice_end = min(time.perf_counter() + self.slice_s, next_frame)
                while self.playing and time.perf_counter() < slice_end:
                    self.step_fn()
                    self.steps += 1
                now = time.perf_counter()
                if now >= next_frame:
                    self.draw_fn()
                    self.frames += 1
                    next_frame = max(next_frame + frame_every, time.perf_counter() + 0.2 * frame_every)
                await asyncio.sleep(0)              # let the kernel handle clicks and slider moves
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
