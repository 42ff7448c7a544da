"""Figures shown in a lesson carry a text alternative (issue 13: alt text on figures shown as images)."""
import base64
import html
import re

import IPython.display
import pytest

from gan_edu import viz


def test_figure_alt_reads_titles_then_labels_without_mathtext():
    fig = viz.figure(4, 2)
    fig.suptitle("Two views")
    a, b, c = fig.subplots(1, 3)
    a.set_title("D's score $D(x)$")
    b.set_xlabel("step")
    b.set_ylabel("loss")
    assert viz.figure_alt(fig) == "A figure: Two views; D's score D(x); loss against step"
    c.set_ylabel("pixels")
    fig.text(0.5, 0.1, "digits drawn by G")
    assert viz.figure_alt(fig) == "A figure: Two views; digits drawn by G; D's score D(x); loss against step; pixels"
    assert viz.figure_alt(viz.figure(2, 2)) == "A figure"


def test_show_displays_the_png_with_an_alt_text_in_html(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    fig = viz.figure(3, 2)
    fig.add_subplot().set_title('a "quoted" <title>')
    viz.show(fig)
    viz.show(fig, alt="the ring of eight modes")
    (first, raw), (second, _) = shown[:2]
    assert raw and set(first) == {"image/png", "text/html", "text/plain"}
    png = base64.b64decode(first["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    alt = re.search(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"/>', first["text/html"])
    assert alt and html.unescape(alt.group(1)) == first["text/plain"] == 'A figure: a "quoted" <title>'
    fig.axes[0].set_title("a long title " * 12)
    viz.show(fig)
    long = shown[-1][0]
    assert max(map(len, long["text/plain"].splitlines())) <= 88            # the plain fallback wraps at words
    assert " ".join(long["text/plain"].split()) == html.unescape(re.search(r'alt="([^"]*)"', long["text/html"]).group(1))
    assert alt.group(2) == first["image/png"]                  # the same picture in both
    assert second["text/plain"] == "the ring of eight modes" and 'alt="the ring of eight modes"' in second["text/html"]


@pytest.mark.parametrize("alt", ["A figure: x", None])
def test_a_revealed_figure_keeps_its_alt_text(alt):
    from types import SimpleNamespace

    from gan_edu.quiz import panel

    png = base64.b64encode(viz.to_png(viz.figure(2, 1))).decode()
    data = {"image/png": png, **({"text/plain": alt} if alt else {})}
    captured = SimpleNamespace(stdout="", stderr="", outputs=[SimpleNamespace(data=data)])
    picture, = panel._output_widgets(captured)
    assert picture.tooltip == (alt or "A figure the experiment drew")
