"""Checkpoints of lesson 05 (mode collapse)."""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    Prediction(
        '05-vanilla-modes',
        'A plain GAN trains 4000 steps on the ring of 8. How many modes will it capture at the end?',
        options={'all': 'All 8', 'some': 'Between 4 and 7', 'few': '3 or fewer'},
        feedback={'all': 'It learned the whole ring.', 'some': 'It covers part of the ring: partial collapse.', 'few': 'G collapsed: nearly all its samples sit on one or two modes (or between them), and D chases them around.'},
        explanation="Nothing in G's loss asks for variety: a pile of identical realistic samples is as good as a varied set, sample by sample.",
    ),
    MultipleChoice(
        '05-visited',
        "During a run, G's samples land on every one of the 8 modes at some point, but at each check only one or two modes are covered. Has G learned the distribution?",
        options={'a': 'Yes: all 8 modes appeared', 'b': 'No: it hops between modes; at any moment its samples cover one or two', 'c': "Yes, if you average G's samples over the whole run", 'd': 'It cannot be told'},
        feedback={'a': 'That is the misconception: a union over time is not coverage. The samples G makes now are what it has learned.', 'b': 'Right: mode hopping is collapse too. Coverage must hold at one moment, for the G you keep.', 'c': 'You keep one G, the last one; averaging over past Gs is not something you can sample from.', 'd': "The coverage timeline tells it: compare 'visited so far' with 'captured right now'."},
        answer='15f4cfa35edab899dc3f',
    ),
    MultipleChoice(
        '05-how-pacgan',
        'How does PacGAN let D notice that G is collapsing?',
        options={'a': 'D sees several samples at once, so a pack of near-identical fakes looks unlike a pack of real samples', 'b': 'G gets a bigger learning rate', 'c': 'D is trained for longer', 'd': 'The loss penalises identical samples directly'},
        feedback={'a': "Right: one sample at a time, a collapsed G's output looks fine; m at a time, the missing variety shows.", 'b': "PacGAN changes D's input, not G's optimiser.", 'c': "D takes the same number of updates; only its input width changes (m × the data's features).", 'd': 'No term of the loss mentions variety; D learns to use it because packs reveal it.'},
        answer='7132f63215e49cb6bc6e',
    ),
]
