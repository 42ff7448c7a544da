"""Lessons 07 and 08 as a learner sees them in JupyterLab, in headless Chromium (issue 13).

* 07: every picture is shown at the size it was drawn (no upscaled, blurred PNG), the live grid
  fits the viewport, and printed output wraps only where it has line breaks (never mid-word).
* 08: the progress table's headers stand apart; "Export for my instructor" gives a real download
  of the record with the learner's name inside, names the folder of the copy, and the copy is there.
"""
import json
import re

from browser_support import export_for_the_instructor, image_sizes, on_lessons, output_problems, right_and_wrong, wrapped_lines
from jlab import cell_errors


def drawn_at_size(s) -> bool:
    return abs(s["shown"][0] - s["natural"][0]) <= 1 and abs(s["shown"][1] - s["natural"][1]) <= 1


@on_lessons("07_dcgan_digits.ipynb")
def test_lesson07_pictures_are_drawn_at_their_size_and_text_does_not_wrap(lesson):
    page = lesson.page
    assert cell_errors(page) == [] and output_problems(page) == []
    sizes = image_sizes(page)
    assert len(sizes) >= 10 and any("ge-live-grid-view" in s["cls"] for s in sizes)
    for s in sizes:
        assert drawn_at_size(s), s                                            # 1 image pixel = 1 screen pixel
    live = next(s for s in sizes if "ge-live-grid-view" in s["cls"])
    assert live["shown"][1] <= page.viewport_size["height"] * 0.6, live
    assert wrapped_lines(page)["wrapped"] == []
    # predict, then run, in the page: commit the right prediction; the panel's pictures appear at their size
    collapse, right, _ = right_and_wrong("07-collapse")
    checkpoint = page.locator(".jp-OutputArea-output", has_text="Checkpoint 07-collapse").first
    checkpoint.scroll_into_view_if_needed()
    checkpoint.get_by_text(collapse.options[right], exact=True).click()
    checkpoint.get_by_role("button", name="Commit my prediction").click()
    page.locator(".ge-reveal-body img").first.wait_for()
    revealed = image_sizes(page, ".ge-reveal-body")
    assert len(revealed) == 2, revealed                                   # the class histogram and the samples
    for s in revealed:
        assert drawn_at_size(s), s
    assert "right" in page.locator(".ge-reveal").first.inner_text()
    caption = page.locator(".ge-live-grid-caption").first.inner_text()
    assert re.search(r"step 2000 · D's loss \d\.\d{3}", caption), caption


@on_lessons("08_review.ipynb")
def test_lesson08_export_is_a_real_download_with_the_learner_inside(lesson, workdir):
    page = lesson.page
    assert cell_errors(page) == [] and output_problems(page) == []
    assert wrapped_lines(page)["wrapped"] == []
    gaps = page.evaluate("""() => {
        const ths = Array.from(document.querySelectorAll('.ge-progress-table th'));
        const boxes = ths.map(th => { const r = document.createRange(); r.selectNodeContents(th);
                                      const b = r.getBoundingClientRect(); return [b.left, b.right, th.innerText]; });
        return boxes.slice(1).map((b, i) => [boxes[i][2], b[2], b[0] - boxes[i][1]]);
    }""")
    assert len(gaps) == 4 and all(gap >= 12 for *_, gap in gaps), gaps                   # words of two headers never touch
    download, record = export_for_the_instructor(page, "Ada L.")
    assert record["learner"] == "Ada L." and download.suggested_filename.startswith("gan_edu_progress_Ada_L")
    status = page.locator(".ge-progress-status").inner_text()
    assert str(workdir) in status and download.suggested_filename in status
    assert json.loads((workdir / download.suggested_filename).read_text())["learner"] == "Ada L."

