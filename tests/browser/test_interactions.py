"""What a learner does with the widgets, asserted by what the page shows afterwards."""
import re

import pytest
from browser_support import new_page, screenshot
from jlab import open_notebook, run_all

from gan_edu import quiz
from gan_edu.quiz.questions import ALL


def correct_and_wrong(qid):
    """The right option key (found through the stored hash) and one wrong key."""
    q = ALL[qid]
    right = next(k for k in q.options if quiz.answer_hash(qid, k) == q.answer)
    wrong = next(k for k in q.options if k != right)
    return q, right, wrong


@pytest.fixture(scope="module")
def welcome(jupyter, browser):
    """Lesson 00 opened and run once; the tests of this module share the page."""
    base, token = jupyter
    with new_page(browser) as page:
        open_notebook(page, base, token, "00_welcome.ipynb")
        run_all(page)
        yield page


def test_architecture_explorer_click_shows_explanation_and_tensor(welcome):
    page = welcome
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


def test_quiz_wrong_then_right(welcome):
    page = welcome
    q, right, wrong = correct_and_wrong("00-keep")
    box = page.locator(".ge-quiz", has_text="Checkpoint 00-keep").first
    box.scroll_into_view_if_needed()
    box.get_by_text(q.options[wrong], exact=True).click()
    box.locator(".ge-quiz-check").click()
    feedback = box.locator(".ge-quiz-feedback")
    page.wait_for_function("el => el.innerText.includes('Not quite')", arg=feedback.element_handle())
    explained = re.sub(r"<[^>]+>", "", q.option_feedback[wrong])[:40]
    assert explained.split()[0] in feedback.inner_text()
    box.get_by_text(q.options[right], exact=True).click()
    box.locator(".ge-quiz-check").click()
    page.wait_for_function("el => el.innerText.includes('Right')", arg=feedback.element_handle())
    screenshot(page, "quiz", box)


@pytest.fixture(scope="module")
def lab_page(jupyter, browser):
    base, token = jupyter
    with new_page(browser, height=1100) as page:
        open_notebook(page, base, token, "04_training_lab.ipynb")
        run_all(page)
        lab = page.locator(".ge-lab").first
        lab.scroll_into_view_if_needed()
        yield page, lab


def step_count(lab) -> int:
    return int(re.search(r"step (\d+)", lab.locator(".ge-lab-counter").inner_text()).group(1))


def test_lab_step_changes_counter_and_picture(lab_page):
    page, lab = lab_page
    n0 = step_count(lab)
    src0 = lab.locator(".ge-lab-view").get_attribute("src")
    lab.locator(".ge-lab-step").click()
    page.wait_for_function("([el, n]) => !el.innerText.includes('step ' + n + ' ')",
                           arg=[lab.locator(".ge-lab-counter").element_handle(), n0])
    assert step_count(lab) == n0 + 1
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[lab.locator(".ge-lab-view").element_handle(), src0])


def test_lab_play_then_pause_stops_the_counter(lab_page):
    page, lab = lab_page
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


def test_lab_rapid_clicks_start_one_loop(lab_page):
    page, lab = lab_page
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


def test_lab_replay_slider_changes_the_view(lab_page):
    page, lab = lab_page
    lab.get_by_role("tab", name="Replay").click()
    src0 = lab.locator(".ge-lab-view").get_attribute("src")
    handle = lab.locator(".ge-lab-replay .noUi-handle")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    page.wait_for_function("el => el.innerText.includes('replay')",
                           arg=lab.locator(".ge-lab-replay-label").element_handle())
    assert lab.locator(".ge-lab-view").get_attribute("src") != src0
