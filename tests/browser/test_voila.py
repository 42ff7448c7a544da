"""The training lab as a Voila app (what an instructor projects)."""
import re

from browser_support import screenshot


def test_voila_renders_the_lab_and_a_step_works(voila, page):
    page.goto(voila, timeout=180_000)
    lab = page.locator(".ge-lab").first
    lab.wait_for(timeout=180_000)
    # Voila renders cell by cell: every widget view on the page must finish loading (none may stay a placeholder)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=180_000)
    counter = lab.locator(".ge-lab-counter")
    n0 = int(re.search(r"step (\d+)", counter.inner_text()).group(1))
    lab.locator(".ge-lab-step").click()
    page.wait_for_function("([el, n]) => !el.innerText.includes('step ' + n + ' ')", arg=[counter.element_handle(), n0])
    assert int(re.search(r"step (\d+)", counter.inner_text()).group(1)) == n0 + 1
    assert page.locator("text=Loading widget").count() == 0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    assert errors == []                                   # no cell failed (Voila shows a failed cell as an stderr box)
    assert page.locator("text=TrainingDiverged: training diverged at step").count() == 1   # the lesson's caught divergence
    screenshot(page, "voila_lab")
