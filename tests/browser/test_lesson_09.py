"""Lesson 09 (the conditional GAN) as a learner sees it in JupyterLab, in headless Chromium (issues 13, 14).

The all-lesson tests (test_notebooks_in_browser.py) check 09 before running, after Run All, its picture
sizes and its wrapping. Here: each of the three widgets answers a click -- another class in "draw me a
digit" and in "one z, change only the class" changes the picture, a move of the z slider changes the
walk's picture, and the captions follow.
"""
import re

from browser_support import image_sizes, on_lessons, output_problems, screenshot
from jlab import cell_errors


def _src(page, css: str) -> str:
    return page.locator(f"{css} img").first.get_attribute("src")


def _pick(page, picker_css: str, label: str) -> None:
    page.locator(picker_css).first.get_by_role("button", name=label, exact=True).click()


@on_lessons("09_conditional_gan.ipynb")
def test_lesson09_widgets_render_and_answer_clicks(lesson):
    """(Before running, Run All, picture sizes and wrapping: the all-lesson tests check 09 too.)"""
    page = lesson.page
    assert cell_errors(page) == [] and output_problems(page) == []
    sizes = image_sizes(page)
    assert any("ge-cond-grid-view" in s["cls"] for s in sizes) and len(sizes) >= 9, sizes
    page.locator(".ge-cond-grid").first.scroll_into_view_if_needed()
    # draw me a digit: pick 3, the grid and its caption change
    caption = page.locator(".ge-cond-grid-caption").first
    assert "the digit 7" in caption.inner_text()
    before = _src(page, ".ge-cond-grid")
    _pick(page, ".ge-cond-grid-class", "3")
    page.wait_for_function("() => document.querySelector('.ge-cond-grid-caption').innerText.includes('the digit 3')")
    assert _src(page, ".ge-cond-grid") != before
    assert re.search(r"judge names \d+ of them 3", caption.inner_text())

    # one z, change only the class: the large picture changes, the strip keeps its ten digits (its frame moves)
    same_big = page.locator(".ge-cond-same-view").first
    big_before = same_big.get_attribute("src")
    _pick(page, ".ge-cond-same-class", "8")
    page.wait_for_function("() => document.querySelector('.ge-cond-same-caption').innerText.includes('G(z, 8)')")
    assert same_big.get_attribute("src") != big_before

    # one class, walk z: move the slider with the keyboard, the picture and the caption follow
    walk_big = page.locator(".ge-cond-walk-view").first
    walk_before = walk_big.get_attribute("src")
    handle = page.locator(".ge-cond-walk-alpha .noUi-handle").first
    handle.focus()
    for _ in range(6):
        handle.press("ArrowRight")
    page.wait_for_function("() => !document.querySelector('.ge-cond-walk-caption').innerText.includes('a = 0.00')")
    assert walk_big.get_attribute("src") != walk_before
    assert output_problems(page) == [] and cell_errors(page) == []
    screenshot(page, "lesson09_digit_grid", page.locator(".ge-cond-grid").first)

