"""Checkpoints of lesson 02 (the discriminator: logit, sigmoid, BCE, capacity balance).

Misconceptions met: "a low D loss means training is going well" and its mirror "a D loss near
2 log 2 means a healthy game" (02-low-d-loss). The prediction 02-keep-training's outcome keys
("falls", "flat", "rises") are :attr:`gan_edu.lessons.scoring.KeepTraining.outcome`: what D's
held-out BCE does between the update at which D first reaches 99 % accuracy and update 200.
(It replaced 02-d-only-speed, "after how many updates does D reach 99 %?": the answer depended on
where the untrained networks happened to start -- 4 updates for the lesson's seed, 9 to 101 for
others -- so it taught luck, not a fact about D.)
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
        "02-keep-training",
        "G is frozen and untrained: its samples are the purple blob in the middle of the ring. D trains alone for "
        "200 D updates and is scored after each on the same held-out samples. At some update it first classifies "
        "99 % of them correctly. From then on to update 200, what does its BCE loss on those samples do?",
        options={
            "flat": "It stays about the same: D cannot be more right",
            "rises": "It goes back up as D overfits its training batches",
            "falls": "It keeps falling, to under half of its value then",
        },
        feedback={
            "falls": "Accuracy only asks on which side of 0.5 each sample falls; BCE also asks how sure D is. When D "
                     "first gets 99 % right its probabilities can still sit near 0.5, and each sample keeps costing "
                     "$-\\log D(x)$ or $-\\log(1 - D(G(z)))$ until D says 1 and 0 with confidence. Against a G that does "
                     "not move, nothing stops it: D's loss heads for 0 while G has learned nothing, which is why a "
                     "low D loss is no sign of a good GAN.",
            "flat": "Being right is not the end of it: BCE keeps charging $-\\log D(x)$ until D is sure, so a D that "
                    "says 0.52 to a real sample and 0.49 to a fake is right about both and still pays almost as much as "
                    "an undecided one. Its loss keeps falling as it grows confident.",
            "rises": "D is scored on held-out samples drawn from the same two distributions it trains on, and the "
                     "fake distribution never moves, so there is nothing to overfit to: every update makes D surer "
                     "of the same separation, and its held-out loss keeps falling.",
        },
        explanation="Against a G that does not move, D only ever gets better: nothing pushes back.",
        expected="f35ae62e9693cadd953b",
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
               (-0.70, -0.68, "Two slips: the sign (BCE is $-\\log p$, a positive cost) and a missing half: the fake "
                              "batch costs $\\log 2$ too."),
               (2.76, 2.79, "That is 4 log 2: you charged each sample both terms of BCE. Only one is switched on per "
                            "sample: $-\\log p$ for a real one, $-\\log(1 - p)$ for a fake one."),
               (0.34, 0.35, "That is log 2 / 2, the average of the two halves. D's loss adds them: BCE on the real "
                            "batch plus BCE on the fake batch."),
               (0.29, 0.31, "0.30 is $\\log_{10} 2$, in base 10. In nats (natural log) each half costs "
                            "$\\ln 2 \\approx 0.693$, and there are two halves."),
               (0.59, 0.61, "0.60 is $2\\log_{10} 2$, in base 10. Use the natural log: $2\\ln 2$."),
               (0.99, 1.01, "1.0 is one half measured in bits (log base 2). In nats each half costs "
                            "$\\ln 2 \\approx 0.693$, and there are two halves."),
               (1.99, 2.01, "2 is the cost in bits (log base 2). In nats, each half costs $\\ln 2 \\approx 0.693$."),
               (-0.01, 0.01, "0 is the cost of a D that is certain and right about every sample. A D that says 0.5 "
                             "pays $-\\log 0.5$ for each one."),
               (0.49, 0.51, "0.5 is D's probability, not its loss: the loss is $-\\log$ of that probability.")],
    ),
]
