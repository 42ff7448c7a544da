"""Driving Voila 0.5 from Playwright.

Voila runs every cell of a notebook in a new kernel while it streams the page (a spinner says
"Executing 3 of 22"), then the browser draws the widgets. So the page is ready when the document
has loaded, no spinner is left, and no widget output still says "Loading widget...". A page
started with :func:`start` keeps executing on the server while the test does other things.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from browser_support import OUTPUTS

READY = f"""() => document.readyState === 'complete' && document.querySelector('.jp-LabShell, #rendered_cells, main')
    && !document.querySelector('#loading, .voila-spinner, #voila-loading')
    && document.querySelectorAll('{OUTPUTS}').length > 0
    && !Array.from(document.querySelectorAll('{OUTPUTS}')).some(e => e.innerText.includes('Loading widget'))"""


def lesson_url(base: str, name: str, **query) -> str:
    """The Voila page of notebook ``name`` (``projector=1`` -> ``?projector=1``)."""
    return f"{base}voila/render/{name}" + (f"?{urlencode(query)}" if query else "")


def start(page, url: str) -> float:
    """Ask Voila for the page (the server starts running the notebook); returns the start time."""
    t0 = time.monotonic()
    page.goto(url, wait_until="commit", timeout=120_000)
    return t0


def wait_ready(page, t0: float, timeout_s: float = 420.0) -> float:
    """Wait until every cell has run and every widget is drawn; returns the seconds since ``t0``."""
    remaining = max(timeout_s - (time.monotonic() - t0), 30.0)
    page.wait_for_load_state("load", timeout=remaining * 1000)
    for _ in range(2):                    # twice, half a second apart: no widget view is still being created
        page.wait_for_function(READY, timeout=max(timeout_s - (time.monotonic() - t0), 30.0) * 1000, polling=250)
        page.wait_for_timeout(500)
    return time.monotonic() - t0
