"""Lesson 09 (the conditional GAN) as a learner sees it in JupyterLab, in headless Chromium (issues 13, 14).

Opened before running, the committed notebook shows its stored widgets (no "model not found", no raw
repr). After Run All: no errors, every picture at the size it was drawn, printed output wrapped at words,
and each of the three widgets answers a click: another class in "draw me a digit" and "one z, change
only the class" changes the picture, a move of the z slider changes the walk's picture, and the captions
follow.
"""
import re

import pytest
from browser_support import screenshot
from jlab import cell_errors, open_notebook, run_all, widget_problems
from test_lessons_07_08 import IMAGE_SIZES, WRAPPED_TEXT


def _src(page, css: str) -> str:
    return page.locator(f"{css} img").first.get_attribute("src")


def _pick(page, picker_css: str, label: str) -> None:
    page.locator(picker_css).first.get_by_role("button", name=label, exact=True).click()


def test_lesson09_widgets_render_and_answer_clicks(jupyter, page):
    base, token = jupyter
    open_notebook(page, base, token, "09_conditional_gan.ipynb")
    page.wait_for_timeout(1500)
    assert widget_problems(page) == []                          # reopened before running: stored state, no errors
    run_all(page)
    page.wait_for_timeout(1500)
    assert cell_errors(page) == [] and widget_problems(page) == []
    sizes = page.evaluate(IMAGE_SIZES)
    assert any("ge-cond-grid-view" in s["cls"] for s in sizes) and len(sizes) >= 9, sizes
    for s in sizes:
        assert abs(s["w"] - s["nw"]) <= 1 and abs(s["h"] - s["nh"]) <= 1, s          # 1 image pixel = 1 screen pixel
    assert page.evaluate(WRAPPED_TEXT) == []

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
    assert widget_problems(page) == [] and cell_errors(page) == []
    screenshot(page, "lesson09_digit_grid", page.locator(".ge-cond-grid").first)


@pytest.fixture
def page(browser):
    from browser_support import new_page

    with new_page(browser, height=900) as pg:
        yield pg
