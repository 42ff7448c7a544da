"""axe-core in the browser (issue 13): the training lab and a whole lesson have no violation axe
rates "critical" (missing alt text, buttons without a name, ...); what it rates lower is printed.

Only our outputs are scanned, never JupyterLab's own chrome, which this project cannot fix. Every
picture in them says what it shows: figures from ``viz.show`` through the ``alt`` of their HTML
``<img>`` (JupyterLab's plain image renderer would give them none), pictures inside our widgets
through their title.
"""
from browser_support import OUTPUTS, impact, on_lessons, summary

NOTEBOOK_ROOT = ".jp-NotebookPanel"


@on_lessons("04_training_lab.ipynb")
def test_training_lab_has_no_critical_accessibility_problem(lesson, axe):
    lab = lesson.page.locator(f"{NOTEBOOK_ROOT} .ge-lab").first
    titles = lab.locator("img").evaluate_all("els => els.map(e => e.title)")
    assert len(titles) >= 2 and all(titles), titles                # the plane and the charts say what they show
    violations = axe(lesson.page, f"{NOTEBOOK_ROOT} .ge-lab")
    print(f"the lab: axe: {summary(violations)}")
    assert impact(violations, "critical") == [], impact(violations, "critical")


@on_lessons("00_welcome.ipynb", "01_generator_forward_pass.ipynb", "07_dcgan_digits.ipynb")
def test_lesson_has_no_critical_accessibility_problem(lesson, axe):
    texts = lesson.page.locator(f"{NOTEBOOK_ROOT} {OUTPUTS} img").evaluate_all(
        "els => els.map(e => e.alt || e.title)")
    assert texts and all(texts), texts                                   # every picture says what it shows
    violations = axe(lesson.page, f"{NOTEBOOK_ROOT} {OUTPUTS}")
    print(f"{lesson.name}: axe: {summary(violations)}")
    assert impact(violations, "critical") == [], impact(violations, "critical")
