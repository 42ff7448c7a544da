"""Checkpoints of lesson 04 (the training lab).

Misconceptions met: "an epoch is one step" (04-count's wrong answers), "a low D loss means
training is going well" and "a D loss near 2 log 2 means a healthy game" (04-low-d-loss), "more D
steps is always better" (04-more-d). The prediction 04-more-d's outcome keys: "k1", "k5", "k25"
(the set-up whose G ends closest to the data: :class:`gan_edu.lessons.training_lab.MoreDSteps`).
"""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    Numeric(
        "04-count",
        "You train with <code>d_steps=5</code> for 200 steps. How many times is D updated?",
        step=1,
        accepted=["731bc89406c9145ab20c"],
        hint="One step is d_steps D updates followed by one G update. Count the D updates in one step, then in 200.",
        explanation="200 steps × 5 D updates = 1000 D updates (and 200 G updates). A step is not an epoch: it is "
                    "d_steps D updates and one G update, each on a fresh batch.",
        wrong=[(200, 200, "That counts one D update per step. With d_steps=5, every step starts with five D "
                          "updates, then one G update.", "epoch-is-step"),
               (40, 40, "That is the other way round: D is not updated every fifth step, it is updated five times "
                        "in every step.", "epoch-is-step"),
               (1200, 1200, "That adds the 200 G updates. D alone gets 5 per step.", "epoch-is-step"),
               (5, 5, "5 is one step's worth. The run has 200 steps.", "epoch-is-step")],
    ),
    MultipleChoice(
        "04-low-d-loss",
        "Two runs on the ring. Run A's D loss settles near 0.8; run B's sits at 1.39 (2 log 2) from the first step "
        "to the last. Which one is going well?",
        options={
            "a": "Run A, because a lower D loss means training is going well",
            "b": "Run B, because a D loss at 2 log 2 means that the game is healthy",
            "c": "Run B, because G's samples must match the data exactly",
            "d": "D's loss alone cannot tell: look at the samples and coverage",
        },
        feedback={
            "a": "A lower D loss says only that D separates the two sets better than in run B. It may be winning "
                 "outright, which starves G (lesson 02), or it may be keeping G on its toes; the loss cannot say which.",
            "b": "2 log 2 is what D scores when it cannot tell real from fake at all. That happens at the ideal end "
                 "point, but also when D learns nothing: a D loss stuck at 1.39 from the first step suggests a D "
                 "that is frozen, far too weak, or has a learning rate of 0.",
            "c": "At the ideal end point D's loss is 2 log 2, but not the other way round: a D that has learned "
                 "nothing scores 2 log 2 too, whatever G does.",
            "d": "D's loss measures one thing: how well the current D separates the current fakes from real data. "
                 "Working GANs often sit below 2 log 2 (D keeps finding small differences, which is what teaches G); "
                 "a D that learned nothing sits at 2 log 2. Judge training by the samples and by coverage, with D's "
                 "accuracy and D(G(z)) as clues.",
        },
        misconceptions={"a": "low-d-loss-good", "b": "d-loss-2log2-healthy", "c": "d-loss-2log2-healthy"},
        answer="9ccda6676fb599d95998",
    ),
    Prediction(
        "04-more-d",
        "Three GANs learn the ring with the original minimax loss. Each makes 300 G updates, with 1, 5 or 25 D "
        "updates before each one. Which one's G ends closest to the data (the lowest JS divergence between its "
        "samples and the ring)?",
        options={
            "k1": "1 D update per G update",
            "k5": "5 D updates per G update",
            "k25": "25 D updates per G update",
        },
        feedback={
            "k1": "One D update per G update is the usual choice for the standard GAN, and it can work. Here, in 300 "
                  "G updates, D learned little: its outputs stayed near 0.5 (its loss near 2 log 2), its guidance was "
                  "coarse, and G was still a diffuse cloud.",
            "k5": "A few D updates gave G a sharper, better-informed D to learn from, without letting D win outright: "
                  "G found the circle the modes lie on. The best number depends on the loss, the networks and the data.",
            "k25": "More D updates make D sharper, but with 25 of them D separates real from fake almost perfectly: "
                   "against the minimax loss G's gradient then saturates (lesson 03) and G learns less, while every "
                   "extra D update costs time. More D steps are not always better.",
        },
        misconceptions={"k25": "more-d-steps-better"},
        ordered=True,
        expected="24ffb59c0dd6ad53dcfe",
    ),
    MultipleChoice(
        "04-stabilisers",
        "Which of these stabilise GAN training by limiting the discriminator?",
        options={
            "a": "Spectral normalisation of D's layers",
            "b": "One-sided label smoothing (real label 0.9)",
            "c": "Progressive growing (low resolution first)",
            "d": "Raising D's learning rate, so that it learns faster",
        },
        feedback={
            "a": "Right: it caps each layer's largest singular value, so D cannot become arbitrarily steep (Miyato et "
                 "al. 2018).",
            "b": "Right: with a real label of 0.9, D is never pushed to be certain, which keeps its outputs and G's "
                 "gradients tame (Salimans et al. 2016).",
            "c": "A stabiliser, but it works on the task (easy low-resolution images first, then layers are added), "
                 "not by limiting D.",
            "d": "That makes D stronger and faster, the opposite of limiting it.",
        },
        answer="e5fb374627c4311ab8eb",
        multiple=True,
    ),
]
