"""What a learner does with the widgets in JupyterLab, asserted by what the page shows afterwards."""
import re

from browser_support import feedback_problems, on_lessons, right_and_wrong, screenshot

WELCOME, LAB = "00_welcome.ipynb", "04_training_lab.ipynb"


@on_lessons(WELCOME)
def test_architecture_explorer_click_shows_explanation_and_tensor(lesson):
    page = lesson.page
    explorer = page.locator(".ge-explorer").first
    explorer.scroll_into_view_if_needed()
    explorer.locator(".ge-explorer-step", has_text=re.compile(r"^D\(x\)$")).click()
    title = explorer.locator(".ge-explorer-title")
    page.wait_for_function("el => el.innerText.includes('real data')", arg=title.element_handle())
    assert "D(x)" in title.inner_text()
    assert explorer.locator(".ge-explorer-explanation").inner_text().strip() != ""
    tensor = explorer.locator(".ge-explorer-tensor").inner_text()
    assert "256" in tensor
    page.wait_for_timeout(1500)                        # the D(x) picture arrives after the text
    before = explorer.locator(".ge-explorer-plot").get_attribute("src")
    explorer.locator(".ge-explorer-step", has_text=re.compile(r"^G\(z\)$")).click()
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[explorer.locator(".ge-explorer-plot").element_handle(), before])
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
        page.keyboard.press("Tab")
        if check.evaluate("el => el === document.activeElement"):
            break
    assert check.evaluate("el => el === document.activeElement"), "Tab never reached the Check button"
    page.keyboard.press("Enter")
    feedback = box.locator(".ge-quiz-feedback")
    page.wait_for_function("el => el.innerText.includes('Not quite')", arg=feedback.element_handle())
    explained = re.sub(r"<[^>]+>", "", q.option_feedback[wrong])[:40]
    assert explained.split()[0] in feedback.inner_text()
    assert feedback_problems(feedback.inner_text()) == []
    box.get_by_text(q.options[right], exact=True).click()
    check.focus()
    page.keyboard.press("Space")
    page.wait_for_function("el => el.innerText.includes('Right')", arg=feedback.element_handle())
    assert feedback_problems(feedback.inner_text()) == []
    screenshot(page, "quiz", box)


def the_lab(page):
    lab = page.locator(".ge-lab").first
    lab.scroll_into_view_if_needed()
    return lab


def step_count(lab) -> int:
    return int(re.search(r"step (\d+)", lab.locator(".ge-lab-counter").inner_text()).group(1))


@on_lessons(LAB)
def test_lab_step_changes_counter_and_picture(lesson):
    page = lesson.page
    lab = the_lab(page)
    n0 = step_count(lab)
    view = lab.locator("img.ge-lab-view")
    src0 = view.get_attribute("src")
    lab.locator(".ge-lab-step").click()
    page.wait_for_function("([el, n]) => !el.innerText.includes('step ' + n + ' ')",
                           arg=[lab.locator(".ge-lab-counter").element_handle(), n0])
    assert step_count(lab) == n0 + 1
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[view.element_handle(), src0])


@on_lessons(LAB)
def test_lab_buttons_work_from_the_keyboard(lesson):
    """Tab reaches the lab's buttons; Space and Enter press them."""
    page = lesson.page
    lab = the_lab(page)
    n0 = step_count(lab)
    lab.locator("button").first.focus()
    reached = set()
    for _ in range(12):                                  # Tab walks through the buttons, in order
        cls = page.evaluate("() => document.activeElement.className")
        reached.update(c for c in cls.split() if c.startswith("ge-lab-"))
        if "ge-lab-step" in reached and "ge-lab-play" in reached:
            break
        page.keyboard.press("Tab")
    assert {"ge-lab-step", "ge-lab-play"} <= reached, reached
    lab.locator(".ge-lab-step").focus()
    page.keyboard.press("Space")
    page.wait_for_function("([el, n]) => !el.innerText.includes('step ' + n + ' ')",
                           arg=[lab.locator(".ge-lab-counter").element_handle(), n0])
    page.keyboard.press("Enter")
    page.wait_for_function("([el, n]) => !el.innerText.includes('step ' + n + ' ')",
                           arg=[lab.locator(".ge-lab-counter").element_handle(), n0 + 1])
    assert step_count(lab) == n0 + 2


@on_lessons(LAB)
def test_lab_play_then_pause_stops_the_counter(lesson):
    page = lesson.page
    lab = the_lab(page)
    n0 = step_count(lab)
    lab.locator(".ge-lab-play").click()
    page.wait_for_timeout(2500)
    lab.locator(".ge-lab-play").click()                 # pause
    page.wait_for_timeout(800)
    n1 = step_count(lab)
    assert n1 > n0 + 5, "playing should have trained several steps"
    page.wait_for_timeout(1500)
    assert step_count(lab) == n1, "the counter kept moving after pause"
    screenshot(page, "lab", lab)


@on_lessons(LAB)
def test_lab_rapid_clicks_start_one_loop(lesson):
    page = lesson.page
    lab = the_lab(page)
    play = lab.locator(".ge-lab-play")
    play.click()
    play.click()
    play.click()                                       # play, pause, play
    page.wait_for_timeout(1500)
    play.click()                                       # pause
    page.wait_for_timeout(800)
    n = step_count(lab)
    page.wait_for_timeout(1500)
    assert step_count(lab) == n


@on_lessons(LAB)
def test_lab_replay_slider_changes_the_view(lesson):
    page = lesson.page
    lab = the_lab(page)
    lab.get_by_role("tab", name="Replay").click()
    src0 = lab.locator("img.ge-lab-view").get_attribute("src")
    handle = lab.locator(".ge-lab-replay .noUi-handle")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    page.wait_for_function("el => el.innerText.includes('replay')",
                           arg=lab.locator(".ge-lab-replay-label").element_handle())
    assert lab.locator("img.ge-lab-view").get_attribute("src") != src0
    lab.get_by_role("tab", name="Data").click()
