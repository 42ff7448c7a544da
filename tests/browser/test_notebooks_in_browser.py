"""Every numbered lesson, opened in JupyterLab in headless Chromium, Run All:
the kernel finishes, no cell shows an error, every widget renders."""
from pathlib import Path

import pytest
from browser_support import NOTEBOOKS, screenshot
from jlab import cell_errors, open_notebook, run_all, widget_outputs, widget_problems

LESSONS = sorted(p.name for p in Path(NOTEBOOKS).glob("[0-9][0-9]_*.ipynb"))
# pictures of a lesson's result for the README: lesson -> (text in the cell's code, screenshot name)
RESULT_SHOTS = {"05_mode_collapse.ipynb": ("plot_side_by_side", "mode_collapse")}


@pytest.mark.parametrize("name", LESSONS)
def test_run_all_in_jupyterlab(name, jupyter, page):
    base, token = jupyter
    open_notebook(page, base, token, name)
    seconds = run_all(page)
    page.wait_for_timeout(1500)                        # let the last widget views draw
    assert cell_errors(page) == []
    assert widget_problems(page) == []
    expected = widget_outputs(page)
    drawn = page.evaluate("""() => window.jupyterapp.shell.currentWidget.node
        .querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length""")
    assert expected == 0 or drawn >= expected, f"{expected} widget outputs but {drawn} drawn"
    print(f"{name}: Run All took {seconds:.0f} s, {expected} widgets")
    screenshot(page, f"run_all_{Path(name).stem}")
    if name in RESULT_SHOTS:
        code, shot = RESULT_SHOTS[name]
        figure = page.locator(".jp-CodeCell", has_text=code).first.locator(".jp-OutputArea-output img").first
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("img => img.naturalWidth") > 0
        screenshot(page, shot, figure)


def test_run_all_twice_in_the_same_kernel(jupyter, page):
    """Re-running the training lab in the same kernel: no errors, the old lab stops."""
    base, token = jupyter
    open_notebook(page, base, token, "04_training_lab.ipynb")
    run_all(page)
    page.locator(".ge-lab-play").first.click()
    page.wait_for_timeout(1000)
    run_all(page)                                     # the first lab is still playing when this starts
    assert cell_errors(page) == []
    assert widget_problems(page) == []
    assert page.locator(".ge-lab").count() == 1
