"""Quiz widgets driven from Python: set a value, click check, read the feedback."""
import json

import pytest

from gan_edu import quiz


def choice(multiple=False, answer=("b",)):
    return quiz.MultipleChoice(
        "99-demo", "Which network do you keep?",
        options={"a": "D", "b": "G", "c": "both"},
        feedback={"a": "D only judges.", "b": "G makes samples.", "c": "D is not needed after training."},
        answer=quiz.answer_hash("99-demo", list(answer) if multiple else answer[0]), multiple=multiple)


def test_wrong_then_right_with_feedback_and_progress(progress_file):
    q = choice()
    q.select("a")
    q.button.click()
    assert "Not quite" in q.feedback.value and "D only judges." in q.feedback.value
    q.select("b")
    q.button.click()
    assert "Right" in q.feedback.value and "G makes samples." in q.feedback.value
    rec = quiz.progress()["99-demo"]
    assert rec["attempts"] == 2 and rec["correct"] and rec["first_try"] is False
    saved = json.loads(progress_file.read_text())
    assert saved["format"] == "gan_edu.progress" and saved["answers"]["99-demo"]["answers"] == ["a", "b"]
    assert quiz.summary() == {"99": {"answered": 1, "correct": 1, "first_try": 0}}


def test_the_answer_is_not_in_the_widget_or_its_state():
    q = choice()
    state = json.dumps([w.get_state() for w in q.widget.children], default=str)
    assert "b" in q.options and q.answer not in state
    assert "correct" not in q.widget.children[1].get_state().get("_options_labels", [])


def test_nothing_chosen_asks_for_an_answer():
    q = choice()
    assert q.check() is None and "Choose an answer" in q.feedback.value
    assert quiz.progress() == {}


def test_several_answers():
    q = choice(multiple=True, answer=("a", "c"))
    q.select("a")
    assert q.check() is False and "missing" in q.feedback.value
    q.select("a", "c")
    assert q.check() is True


def test_numeric_with_tolerance():
    q = quiz.Numeric("99-num", "2 log 2 = ?", step=0.01, accepted=quiz.numeric_hashes("99-num", 1.37, 1.40, 0.01),
                     hint="Think about D = 1/2.")
    assert q.answer_with(1.2).check() is False and "D = 1/2" in q.feedback.value
    assert q.answer_with(1.386).check() is True


def test_prediction_locks_and_reveal_compares(capsys):
    q = quiz.Prediction("99-pred", "How many modes?", options={"few": "1-3", "all": "8"},
                        feedback={"few": "Collapse.", "all": "Coverage."})
    q.select("few")
    q.button.click()
    assert q.committed == "few" and q.choice.disabled and q.button.disabled
    text = q.reveal("few")
    assert "You predicted: 1-3 -- right" in text and "Collapse." in text
    assert quiz.progress()["99-pred"]["correct"]
    with pytest.raises(ValueError, match="outcome"):
        q.reveal("none")


def test_reveal_without_a_prediction_says_so():
    q = quiz.Prediction("99-p2", "?", options={"x": "X"}, feedback={"x": "because"})
    assert "No prediction was committed" in q.reveal("x")


def test_bank_lookup_errors():
    with pytest.raises(ValueError, match="no checkpoint"):
        quiz.get("00-does-not-exist")
    with pytest.raises(ValueError, match="qid must look like"):
        quiz.Numeric("nodash", "?", 1, [])


def test_every_banked_question_is_answerable():
    """Each choice question's hash matches exactly one option set, so a learner can get it right."""
    from itertools import combinations

    from gan_edu import checkpoints

    for qid, q in checkpoints.ALL.items():
        assert qid[:2].isdigit(), qid
        if isinstance(q, quiz.Numeric):
            assert q.accepted, qid
        if isinstance(q, quiz.MultipleChoice):
            keys = list(q.options)
            sets = [list(c) for r in range(1, len(keys) + 1) for c in combinations(keys, r)] if q.multiple else keys
            assert sum(quiz.answer_hash(qid, s) == q.answer for s in sets) == 1, qid
