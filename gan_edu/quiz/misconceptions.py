"""The misconceptions the course meets head-on, with the curriculum's wording (``CURRICULUM.md``).

A checkpoint option (or a numeric question's wrong-answer range) is tagged with the id of the
misconception that would lead a learner to choose it; the class report shows, for the most
chosen wrong option, the misconception it signals. ``lessons`` says where the curriculum wants
each one met: ``tests/test_question_bank.py`` checks that every lesson listed here that has a
question module meets it with at least one tagged option (lessons 09 and 10 once they exist).

Plain data, no imports: the class report and the command line read it as is.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Misconception", "MISCONCEPTIONS", "get", "check", "met_by"]


@dataclass(frozen=True)
class Misconception:
    id: str
    text: str                 # the curriculum's wording
    lessons: tuple[str, ...]  # where a checkpoint must meet it


MISCONCEPTIONS: dict[str, Misconception] = {m.id: m for m in (
    Misconception("d-half-when-working",
                  '"D(x) should read 0.5 once training works": in practice it oscillates; 0.5 is the ideal fixed point',
                  ("06",)),
    Misconception("g-loss-real-label-bug",
                  '"G\'s loss uses the real label by mistake": it is the non-saturating loss', ("03",)),
    Misconception("g-stores-images",
                  '"the generator stores training images and looks them up": it learns a mapping from noise and never '
                  "sees the data, yet it can still learn to reproduce some examples (so check, don't assume)",
                  ("00", "03", "07")),
    Misconception("low-d-loss-good", '"a low D loss means training is going well"', ("02", "04")),
    Misconception("d-loss-2log2-healthy",
                  '"a D loss near 2 log 2 means a healthy game": D\'s loss alone says neither', ("02", "04")),
    Misconception("epoch-is-step",
                  '"an epoch is one step": one step is one D update (or k) and one G update', ("00", "04")),
    Misconception("forgot-detach", "forgetting .detach() on the fake batch in the D step, and what it does", ("03",)),
    Misconception("double-sigmoid", "applying sigmoid twice (a sigmoid output into a with-logits loss)", ("03",)),
    Misconception("more-d-steps-better", '"more D steps is always better"', ("04",)),
    Misconception("all-modes-appeared",
                  '"all 8 modes appear, so there is no collapse": coverage over time vs at one moment', ("05",)),
    Misconception("smooth-walk-no-memorisation",
                  '"smooth latent walks prove G did not memorise": G is continuous by construction', ("01", "07")),
    Misconception("label-is-noise", '"the class label is just another noise dimension"', ("09",)),
    Misconception("conditional-copies-class", '"a conditional G can only copy that class\'s training images"', ("09",)),
    Misconception("low-fid-no-collapse", '"a low FID means no mode collapse"', ("10",)),
    Misconception("copying-scores-badly", '"a GAN that copies its training data scores badly"', ("10",)),
    Misconception("looks-good-is-good", '"it looks good to me, so it is good"', ("07", "10")),
)}


def get(mid: str) -> Misconception:
    if mid not in MISCONCEPTIONS:
        raise ValueError(f"unknown misconception {mid!r}; known: {', '.join(MISCONCEPTIONS)}")
    return MISCONCEPTIONS[mid]


def check(tags) -> tuple[str, ...]:
    """``tags`` (one id or several) as a tuple of known ids; ValueError naming an unknown one."""
    tags = (tags,) if isinstance(tags, str) else tuple(tags)
    for t in tags:
        get(t)
    return tags


def met_by(questions) -> dict[str, list[str]]:
    """``{misconception id: the lessons (sorted) whose checkpoints meet it}``: a lesson meets one when an
    option (or a numeric wrong-answer range) of one of its ``questions`` is tagged with it."""
    met: dict[str, set] = {}
    for q in questions:
        tags = [t for ts in getattr(q, "misconceptions", {}).values() for t in ts]
        tags += [t for *_, ts in getattr(q, "wrong", []) for t in ts]
        for t in tags:
            met.setdefault(t, set()).add(q.lesson)
    return {mid: sorted(lessons) for mid, lessons in met.items()}
