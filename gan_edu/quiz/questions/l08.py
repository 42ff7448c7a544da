"""Checkpoints of lesson 08: the course in ten (plus one) questions, across every lesson."""
from __future__ import annotations

from .. import MultipleChoice

QUESTIONS = [
    MultipleChoice(
        '08-forward',
        'A DCGenerator for 8×8 digits ends with <code>tanh</code>. What does that guarantee, and why is it there?',
        options={'a': 'Every pixel is in [−1, 1], the same range the training images were scaled to', 'b': 'The images are sharp', 'c': 'The samples are different from each other', 'd': "G's gradients never vanish"},
        feedback={'a': "tanh squashes any number into (−1, 1); the real digits were scaled to [−1, 1], so G's outputs and the data live in the same range and D cannot tell them apart by range alone.", 'b': 'tanh only bounds each pixel; sharpness has to be learned.', 'c': 'Diversity comes from the noise z and from G not collapsing; the output activation has nothing to do with it.', 'd': 'tanh can saturate too (its slope is near 0 far from 0); it is chosen for its range, not for gradients.'},
        answer='4bd5c861b0716c63e0d1',
    ),
    MultipleChoice(
        '08-dscore',
        'D returns the logit −2.2 for a sample. What does D think?',
        options={'a': 'It is fake with probability about 0.9 (sigmoid(−2.2) ≈ 0.10 is its probability of real)', 'b': 'It is real with probability 0.9', 'c': 'Nothing yet: a logit must be positive', 'd': 'It is 2.2 times more likely to be fake than real'},
        feedback={'a': 'sigmoid(−2.2) = 1/(1 + e^2.2) ≈ 0.10: D gives it a 10 % chance of being real, so about 90 % fake. Negative logits mean "fake".', 'b': 'A negative logit is on the fake side of the boundary (logit 0 ↔ probability 0.5).', 'c': 'Logits can be any real number; negative means D leans to "fake".', 'd': 'The logit is a log-odds: e^−2.2 ≈ 0.11 is the odds of real, so fake is about 9 times more likely, not 2.2.'},
        answer='22a3545860f4a06cf50d',
    ),
    MultipleChoice(
        '08-detach',
        'In the D update, the code computes <code>D(fake.detach())</code>. What would change without <code>.detach()</code>?',
        options={'a': "D's loss would also send gradients into G's parameters, computed for the wrong objective", 'b': 'Nothing: detach only saves memory', 'c': 'D could no longer learn', 'd': 'The fake samples would be treated as real'},
        feedback={'a': "Without detach, D's backward pass flows on into G and fills G's .grad with the gradient of D's loss, which pushes G to help D. Best case it is wasted work; with a shared optimiser step or accumulated grads it trains G the wrong way (lesson 03's clinic).", 'b': "It saves work, but it also stops D's loss from reaching G's parameters; that is the point.", 'c': "D's own gradients are the same either way.", 'd': 'Labels are set by the loss, not by detach.'},
        answer='ee1d93905e5a1fe46a13',
    ),
    MultipleChoice(
        '08-saturating',
        'Early in training D rejects every fake: D(G(z)) ≈ 0.01. Which generator loss still gives G a strong gradient?',
        options={'a': 'The non-saturating loss −log D(G(z))', 'b': 'The original minimax loss log(1 − D(G(z)))', 'c': 'Both equally: they have the same fixed point', 'd': 'Neither: G cannot learn until D makes mistakes'},
        feedback={'a': 'Its gradient w.r.t. the logit is −(1 − D(G(z))) ≈ −0.99: strong exactly when D is confident (lesson 03 measured 99× the minimax one).', 'b': 'Its gradient w.r.t. the logit is −D(G(z)) ≈ −0.01: it vanishes when D is confident. That is why it is called saturating.', 'c': 'Same fixed point, different gradients: at D(G(z)) = 0.01 they differ by a factor of 99.', 'd': 'With the non-saturating loss G learns fast even against a confident D.'},
        answer='ebe724ba903f60124b6c',
    ),
    MultipleChoice(
        '08-alternate',
        'You set <code>d_steps=5</code> and run 100 steps. How many times was each network updated?',
        options={'a': 'D 500 times, G 100 times', 'b': 'D 100 times, G 100 times', 'c': 'D 100 times, G 20 times', 'd': 'D 500 times, G 500 times'},
        feedback={'a': 'One step = d_steps D updates, then one G update: 5 × 100 and 1 × 100.', 'b': 'That is d_steps = 1. With 5, D gets five updates per step.', 'c': 'The step count counts G updates; D gets d_steps of them per step.', 'd': 'G is updated once per step, whatever d_steps is.'},
        answer='753b6b892aa09416f633',
    ),
    MultipleChoice(
        '08-collapse',
        "Over a run, G's samples visit every mode of the ring, but at each checkpoint only one or two modes have samples. Is that mode collapse?",
        options={'a': 'Yes: at every moment G covers one or two modes; it hops between them as D chases it', 'b': 'No: all modes appeared, so G has learned the distribution', 'c': 'No: collapse means G outputs a single point', 'd': 'It cannot be told from the samples'},
        feedback={'a': "Coverage has to hold at one moment: the samples you draw now should cover all modes. Hopping is a form of collapse (lesson 05's coverage timeline shows both lines).", 'b': 'This is the misconception lesson 05 meets: a union over time is not coverage.', 'c': 'Collapse is partial in practice: a few modes, or a small region, not always one point.', 'd': 'The mode-coverage measurement at each checkpoint tells it exactly.'},
        answer='13363b1ef50b8d0ddc19',
    ),
    MultipleChoice(
        '08-remedy',
        "Which remedies change what D sees, so that a lack of variety among G's samples becomes visible to it?",
        options={'a': 'PacGAN (D judges several samples at once)', 'b': "Minibatch standard deviation (D gets the batch's spread as a feature)", 'c': "Lowering G's learning rate", 'd': 'Using the non-saturating loss'},
        feedback={'a': 'Right: a pack of near-identical fakes looks unlike a pack of real samples drawn from 8 modes.', 'b': 'Right: a collapsed batch has a tiny spread, which this feature exposes.', 'c': 'That changes how fast G moves, not what D can see.', 'd': "That changes G's gradient, not D's input."},
        answer='b6843227a1c069c5cc79', multiple=True,
    ),
    MultipleChoice(
        '08-equilibrium',
        'At the ideal equilibrium p_g = p_data. What are D*(x) and the value V(D*, G)?',
        options={'a': 'D*(x) = 0.5 everywhere, V = −log 4', 'b': 'D*(x) = 1 on real data, V = 0', 'c': 'D*(x) = 0.5, V = 0', 'd': 'D*(x) = 0, V = −∞'},
        feedback={'a': 'D* = p/(p+q) = 1/2 when p = q; then V = log ½ + log ½ = −log 4 ≈ −1.386 (C(G) = −log 4 + 2·JSD with JSD = 0).', 'b': 'When the distributions are equal no D can tell them apart; D* = 1/2.', 'c': 'D* is right, but V = E log ½ + E log ½ = −log 4, not 0.', 'd': 'D* = 0 would call everything fake; the optimal D hedges at 1/2.'},
        answer='88e89b1ebf5625a069f2',
    ),
    MultipleChoice(
        '08-evaluation',
        'Why is looking at a grid of samples not enough to evaluate a GAN?',
        options={'a': 'A few sharp samples can hide missing modes; you need numbers over many samples (coverage, FID, a classifier)', 'b': 'Human eyes cannot see 8×8 images', 'c': 'Grids always look worse than the real samples', 'd': 'It is enough if the samples look sharp'},
        feedback={'a': "A collapsed G can make 64 beautiful 3s; only counting over many samples (class coverage with a classifier, FID's feature statistics) shows what is missing.", 'b': 'They can; the problem is that 64 samples say little about the whole distribution.', 'c': "A good GAN's grid can look as good as real data; the issue is what a grid cannot show.", 'd': "Sharpness says nothing about coverage: lesson 07's class histogram is the check."},
        answer='aeb2fc73034fd1bd1b07',
    ),
    MultipleChoice(
        '08-families',
        'Compared with a diffusion model, a GAN generates a sample...',
        options={'a': 'in one forward pass of G, and tends to be sharp but may miss modes', 'b': 'by many denoising steps, slowly but with good coverage', 'c': 'by encoding a real image and decoding it', 'd': 'by searching the training set for the closest image'},
        feedback={'a': 'One pass (fast); adversarial training gives sharp samples but is unstable and prone to collapse. Diffusion models denoise over many steps: slower, more stable, better coverage. VAEs also sample in one pass but tend to blur.', 'b': 'That describes diffusion models.', 'c': "That is a VAE's (or autoencoder's) reconstruction path; to generate, a VAE decodes z ~ N(0, I).", 'd': "No generative model here searches the training set; a GAN's G never even sees it."},
        answer='96a08d5db71f363ac7d7',
    ),
    MultipleChoice(
        '08-responsible',
        'You publish images made by a GAN trained on faces. Which are responsible practices?',
        options={'a': 'Label the images as generated', 'b': 'Check what the training data over- or under-represent, since G reproduces those biases', 'c': 'Say the GAN understands faces', 'd': 'Use it to make realistic images of real people without their consent'},
        feedback={'a': 'Right: generated media should be labelled so they are not mistaken for real photographs.', 'b': 'Right: G learns the training distribution, biases included (who is shown, how).', 'c': 'A GAN has no understanding of what it draws: it maps noise to pixels that fool one discriminator.', 'd': 'That is how deepfakes harm people; consent and labelling matter.'},
        answer='d3e1cfba96fe667ade11', multiple=True,
    ),
]
