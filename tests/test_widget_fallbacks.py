"""What a page that cannot draw a widget shows (GitHub, nbviewer, a notebook before its cells ran):
a readable sentence, never the raw ``VBox(children=(...`` repr."""
import importlib
import inspect
import pkgutil

import ipywidgets as W

import gan_edu.widgets as widgets_pkg
from gan_edu.widgets._base import Shown


def shown_classes():
    for info in pkgutil.iter_modules(widgets_pkg.__path__):
        module = importlib.import_module(f"gan_edu.widgets.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Shown) and cls is not Shown and cls.__module__ == module.__name__:
                yield cls


def test_every_dashboard_names_itself_in_plain_text():
    found = list(shown_classes())
    assert len(found) >= 8
    for cls in found:
        assert cls.fallback_title != Shown.fallback_title, f"{cls.__name__} has no fallback_title"


def test_the_bundle_keeps_the_widget_and_replaces_the_raw_repr():
    class Demo(Shown):
        fallback_title = "A demo dashboard"

        def __init__(self):
            self.widget = W.VBox([W.HTML("x")])

    bundle = Demo()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("[A demo dashboard.") and "VBox" not in bundle["text/plain"]
    assert "run" in bundle["text/plain"].lower()
