"""The quiz's Check / Commit button (gan_edu/quiz/submit.py): its click carries the answer the page
shows, and the kernel scores exactly that.

A click from the page arrives as the custom message the button's JavaScript sends; here it is handed
to the widget the way ipywidgets hands it over (``_handle_msg``). The browser half, a learner
changing the answer while the kernel is busy, is tests/browser/test_quiz_busy_kernel.py.
"""
import importlib.resources
import json
from pathlib import Path

from test_quiz import choice, prediction

from gan_edu import quiz
from gan_edu.quiz import submit

ROOT = Path(__file__).resolve().parents[1]


def numeric(qid="99-num"):
    return quiz.Numeric(qid, "How many steps?", step=1.0, accepted=quiz.numeric_hashes(qid, 1000, 1000, 1.0),
                        hint="Count again.")


def click_from_page(button, values) -> None:
    """What the button's JavaScript sends on a click: the values the page shows, in ``reads`` order."""
    button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click", "values": values}}},
                        "buffers": []})


def on_disk(path: Path) -> dict:
    return json.loads(path.read_text())["answers"]


def test_the_page_answer_is_scored_not_the_one_the_kernel_still_holds(progress_file):
    q = choice()
    q.select("a")                                   # the kernel's last word: "a" (the page's "b" has not arrived)
    click_from_page(q.button, [q.order.index("b")])
    assert q.choice.value == "b" and "Right" in q.feedback.value and "G makes samples." in q.feedback.value
    entry = on_disk(progress_file)["99-demo"]
    assert entry["answers"] == ["b"] and entry["attempts"] == 1 and entry["first_try"] is True


def test_several_answers_carry_every_box(progress_file):
    q = choice(multiple=True, answer=("b", "c"))
    q.select("a")
    click_from_page(q.button, [k in ("b", "c") for k in q.order])
    assert sorted(q.selected()) == ["b", "c"]
    assert "Right" in q.feedback.value
    assert on_disk(progress_file)["99-demo"]["answers"] == [["b", "c"]]


def test_a_number_typed_on_the_page_is_scored(progress_file):
    q = numeric()
    q.widget  # noqa: B018
    assert q.entry.value == 0.0
    click_from_page(q.button, [1000.0])
    assert q.entry.value == 1000.0 and "Right" in q.feedback.value
    assert on_disk(progress_file)["99-num"]["answers"] == [1000.0]


def test_a_prediction_commits_the_option_on_the_page():
    q = prediction()
    q.select("few")
    click_from_page(q.button, [q.order.index("all")])
    assert q.committed == "all" and q.choice.disabled and q.button.disabled
    assert "Prediction locked: <b>8</b>" in q.feedback.value


def test_a_click_whose_values_cannot_be_set_scores_nothing_and_says_so(progress_file):
    for values in ([], [0, 1], "b", [99], ["not an index"]):
        q = choice()
        q.select("a")
        click_from_page(q.button, values)
        assert "was not scored" in q.feedback.value and q.status.value == "", values
        assert not progress_file.exists() or "99-demo" not in on_disk(progress_file), values
    q = numeric()
    q.widget  # noqa: B018
    click_from_page(q.button, ["lots"])
    assert "was not scored" in q.feedback.value


def test_other_messages_are_ignored_and_python_clicks_score_the_kernel_value(progress_file):
    q = choice()
    q.select("a")
    q.button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "hover"}}}, "buffers": []})
    assert q.feedback.value == "" and "99-demo" not in on_disk(progress_file)
    q.button.click()
    assert "Not quite" in q.feedback.value and on_disk(progress_file)["99-demo"]["answers"] == ["a"]


def test_the_button_reads_its_answer_widgets_by_model_id():
    q = choice()
    q.widget  # noqa: B018
    assert q.button.reads == [[f"anywidget:{q.choice.model_id}", "index"]]
    m = choice(multiple=True, answer=("b",))
    m.widget  # noqa: B018
    assert m.button.reads == [[f"anywidget:{m.boxes[k].model_id}", "value"] for k in m.order]
    n = numeric()
    n.widget  # noqa: B018
    assert n.button.reads == [[f"anywidget:{n.entry.model_id}", "value"]]
    state = q.button.get_state()
    assert state["description"] == "Check" and state["icon"] == "check" and state["button_style"] == "primary"


def test_the_javascript_ships_with_the_package_and_sends_the_values():
    shipped = importlib.resources.files("gan_edu.quiz") / "submit.js"
    source = shipped.read_text(encoding="utf-8")
    assert source == submit.ESM.read_text(encoding="utf-8")
    assert "host.getModel(ref)" in source and 'model.send({ event: "click", values })' in source
    assert 'model.get("css")' in source and submit.submit_button("Check", "check", "primary", []).css == "ge-quiz-check"
    assert "submit.js" in (ROOT / "pyproject.toml").read_text()       # package data: a wheel carries it too

