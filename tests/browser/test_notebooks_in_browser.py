"""Every numbered lesson in JupyterLab, in headless Chromium, as a learner meets it (issue 13):

* before running: the committed notebook shows, in every widget's place, readable text (the
  widget drawn from its saved state, or its plain-text fallback), never "model not found" nor a
  raw ``VBox(children=...)`` repr;
* Run All: the kernel finishes, no cell shows an error, every widget is drawn;
* what it looks like: pictures at the size they were drawn and no taller than the window, printed
  lines the page never breaks, text in our widgets at 10 px or more, no serious accessibility
  problem in the outputs (axe-core);
* saved and reopened in a new kernel: every widget is drawn again from the state saved with the
  notebook (the kit's JupyterLab setting, jupyter-config/), never "model not found".
"""
import shutil
from pathlib import Path

from browser_support import (
    LESSONS,
    OUTPUTS,
    axe_scan,
    new_page,
    on_lessons,
    output_problems,
    resized_images,
    screenshot,
    serious,
    small_text,
    wrapped_lines,
)
from jlab import cell_errors, open_notebook, run_all, save, settle_widgets, unreadable, widget_outputs

# pictures of a lesson's result for the README: lesson -> (text in the cell's code, screenshot name)
RESULT_SHOTS = {"05_mode_collapse.ipynb": ("plot_side_by_side", "mode_collapse")}
NOTEBOOK_ROOT = ".jp-NotebookPanel"


@on_lessons(*LESSONS)
def test_before_running_every_widget_reads_as_text(lesson):
    """The committed notebook, opened without running a cell (JupyterLab does not trust it, so it
    shows each widget's text/plain fallback: the question and "run this cell", or what the widget is)."""
    assert lesson.before, f"{lesson.name} stores no widget output"
    assert unreadable(lesson.before) == [], unreadable(lesson.before)
    for o in lesson.before:
        assert o["drawn"] or "run" in o["shown"].lower() or "Run" in o["shown"], o     # it says what to do


@on_lessons(*LESSONS)
def test_run_all_in_jupyterlab(lesson):
    page = lesson.page
    assert cell_errors(page) == []
    assert output_problems(page, NOTEBOOK_ROOT) == []
    outputs = widget_outputs(page)
    assert outputs and all(o["drawn"] for o in outputs), [o for o in outputs if not o["drawn"]]
    print(f"{lesson.name}: Run All took {lesson.seconds:.0f} s, {len(outputs)} widgets")
    screenshot(page, f"run_all_{Path(lesson.name).stem}")
    if lesson.name in RESULT_SHOTS:
        code, shot = RESULT_SHOTS[lesson.name]
        figure = page.locator(".jp-CodeCell", has_text=code).first.locator(f"{OUTPUTS} img").first
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("img => img.naturalWidth") > 0
        screenshot(page, shot, figure)


@on_lessons(*LESSONS)
def test_pictures_text_and_fonts_read_well(lesson):
    page = lesson.page
    assert resized_images(page, f"{NOTEBOOK_ROOT} {OUTPUTS}") == []
    found = wrapped_lines(page, f"{NOTEBOOK_ROOT} {OUTPUTS}")
    assert found["wrapped"] == [], found
    assert small_text(page, f"{NOTEBOOK_ROOT} {OUTPUTS} .jupyter-widgets") == []


@on_lessons(*LESSONS)
def test_no_serious_accessibility_problem(lesson):
    violations = axe_scan(lesson.page, f"{NOTEBOOK_ROOT} {OUTPUTS}")
    print(f"{lesson.name}: axe: " + ("; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations)
                                      or "nothing"))
    assert serious(violations) == [], serious(violations)


@on_lessons(*LESSONS)
def test_saved_and_reopened_shows_every_widget(lesson, jupyter, workdir, browser):
    """Run, save, then open the saved notebook with a new kernel (as after a restart): every widget is
    drawn from the state saved with it, none says "model not found"."""
    base, token = jupyter
    save(lesson.page)
    copy = workdir / f"{Path(lesson.name).stem}-reopened.ipynb"
    shutil.copy(workdir / lesson.name, copy)
    try:
        with new_page(browser) as page:
            open_notebook(page, base, token, copy.name)
            settle_widgets(page)
            outputs = widget_outputs(page)
            try:
                assert outputs and unreadable(outputs) == [], unreadable(outputs)
                assert all(o["drawn"] for o in outputs), [o for o in outputs if not o["drawn"]]
                assert output_problems(page, NOTEBOOK_ROOT) == []
            finally:
                page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    finally:
        copy.unlink(missing_ok=True)


@on_lessons("04_training_lab.ipynb")
def test_run_all_twice_in_the_same_kernel(lesson):
    """Re-running the training lab in the same kernel: no errors, the old lab stops."""
    page = lesson.page
    page.locator(".ge-lab-play").first.click()
    page.wait_for_timeout(1000)
    run_all(page)                                     # the first lab is still playing when this starts
    assert cell_errors(page) == []
    assert output_problems(page, NOTEBOOK_ROOT) == []
    assert page.locator(".ge-lab").count() == 1
