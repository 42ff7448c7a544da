"""Checkpoints of lesson 06 (the equilibrium: the optimal discriminator, C(G) = −log 4 + 2 JSD, why
practice rarely sits at 0.5, label smoothing, gradient play that circles).

Misconception met: "D(x) should read 0.5 once training works" (06-half, 06-smooth). The prediction
06-smooth's outcome keys are the levels "p45", "half", "p55", "p90" (``eq.nearest(settled, ...)``).
"""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    Numeric(
        "06-dstar-value",
        "G is frozen. At a point $x$ the data density is $p_{data}(x) = 0.3$ and G's density is $p_g(x) = 0.1$. "
        "What does the <b>optimal</b> discriminator say there, $D^*(x)$? Two decimals.",
        step=0.01,
        accepted=["9432b31ade0eb4085ed1", "c9ecc87b16fd030098a4", "9079c28d2c64c05c26b3"],
        hint="D* is the share of the probability at x that comes from the data: $p_{data} / (p_{data} + p_g)$.",
        explanation="$D^*(x) = 0.3 / (0.3 + 0.1) = 0.75$: of the samples that land near x, three in four are real, so "
                    "the best possible guess that one of them is real is 0.75. Where the two densities are equal, it "
                    "is 0.5.",
        wrong=[(0.24, 0.26, "0.25 is G's share, $p_g / (p_{data} + p_g)$: the probability that a sample near x is "
                            "fake. D* gives the probability that it is real."),
               (2.99, 3.01, "3 is the ratio $p_{data} / p_g$. D* divides by the sum of the two densities, so it "
                            "stays between 0 and 1."),
               (0.29, 0.31, "0.3 is $p_{data}$ alone. D* compares it with all the probability at x: "
                            "$p_{data} + p_g$."),
               (0.49, 0.51, "0.5 holds only where the two densities are equal. Here the data is three times as "
                            "dense as G.", "d-half-when-working")],
    ),
    Numeric(
        "06-d-loss",
        "G is perfect ($p_g = p_{data}$) and D is optimal. First work out $D^*$ there, then D's loss: BCE on the real "
        "batch + BCE on the fake batch, in nats (natural log). Two decimals.",
        step=0.01,
        accepted=["fb3301e06d0896833393", "5ea409b2a555e16cf77e"],
        hint="At $p_g = p_{data}$ the optimal D says $D^*(x) = 0.5$ everywhere. Each real sample costs $-\\log D(x)$, "
             "each fake $-\\log(1 - D(G(z)))$.",
        explanation="$-\\log 0.5 - \\log(1 - 0.5) = 2 \\log 2 = \\log 4 \\approx 1.386$. It is minus the value of the "
                    "game at its equilibrium, $C(G) = -\\log 4$. G's non-saturating loss $-\\log D(G(z))$ is then "
                    "$\\log 2 \\approx 0.693$.",
        wrong=[(0.68, 0.70, "0.693 is one of the two halves (or G's non-saturating loss, $\\log 2$). D pays "
                            "$\\log 2$ on the real batch and again on the fake batch."),
               (-1.40, -1.37, "That is the value of the game, $V(D^*, G) = -\\log 4$. D's loss is its negative: a "
                              "positive cost."),
               (1.99, 2.01, "2 is the loss in bits (log base 2). In nats it is $2 \\ln 2 \\approx 1.386$."),
               (-0.01, 0.01, "0 would be a D that is certain and right about every sample. Against a perfect G no D "
                             "can do better than a coin toss.")],
    ),
    MultipleChoice(
        "06-dloss-meaning",
        "G is frozen and you train D to its optimum. D's loss (BCE on real + BCE on fake, nats) levels off at "
        "<b>1.20</b>, not 1.386. What does that tell you about G?",
        options={
            "a": "G differs from the data: JSD ≥ (log 4 − 1.20) / 2 ≈ 0.09",
            "b": "D is worse than chance: its loss should be at least 1.386",
            "c": "G is perfect: a D loss this close to 1.386 means equilibrium",
            "d": "Nothing: once D is optimal, its loss no longer depends on G",
        },
        feedback={
            "a": "The optimal D's loss is $-C(G) = \\log 4 - 2\\,JSD(p_{data} \\| p_g)$, which is $\\log 4$ only when G "
                 "is perfect. If this D is exactly optimal, $JSD = (\\log 4 - 1.20)/2 \\approx 0.09$ nats; a D that is "
                 "not quite optimal has a higher loss than $D^*$ would, so the formula then gives a lower bound: the "
                 "JSD is at least that.",
            "b": "Chance (D = 0.5 everywhere) costs $\\log 4 \\approx 1.386$; a lower loss is <i>better</i> than "
                 "chance. D can beat chance exactly when G's samples differ from the data.",
            "c": "1.20 is well below 1.386. Against a perfect G no D can beat chance, so an optimal D's loss would be "
                 "$\\log 4$. The gap, $\\log 4 - 1.20$, measures how far G still is.",
            "d": "The optimal D depends on G ($D^* = p_{data} / (p_{data} + p_g)$), and so does its loss: "
                 "$\\log 4 - 2\\,JSD(p_{data} \\| p_g)$. That is why, with the minimax loss and an optimal D, G's "
                 "objective is the JSD.",
        },
        misconceptions={"c": "d-loss-2log2-healthy"},
        answer="d155cd5563e9fd6061a7",
    ),
    Prediction(
        "06-smooth",
        "Same 1D GAN, but D is trained with <b>one-sided label smoothing</b>: real samples get the label 0.9 instead of "
        "1 (fakes keep 0). After 1000 steps G matches the data about as well as before. Where does D(x) settle on the data?",
        options={
            "p45": "Around 0.45",
            "half": "Around 0.50",
            "p55": "Around 0.55",
            "p90": "Around 0.90",
        },
        feedback={
            "half": "0.5 is the fixed point only with the real label 1. Work it out point by point: with real label r, "
                    "D maximises r·p_data·log D + ((1 − r)·p_data + p_g)·log(1 − D), whose maximum is "
                    "D* = r·p_data / (p_data + p_g): 0.45 where p_g = p_data.",
            "p45": "One-sided smoothing scales the optimal discriminator: D* = r·p_data / (p_data + p_g), which is "
                   "r/2 = 0.45 where p_g = p_data. G's target does not move (D* is still largest where the data is "
                   "denser than G), only the level D sits at. So 0.5 is not even the target here.",
            "p55": "Smoothing lowers the real target from 1 to 0.9, so D's answers go down, not up: "
                   "D* = r·p_data / (p_data + p_g) = 0.45 where p_g = p_data.",
            "p90": "0.9 is what D would say where there are only real samples (p_g = 0). Where real and fake samples "
                   "are equally likely, the best D splits the difference: 0.9 × ½ = 0.45.",
        },
        explanation="Practice rarely sits at exactly 0.5: stabilisers such as label smoothing move the fixed point itself.",
        misconceptions={"half": "d-half-when-working"},
        ordered=True,
        expected="ed3878bb83581a9299c2",
    ),
    MultipleChoice(
        "06-half",
        "Your 2D GAN's samples look right, but the logged mean D(x) on real batches keeps swinging between about "
        "0.4 and 0.6, and D(G(z)) between 0.35 and 0.55. It never settles at 0.5. What do you conclude?",
        options={
            "a": "Training has failed: once a GAN works, D(x) must read 0.5",
            "b": "D is broken and must be retrained until it reads 0.5",
            "c": "Nothing alarming: real training circles around the ideal",
            "d": "Add label smoothing: it makes D read exactly 0.5",
        },
        feedback={
            "a": "0.5 everywhere is where the game ends <i>in theory</i>: an optimal D facing a perfect G. In practice "
                 "both players keep moving (each step of one changes the other's target), batches are noisy and the "
                 "networks are finite, so the readings oscillate around 0.5. You saw it in the 2D run.",
            "b": "A D that reads 0.5 everywhere gives G no direction at all. D is doing its job when it reacts to G's "
                 "current mistakes; the swings are the two players answering each other.",
            "c": "0.5 is the ideal fixed point. The argument behind it assumes an optimal D after every G step, "
                 "networks that can represent anything and exact gradients; none holds in training, so the readings "
                 "keep circling. Judge by the samples and by whether the swings stay bounded; D(x) stuck near 1 and "
                 "D(G(z)) near 0 would be a D winning outright (lesson 04).",
            "d": "With real label 0.9 the optimal D at equilibrium is 0.45, not 0.5: smoothing moves the fixed point. "
                 "And it does not stop the oscillation either.",
        },
        misconceptions={"a": "d-half-when-working", "b": "d-half-when-working"},
        answer="f797b8b0879ba2bdc25b",
    ),
    MultipleChoice(
        "06-circle",
        "The simplest two-player game, $\\min_x \\max_y\\, x\\,y$, has its equilibrium at $x = y = 0$. Both players "
        "start at (1, 1) and take small gradient steps <b>at the same time</b>. What happens?",
        options={
            "a": "They converge to (0, 0), as gradient descent always does",
            "b": "They stop at once: the gradient of x·y is zero there",
            "c": "They circle at a fixed distance from (0, 0) forever",
            "d": "They spiral slowly outward, away from the equilibrium",
        },
        feedback={
            "a": "Gradient descent converges when both follow one function downhill; here x minimises what y "
                 "maximises. Each step, η·(−y, x), is at right angles to the line to (0, 0): it never points at it.",
            "b": "At (1, 1) the gradients are ∂(xy)/∂x = y = 1 and ∂(xy)/∂y = x = 1, not zero: both players move.",
            "c": "That is the exact, continuous-time flow (infinitely small steps). Real steps have a size: "
                 "simultaneous steps drift outward; alternating ones stay on a bounded orbit.",
            "d": "Each simultaneous step moves (x, y) by η·(−y, x), at right angles to the line to (0, 0), which "
                 "turns it around (0, 0) and lengthens the distance by the factor √(1 + η²). The continuous flow "
                 "would circle forever; alternating steps (D first, then G sees the new D, as the trainer does) "
                 "stay on a closed orbit. None converges: an equilibrium "
                 "exists, but gradient play need not reach it. A real GAN's readings swinging around 0.5 are a "
                 "many-dimensional relative of this game.",
        },
        answer="9ed36564822326188b8d",
    ),
]
