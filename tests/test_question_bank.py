"""Statistics over the whole question bank, so that no future question can bring back a pattern a
learner could exploit without understanding (issue 9 §2): the right answer always first or always
the longest, options of different style, options without feedback, misconceptions no checkpoint
meets, near-duplicate questions.

Every module found in ``gan_edu/quiz/questions/`` is read, so lessons added later (09, 10) are
checked too. Run with ``-s`` to see the statistics.
"""
import difflib
import importlib
import itertools
import pkgutil
import re
from collections import Counter

import pytest

from gan_edu import quiz
from gan_edu.quiz import misconceptions, questions
from gan_edu.quiz.question import strip_tags

MODULES = {m.name: importlib.import_module(f"gan_edu.quiz.questions.{m.name}")
           for m in pkgutil.iter_modules(questions.__path__) if m.name.startswith("l")}
BANK = [q for mod in MODULES.values() for q in mod.QUESTIONS]
LESSONS = {name[1:] for name in MODULES}

MAX_POSITION_SHARE = 0.40     # no position holds more than this share of the right answers
MIN_LAST_SHARE = 0.10         # ... and the last position holds at least this share
MAX_LONGEST_SHARE = 0.35      # right answer among the longest options (when lengths differ at all)
MAX_SHORTEST_SHARE = 0.40     # ... nor systematically the shortest
MAX_LENGTH_RATIO = 1.6        # longest option / shortest option, per question
MIN_FEEDBACK = 40             # characters of plain text: enough to say why
MAX_PROMPT_SIMILARITY = 0.70  # difflib ratio between two prompts (different wording of one question)
MAX_PROMPT_OVERLAP = 0.50     # Jaccard overlap of two prompts' words


def right_key(q):
    target = q.expected if isinstance(q, quiz.Prediction) else q.answer
    keys = [k for k in q.options if quiz.answer_hash(q.qid, k) == target]
    assert len(keys) == 1, f"{q.qid}: exactly one option must match the stored hash, found {keys}"
    return keys[0]


def single_answer():
    """Questions with one right option: single-answer choices and predictions."""
    return [q for q in BANK if isinstance(q, quiz.Prediction) or (isinstance(q, quiz.MultipleChoice) and not q.multiple)]


def test_every_module_is_in_the_bank_with_its_lesson_prefix():
    assert {q.qid for q in BANK} == set(questions.ALL)
    for name, mod in MODULES.items():
        assert len(mod.QUESTIONS) >= 2, name
        assert all(q.qid.startswith(f"{name[1:]}-") for q in mod.QUESTIONS), name


def test_right_answer_positions_are_spread():
    """Position in the authoring order (the display order is also shuffled per learner, but a
    fallback, an ordered scale or a future option could expose it)."""
    rows = [(list(q.options).index(right_key(q)), len(q.options)) for q in single_answer() if not q.ordered]
    counts = Counter(pos for pos, _ in rows)
    last = sum(pos == n - 1 for pos, n in rows)
    print(f"\nright-answer position over {len(rows)} unordered questions: "
          f"{dict(sorted(counts.items()))}; last option: {last}")
    assert max(counts.values()) <= MAX_POSITION_SHARE * len(rows), counts
    assert last >= MIN_LAST_SHARE * len(rows), last


def test_right_answer_is_not_systematically_longest_or_shortest():
    longest = shortest = counted = 0
    for q in single_answer():
        lengths = [len(t) for t in q.options.values()]
        if max(lengths) - min(lengths) <= 2:
            continue                                   # all the same length: no cue either way
        counted += 1
        mine = len(q.options[right_key(q)])
        longest += mine == max(lengths)
        shortest += mine == min(lengths)
    print(f"\nright answer among the longest: {longest}/{counted}, among the shortest: {shortest}/{counted}")
    assert longest <= MAX_LONGEST_SHARE * counted and shortest <= MAX_SHORTEST_SHARE * counted


@pytest.mark.parametrize("q", [q for q in BANK if hasattr(q, "options")], ids=lambda q: q.qid)
def test_options_have_similar_length_and_style_and_feedback_that_explains(q):
    texts = list(q.options.values())
    lengths = [len(t) for t in texts]
    assert max(lengths) / min(lengths) <= MAX_LENGTH_RATIO, lengths
    for t in texts:
        assert not t.rstrip().endswith("."), f"option {t!r} ends with a full stop (feedback shows it as '.:')"
        assert "<" not in t and "&" not in t and "$" not in t, f"option {t!r}: radio labels show plain text only"
    feedback = [strip_tags(f).strip() for f in q.option_feedback.values()]
    assert all(len(f) >= MIN_FEEDBACK for f in feedback), [f for f in feedback if len(f) < MIN_FEEDBACK]
    assert len(set(feedback)) == len(feedback), "two options share one feedback text"


@pytest.mark.parametrize("q", [q for q in BANK if isinstance(q, quiz.Numeric)], ids=lambda q: q.qid)
def test_numeric_questions_explain_their_wrong_answers(q):
    assert q.accepted and q.explanation and (q.hint or q.wrong)
    assert len(q.wrong) >= 2, "targeted feedback for the common wrong answers"
    for low, high, text, _ in q.wrong:
        for value in (low, high, (low + high) / 2):
            assert not q.accepts(value), f"{q.qid}: wrong-answer range {low}..{high} overlaps the accepted answer"
        assert len(strip_tags(text)) >= MIN_FEEDBACK


@pytest.mark.parametrize("q", [q for q in BANK if isinstance(q, quiz.Prediction)], ids=lambda q: q.qid)
def test_predictions_state_the_outcome_their_lesson_claims(q):
    assert q.expected, f"{q.qid}: expected= (the hash of the claimed outcome) makes the claim checkable"
    right_key(q)


def test_every_misconception_is_met_in_every_lesson_that_should_meet_it():
    tagged: dict[str, set[str]] = {}
    for q in BANK:
        tags = [t for ts in getattr(q, "misconceptions", {}).values() for t in ts]
        tags += [t for *_, ts in getattr(q, "wrong", []) for t in ts]
        for t in tags:
            tagged.setdefault(t, set()).add(q.lesson)
    missing, pending = [], []
    for m in misconceptions.MISCONCEPTIONS.values():
        for lesson in m.lessons:
            if lesson not in LESSONS:
                pending.append(f"{m.id} ({lesson})")
            elif lesson not in tagged.get(m.id, set()):
                missing.append(f"{m.id} in lesson {lesson}")
    print(f"\nmisconceptions met: {len(tagged)} of {len(misconceptions.MISCONCEPTIONS)}; "
          f"waiting for their lesson's questions: {', '.join(pending) or 'none'}")
    assert not missing, "no option a learner could choose for these reasons: " + "; ".join(missing)
    assert set(tagged) <= set(misconceptions.MISCONCEPTIONS)


def _words(text):
    return set(re.findall(r"[a-z0-9]+", strip_tags(text).lower()))


def test_no_duplicate_or_near_duplicate_prompts():
    close = []
    for a, b in itertools.combinations(BANK, 2):
        pa, pb = " ".join(sorted(_words(a.prompt))), " ".join(sorted(_words(b.prompt)))
        ratio = difflib.SequenceMatcher(None, strip_tags(a.prompt).lower(), strip_tags(b.prompt).lower()).ratio()
        overlap = len(_words(a.prompt) & _words(b.prompt)) / len(_words(a.prompt) | _words(b.prompt))
        if pa == pb or ratio > MAX_PROMPT_SIMILARITY or overlap > MAX_PROMPT_OVERLAP:
            close.append(f"{a.qid} ~ {b.qid} (similarity {ratio:.2f}, word overlap {overlap:.2f})")
    assert not close, "\n".join(close)


def test_renamed_ids_point_into_the_bank():
    for old, new in questions.RENAMED.items():
        assert new in questions.ALL and old not in questions.ALL


def test_the_instructors_guide_lists_every_misconception_as_the_registry_has_it():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "INSTRUCTORS.md").read_text()
    table = guide.split("| misconception | lesson |\n|---|---|\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table == [f"| {m.text} | {', '.join(m.lessons)} |" for m in misconceptions.MISCONCEPTIONS.values()]


def test_every_lesson_with_questions_has_a_title_in_the_progress_table():
    from gan_edu.widgets.progress import LESSONS as TITLES

    assert LESSONS <= set(TITLES), sorted(LESSONS - set(TITLES))
