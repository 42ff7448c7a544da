"""Checkpoints of lesson 06 (the equilibrium: the optimal discriminator, C(G) = -log 4 + 2 JSD,
why practice rarely sits at 0.5, label smoothing).

Correct answers are stored only as salted hashes (``python -m gan_edu.quiz choice QID KEY``).
The misconception "D(x) should read 0.5 once training works" is met by ``06-half`` (and, from
another side, by the prediction ``06-smooth``: a well-trained GAN with label smoothing settles
at 0.45).
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
        explanation="$D^*(x) = 0.3 / (0.3 + 0.1) = 0.75$: of the samples that land near x, three in four are real, so the "
                    "best possible guess that one of them is real is 0.75. Where the two densities are equal, it is 0.5.",
    ),
    Numeric(
        "06-d-loss",
        "G is perfect ($p_g = p_{data}$) and D is optimal. What is D's loss, BCE on the real batch + BCE on the fake "
        "batch, in nats (natural log)? Two decimals.",
        step=0.01,
        accepted=["fb3301e06d0896833393", "5ea409b2a555e16cf77e"],
        hint="At $p_g = p_{data}$ the optimal D says $D^*(x) = 0.5$ everywhere. Each real sample costs $-\\log D(x)$, each "
             "fake $-\\log(1 - D(G(z)))$.",
        explanation="$-\\log 0.5 - \\log(1 - 0.5) = 2 \\log 2 = \\log 4 \\approx 1.386$. It is minus the value of the game at "
                    "its equilibrium, $C(G) = -\\log 4$. G's non-saturating loss $-\\log D(G(z))$ is then "
                    "$\\log 2 \\approx 0.693$.",
    ),
    MultipleChoice(
        "06-dloss-meaning",
        "G is frozen and you train D to its optimum. D's loss (BCE on real + BCE on fake, nats) levels off at "
        "<b>1.20</b>, not 1.386. What does that tell you about G?",
        options={
            "a": "G's distribution differs from the data: the best D does better than chance, and "
                 "JSD(p_data ‖ p_g) = (log 4 − 1.20) / 2 ≈ 0.09 nats",
            "b": "D is worse than chance: its loss should be at least 1.386",
            "c": "G is perfect: any loss near 1.386 means the equilibrium",
            "d": "Nothing: D's loss does not depend on G once D is optimal",
        },
        feedback={
            "a": "The optimal D's loss is $-C(G) = \\log 4 - 2\\,JSD(p_{data} \\| p_g)$. It is $\\log 4$ only when G is perfect; "
                 "every bit of difference between the two distributions lets D do better, and by how much measures the JSD.",
            "b": "Chance (D = 0.5 everywhere) costs $\\log 4 \\approx 1.386$; a lower loss is <i>better</i> than chance. "
                 "D can beat chance exactly when G's samples differ from the data.",
            "c": "1.20 is well below 1.386. With a perfect G no D can do better than chance, so an optimal D's loss would be "
                 "$\\log 4$. The gap, $\\log 4 - 1.20 = 2\\,JSD$, says how far G still is.",
            "d": "The optimal D depends on G ($D^* = p_{data} / (p_{data} + p_g)$), and so does its loss: "
                 "$\\log 4 - 2\\,JSD(p_{data} \\| p_g)$. That is why the theory says G, facing an optimal D, minimises the JSD.",
        },
        answer="d155cd5563e9fd6061a7",
    ),
    Prediction(
        "06-smooth",
        "Same 1D GAN, but D is trained with <b>one-sided label smoothing</b>: real samples get the label 0.9 instead of "
        "1 (fakes keep 0). After 1000 steps G matches the data about as well as before. Where does D(x) settle on the data?",
        options={
            "half": "Around 0.5, as without smoothing",
            "p45": "Around 0.45",
            "p55": "Around 0.55",
            "p90": "Around 0.9, the new real label",
        },
        feedback={
            "half": "If D sat at 0.5, it would be ignoring the label it is trained with. Work it out point by point: with "
                    "real label r, D maximises r·p_data·log D + ((1 − r)·p_data + p_g)·log(1 − D), whose maximum is "
                    "D* = r·p_data / (p_data + p_g): 0.45 where p_g = p_data. A run near 0.5 would mean G is still far "
                    "from the data, not that smoothing does nothing.",
            "p45": "One-sided smoothing scales the optimal discriminator: D* = r·p_data / (p_data + p_g), which is "
                   "r/2 = 0.45 where p_g = p_data. G's target does not move (D* is still largest where the data is denser "
                   "than G), only the level D sits at. So 0.5 is not even the target here.",
            "p55": "Smoothing lowers the real target from 1 to 0.9, so D's answers go down, not up: "
                   "D* = r·p_data / (p_data + p_g) = 0.45 where p_g = p_data. A run above 0.5 would mean G has not "
                   "matched the data yet.",
            "p90": "0.9 is what D would say where there are only real samples (p_g = 0). Where real and fake samples are "
                   "equally likely, the best D splits the difference: 0.9 × ½ = 0.45.",
        },
        explanation="Practice rarely sits at exactly 0.5: stabilisers such as label smoothing move the fixed point itself.",
    ),
    MultipleChoice(
        "06-half",
        "Your 2D GAN's samples look right, but the logged mean D(x) on real batches keeps swinging between about "
        "0.4 and 0.6, and D(G(z)) between 0.35 and 0.55. It never settles at 0.5. What do you conclude?",
        options={
            "a": "Training has failed: once a GAN works, D(x) must read 0.5",
            "b": "D is broken and must be retrained until it reads exactly 0.5",
            "c": "Nothing alarming by itself: 0.5 is the ideal fixed point of the game, and real training circles "
                 "around it; judge by the samples and by whether the swings stay bounded",
            "d": "Add one-sided label smoothing: it makes D read exactly 0.5",
        },
        feedback={
            "a": "0.5 everywhere is where the game ends <i>in theory</i>: an optimal D facing a perfect G. In practice "
                 "both players keep moving (each step of one changes the other's target), batches are noisy and the "
                 "networks are finite, so the readings oscillate around 0.5. You saw it in the 2D run.",
            "b": "A D that reads 0.5 everywhere gives G no direction at all. D is doing its job when it reacts to G's "
                 "current mistakes; the swings are the two players answering each other.",
            "c": "Right. Goodfellow et al.'s argument assumes D is trained to its optimum after every G step and that G can "
                 "represent the data; neither holds exactly in practice. Bounded swings around 0.5 with good samples are a "
                 "healthy GAN; D(x) stuck near 1 and D(G(z)) near 0 would be a D that wins outright (lesson 04).",
            "d": "With real label 0.9 the optimal D at equilibrium is 0.45, not 0.5: smoothing moves the fixed point. And "
                 "it does not stop the oscillation either.",
        },
        answer="f797b8b0879ba2bdc25b",
    ),
]
