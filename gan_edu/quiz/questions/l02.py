"""Checkpoints of lesson 02 (the discriminator: logit, sigmoid, BCE, capacity balance).

Misconceptions met: "a low D loss means training is going well" and its mirror "a D loss near
2 log 2 means a healthy game" (02-low-d-loss). The prediction 02-d-only-speed's outcome keys
("few", "tens", "later") come from the first D update with 99 % accuracy.
"""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    MultipleChoice(
        "02-sigmoid-half",
        "D gives a point $x$ the logit $0$, so $D(x) = \\sigma(0) = 0.5$. What does that tell you?",
        options={
            "a": "G has won: x must be a perfect fake of the real data set",
            "b": "x is a blend: half a real sample and half a fake one",
            "c": "D is undecided at x: x sits on its decision boundary",
            "d": "D is broken: a classifier should only say 0 or 1",
        },
        feedback={
            "a": "One value of 0.5 says nothing about G as a whole. An untrained D says about 0.5 "
                 "<i>everywhere</i> (you saw it at update 0), before G has learned anything. Only the best possible "
                 "D facing a perfect G is 0.5 everywhere (lesson 06), and real runs hover around it, not at it.",
            "b": "A sample is either drawn from the data or made by G. 0.5 describes what D believes about x, not "
                 "what x is.",
            "c": "$\\sigma(\\ell) = 0.5$ exactly when $\\ell = 0$: the logit's sign is D's verdict, and 0 is the "
                 "line between 'real' (positive) and 'fake' (negative). The white band in the heatmap is that boundary.",
            "d": "D outputs a probability. Where real and fake samples overlap, being unsure is the right answer; "
                 "D(x) only goes to 0 or 1 where the two are easy to tell apart.",
        },
        misconceptions={"a": "d-half-when-working"},
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
            "tens": "Real and fake samples do not overlap at all and the blob is far from every mode, so a boundary "
                    "around it is easy to find: D found one within a handful of updates. What takes dozens more is "
                    "confidence (the BCE keeps falling).",
            "later": "Nothing pushes back: G is frozen and its blob does not overlap the ring, so D's accuracy "
                     "saturates within a handful of updates. What keeps improving for much longer is D's confidence.",
        },
        explanation="Against a G that does not move, D only ever gets better: nothing pushes back.",
        ordered=True,
        expected="ea80cc78576dd4831feb",
    ),
    MultipleChoice(
        "02-low-d-loss",
        "You are training a GAN. D's loss has fallen to 0.02 and stays there; its accuracy is 100 %. A friend says: "
        "<i>'Great, a low loss means training is going well.'</i> What do you answer?",
        options={
            "a": "Agreed: training drives every loss down, D's included",
            "b": "D is winning: G's fakes are easy to spot and G stalls",
            "c": "It should sit at 2 log 2 ≈ 1.39: that is a healthy game",
            "d": "It means G has matched the data, so training can stop",
        },
        feedback={
            "a": "A GAN is a game: D's loss going down means G is losing. A D loss near 0 with 100 % accuracy means "
                 "D spots every fake with confidence.",
            "b": "D's loss near 0 with 100 % accuracy means the players are out of balance: D(G(z)) is near 0, so with "
                 "the minimax loss G's gradient nearly vanishes (you measured it), and G makes nothing D finds "
                 "plausible. Monitor D's accuracy and D(G(z)) and look at the samples; to rebalance, use a smaller D, "
                 "fewer D updates per step or a lower D learning rate (lesson 04).",
            "c": "2 log 2 ≈ 1.386 is what D scores when it cannot tell real from fake at all: against a perfect G, but "
                 "just as well when D has learned nothing (the untrained D scores it too). Working GANs often sit "
                 "below it. D's loss alone says neither 'healthy' nor 'broken': read it with D(G(z)) and the samples.",
            "d": "The opposite: if G matched the data, no D could separate the two, and even the best D's loss would "
                 "be 2 log 2 ≈ 1.386, not near 0.",
        },
        misconceptions={"a": "low-d-loss-good", "c": "d-loss-2log2-healthy", "d": "low-d-loss-good"},
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
                    "That is where D's loss sits when even the best D cannot tell real from fake, and also what an "
                    "untrained D scores: a D loss at 1.386 does not by itself say the game is going well.",
        wrong=[(0.68, 0.70, "That is one half: the real batch costs log 2 ≈ 0.693 and the fake batch costs log 2 again. "
                            "Add both."),
               (-1.40, -1.38, "Mind the sign: BCE is $-\\log p$, a positive cost. $\\log 0.5$ is negative, and the "
                              "loss is minus it."),
               (0.99, 1.01, "1.0 is one half measured in bits (log base 2). In nats each half costs "
                            "$\\ln 2 \\approx 0.693$, and there are two halves."),
               (1.99, 2.01, "2 is the cost in bits (log base 2). In nats, each half costs $\\ln 2 \\approx 0.693$."),
               (-0.01, 0.01, "0 is the cost of a D that is certain and right about every sample. A D that says 0.5 "
                             "pays $-\\log 0.5$ for each one."),
               (0.49, 0.51, "0.5 is D's probability, not its loss: the loss is $-\\log$ of that probability.")],
    ),
]
