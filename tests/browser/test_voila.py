"""Every lesson as a Voila app (issue 12 §4), and the training lab on a projector (issue 13).

Voila runs all of a lesson's cells before it shows the page; then every widget must be drawn (no
"There was an error when executing cell", no "Error displaying widget", no "model not found", no
raw ``VBox(`` text), the page must read well (pictures at their drawn size, unbroken printed lines,
fonts of 10 px or more, no serious axe-core finding), and the lesson must respond: a checkpoint is
answered from the keyboard and its feedback shown, and one interaction of the lesson's own
(:data:`INTERACTIONS`) changes what it should. A lesson added later is picked up by the glob in
``browser_support.LESSONS``; it gets the checkpoint test and, until it has an entry here, a note.
"""
import json
import re

import pytest
import voila
from browser_support import (
    LESSONS,
    OUTPUTS,
    axe_scan,
    feedback_problems,
    in_voila,
    lesson_id,
    new_page,
    output_problems,
    raw_reprs,
    resized_images,
    right_and_wrong,
    screenshot,
    serious,
    small_text,
    wrapped_lines,
)

from gan_edu.quiz.question import MultipleChoice

LAB = "04_training_lab.ipynb"


# --------------------------------------------------------------------------- helpers
def text_changes(page, watched, act, what: str = "innerText") -> str:
    """Do ``act()``, wait until ``watched`` (a locator) shows another ``what``; returns the new value."""
    handle = watched.element_handle()
    before = handle.evaluate(f"el => el.{what}")
    act()
    page.wait_for_function(f"([el, old]) => el.{what} !== old", arg=[handle, before], timeout=120_000)
    return handle.evaluate(f"el => el.{what}")


def focus_by_tab(page, target, limit: int = 12) -> None:
    """Press Tab until ``target`` has the focus (it must be reachable from the keyboard)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    assert target.evaluate("el => el === document.activeElement"), "Tab never reached " + target.evaluate(
        "el => el.outerHTML.slice(0, 120)")


def answer_a_checkpoint(page) -> str:
    """The first multiple-choice checkpoint of the page, answered wrong then right from the keyboard:
    Tab to "Check", Enter; arrow to another option, Tab, Space. Returns its id."""
    boxes = page.locator(".ge-quiz", has=page.locator(".ge-quiz-options"))
    qid = None
    for i in range(boxes.count()):
        found = re.search(r"Checkpoint (\d\d-[a-z0-9-]+)", boxes.nth(i).inner_text())
        if found and isinstance(right_and_wrong(found.group(1))[0], MultipleChoice) and \
                boxes.nth(i).locator(".ge-quiz-check").is_enabled():
            box, qid = boxes.nth(i), found.group(1)
            break
    assert qid, "the lesson shows no multiple-choice checkpoint to answer"
    q, right, wrong = right_and_wrong(qid)
    box.scroll_into_view_if_needed()
    box.get_by_label(q.options[wrong], exact=True).focus()
    page.keyboard.press("Space")                          # choose the wrong option with the keyboard
    check = box.locator(".ge-quiz-check")
    focus_by_tab(page, check)
    feedback = box.locator(".ge-quiz-feedback")
    text_changes(page, feedback, lambda: page.keyboard.press("Enter"))
    assert "Not quite" in feedback.inner_text(), feedback.inner_text()
    box.get_by_label(q.options[right], exact=True).focus()
    page.keyboard.press("Space")
    focus_by_tab(page, check)
    page.keyboard.press("Space")
    page.wait_for_function("el => el.innerText.includes('Right')", arg=feedback.element_handle())
    assert feedback_problems(feedback.inner_text()) == [], feedback.inner_text()
    return qid


def commit_prediction(page, qid: str) -> None:
    q, right, _ = right_and_wrong(qid)
    box = page.locator(".ge-quiz", has_text=f"Checkpoint {qid}").first
    box.scroll_into_view_if_needed()
    box.get_by_label(q.options[right], exact=True).check()
    box.locator(".ge-quiz-check").click()


def reveals(page, qid: str) -> None:
    """Commit the right prediction of ``qid``: the reveal panel waiting below shows the outcome."""
    commit_prediction(page, qid)
    reveal = page.locator(".ge-reveal", has=page.locator(".ge-reveal-body")).first
    page.wait_for_function("el => el.innerText.includes('The run shows')", arg=reveal.element_handle(),
                           timeout=60_000)
    assert "right" in reveal.inner_text()


def slider_moves(page, slider: str, readout: str) -> None:
    handle = page.locator(f"{slider} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    text_changes(page, page.locator(readout).first, lambda: [handle.press("ArrowRight") for _ in range(4)])


def click_changes(page, button: str, watched: str) -> None:
    b = page.locator(button).first
    b.scroll_into_view_if_needed()
    text_changes(page, page.locator(watched).first, b.click)


def lab_steps_d_then_g(page) -> None:
    lab = page.locator(".ge-lab").first
    lab.locator(".ge-lab-step-d").click()
    page.wait_for_function("el => el.innerText.includes('D updates 1')", arg=lab.locator(".ge-lab-counter").element_handle())
    lab.locator(".ge-lab-step-g").click()
    page.wait_for_function("el => el.innerText.includes('G updates 1')", arg=lab.locator(".ge-lab-counter").element_handle())
    assert "step 0 · D updates 1 · G updates 1" in lab.locator(".ge-lab-counter").inner_text()
    assert "counts whole steps only" in lab.locator(".ge-lab-message").inner_text()


def export_for_the_instructor(page) -> None:
    page.locator(".ge-progress-name input").fill("Grace H.")
    page.locator(".ge-progress-export").click()
    link = page.locator(".ge-progress-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    record = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert record["learner"] == "Grace H."


#: each lesson's own interaction in Voila: what a learner does first, and what must change
INTERACTIONS = {
    "00": lambda page: click_changes(page, ".ge-explorer-step:text-is('D(x)')", ".ge-explorer-title"),
    "01": lambda page: slider_moves(page, ".ge-latent-z1", ".ge-latent-readout"),
    "02": lambda page: click_changes(page, ".ge-dtrainer-train", ".ge-dtrainer-status"),
    "03": lambda page: reveals(page, "03-d-step-grad"),
    "04": lab_steps_d_then_g,
    "05": lambda page: reveals(page, "05-vanilla-modes"),
    "06": lambda page: click_changes(page, ".ge-eq-step", ".ge-eq-status"),
    "07": lambda page: slider_moves(page, ".ge-nudge-amount", ".ge-nudge-readout"),
    "08": export_for_the_instructor,
}


# --------------------------------------------------------------------------- the lab, before anything is pressed
@in_voila(LAB)
def test_lab_shows_first_and_nothing_has_run_yet(voila_lesson):
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    assert lab.is_visible() and page.locator(".ge-reveal").count() == 0        # the experiment waits for its button
    assert "has not run yet" in page.locator(".ge-experiment-status").first.inner_text()
    counter = lab.locator(".ge-lab-counter").inner_text()
    assert "loss_D — · loss_G —" in counter and "nan" not in counter.lower(), counter


# --------------------------------------------------------------------------- every lesson
@in_voila(*LESSONS)
def test_lesson_renders_and_responds_in_voila(voila_lesson):
    page, lid = voila_lesson.page, lesson_id(voila_lesson.name)
    print(f"{voila_lesson.name}: Voila page ready in {voila_lesson.seconds:.0f} s")
    body = page.inner_text("body")
    assert output_problems(page) == [] and raw_reprs(body) == []
    assert page.locator(f"{OUTPUTS} .jupyter-widgets").count() > 0
    assert resized_images(page) == []
    assert wrapped_lines(page)["wrapped"] == []
    assert small_text(page) == []
    violations = axe_scan(page, OUTPUTS)
    print(f"{voila_lesson.name}: axe: " + ("; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations)
                                           or "nothing"))
    assert serious(violations) == [], serious(violations)
    answer_a_checkpoint(page)
    if lid not in INTERACTIONS:
        pytest.fail(f"lesson {lid} has no interaction of its own in test_voila.INTERACTIONS: add what a learner does "
                    "first in it and what must change on the page")
    INTERACTIONS[lid](page)
    assert output_problems(page) == []
    screenshot(page, f"voila_{lid}")


# --------------------------------------------------------------------------- the training lab (lesson 04)
def box(locator) -> dict:
    return locator.evaluate("el => { const r = el.getBoundingClientRect(); "
                            "return {x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom}; }")


@in_voila(LAB)
def test_lab_layout_uses_the_width(voila_lesson):
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    view = lab.locator("img.ge-lab-view")
    natural = view.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    shown = box(view)
    assert abs(shown["w"] - natural[0]) <= 1 and abs(shown["h"] - natural[1]) <= 1, (shown, natural)
    charts, tabs = box(lab.locator("img.ge-lab-charts")), box(lab.locator(".lm-TabBar").first)
    assert tabs["x"] >= charts["right"] - 1 and tabs["y"] < charts["bottom"], (charts, tabs)   # beside, not below
    screenshot(page, "voila_lab", lab)


@in_voila(LAB)
def test_lab_slow_motion_caption_keeps_its_height_then_hides(voila_lesson):
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    caption = lab.locator(".ge-lab-caption")
    lab.locator(".ge-lab-slow input").check()
    lab.locator(".ge-lab-step").click()
    heights = set()
    for k in range(1, 7):
        page.wait_for_function(f"el => el.innerText.includes('{k} ·')", arg=caption.element_handle(), timeout=30_000)
        heights.add(round(box(caption)["h"]))
    assert len(heights) == 1 and heights.pop() > 20, heights
    lab.locator(".ge-lab-slow input").uncheck()
    page.wait_for_function("el => getComputedStyle(el).display === 'none' || el.offsetParent === null",
                           arg=caption.element_handle())


@in_voila(LAB)
def test_lab_loss_scale_note_follows_the_loss(voila_lesson):
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    lab.get_by_role("tab", name="Loss & optimiser").click()
    note = lab.locator(".ge-lab-scale-note")
    loss = lab.locator(".ge-lab-loss select")
    for name, word in (("hinge", "margin"), ("wgan_gp", "critic")):
        text_changes(page, note, lambda n=name: loss.select_option(n))
        page.wait_for_function(f"el => el.innerText.includes('{word}')", arg=note.element_handle())
    text_changes(page, note, lambda: loss.select_option("non_saturating"))
    lab.get_by_role("tab", name="Data").click()


@in_voila(LAB)
def test_lab_experiment_runs_on_its_button_with_progress(voila_lesson):
    page = voila_lesson.page
    commit_prediction(page, "04-more-d")
    panel = page.locator(".ge-experiment").first
    panel.scroll_into_view_if_needed()
    panel.locator(".ge-experiment-run").click()
    bar = panel.locator(".ge-experiment-progress .progress-bar")
    bar.wait_for(timeout=30_000)
    page.wait_for_function("el => parseFloat(el.style.width || '0') > 0", arg=bar.element_handle(), timeout=120_000)
    reveal = panel.locator(".ge-reveal")
    reveal.wait_for(timeout=600_000)
    page.wait_for_function("el => el.innerText.includes('The run shows')", arg=reveal.element_handle(), timeout=120_000)
    assert "right" in reveal.inner_text()
    assert panel.locator(".ge-experiment-progress").count() == 0
    assert output_problems(page) == [] and resized_images(page) == []


def test_lab_on_a_projector(voila_server, browser):
    """``?projector=1``: the plane 540 px wide, larger (20 px) button text."""
    with new_page(browser) as page:
        t0 = voila.start(page, voila.lesson_url(voila_server, LAB, projector=1))
        voila.wait_ready(page, t0)
        lab = page.locator(".ge-lab.ge-lab-projector")
        assert lab.count() == 1
        view = lab.locator("img.ge-lab-view")
        assert view.evaluate("img => img.naturalWidth") == 540 and abs(box(view)["w"] - 540) <= 1
        sizes = lab.locator(".widget-button").evaluate_all("els => els.map(e => getComputedStyle(e).fontSize)")
        assert sizes and set(sizes) == {"20px"}, sizes
        assert output_problems(page) == []
        screenshot(page, "voila_projector", lab)
