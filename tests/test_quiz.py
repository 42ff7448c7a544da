"""Quiz widgets driven from Python: set a value, click check, read the feedback and the record."""
import copy
import json

import pytest

from gan_edu import quiz
from gan_edu.quiz import record
from gan_edu.quiz.panel import RevealPanel, run_experiment
from gan_edu.quiz.questions import ALL, RENAMED


def choice(multiple=False, answer=("b",), qid="99-demo", **kw):
    return quiz.MultipleChoice(
        qid, "Which network do you keep?",
        options={"a": "D", "b": "G", "c": "both", "d": "neither"},
        feedback={"a": "D only judges.", "b": "G makes samples.", "c": "D is not needed after training.", "d": "No."},
        answer=quiz.answer_hash(qid, list(answer) if multiple else answer[0]), multiple=multiple, **kw)


def prediction(expected="few", qid="99-pred", **kw):
    return quiz.Prediction(qid, "How many modes?", options={"few": "1-3", "all": "8"},
                           feedback={"few": "Collapse.", "all": "Coverage."},
                           expected=quiz.answer_hash(qid, expected) if expected else None, **kw)


def fresh(qid):
    """A bank question with no session state (the bank's objects are shared by every test)."""
    q = copy.copy(quiz.get(qid))
    q._widget, q.panel = None, None
    if isinstance(q, quiz.Prediction):
        q.committed, q.shown_without_prediction, q._scored, q._restored = None, False, None, False
    return q


def right_key(q):
    target = q.expected if isinstance(q, quiz.Prediction) else q.answer
    return next(k for k in q.options if quiz.answer_hash(q.qid, k) == target)


def widget_text(widget) -> str:
    """Everything a widget tree sends to the page (its state, recursively)."""
    out = [json.dumps(widget.get_state(), default=str)]
    for child in getattr(widget, "children", ()):
        out.append(widget_text(child))
    return "".join(out)


# --------------------------------------------------------------------------- multiple choice
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
    state = widget_text(q.widget)
    assert q.answer not in state and '"b"' not in state          # neither the hash nor the key reaches the page
    assert list(q.choice.get_state()["_options_labels"]) == [q.options[k] for k in q.order]


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
    assert quiz.progress()["99-demo"]["answers"][-1] == ["a", "c"]


def test_option_order_is_shuffled_per_learner_and_stable_across_sessions(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("GAN_EDU_LEARNER", "ada")
    ada = {qid: fresh(qid).display_order() for qid in ALL if isinstance(ALL[qid], quiz.MultipleChoice)}
    record.STORE.reset()                                      # a new session of the same learner
    assert ada == {qid: fresh(qid).display_order() for qid in ada}
    monkeypatch.setenv("GAN_EDU_LEARNER", "bo")
    bo = {qid: fresh(qid).display_order() for qid in ada}
    assert sum(ada[k] != bo[k] for k in ada) >= len(ada) // 2   # neighbours see different orders
    for qid, order in ada.items():
        assert sorted(order) == sorted(ALL[qid].options)


def test_without_a_learner_the_anonymous_id_keeps_the_order(monkeypatch, progress_file):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    first = fresh("00-keep").display_order()
    record.STORE.reset()
    assert fresh("00-keep").display_order() == first
    assert json.loads(progress_file.read_text())["anonymous_id"]


def test_the_record_stores_the_key_whatever_the_position(monkeypatch):
    monkeypatch.setenv("GAN_EDU_LEARNER", "ada")
    q = fresh("00-keep")
    q.widget  # noqa: B018
    key = right_key(q)
    q.choice.index = q.order.index(key)                      # a click on the row where the learner sees it
    assert q.check() is True
    assert quiz.progress()["00-keep"]["answers"] == [key]


def test_ordered_options_keep_their_order():
    q = prediction(ordered=True)
    assert q.display_order() == ["few", "all"]


def test_feedback_never_shows_a_doubled_full_stop():
    q = quiz.MultipleChoice("99-dots", "?", options={"a": "An option that ends with a stop.", "b": "Another"},
                            feedback={"a": "Because.", "b": "No."}, answer=quiz.answer_hash("99-dots", "a"))
    q.select("a").check()
    assert ".:" not in q.feedback.value and "An option that ends with a stop</b>" in q.feedback.value
    for qid in ALL:                                           # and no bank option ends with one
        if isinstance(ALL[qid], quiz.MultipleChoice):
            q = fresh(qid)
            for k in q.options:
                q.select(k).check()
                assert ".:" not in q.feedback.value, (qid, k)


def test_misconceptions_of_an_answer():
    q = ALL["02-low-d-loss"]
    tags = {k: q.misconceptions_of(k) for k in q.options}
    assert ("low-d-loss-good",) in tags.values() and ("d-loss-2log2-healthy",) in tags.values()
    assert q.misconceptions_of(right_key(q)) == ()
    with pytest.raises(ValueError, match="unknown misconception"):
        choice(qid="99-bad", misconceptions={"a": "no-such-thing"})
    with pytest.raises(ValueError, match="unknown options"):
        choice(qid="99-bad", misconceptions={"z": "double-sigmoid"})


# --------------------------------------------------------------------------- numbers
def test_numeric_with_tolerance_and_targeted_feedback():
    q = fresh("02-chance-bce")
    assert q.answer_with(1.386).check() is True
    assert q.answer_with(0.693).check() is False and "one half" in q.feedback.value
    assert q.answer_with(-1.386).check() is False and "sign" in q.feedback.value
    assert q.answer_with(1.0).check() is False and "bits" in q.feedback.value
    assert q.answer_with(7.0).check() is False and q.hint[:20] in q.feedback.value
    assert q.misconceptions_of(200.0) == ()
    assert fresh("04-count").misconceptions_of(200) == ("epoch-is-step",)
    assert quiz.progress()["02-chance-bce"]["answers"] == [1.386, 0.693, -1.386, 1.0, 7.0]


def test_numeric_refuses_bad_wrong_ranges_and_non_numbers():
    with pytest.raises(ValueError, match=r"\(low, high, feedback"):
        quiz.Numeric("99-n", "?", 1, [], wrong=[(1, 2)])
    with pytest.raises(ValueError, match="high must be >="):
        quiz.Numeric("99-n", "?", 1, [], wrong=[(2, 1, "x")])
    q = quiz.Numeric("99-n", "?", 1, [quiz.answer_hash("99-n", 3)])
    assert q.answer_with(float("nan")).check() is None and quiz.progress() == {}


# --------------------------------------------------------------------------- predictions: the old form
def test_prediction_locks_and_the_old_reveal_prints(capsys):
    q = prediction()
    q.select("few")
    q.button.click()
    assert q.committed == "few" and q.choice.disabled and q.button.disabled
    text = q.reveal("few")
    assert "You predicted: 1-3 -- right" in text and "Collapse." in text
    assert quiz.progress()["99-pred"]["correct"]
    q.reveal("few")
    assert quiz.progress()["99-pred"]["attempts"] == 1           # re-running a reveal does not count again
    with pytest.raises(ValueError, match="outcome"):
        q.reveal("none")


def test_old_reveal_without_a_prediction_says_so():
    q = prediction(expected=None)
    assert "No prediction was committed" in q.reveal("all")


# --------------------------------------------------------------------------- predictions: the new form
def experiment(outcome="few", shown="SECRET OUTPUT"):
    def run():
        print(shown)
        return outcome
    return run


def test_reveal_before_the_prediction_shows_nothing_then_updates_itself(capsys):
    q = prediction()
    q.widget  # noqa: B018
    key, _, captured = run_experiment(q, experiment())
    panel = RevealPanel(q, key, captured)
    assert "SECRET OUTPUT" not in capsys.readouterr().out       # held back
    page = widget_text(panel.widget)
    bundle = panel._repr_mimebundle_()
    for secret in ("SECRET OUTPUT", "Collapse.", "1-3", "Why"):
        assert secret not in page and secret not in bundle["text/plain"]
    assert "commit your prediction" in bundle["text/plain"] and not panel.revealed
    q.select("few")
    q.commit()                                                   # later, in the prediction's own cell
    assert panel.revealed and "right" in panel.note.value and "Collapse." in panel.note.value
    assert "SECRET OUTPUT" in widget_text(panel.widget)
    assert quiz.progress()["99-pred"]["attempts"] == 1 and quiz.progress()["99-pred"]["correct"]


def test_reveal_through_the_bank_api(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **k: shown.append(obj))
    q = fresh("03-stall")
    monkeypatch.setitem(ALL, "03-stall", q)
    q.select("minimax").commit()
    quiz.reveal("03-stall", run=experiment("non_saturating", shown="moved 40x"))
    panel = shown[-1]
    assert isinstance(panel, RevealPanel) and panel.revealed and "not this time" in panel.note.value
    assert "moved 40x" not in capsys.readouterr().out
    assert quiz.progress()["03-stall"]["answers"] == ["minimax"]
    assert q.misconceptions_of("minimax") == () and q.result == "non_saturating"


def test_every_bank_prediction_gives_the_same_answer_however_often_it_runs(monkeypatch):
    """For every Prediction: commit the expected outcome, re-run the reveal twice: right both times,
    counted once. (The lessons' own experiments are tested with their notebooks.)"""
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    for qid, q in ALL.items():
        if not isinstance(q, quiz.Prediction):
            continue
        q = fresh(qid)
        monkeypatch.setitem(ALL, qid, q)
        key = right_key(q)
        q.select(key).commit()
        for _ in range(2):
            quiz.reveal(qid, run=lambda key=key: key)
            assert q.panel.revealed and "right" in q.panel.note.value, qid
        assert quiz.progress()[qid]["attempts"] == 1, qid


def test_show_without_predicting_is_recorded_and_closes_the_prediction(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **k: shown.append(obj))
    q = fresh("05-vanilla-modes")
    monkeypatch.setitem(ALL, "05-vanilla-modes", q)
    q.widget  # noqa: B018
    quiz.reveal("05-vanilla-modes", run=lambda: "few")
    panel = shown[-1]
    assert not panel.revealed
    panel.show_button.click()
    assert panel.revealed and "without predicting" in panel.note.value
    rec = quiz.progress()["05-vanilla-modes"]
    assert rec["shown_without_prediction"] is True and rec["attempts"] == 0
    assert q.choice.disabled and q.select("few").commit() is None
    assert quiz.summary() == {}                                   # seen, not answered


def test_a_false_claim_fails_without_spoiling(monkeypatch, capsys):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: pytest.fail("nothing may be shown"))
    q = fresh("02-keep-training")
    monkeypatch.setitem(ALL, "02-keep-training", q)
    with pytest.raises(quiz.ClaimFailed, match="does not hold") as err:
        quiz.reveal("02-keep-training", run=experiment("rises", shown="BCE 0.8 -> 1.2"))
    assert "rises" not in str(err.value) and "BCE 0.8" not in capsys.readouterr().out
    assert q.last_outcome == "rises"
    with pytest.raises(quiz.ClaimFailed):
        quiz.reveal("02-keep-training", "rises")                  # the old form checks the claim too


def test_experiment_results_and_bad_calls(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)

    class Result:
        outcome = "few"
        modes = 2

    q = fresh("05-vanilla-modes")
    monkeypatch.setitem(ALL, "05-vanilla-modes", q)
    quiz.reveal("05-vanilla-modes", run=Result)
    assert quiz.get("05-vanilla-modes").result.modes == 2
    quiz.reveal("05-vanilla-modes", run=lambda: {"m": 1}, outcome_of=lambda r: "few")
    with pytest.raises(TypeError, match="must return an outcome key"):
        quiz.reveal("05-vanilla-modes", run=lambda: 3)
    with pytest.raises(TypeError, match="run must be a function"):
        quiz.reveal("05-vanilla-modes", run="few")
    with pytest.raises(TypeError, match="either run="):
        quiz.reveal("05-vanilla-modes")
    with pytest.raises(ValueError, match="outcome must be one of"):
        quiz.reveal("05-vanilla-modes", run=lambda: "most")
    with pytest.raises(ValueError, match="not a prediction"):
        quiz.reveal("00-keep", run=lambda: "a")


# --------------------------------------------------------------------------- the bank
def test_bank_lookup_errors_and_renamed_ids():
    with pytest.raises(ValueError, match="no checkpoint"):
        quiz.get("00-does-not-exist")
    with pytest.raises(ValueError, match="qid must look like"):
        quiz.Numeric("nodash", "?", 1, [])
    for old, new in RENAMED.items():
        assert quiz.get(old) is ALL[new] and old not in ALL


def test_every_banked_question_is_answerable():
    """Each choice question's hash matches exactly one option set, so a learner can get it right."""
    from itertools import combinations

    for qid, q in ALL.items():
        if isinstance(q, quiz.Numeric):
            assert q.accepted, qid
        if isinstance(q, quiz.MultipleChoice):
            keys = list(q.options)
            sets = [list(c) for r in range(1, len(keys) + 1) for c in combinations(keys, r)] if q.multiple else keys
            assert sum(quiz.answer_hash(qid, s) == q.answer for s in sets) == 1, qid


# the outcome keys each lesson's notebook computes today (grep reveal( in notebooks/): they must stay options
NOTEBOOK_OUTCOMES = {
    "00-toward-ring": {"closer", "same", "farther"}, "01-nearby": {"both", "trained", "untrained", "neither"},
    "02-keep-training": {"falls", "flat", "rises"}, "03-d-step-grad": {"yes", "no"},
    "03-stall": {"minimax", "non_saturating", "same"}, "04-more-d": {"k1", "k5", "k25"},
    "05-vanilla-modes": {"all", "some", "few"}, "06-smooth": {"half", "p45", "p55", "p90"},
    "07-collapse": {"all", "few-sure", "few-unsure", "one"}, "07-ten-copies": {"perfect", "middle", "bad"},
}


def test_the_notebooks_outcome_keys_are_still_options():
    from gan_edu.quiz.questions import l01

    for qid, keys in NOTEBOOK_OUTCOMES.items():
        assert keys <= set(ALL[qid].options), qid
    assert set(l01.UPCONV_SHAPES) == set(ALL["01-first-upconv"].options)
    assert l01.first_upconv_outcome((64, 4, 4)) == right_key(ALL["01-first-upconv"])


# --------------------------------------------------------------------------- a prediction across sessions
def test_a_prediction_in_the_record_comes_back_locked_after_a_restart(monkeypatch):
    """Session 1 commits a wrong prediction and sees the outcome; session 2 (a new kernel: a fresh
    question object, the same record) must not let the learner predict again and be counted right."""
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    q = fresh("05-vanilla-modes")
    monkeypatch.setitem(ALL, "05-vanilla-modes", q)
    wrong = next(k for k in q.options if k != right_key(q))
    q.select(wrong).commit()
    quiz.reveal("05-vanilla-modes", run=lambda: right_key(q))
    assert q.status.value == "prediction recorded: not this time · saved"      # locked: no "try again"
    before = quiz.progress()["05-vanilla-modes"]

    again = fresh("05-vanilla-modes")                                          # after a kernel restart
    monkeypatch.setitem(ALL, "05-vanilla-modes", again)
    again.widget  # noqa: B018
    assert again.committed == wrong and again.choice.value == wrong
    assert again.choice.disabled and again.button.disabled and again.status.value == "committed earlier"
    assert "earlier session" in again.feedback.value
    assert again.select(right_key(q)).commit() is None and again.committed == wrong
    quiz.reveal("05-vanilla-modes", run=lambda: right_key(q))
    assert again.panel.revealed and "not this" in again.panel.note.value
    assert quiz.progress()["05-vanilla-modes"] == before                      # not scored a second time
    assert before["attempts"] == 1 and before["correct"] is False


def test_a_prediction_seen_without_predicting_stays_closed_after_a_restart(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    q = fresh("05-vanilla-modes")
    q.show_without_predicting()
    again = fresh("05-vanilla-modes")
    again.widget  # noqa: B018
    assert again.shown_without_prediction and again.choice.disabled and again.committed is None
    assert again.select(right_key(q)).commit() is None
    assert quiz.progress()["05-vanilla-modes"]["attempts"] == 0


def test_a_prediction_is_committed_once_per_session():
    q = fresh("05-vanilla-modes")
    first, second = list(q.options)[:2]
    assert q.select(first).commit() == first
    q.choice.disabled = False                                # as if the page still let the learner change it
    assert q.select(second).commit() is None and q.committed == first
    assert "locked already" in q.feedback.value


def test_a_checkpoint_answered_in_an_earlier_session_says_so(progress_file):
    """After a kernel restart (a fresh question object, the same record) the checkpoint shows what the
    record holds: the learner sees the answers were kept; answering again adds an attempt."""
    q = choice()
    q.select("a").check()
    q.select("b").check()
    again = choice()
    again.widget  # noqa: B018
    assert again.status.value == "answered earlier: right · 2 attempts saved"
    assert again.choice.value is None and again.feedback.value == ""           # free to answer again
    again.select("b").check()
    assert again.status.value == "correct · saved" and quiz.progress()["99-demo"]["attempts"] == 3
    first = choice(qid="99-other")
    first.widget  # noqa: B018
    assert first.status.value == ""                                            # never answered: nothing to say
    choice(qid="99-one").select("b").check()
    one_again = choice(qid="99-one")
    one_again.widget  # noqa: B018
    assert one_again.status.value == "answered earlier: right first time · 1 attempt saved"


def test_answered_earlier_is_said_only_of_answers_on_disk(tmp_path, monkeypatch):
    """An answer the record could not write (a missing folder) stays in memory: a checkpoint shown again
    must not call it saved."""
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(tmp_path / "missing" / "progress.json"))
    q = choice()
    with pytest.warns(record.ProgressWarning, match="cannot be saved"):
        q.select("b").check()
    assert "not saved" in q.status.value and quiz.progress()["99-demo"]["attempts"] == 1     # kept in memory
    again = choice()
    again.widget  # noqa: B018
    assert "answered earlier" not in again.status.value
