"""Lessons as Voila apps (issue 13): the training lab first, on a projector, and the export.

Voila runs all of a lesson's cells before it shows the page; then every widget must be drawn (no
"There was an error when executing cell", no "Error displaying widget", no "model not found" --
lesson 04's experiment used to leave a dangling tqdm bar saying so --, no raw ``VBox(`` text), the
page must read well (pictures at their drawn size, unbroken printed lines, fonts of 10 px or more),
and the lesson must respond: a checkpoint answered from the keyboard, and the lesson's own
interaction (:data:`INTERACTIONS`, for 04 and 08). Every lesson is rendered here, each a full run of
its cells (about 3.5 minutes of the suite on this machine).
"""
import re

import voila
from browser_support import (
    LESSONS,
    OUTPUTS,
    cut_off_buttons,
    export_for_the_instructor,
    feedback_problems,
    image_sizes,
    in_voila,
    lesson_id,
    new_page,
    output_problems,
    raw_reprs,
    resized_images,
    right_and_wrong,
    small_text,
    wrapped_lines,
)

from gan_edu.quiz.question import MultipleChoice
from gan_edu.widgets.lab import VIEW_SIZES

LAB, REVIEW = "04_training_lab.ipynb", "08_review.ipynb"
#: every lesson is rendered in Voila too (each Voila page runs the whole lesson again: about 3 minutes
#: of the suite for all of them)
OTHERS = tuple(name for name in LESSONS if name not in (LAB, REVIEW))


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
    Space on an option, Tab to "Check", Enter; then the right option, Tab, Space. Returns its id."""
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


def lab_steps_d_then_g(page) -> None:
    lab = page.locator(".ge-lab").first
    counter = lab.locator(".ge-lab-counter")
    text_changes(page, counter, lab.locator(".ge-lab-step-d").click)
    text_changes(page, counter, lab.locator(".ge-lab-step-g").click)
    assert "step 0 · D updates 1 · G updates 1" in counter.inner_text(), counter.inner_text()
    assert "counts whole steps only" in lab.locator(".ge-lab-message").inner_text()


def export_in_voila(page) -> None:
    """The export is a real download in Voila too, with the learner's name inside the record."""
    _, record = export_for_the_instructor(page, "Grace H.")
    assert record["learner"] == "Grace H."


#: each Voila lesson's own interaction: what a learner does first, and what must change
INTERACTIONS = {"04": lab_steps_d_then_g, "08": export_in_voila}


def box(locator) -> dict:
    return locator.evaluate("el => { const r = el.getBoundingClientRect(); "
                            "return {x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom}; }")


def commit_prediction(page, qid: str) -> None:
    q, right, _ = right_and_wrong(qid)
    quiz = page.locator(".ge-quiz", has_text=f"Checkpoint {qid}").first
    quiz.scroll_into_view_if_needed()
    quiz.get_by_label(q.options[right], exact=True).check()
    quiz.locator(".ge-quiz-check").click()


# --------------------------------------------------------------------------- the lab, before anything is pressed
@in_voila(LAB)
def test_lab_shows_first_and_the_experiment_waits_for_its_button(voila_lesson):
    """The page did not wait for the k = 1/5/25 experiment: it has not run, its button is there, and
    the lab above it stands at step 0 with "—" for the losses (not nan)."""
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    assert lab.is_visible()
    panel = page.locator(".ge-experiment").first
    assert "has not run yet" in panel.locator(".ge-experiment-status").inner_text()
    assert panel.locator(".ge-experiment-run").is_enabled() and panel.locator(".ge-reveal").count() == 0
    assert box(lab)["y"] < box(panel)["y"]
    counter = lab.locator(".ge-lab-counter").inner_text()
    assert "step 0 · D updates 0 · G updates 0 · loss_D — · loss_G —" in counter, counter


# --------------------------------------------------------------------------- every Voila lesson
@in_voila(LAB, REVIEW, *OTHERS)
def test_lesson_renders_and_responds_in_voila(voila_lesson):
    page, lid = voila_lesson.page, lesson_id(voila_lesson.name)
    print(f"{voila_lesson.name}: Voila page ready in {voila_lesson.seconds:.0f} s")
    assert output_problems(page) == [] and raw_reprs(page.inner_text("body")) == []
    assert page.locator(f"{OUTPUTS} .jupyter-widgets").count() > 0
    assert resized_images(page) == []
    assert wrapped_lines(page)["wrapped"] == []
    assert small_text(page) == []
    assert cut_off_buttons(page) == []
    answer_a_checkpoint(page)
    if lid in INTERACTIONS:                 # the lesson's own widget, used as a learner would
        INTERACTIONS[lid](page)
    assert output_problems(page) == []


# --------------------------------------------------------------------------- the training lab (lesson 04)
@in_voila(LAB)
def test_lab_pictures_at_their_size_charts_beside_the_plane(voila_lesson):
    page = voila_lesson.page
    lab = page.locator(".ge-lab").first
    view = lab.locator("img.ge-lab-view")
    natural = view.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    shown = box(view)
    assert natural[0] == VIEW_SIZES["M"], natural
    assert abs(shown["w"] - natural[0]) <= 1 and abs(shown["h"] - natural[1]) <= 1, (shown, natural)
    charts = box(lab.locator("img.ge-lab-charts"))
    assert charts["x"] >= shown["right"] - 1 and abs(charts["y"] - shown["y"]) <= 1, (shown, charts)


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
    """Commit the prediction, press "Run the experiment": a progress bar moves, then the result is
    revealed with the verdict; the bar goes and nothing says "model not found" (no dangling tqdm)."""
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
    assert [s for s in image_sizes(page, ".ge-reveal") if s["shown"][0] > s["natural"][0] + 0.5] == []


def test_lab_on_a_projector_uses_the_page_width(voila_server, browser):
    """``?projector=1``: the plane drawn larger (the "L" size) and shown at its size, the charts beside
    it, the controls beside those, the lab spanning the page's width; buttons in 20 px text."""
    with new_page(browser) as page:
        t0 = voila.start(page, voila.lesson_url(voila_server, LAB, projector=1))
        voila.wait_ready(page, t0)
        lab = page.locator(".ge-lab.ge-lab-projector")
        assert lab.count() == 1
        view = lab.locator("img.ge-lab-view")
        natural = view.evaluate("img => img.naturalWidth")
        plane, charts = box(view), box(lab.locator("img.ge-lab-charts"))
        tabs, area = box(lab.locator(".lm-TabBar").first), box(page.locator(OUTPUTS, has=lab).first)
        print(f"projector: page {page.viewport_size['width']} px, output area {area['w']:.0f}, plane {plane['w']:.0f}, "
              f"charts {charts['w']:.0f}, tabs {tabs['x']:.0f}..{tabs['right']:.0f}")
        assert natural == VIEW_SIZES["L"] and abs(plane["w"] - natural) <= 1, (natural, plane)
        assert charts["x"] >= plane["right"] - 1 and abs(charts["y"] - plane["y"]) <= 1, (plane, charts)
        assert tabs["right"] - plane["x"] >= 0.9 * area["w"], (plane, tabs, area)     # the lab spans the width
        sizes = lab.locator(".widget-button").evaluate_all("els => els.map(e => getComputedStyle(e).fontSize)")
        assert sizes and set(sizes) == {"20px"}, sizes
        assert output_problems(page) == []
