"""Checkpoints of lesson 05 (mode collapse).

Misconception met: "all 8 modes appear, so there is no collapse" (05-visited). 05-why-collapse
reconciles the lesson with lesson 06: collapse comes from the dynamics of training, and with the
non-saturating loss G does not minimise the JSD even against an optimal D. The prediction
05-vanilla-modes's outcome keys: "all" (8 modes), "some" (4 to 7), "few" (3 or fewer).
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    Prediction(
        "05-vanilla-modes",
        "A plain GAN trains 4000 steps on the ring of 8. How many modes will it capture at the end?",
        options={"all": "All 8 modes", "some": "4 to 7 modes", "few": "3 modes or fewer"},
        feedback={
            "all": "Nothing in this plain set-up keeps G spread out: each G step follows the current D to wherever it "
                   "says \"real\", and this run ended far from covering the ring.",
            "some": "Partial collapse is common, but this run went further: at the end it captured three modes or "
                    "fewer.",
            "few": "G collapsed: nearly all its samples form one clump, near a mode or between two, with hardly any "
                   "inside a mode's circle; over the run the clump travels round the ring as D, tilting one way "
                   "and then another, learns to reject each place it reaches.",
        },
        ordered=True,
        expected="991c8fc26bdef3704b00",
    ),
    MultipleChoice(
        "05-visited",
        "During a run, G's samples land on every one of the 8 modes at some point, but at each check only one or "
        "two modes are covered. Has G learned the distribution?",
        options={
            "a": "Yes: all 8 modes have appeared, so G has learned them all",
            "b": "Yes, if you pool G's samples over the whole run",
            "c": "It cannot be told from samples taken during training",
            "d": "No: at any moment its samples cover one or two modes",
        },
        feedback={
            "a": "A union over time is not coverage. The samples G makes now are what it has learned, and now they "
                 "sit on one or two modes.",
            "b": "A mixture of the run's snapshots could be sampled from (pick a snapshot at random, then sample it), "
                 "but that is not the G you keep: the final G covers one or two modes. Coverage must hold for one G, "
                 "at one moment.",
            "c": "The coverage timeline tells it: compare 'visited so far' with 'captured right now'.",
            "d": "Mode hopping is collapse too. Coverage must hold at one moment, for the G you keep.",
        },
        misconceptions={"a": "all-modes-appeared", "b": "all-modes-appeared"},
        answer="a91f5d623919a914c3a4",
    ),
    MultipleChoice(
        "05-why-collapse",
        "In theory, a G that faces the best possible D after every one of its steps is pushed to cover every mode. "
        "Why does a plain GAN collapse anyway?",
        options={
            "a": "D scores each whole batch and rewards G for matching its mean",
            "b": "G steps against the current D, which is not the best one",
            "c": "The noise z is too small to produce more than one or two modes",
            "d": "The theory is wrong: G's loss never depends on variety",
        },
        feedback={
            "a": "D scores one sample at a time: it never sees a batch as a whole. That is exactly what the remedies "
                 "PacGAN and minibatch standard deviation add.",
            "b": "The theory assumes D is optimal after every G step. In training, D takes a step or a few, judges "
                 "one sample at a time and early on has one favourite spot: every z is pushed there, D learns to "
                 "reject that spot, and G moves the whole pile elsewhere. Collapse comes from these dynamics. Also, "
                 "with the non-saturating loss that almost everyone uses, G does not minimise the JSD even against an "
                 "optimal D: its gradient is that of KL(p_g ‖ p_data) − 2·JSD (Arjovsky & Bottou 2017), which "
                 "punishes G little for missing modes.",
            "c": "16 numbers of noise reach a whole continuous family of outputs: a G that covers all 8 modes exists "
                 "with this z. Collapse is something training does to G.",
            "d": "The theory holds under its assumptions (an optimal D after every G step, the minimax loss); in "
                 "training they do not hold. Sample by sample, a pile of identical realistic points is as good as a "
                 "varied set for the current D, which is why the dynamics can collapse.",
        },
        answer="f5a9a09ffbe972054e08",
    ),
    MultipleChoice(
        "05-how-pacgan",
        "How does PacGAN let D notice that G is collapsing?",
        options={
            "a": "G gets a larger learning rate, so it leaves a collapse faster",
            "b": "D is trained for more steps, so it catches a collapse sooner",
            "c": "D judges several samples at once, so a lack of variety shows",
            "d": "A term added to the loss penalises identical samples directly",
        },
        feedback={
            "a": "PacGAN changes D's input, not G's optimiser.",
            "b": "D takes the same number of updates; only its input width changes (m × the data's features).",
            "c": "One sample at a time, a collapsed G's output looks fine; m at a time, the missing variety shows: a "
                 "pack of near-identical fakes looks unlike m real samples drawn from eight modes.",
            "d": "No term of the loss mentions variety; D learns to use it because packs reveal it.",
        },
        answer="c8d8fa319bc676411e05",
    ),
]
