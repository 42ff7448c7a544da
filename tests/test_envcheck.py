"""The environment check of lesson 00: what it reports, and what it tells you to install."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_edu.lessons import envcheck


def fake_versions(monkeypatch, **versions):
    """Pretend the packages named (pip name, '-' as '_') have these versions (None: missing)."""
    real = envcheck._installed_version

    def lookup(req):
        key = req.pip_name.replace("-", "_")
        return versions[key] if key in versions else real(req)

    monkeypatch.setattr(envcheck, "_installed_version", lookup)


def test_this_environment_is_ready():
    report = envcheck.check_environment()
    assert report.ok and report.fix == "" and not report.problems
    names = [i.name for i in report.items]
    for name in ("python", "torch", "torchvision", "ipywidgets", "matplotlib", "scikit-learn"):
        assert name in names
    assert repr(report).startswith("Environment OK")
    assert report.device in ("cpu", "cuda") and 'device="auto" resolves to' in report.device_note
    assert "Environment OK" in report._repr_html_() and "ge-envcheck" in report._repr_html_()


def test_a_missing_package_says_what_to_install(monkeypatch):
    fake_versions(monkeypatch, ipywidgets=None)
    report = envcheck.check_environment()
    assert not report.ok and [i.name for i in report.problems] == ["ipywidgets"]
    assert report.fix.splitlines()[0] == "pip install 'ipywidgets>=8.0'"
    assert "make lab" in report.fix
    text = repr(report)
    assert text.startswith("Environment NOT ready") and "missing" in text and "pip install 'ipywidgets>=8.0'" in text
    assert "pip install &#x27;ipywidgets&gt;=8.0&#x27;" in report._repr_html_()


def test_an_old_package_says_to_upgrade(monkeypatch):
    fake_versions(monkeypatch, ipywidgets="7.7.1", torch="2.14.1+cpu")
    report = envcheck.check_environment()
    assert [(i.name, i.status) for i in report.problems] == [("ipywidgets", "old")]
    assert report.fix.splitlines()[0] == "pip install --upgrade 'ipywidgets>=8.0'"
    assert "too old (need >= 8.0)" in repr(report)


def test_several_problems_make_one_command(monkeypatch):
    fake_versions(monkeypatch, torchvision=None, scikit_learn=None)
    assert envcheck.check_environment().fix.splitlines()[0] == "pip install 'torchvision>=0.17' 'scikit-learn>=1.2'"


def test_an_optional_package_only_warns(monkeypatch):
    fake_versions(monkeypatch, jupyterlab_widgets=None)
    report = envcheck.check_environment()
    assert report.ok and report.fix == ""
    assert [w.name for w in report.warnings] == ["jupyterlab_widgets"]
    assert "pip install 'jupyterlab_widgets>=3.0'" in repr(report)


def test_old_python(monkeypatch):
    monkeypatch.setattr(envcheck, "_python_version", lambda: (3, 8, 18))
    report = envcheck.check_environment()
    assert not report.ok and report.python.status == "old" and "Python 3.10 or newer" in report.fix


def test_gpu_is_reported(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "Test GPU 9000")
    report = envcheck.check_environment()
    assert report.device == "cuda" and "Test GPU 9000" in report.device_note


@pytest.mark.parametrize("found, minimum, ok", [
    ("2.14.1+cpu", "2.2", True), ("2.1.2", "2.2", False), ("8.0.0rc1", "8.0", True), ("10.0", "9", True),
    ("0.9", "0.17", False), ("dev", "1.0", True),
])
def test_version_comparison(found, minimum, ok):
    assert envcheck._at_least(found, minimum) is ok


def test_widget_check_answers_a_click():
    check = envcheck.widget_check()
    assert not check.clicked and "click the button" in check.answer.value
    check.button.click()
    assert check.clicked and "widgets work" in check.answer.value
    assert "ge-widget-check" in check.widget._dom_classes


def test_a_page_without_widgets_shows_what_to_install(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    envcheck.widget_check()._ipython_display_()
    (bundle, raw), = shown
    assert raw and "application/vnd.jupyter.widget-view+json" in bundle
    assert "pip install 'ipywidgets>=8'" in bundle["text/plain"] and "make lab" in bundle["text/plain"]


def test_runs_as_a_plain_script():
    path = Path(envcheck.__file__)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("Environment OK"), out.stderr
