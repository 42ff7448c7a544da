"""Checkpoints of lesson 04 (the training lab)."""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    Numeric(
        "04-count",
        "You train with <code>d_steps=5</code> for 200 steps. How many times is D updated?",
        step=1, accepted=['731bc89406c9145ab20c'],
        hint="One step is d_steps D updates followed by one G update. Count the D updates in one step, then in 200.",
        explanation="200 steps × 5 D updates = 1000 D updates (and 200 G updates). A step is not an epoch.",
    ),
    MultipleChoice(
        '04-low-d-loss',
        "D's loss has dropped to 0.05 and stays there. What does that most likely mean?",
        options={'a': 'Training is going well: D has learned the data', 'b': 'D is winning: it separates real from fake easily, and G gets little useful signal', 'c': 'G has matched the data', 'd': 'The learning rate is too low'},
        feedback={'a': "D's loss measures how well D separates real from fake, not how good G is. A D that wins easily is bad news for G.", 'b': "A near-zero D loss means D calls almost every real sample real and every fake fake with confidence. In a healthy game D's loss hovers around 2 log 2 ≈ 1.39, where it cannot tell.", 'c': "If G matched the data, no D could separate them: D's loss would sit near 2 log 2 ≈ 1.39, not near 0.", 'd': "A low rate makes everything slow; it does not drive D's loss to zero."},
        answer='b68e153810f93513d504',
    ),
    Prediction(
        '04-more-d',
        'Three GANs learn the ring with the original minimax loss. Each makes 300 G updates, with 1, 5 or 25 D updates before each. Which one captures the most modes?',
        options={'k1': '1 D update per G update', 'k5': '5 D updates per G update', 'k25': '25 D updates per G update'},
        feedback={'k1': 'With one D update, D lags behind G and its guidance is blurry; it can still be enough.', 'k5': 'A few D updates give G a sharper, better-informed D to learn from, without letting D win outright.', 'k25': 'Here the best-trained D also guided G best; D did not run away from G this time.'},
        explanation="More D updates make D sharper, but with 25 of them D separates real from fake almost perfectly: its loss drops near 0, the minimax loss saturates and G gets little signal. The best number depends on the loss, the networks and the data, and every extra D update costs time.",
    ),
    MultipleChoice(
        '04-stabilisers',
        'Which of these stabilise GAN training by limiting the discriminator?',
        options={'a': "Spectral normalisation of D's layers", 'b': 'One-sided label smoothing (real label 0.9)', 'c': 'Progressive growing (start at low resolution, add layers)', 'd': "Raising D's learning rate"},
        feedback={'a': "Right: it caps each layer's largest singular value, so D cannot become arbitrarily steep (Miyato et al. 2018).", 'b': "Right: with a real label of 0.9, D is never pushed to be certain, which keeps its outputs and G's gradients tame (Salimans et al. 2016).", 'c': 'A stabiliser, but it works on the task (easy low-resolution images first), not by limiting D.', 'd': 'That makes D stronger, the opposite of limiting it.'},
        answer='e5fb374627c4311ab8eb', multiple=True,
    ),
]
