"""Lessons 00 and 01 in a real JupyterLab page (issue 13): pictures shown at the size they were drawn,
printed lines the page never has to break, the explorer worked from the keyboard, and a prediction whose
result appears by itself once it is committed."""
import pytest
from browser_support import new_page
from jlab import open_notebook, run_all

from gan_edu import quiz
from gan_edu.quiz.questions import ALL

# naturalWidth: the pixels drawn; the bounding box: the CSS pixels shown (device pixel ratio 1 here)
IMAGE_SIZES = """(els) => els.map(e => ({css: [...e.classList].join(' '), natural: e.naturalWidth,
                                    shown: Math.round(e.getBoundingClientRect().width)}))"""
# a printed line wrapped by the page makes its <pre> taller than the same text without wrapping
WRAPPED = """() => { const pres = Array.from(document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre, .ge-reveal pre'))
    .filter(el => el.offsetParent !== null);
    const wrapped = pres.filter(el => { const c = el.cloneNode(true); c.style.whiteSpace = 'pre';
        c.style.overflowX = 'hidden'; el.parentNode.appendChild(c); const w = c.offsetHeight < el.offsetHeight;
        c.remove(); return w; });
    return {checked: pres.length, wrapped: wrapped.map(el => el.innerText.slice(0, 120))}; }"""


@pytest.fixture(scope="module")
def lesson(jupyter, browser):
    """Open and Run All a lesson (one page per lesson, shared by the tests that ask for it)."""
    base, token = jupyter
    pages = {}

    def opened(name):
        if name not in pages:
            ctx = new_page(browser)
            page = ctx.__enter__()
            open_notebook(page, base, token, name)
            run_all(page)
            pages[name] = (ctx, page)
        return pages[name][1]

    yield opened
    for ctx, _ in pages.values():
        ctx.__exit__(None, None, None)


def test_widget_pictures_are_shown_at_the_size_they_were_drawn(lesson):
    page = lesson("01_generator_forward_pass.ipynb")
    sizes = page.eval_on_selector_all(".ge-latent-view, .ge-interp-view", IMAGE_SIZES)
    assert len(sizes) == 2 and all(s["natural"] > 500 for s in sizes), sizes
    assert all(s["shown"] == s["natural"] for s in sizes), sizes
    page = lesson("00_welcome.ipynb")
    sizes = page.eval_on_selector_all(".ge-explorer-plot", IMAGE_SIZES)
    assert sizes and all(s["shown"] == s["natural"] == 600 for s in sizes), sizes


@pytest.mark.parametrize("name", ["00_welcome.ipynb", "01_generator_forward_pass.ipynb"])
def test_printed_lines_are_never_broken_by_the_page(lesson, name):
    page = lesson(name)
    found = page.evaluate(WRAPPED)
    assert found["checked"] >= 2 and found["wrapped"] == [], found
    probe = """(extra) => { const pre = document.querySelector(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre');
        if (extra) { pre.dataset.was = pre.textContent; pre.textContent += extra; }
        else { pre.textContent = pre.dataset.was; } }"""
    page.evaluate(probe, " a line far too long for the page" * 12)
    try:
        assert page.evaluate(WRAPPED)["wrapped"], "the check must see a line the page breaks"
    finally:
        page.evaluate(probe, "")


def test_the_explorer_works_from_the_keyboard(lesson):
    page = lesson("00_welcome.ipynb")
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


def test_a_committed_prediction_reveals_its_result_at_drawn_size_and_unbroken(lesson):
    page = lesson("00_welcome.ipynb")
    q = ALL["00-toward-ring"]
    right = next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)
    box = page.locator(".ge-quiz", has_text="00-toward-ring").first
    box.scroll_into_view_if_needed()
    assert page.locator(".ge-reveal-body img").count() == 0                      # nothing before the prediction
    box.locator("label", has_text=q.options[right]).click()
    box.locator("button", has_text="Commit my prediction").click()
    page.wait_for_selector(".ge-reveal-body img")
    reveal = page.locator(".ge-reveal").first
    assert "right" in reveal.inner_text() and "mean distance from G(z)" in reveal.inner_text()
    sizes = page.eval_on_selector_all(".ge-reveal-body img", IMAGE_SIZES)
    assert sizes and all(s["shown"] == s["natural"] == 640 for s in sizes), sizes
    assert page.evaluate(WRAPPED)["wrapped"] == []
