"""Checkpoints of lesson 02 (the discriminator: logit, sigmoid, BCE, capacity balance).

Correct answers are stored only as salted hashes (``python -m gan_edu.quiz choice QID KEY``).
The misconception "a low D loss means training is going well" is met by ``02-low-d-loss``
and ``02-chance-bce``.
"""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    MultipleChoice(
        "02-sigmoid-half",
        "D gives a point $x$ the logit $0$, so $D(x) = \\sigma(0) = 0.5$. What does that tell you?",
        options={
            "a": "G has won: x is a perfect fake.",
            "b": "x is half real and half fake.",
            "c": "D is undecided at x: it gives real and fake even odds, so x lies on D's decision boundary.",
            "d": "D is broken: a classifier should only output 0 or 1.",
        },
        feedback={
            "a": "One value of 0.5 says nothing about G as a whole. An untrained D says about 0.5 "
                 "<i>everywhere</i> (you saw it at update 0) before G has learned anything. Only the best "
                 "possible D facing a perfect G is 0.5 everywhere (lesson 06).",
            "b": "A sample is either drawn from the data or made by G. 0.5 describes what D believes about x, "
                 "not what x is.",
            "c": "$\\sigma(\\ell) = 0.5$ exactly when $\\ell = 0$: the logit's sign is D's verdict, and 0 is the "
                 "line between 'real' (positive) and 'fake' (negative). The white band in the heatmap is that boundary.",
            "d": "D outputs a probability. Where real and fake samples overlap, being unsure is the right answer; "
                 "D(x) only goes to 0 or 1 where the two are easy to tell apart.",
        },
        answer="78069b1e82fad8abf6c1",
    ),
    Prediction(
        "02-d-only-speed",
        "G is frozen and untrained: its samples are the purple blob in the middle of the ring. You are about to "
        "train <b>only D</b>. After how many D updates will D classify at least 99 % of the held-out real and "
        "fake samples correctly?",
        options={
            "few": "fewer than 10 updates",
            "tens": "between 10 and 50 updates",
            "later": "more than 50 updates, or never",
        },
        feedback={
            "few": "The untrained G puts all its samples in one small blob, far from every real mode, so a closed "
                   "curve around the blob separates them and D finds one almost at once. Being right is easy; being "
                   "sure takes longer: D's probabilities are still close to 0.5 then, and its BCE keeps falling long "
                   "after the accuracy reached 100 %.",
            "tens": "Real and fake samples do not overlap at all, so a perfect classifier exists; D needed a few dozen "
                    "small steps to bend its boundary around the blob. Notice that its BCE keeps falling after the "
                    "accuracy reached 100 %: D is growing more confident.",
            "later": "This D needed more than 50 updates, though real and fake samples do not overlap. Look at the "
                     "heatmap: where is the boundary not yet around the blob? A smaller learning rate or a smaller D "
                     "learns more slowly.",
        },
        explanation="Against a G that does not move, D only ever gets better: nothing pushes back.",
    ),
    MultipleChoice(
        "02-low-d-loss",
        "You are training a GAN. D's loss has fallen to 0.02 and stays there; its accuracy is 100 %. A friend says: "
        "<i>'Great, a low loss means training is going well.'</i> What do you answer?",
        options={
            "a": "Agreed: the goal of training is to push every loss down, D's included.",
            "b": "D is winning outright: it spots every fake with confidence, so G's samples are still easy to tell "
                 "from real ones and G is not catching up. Look at the samples and at D(G(z)).",
            "c": "It means G has learned the data distribution.",
            "d": "D's loss means nothing in a GAN, so ignore it.",
        },
        feedback={
            "a": "A GAN is a game: D's loss going down is G losing. If G matched the data, no D could separate "
                 "the two and D's loss would sit at its <i>chance</i> value 2 log 2 ≈ 1.386, not near 0.",
            "b": "D's loss near 0 with 100 % accuracy means the two players are out of balance: D(G(z)) is near 0, "
                 "so with the minimax loss G's gradient nearly vanishes (you measured it), and G is not producing "
                 "anything D finds plausible. Monitor D's accuracy; if it stays near perfect, G is not learning. "
                 "Remedies: a smaller D, fewer D updates per step, a lower D learning rate (lesson 04).",
            "c": "The opposite. A perfect G makes fakes that D cannot tell from real data: the best D would say 0.5 "
                 "everywhere and its loss would be 2 log 2 ≈ 1.386, its highest sensible value, not near 0.",
            "d": "D's loss is not a score of sample quality, but it does tell you about the balance: near 0 means "
                 "D dominates. Read it together with D's accuracy and D(G(z)).",
        },
        answer="da37b33d3d2dd2357307",
    ),
    Numeric(
        "02-chance-bce",
        "A discriminator says $D(x) = 0.5$ (logit 0) to every real and every fake sample. What is its loss, "
        "BCE on the real batch + BCE on the fake batch, in nats (natural log)? Two decimals.",
        step=0.01,
        accepted=["bf39436287630990ee48", "3c20e45404b12f5ec811", "14b202fe86b747ef7436"],
        hint="Each real sample costs $-\\log 0.5$ and each fake costs $-\\log(1 - 0.5)$. Add the two batch means.",
        explanation="Each half costs $-\\log \\tfrac12 = \\log 2 \\approx 0.693$, so the loss is $2\\log 2 \\approx 1.386$. "
                    "That is where D's loss sits when G is perfect: a GAN going well does <b>not</b> drive D's loss to 0.",
    ),
]
