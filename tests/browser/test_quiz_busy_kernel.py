"""A checkpoint answered while the kernel is busy is scored on the answer the page shows.

ipywidgets sends a widget's change at once but holds back a second change of the same widget until
the kernel has answered the first, while a stock button's click is never held back. So while a cell
runs (a lesson's Run All still training), a learner who picks one option, changes their mind and
presses Check used to be scored, and recorded, on the first option, with the second one shown as
chosen. The kit's Check / Commit button (gan_edu/quiz/submit.py) sends the answer the page shows
with its click. Here every kind of checkpoint is answered during a 25-second cell: one choice,
several choices, a number and a prediction, each first set to a wrong answer and then to another
one before its button is pressed. After the cell, the feedback and the progress record must hold
the second answer, as one attempt. Lesson 08's "Export for my instructor" carries the name the same
way: a name typed in two goes must not be exported under its first part.
"""
import itertools
import json

import jlab
import nbformat
from browser_support import new_page, right_and_wrong

from gan_edu import quiz
from gan_edu.quiz.questions import ALL

BUSY_SECONDS = 25
NOTEBOOK = "zz_busy_kernel.ipynb"


def _right_set(qid: str) -> tuple[set, str]:
    """The right options of a several-answers checkpoint, and one wrong option."""
    q = ALL[qid]
    for n in range(1, len(q.options) + 1):
        for keys in itertools.combinations(q.options, n):
            if q.is_right(list(keys)):
                return set(keys), next(k for k in q.options if k not in keys)
    raise AssertionError(f"{qid}: no set of options is right")


def _right_number(qid: str) -> float:
    q = ALL[qid]
    return next(k * q.step for k in range(0, 100_000) if q.accepts(k * q.step))


def test_quiz_scores_the_answer_on_the_page_while_the_kernel_is_busy(browser, jupyter, workdir):
    record = workdir / "busy-progress.json"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(f"import os\nos.environ['GAN_EDU_PROGRESS'] = {str(record)!r}\n"
                                          "import gan_edu as ge"),
                *(nbformat.v4.new_code_cell(f"ge.quiz.ask({qid!r})")
                  for qid in ("00-keep", "04-stabilisers", "04-count", "02-keep-training")),
                nbformat.v4.new_code_cell("from gan_edu.widgets.progress import ProgressReport\n"
                                          f"ProgressReport(folder={str(workdir / 'handin')!r})"),
                nbformat.v4.new_code_cell(f"import time\ntime.sleep({BUSY_SECONDS})")]
    nbformat.write(nb, workdir / NOTEBOOK)
    (workdir / "handin").mkdir(exist_ok=True)
    base, token = jupyter
    choice, right, wrong = right_and_wrong("00-keep")
    several, several_wrong = _right_set("04-stabilisers")
    number = _right_number("04-count")
    predict = ALL["02-keep-training"]
    first, second = list(predict.options)[:2]
    with new_page(browser) as page:
        jlab.open_notebook(page, base, token, NOTEBOOK)
        jlab.start_run_all(page)
        boxes = {qid: page.locator(".ge-quiz", has_text=f"Checkpoint {qid}").first
                 for qid in ("00-keep", "04-stabilisers", "04-count", "02-keep-training")}
        for box in boxes.values():
            box.locator(".ge-quiz-check").wait_for()
        page.wait_for_function(f"() => {jlab.CURRENT}.sessionContext.session.kernel.status === 'busy'")

        box = boxes["00-keep"]                                   # one choice: wrong, then right
        box.get_by_text(choice.options[wrong], exact=True).click()
        box.get_by_text(choice.options[right], exact=True).click()
        box.locator(".ge-quiz-check").click()

        box = boxes["04-stabilisers"]                            # several: a wrong one on, then off, the right ones on
        multi = ALL["04-stabilisers"]
        box.get_by_text(multi.options[several_wrong], exact=True).click()
        for key in several:
            box.get_by_text(multi.options[key], exact=True).click()
        box.get_by_text(multi.options[several_wrong], exact=True).click()
        box.locator(".ge-quiz-check").click()

        box = boxes["04-count"]                                  # a number: a wrong one entered, then the right one
        entry = box.locator(".ge-quiz-number input")
        entry.fill(str(number + 7))
        entry.press("Enter")
        entry.fill(f"{number:g}")
        box.locator(".ge-quiz-check").click()                    # the click itself takes the focus from the field

        box = boxes["02-keep-training"]                          # a prediction: one option, then another, then commit
        box.get_by_text(predict.options[first], exact=True).click()
        box.get_by_text(predict.options[second], exact=True).click()
        box.locator(".ge-quiz-check").click()

        name = page.locator(".ge-progress-name input")          # the export: a name typed in two goes
        name.fill("Ad")
        name.fill("Ada L.")
        page.locator(".ge-progress-export").click()

        busy = page.evaluate(f"() => {jlab.CURRENT}.sessionContext.session.kernel.status")
        assert busy == "busy", f"the kernel was {busy!r} when the buttons were pressed: the test did not test a busy kernel"
        jlab.wait_run_all(page, 0.0)
        feedback = {qid: box.locator(".ge-quiz-feedback") for qid, box in boxes.items()}
        for qid in ("00-keep", "04-stabilisers", "04-count"):
            page.wait_for_function("el => el.innerText.trim() !== ''", arg=feedback[qid].element_handle())
            assert "Right" in feedback[qid].inner_text(), (qid, feedback[qid].inner_text())
        page.wait_for_function("el => el.innerText.includes('Prediction locked')",
                               arg=feedback["02-keep-training"].element_handle())
        locked = feedback["02-keep-training"].inner_text()
        assert predict.options[second].rstrip(".") in locked and predict.options[first].rstrip(".") not in locked, locked
        page.locator(".ge-progress-download").wait_for()

    handed_in = sorted((workdir / "handin").glob("gan_edu_progress_*.json"))
    assert len(handed_in) == 1 and handed_in[0].name.startswith("gan_edu_progress_Ada_L_"), handed_in
    assert json.loads(handed_in[0].read_text())["learner"] == "Ada L."

    saved = json.loads(record.read_text())
    assert saved["learner"] == "Ada L.", saved["learner"]
    answers = saved["answers"]
    assert answers["00-keep"]["answers"] == [right] and answers["00-keep"]["first_try"] is True, answers["00-keep"]
    assert answers["04-stabilisers"]["answers"] == [sorted(several)], answers["04-stabilisers"]
    assert answers["04-stabilisers"]["first_try"] is True
    assert answers["04-count"]["answers"] == [number] and answers["04-count"]["first_try"] is True, answers["04-count"]
    for qid in ("00-keep", "04-stabilisers", "04-count"):
        assert answers[qid]["attempts"] == 1, answers[qid]
    assert quiz.answer_hash("00-keep", right) == choice.answer
