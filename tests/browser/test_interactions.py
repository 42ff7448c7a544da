"""What a learner does with the widgets in JupyterLab, asserted by what the page shows afterwards:
lesson 00's architecture explorer and a checkpoint, and lesson 04's training lab (issue 13: the
status before any step, Step D / Step G against the step counter, slow motion's captions, a
height that does not jump, the buttons from the keyboard).

The lab's tests share one page and run in this file's order (its state carries over): the first
one sees the lab exactly as Run All left it, at step 0. Every wait is on a condition of the page.
"""
import re

import jlab
from browser_support import feedback_problems, on_lessons, right_and_wrong, screenshot

WELCOME, LAB = "00_welcome.ipynb", "04_training_lab.ipynb"
#: how much the lab's height may change between two moments that should look alike (px)
HEIGHT_TOLERANCE = 2.0


@on_lessons(WELCOME)
def test_architecture_explorer_click_shows_explanation_and_tensor(lesson):
    page = lesson.page
    explorer = page.locator(".ge-explorer").first
    explorer.scroll_into_view_if_needed()
    plot = explorer.locator(".ge-explorer-plot")
    src0 = plot.get_attribute("src")
    explorer.locator(".ge-explorer-step", has_text=re.compile(r"^D\(x\)$")).click()
    title = explorer.locator(".ge-explorer-title")
    page.wait_for_function("el => el.innerText.includes('real data')", arg=title.element_handle())
    assert "D(x)" in title.inner_text()
    assert explorer.locator(".ge-explorer-explanation").inner_text().strip() != ""
    assert "256" in explorer.locator(".ge-explorer-tensor").inner_text()
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[plot.element_handle(), src0])
    src1 = plot.get_attribute("src")
    explorer.locator(".ge-explorer-step", has_text=re.compile(r"^G\(z\)$")).click()
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[plot.element_handle(), src1])
    assert "generator" in explorer.locator(".ge-explorer-title").inner_text()
    screenshot(page, "explorer", explorer)


@on_lessons(WELCOME)
def test_quiz_wrong_then_right_from_the_keyboard(lesson):
    """Choose with the mouse, then reach "Check" with Tab and press it with Enter (then Space)."""
    page = lesson.page
    q, right, wrong = right_and_wrong("00-keep")
    box = page.locator(".ge-quiz", has_text="Checkpoint 00-keep").first
    box.scroll_into_view_if_needed()
    box.get_by_text(q.options[wrong], exact=True).click()
    check = box.locator(".ge-quiz-check")
    for _ in range(len(q.options) + 2):                 # Tab from the chosen option to the Check button
        if check.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert check.evaluate("el => el === document.activeElement"), "Tab never reached the Check button"
    page.keyboard.press("Enter")
    feedback = box.locator(".ge-quiz-feedback")
    page.wait_for_function("el => el.innerText.includes('Not quite')", arg=feedback.element_handle())
    explained = re.sub(r"<[^>]+>", "", q.option_feedback[wrong])[:40]
    assert explained.split()[0] in feedback.inner_text()
    assert feedback_problems(feedback.inner_text()) == []
    box.get_by_text(q.options[right], exact=True).click()
    # the click also makes the quiz's cell JupyterLab's active cell, which may take the focus: let it
    # settle (the right option checked, the cell active) before focusing Check, so Space reaches it
    page.wait_for_function(f"""([box, label]) => {{
        const picked = box.querySelector('input:checked');
        const cell = {jlab.CURRENT}.content.activeCell;
        return picked && picked.parentElement.innerText.trim() === label && cell && cell.node.contains(box);
    }}""", arg=[box.element_handle(), q.options[right]])
    check.focus()
    page.wait_for_function("el => el === document.activeElement", arg=check.element_handle())
    page.keyboard.press("Space")
    page.wait_for_function("el => el.innerText.includes('Right')", arg=feedback.element_handle())
    assert feedback_problems(feedback.inner_text()) == []


# --------------------------------------------------------------------------- the training lab
def the_lab(page):
    lab = page.locator(".ge-lab").first
    lab.scroll_into_view_if_needed()
    return lab


def counter(lab) -> dict:
    """The status line as numbers: ``{"step", "d", "g", "loss_d", "loss_g"}`` (a loss not measured yet: None)."""
    text = lab.locator(".ge-lab-counter").inner_text()
    m = re.search(r"step (\d+) · D updates (\d+) · G updates (\d+) · loss_D (\S+) · loss_G (\S+)", text)
    assert m, f"the lab's status line reads {text!r}"

    def loss(s):
        return None if s == "—" else float(s)

    return {"step": int(m[1]), "d": int(m[2]), "g": int(m[3]), "loss_d": loss(m[4]), "loss_g": loss(m[5])}


def press_and_wait(page, lab, press) -> dict:
    """``press()`` (a click or a key), then wait until the status line changes; returns it."""
    handle = lab.locator(".ge-lab-counter").element_handle()
    before = handle.inner_text()
    press()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[handle, before])
    return counter(lab)


def height(lab) -> float:
    return lab.evaluate("el => el.getBoundingClientRect().height")


@on_lessons(LAB)
def test_lab_status_before_any_step_shows_dashes_not_nan(lesson):
    lab = the_lab(lesson.page)
    text = lab.locator(".ge-lab-counter").inner_text()
    assert "nan" not in text.lower(), text
    assert counter(lab) == {"step": 0, "d": 0, "g": 0, "loss_d": None, "loss_g": None}, text


@on_lessons(LAB)
def test_lab_step_d_then_step_g_is_not_a_step_and_says_so(lesson):
    """The lab's design: Step D and Step G are single updates, the step counter counts whole steps
    (d_steps D updates, then one G update: the Step button), and the message says so."""
    page = lesson.page
    lab = the_lab(page)
    c0 = counter(lab)
    c1 = press_and_wait(page, lab, lab.locator(".ge-lab-step-d").click)
    assert (c1["step"], c1["d"], c1["g"]) == (c0["step"], c0["d"] + 1, c0["g"]), c1
    assert c1["loss_d"] is not None, "after a D update its loss is known"
    assert "counts whole steps only" in lab.locator(".ge-lab-message").inner_text()
    c2 = press_and_wait(page, lab, lab.locator(".ge-lab-step-g").click)
    assert (c2["step"], c2["d"], c2["g"]) == (c0["step"], c0["d"] + 1, c0["g"] + 1), c2
    assert c2["loss_g"] is not None
    message = lab.locator(".ge-lab-message").inner_text()
    assert "Step G" in message and "counts whole steps only" in message, message
    c3 = press_and_wait(page, lab, lab.locator(".ge-lab-step").click)
    assert c3["step"] == c0["step"] + 1 and c3["g"] == c2["g"] + 1 and c3["d"] > c2["d"], c3
    assert lab.locator(".ge-lab-message").inner_text().strip() == "", "the Step D/G note stays after a whole step"


@on_lessons(LAB)
def test_lab_step_changes_the_picture_and_keeps_the_height(lesson):
    page = lesson.page
    lab = the_lab(page)
    view = lab.locator("img.ge-lab-view")
    heights = []
    for _ in range(3):
        src = view.get_attribute("src")
        n = counter(lab)["step"]
        assert press_and_wait(page, lab, lab.locator(".ge-lab-step").click)["step"] == n + 1
        page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[view.element_handle(), src])
        heights.append(height(lab))
    assert max(heights) - min(heights) <= HEIGHT_TOLERANCE, heights


@on_lessons(LAB)
def test_lab_buttons_work_from_the_keyboard(lesson):
    """Tab walks through the lab's buttons; Space and Enter press them."""
    page = lesson.page
    lab = the_lab(page)
    lab.locator("button").first.focus()
    reached = []
    for _ in range(12):
        cls = page.evaluate("() => document.activeElement.className")
        reached += [c for c in cls.split() if c.startswith("ge-lab-") and c not in reached]
        if "ge-lab-play" in reached:
            break
        page.keyboard.press("Tab")
    assert reached[:4] == ["ge-lab-step-d", "ge-lab-step-g", "ge-lab-step", "ge-lab-play"], reached
    n = counter(lab)["step"]
    lab.locator(".ge-lab-step").focus()
    assert press_and_wait(page, lab, lambda: page.keyboard.press("Space"))["step"] == n + 1
    assert press_and_wait(page, lab, lambda: page.keyboard.press("Enter"))["step"] == n + 2
    d = counter(lab)["d"]
    lab.locator(".ge-lab-step-d").focus()
    assert press_and_wait(page, lab, lambda: page.keyboard.press("Enter"))["d"] == d + 1


@on_lessons(LAB)
def test_lab_play_then_pause_stops_training(lesson):
    """Play trains step after step; after Pause the counter stands still: the next Step adds exactly one."""
    page = lesson.page
    lab = the_lab(page)
    play, step = lab.locator(".ge-lab-play"), lab.locator(".ge-lab-step")
    n0 = counter(lab)["step"]
    play.click()
    try:
        page.wait_for_function("el => el.innerText.includes('Pause')", arg=play.element_handle())
        page.wait_for_function("el => el.disabled", arg=step.element_handle())     # no Step while playing
        page.wait_for_function("([el, n]) => parseInt(el.innerText.match(/step (\\d+)/)[1]) >= n",
                               arg=[lab.locator(".ge-lab-counter").element_handle(), n0 + 5])
    finally:
        play.click()                                              # pause, whatever happened
    page.wait_for_function("el => el.innerText.includes('Play')", arg=play.element_handle())
    page.wait_for_function("el => !el.disabled", arg=step.element_handle())
    n1 = counter(lab)["step"]
    assert press_and_wait(page, lab, step.click)["step"] == n1 + 1, "training went on after Pause"
    screenshot(page, "lab", lab)


@on_lessons(LAB)
def test_lab_slow_motion_captions_in_order_same_height_then_gone(lesson):
    page = lesson.page
    lab = the_lab(page)
    caption = lab.locator(".ge-lab-caption")
    lab.locator(".ge-lab-slow input").check()
    page.wait_for_function("el => el.innerText.includes('Slow motion is on')", arg=caption.element_handle())
    lab.locator(".ge-lab-step").click()
    texts, heights = [], []
    for k in range(1, 7):
        page.wait_for_function(f"el => el.innerText.trim().startsWith('{k} ·')", arg=caption.element_handle(),
                               timeout=30_000)
        texts.append(caption.inner_text())
        heights.append(height(lab))
    assert max(heights) - min(heights) <= HEIGHT_TOLERANCE, heights          # the lab does not jump between sub-steps
    assert all("nan" not in t for t in texts), texts
    assert "arrows show" in texts[4] and "arrows show" not in texts[5], texts[4:]   # arrows: drawn in sub-step 5 only
    assert "One step done" in texts[5]
    lab.locator(".ge-lab-slow input").uncheck()
    page.wait_for_function("el => el.offsetParent === null || el.innerText.trim() === ''", arg=caption.element_handle())
    press_and_wait(page, lab, lab.locator(".ge-lab-step").click)
    assert not caption.is_visible() or caption.inner_text().strip() == "", "an old caption stays after slow motion"


@on_lessons(LAB)
def test_lab_replay_slider_changes_the_view(lesson):
    page = lesson.page
    lab = the_lab(page)
    lab.get_by_role("tab", name="Replay").click()
    view = lab.locator("img.ge-lab-view")
    src0 = view.get_attribute("src")
    handle = lab.locator(".ge-lab-replay .noUi-handle")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    page.wait_for_function("el => el.innerText.includes('replay')", arg=lab.locator(".ge-lab-replay-label").element_handle())
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[view.element_handle(), src0])
    lab.get_by_role("tab", name="Data").click()
