"""Lessons 07 and 08 as a learner sees them in JupyterLab, in headless Chromium (issue 13).

* 07: every picture is shown at the size it was drawn (no upscaled, blurred PNG), the live grid
  fits the viewport, and printed output wraps only where it has line breaks (never mid-word).
* 08: the progress table's headers stand apart; "Export for my instructor" gives a real download
  of the record with the learner's name inside, names the folder of the copy, and the copy is there.
"""
import json
import re

import pytest
from browser_support import screenshot
from jlab import cell_errors, open_notebook, run_all, widget_problems

from gan_edu import quiz

IMAGE_SIZES = """() => Array.from(window.jupyterapp.shell.currentWidget.node.querySelectorAll('.jp-OutputArea-output img'))
    .filter(img => img.naturalWidth > 0 && img.offsetParent !== null)
    .map(img => { const r = img.getBoundingClientRect();
                  return {cls: String(img.className), nw: img.naturalWidth, nh: img.naturalHeight, w: r.width, h: r.height}; })"""

WRAPPED_TEXT = """() => Array.from(window.jupyterapp.shell.currentWidget.node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre'))
    .filter(pre => !pre.innerText.includes('download=True'))        // a command, kept on one line on purpose
    .map(pre => { const lines = pre.innerText.replace(/\\n$/, '').split('\\n').length;
                  const lh = parseFloat(getComputedStyle(pre).lineHeight);
                  return {text: pre.innerText.slice(0, 80), lines, shown: Math.round(pre.getBoundingClientRect().height / lh)}; })
    .filter(p => p.shown > p.lines)"""


def test_lesson07_pictures_are_drawn_at_their_size_and_text_does_not_wrap(jupyter, page):
    base, token = jupyter
    open_notebook(page, base, token, "07_dcgan_digits.ipynb")
    run_all(page)
    page.wait_for_timeout(1500)
    assert cell_errors(page) == [] and widget_problems(page) == []
    sizes = page.evaluate(IMAGE_SIZES)
    assert len(sizes) >= 10 and any("ge-live-grid-view" in s["cls"] for s in sizes)
    for s in sizes:
        assert abs(s["w"] - s["nw"]) <= 1 and abs(s["h"] - s["nh"]) <= 1, s           # 1 image pixel = 1 screen pixel
    live = next(s for s in sizes if "ge-live-grid-view" in s["cls"])
    assert live["h"] <= page.viewport_size["height"] * 0.6, live
    assert page.evaluate(WRAPPED_TEXT) == []
    # predict, then run, in the page: commit the right prediction; the panel's pictures appear at their size
    collapse = quiz.get("07-collapse")
    right = next(k for k in collapse.options if quiz.answer_hash(collapse.qid, k) == collapse.expected)
    checkpoint = page.locator(".jp-OutputArea-output", has_text="Checkpoint 07-collapse").first
    checkpoint.get_by_text(collapse.options[right], exact=True).click()
    checkpoint.get_by_role("button", name="Commit my prediction").click()
    page.locator(".ge-reveal-body img").first.wait_for()
    revealed = [s for s in page.evaluate(IMAGE_SIZES) if s not in sizes]
    assert len(revealed) == 2, revealed                                   # the class histogram and the samples
    for s in revealed:
        assert abs(s["w"] - s["nw"]) <= 1 and abs(s["h"] - s["nh"]) <= 1, s
    assert "right" in page.locator(".ge-reveal").first.inner_text()
    caption = page.locator(".ge-live-grid-caption").first.inner_text()
    assert re.search(r"step 2000 · D's loss \d\.\d{3}", caption), caption
    screenshot(page, "lesson07_live_grid", page.locator(".ge-live-grid").first)


def test_lesson08_export_is_a_real_download_with_the_learner_inside(jupyter, workdir, page):
    base, token = jupyter
    open_notebook(page, base, token, "08_review.ipynb")
    run_all(page)
    page.wait_for_timeout(1000)
    assert cell_errors(page) == [] and widget_problems(page) == []
    assert page.evaluate(WRAPPED_TEXT) == []
    gaps = page.evaluate("""() => {
        const ths = Array.from(document.querySelectorAll('.ge-progress-table th'));
        const boxes = ths.map(th => { const r = document.createRange(); r.selectNodeContents(th);
                                      const b = r.getBoundingClientRect(); return [b.left, b.right, th.innerText]; });
        return boxes.slice(1).map((b, i) => [boxes[i][2], b[2], b[0] - boxes[i][1]]);
    }""")
    assert len(gaps) == 4 and all(gap >= 12 for *_, gap in gaps), gaps                   # words of two headers never touch
    page.locator(".ge-progress-name input").fill("Ada L.")
    page.locator(".ge-progress-export").click()
    link = page.locator(".ge-progress-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    download = info.value
    record = json.loads(open(download.path(), encoding="utf-8").read())
    assert record["learner"] == "Ada L." and download.suggested_filename.startswith("gan_edu_progress_Ada_L")
    status = page.locator(".ge-progress-status").inner_text()
    assert str(workdir) in status and download.suggested_filename in status
    assert json.loads((workdir / download.suggested_filename).read_text())["learner"] == "Ada L."
    screenshot(page, "lesson08_progress", page.locator(".ge-progress").first)


@pytest.fixture
def page(browser):
    from browser_support import new_page

    with new_page(browser, height=900) as pg:
        yield pg
