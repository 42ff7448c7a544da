"""Lessons 00 and 01 in a real JupyterLab page (issue 13): pictures shown at the size they were drawn,
printed lines the page never has to break, the explorer worked from the keyboard, and a prediction whose
result appears by itself once it is committed."""
from browser_support import image_sizes, on_lessons, right_and_wrong, wrapped_lines

WELCOME, FORWARD = "00_welcome.ipynb", "01_generator_forward_pass.ipynb"


@on_lessons(WELCOME)
def test_explorer_picture_is_shown_at_the_size_it_was_drawn(lesson):
    sizes = [s for s in image_sizes(lesson.page, ".jp-OutputArea-output") if "ge-explorer-plot" in s["cls"]]
    assert sizes and all(round(s["shown"][0]) == s["natural"][0] == 600 for s in sizes), sizes


@on_lessons(WELCOME, FORWARD)
def test_the_line_check_sees_a_line_the_page_breaks(lesson):
    """The check of printed lines (used on every lesson) is not blind: a line made too long is caught."""
    page = lesson.page
    found = wrapped_lines(page)
    assert found["checked"] >= 2 and found["wrapped"] == [], found
    probe = """(extra) => { const pre = document.querySelector(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre');
        if (extra) { pre.dataset.was = pre.textContent; pre.textContent += extra; }
        else { pre.textContent = pre.dataset.was; } }"""
    page.evaluate(probe, " a line far too long for the page" * 12)
    try:
        assert wrapped_lines(page)["wrapped"], "the check must see a line the page breaks"
    finally:
        page.evaluate(probe, "")


@on_lessons(WELCOME)
def test_the_explorer_works_from_the_keyboard(lesson):
    page = lesson.page
    explorer = page.locator(".ge-explorer").first
    explorer.scroll_into_view_if_needed()
    explorer.locator(".ge-explorer-step", has_text="loss").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.ge-explorer-title').innerText.includes('one number per')")
    status = explorer.locator(".ge-explorer-status")
    before = status.inner_text()
    explorer.locator(".ge-explorer-take-step").focus()
    page.keyboard.press("Space")
    page.wait_for_function("(b) => document.querySelector('.ge-explorer-status').innerText !== b", arg=before)
    assert "training step 2:" in status.inner_text()


@on_lessons(WELCOME)
def test_a_committed_prediction_reveals_its_result_at_drawn_size_and_unbroken(lesson):
    page = lesson.page
    q, right, _ = right_and_wrong("00-toward-ring")
    box = page.locator(".ge-quiz", has_text="00-toward-ring").first
    box.scroll_into_view_if_needed()
    assert page.locator(".ge-reveal-body img").count() == 0                      # nothing before the prediction
    box.locator("label", has_text=q.options[right]).click()
    box.locator("button", has_text="Commit my prediction").click()
    page.wait_for_selector(".ge-reveal-body img")
    reveal = page.locator(".ge-reveal").first
    assert "right" in reveal.inner_text() and "mean distance from G(z)" in reveal.inner_text()
    sizes = image_sizes(page, ".ge-reveal-body")
    assert sizes and all(round(s["shown"][0]) == s["natural"][0] == 640 for s in sizes), sizes
    assert wrapped_lines(page)["wrapped"] == []
