"""Checkpoints of lesson 08: transfer. Every question is a situation the lessons did not show --
a run's curves to diagnose, a D accuracy to interpret, code to fix, a new data set -- answered
with what lessons 00-07 taught. (The old ids 08-forward ... 08-evaluation are aliases of these,
see ``questions.RENAMED``.)
"""
from __future__ import annotations

from .. import MultipleChoice, Numeric

D_STEP_WITHOUT_DETACH = (
    "<pre style='font-size:90%;margin:4px 0'>opt_d.zero_grad()\n"
    "fake = G(z)\n"
    "loss_d = bce(D(real), ones) + bce(D(fake), zeros)\n"
    "loss_d.backward(); opt_d.step()\n\n"
    "opt_g.zero_grad()\n"
    "loss_g = bce(D(G(z)), ones)\n"
    "loss_g.backward(); opt_g.step()</pre>")

G_STEP_WITH_SIGMOID = (
    "<pre style='font-size:90%;margin:4px 0'>opt_g.zero_grad()\n"
    "fake = G(z)\n"
    "p = torch.sigmoid(D(fake))\n"
    "loss_g = F.binary_cross_entropy_with_logits(p, torch.ones_like(p))\n"
    "loss_g.backward(); opt_g.step()</pre>")

QUESTIONS = [
    MultipleChoice(
        "08-range-mismatch",
        "A colleague trains a DCGAN whose G ends with <code>tanh</code> on photos whose pixels are raw values from "
        "0 to 255. D reaches 100 % accuracy within a few steps and G never improves. What is the likeliest cause?",
        options={
            "a": "tanh saturates for large inputs, so all of G's gradients vanish",
            "b": "G's pixels lie in (−1, 1), real ones up to 255: D sees it",
            "c": "The photos are too large for a noise vector this small",
            "d": "D has too few layers to compare photos this different",
        },
        feedback={
            "a": "tanh can saturate, but that is not what separates the sets here: G's outputs and the data do not "
                 "even share a range, so D wins whatever G's gradients do.",
            "b": "G can never output more than 1: tanh caps every pixel. D learns \"bright pixels mean real\" at once, "
                 "and nothing G does can fix that. Scale the data to [−1, 1] (x / 127.5 − 1), the range of G's output.",
            "c": "A small z can make large images (StyleGAN makes 1024×1024 photos from 512 numbers). The range "
                 "mismatch alone lets D win.",
            "d": "A weaker D would still see the range: one bright pixel gives a real photo away. The problem is an "
                 "easy cue G cannot remove, not D's size.",
        },
        answer="688f2e1be5ed6aa3c4c7",
    ),
    MultipleChoice(
        "08-d-accuracy",
        "You log D's accuracy on held-out real and fake batches. From step 200 to step 5000 it stays at 99–100 %, "
        "and G's samples have stopped changing. What does that tell you?",
        options={
            "a": "D overpowers G: its verdicts give G little useful signal",
            "b": "A healthy run: a near-perfect D is doing its job well",
            "c": "G has converged: D is sure because it knows the data",
            "d": "Nothing: only D's loss is informative here, not its accuracy",
        },
        feedback={
            "a": "If G were learning, its samples would move toward the data and D's accuracy would fall. A D that "
                 "stays near perfect starves G: with the minimax loss G's gradient vanishes; with the non-saturating "
                 "loss it stays large but comes from a D that only knows how to separate. Rebalance: fewer D updates "
                 "per step, a lower D learning rate, a smaller or spectrally normalised D (lessons 02 and 04).",
            "b": "A GAN is a game: D winning every round for thousands of steps means G is not catching up. A useful "
                 "D keeps finding differences G can still fix.",
            "c": "The opposite: if G matched the data, no D could do better than chance, and its accuracy would sit "
                 "near 50 %.",
            "d": "Accuracy is one of the most useful signals here: near 100 % for thousands of steps says who is "
                 "winning. The loss adds how confident D is.",
        },
        misconceptions={"b": "low-d-loss-good"},
        answer="017009975e887b7f98ac",
    ),
    MultipleChoice(
        "08-detach-cost",
        f"A training loop:{D_STEP_WITHOUT_DETACH}The D step has no <code>.detach()</code>. What does that cost here?",
        options={
            "a": "G is trained to help D: D's gradient is added to G's step",
            "b": "D cannot learn: without .detach() its loss has no gradient",
            "c": "Only wasted work: G's .grad is zeroed before G's own step",
            "d": "It crashes: the graph through G is backpropagated twice",
        },
        feedback={
            "a": "That happens when G's .grad is not cleared before the G step. Here opt_g.zero_grad() runs first, so "
                 "the stray gradient of D's loss is thrown away.",
            "b": "D's loss depends on D's own parameters either way; .detach() only decides whether the backward pass "
                 "continues into G.",
            "c": "Without .detach(), loss_d.backward() runs on into G and stores the gradient of D's loss in G's "
                 ".grad; opt_g.zero_grad() clears it before G's own backward, so G's update is unaffected. The cost "
                 "is a backward pass through G that is thrown away. Without that zero_grad in between, the stray "
                 "gradient would be added to G's update and push it the wrong way (lesson 03's clinic).",
            "d": "The G step builds a new graph with its own call G(z), so nothing is backpropagated twice. (Reusing "
                 "the same undetached fake in the G step would raise that error.)",
        },
        misconceptions={"a": "forgot-detach", "b": "forgot-detach"},
        answer="d2c1f9ca85a06cb182f0",
    ),
    MultipleChoice(
        "08-loss-curves",
        "A run's curves: D's loss stays at 1.38–1.39 (2 log 2) from the first step to step 5000, G's non-saturating "
        "loss at 0.69 (log 2), and G's samples are still a blob in the middle of the plane. What is most likely?",
        options={
            "a": "The game is at its equilibrium: these are the ideal values",
            "b": "G has collapsed onto one mode that D cannot tell from data",
            "c": "D is not learning: it is frozen, or its learning rate is 0",
            "d": "G is memorising the training set, so D's verdict is moot",
        },
        feedback={
            "a": "At the ideal end point the losses do sit there, but not the other way round: a D that says 0.5 to "
                 "everything scores the same. The blob says G is nowhere near the data, so this is no equilibrium.",
            "b": "A working D would spot a collapsed G at once (all its samples in one spot), and its loss would fall "
                 "below 2 log 2. And the samples are a blob in the middle, not on a mode.",
            "c": "2 log 2 and log 2 are exactly what a D that says 0.5 to every sample scores, as an untrained D does. "
                 "G has not learned, so this cannot be an optimal D facing a perfect G: the likelier story is that D "
                 "never learned. Check that opt_d holds D's parameters, its learning rate, and that D's .grad is "
                 "filled in the D step.",
            "d": "G cannot learn anything, copies included, without a signal from D, and a D stuck at 0.5 gives none: "
                 "G's samples have not moved.",
        },
        misconceptions={"a": "d-loss-2log2-healthy", "d": "g-stores-images"},
        answer="31446512ba5a86110379",
    ),
    Numeric(
        "08-steps-per-epoch",
        "A GAN trains on MNIST's 60,000 images with batches of 64 and <code>d_steps=2</code>; every D update draws a "
        "fresh real batch. About how many steps does it take until D has seen 60,000 real images (one epoch)?",
        step=1,
        accepted=["198c6814529cc4617bdc", "61684470d7ce29bf51bd", "4d77bf1cf77c5b9ee2a4", "b0134680f1b017101756", "2443188c588e5f98ec4c", "243500df1b4e793985aa", "cdefc9b88584201b8b4c", "96954ef16cc4605c66cd", "4b4a18f2981cc37a3cf4", "89b64f477a7e5881567d", "8e3d1bd2eb86b6f7c018", "ec015cae4096216e438a", "02630181cc7a9d490a30", "e22f41ab0ff76a9e3463", "b93a62840138a48ab028", "1ceb7f45f0f23044e12a", "5f1ebd56af743d552733", "bf166fd39fc3599f56a7", "4672233a1c7fdcff9ade", "8bf89879e449e457d3fa", "696cec3d88abdc8db768"],
        hint="Count the real images one step uses: d_steps D updates, each on a batch of 64; the G update uses none.",
        explanation="Each step uses 2 × 64 = 128 real images (the G update uses none), so one epoch takes "
                    "60,000 / 128 ≈ 469 steps. A step is not an epoch.",
        wrong=[(930, 945, "60,000 / 64 ≈ 938 counts one real batch per step. With d_steps=2 every step makes two D "
                          "updates, each on its own real batch.", "epoch-is-step"),
               (310, 315, "That counts three real batches per step. The G update uses no real images: G's loss is "
                          "D's verdict on G(z).", "g-stores-images"),
               (0.5, 1.5, "One step is d_steps D updates and one G update, each on one batch: far less than a pass "
                          "over the data.", "epoch-is-step"),
               (2, 2, "d_steps is the number of D updates in one step, not the number of epochs.", "epoch-is-step")],
    ),
    MultipleChoice(
        "08-hopping",
        "A digit GAN's sample grids at steps 1000, 1500 and 2000 each show mostly one digit: 3s, then 8s, then 5s. "
        "Over the run every digit has appeared. Has it collapsed?",
        options={
            "a": "Yes: at each moment it makes mostly one digit, and hops",
            "b": "No: every digit has appeared, so G has learned all of them",
            "c": "No: collapse means one identical image, and these vary",
            "d": "There is no telling: grids can never show a collapse",
        },
        feedback={
            "a": "Mode hopping is collapse. Confirm it with numbers rather than grids: the class histogram of 1000 "
                 "samples (lesson 07) at several moments, and at the end.",
            "b": "Coverage has to hold at one moment, for the G you keep. Digits that appear one after another are a "
                 "G hopping between modes.",
            "c": "Collapse is rarely one identical image: it is too few kinds of output (one digit in many styles, a "
                 "few modes of the ring). Variety within one digit does not make up for the missing digits.",
            "d": "Grids can hint at it (one digit per grid is a strong hint) and counting over many samples confirms "
                 "it. Here the grids already show hopping.",
        },
        misconceptions={"b": "all-modes-appeared"},
        answer="2d5abbed3a148c9be794",
    ),
    MultipleChoice(
        "08-g-step-bug",
        f"This G step runs without an error, but G learns very slowly. D returns logits.{G_STEP_WITH_SIGMOID}"
        "What should change?",
        options={
            "a": "Use the label 0 for the fakes, since they are fake",
            "b": "Write D(fake.detach()) so that the G step spares D",
            "c": "Pass D(fake) itself: the loss applies its own sigmoid",
            "d": "Nothing: a sigmoid before the loss only rescales the loss",
        },
        feedback={
            "a": "The label 1 is right for G: it is the non-saturating loss −log D(G(z)), G asking D to call its "
                 "samples real (lesson 03).",
            "b": "Detaching the fakes in the G step cuts the only road G's gradient takes: G would learn nothing. D "
                 "does not move in the G step anyway, because only opt_g steps.",
            "c": "It is the sigmoid applied twice, now in G's step: the with-logits loss sees σ(σ(ℓ)), so G's loss "
                 "cannot reward fooling D and its gradient nearly vanishes where D is sure the fakes are fake, which "
                 "early in training is everywhere. A with-logits loss takes logits.",
            "d": "The loss puts its own sigmoid on top, so it sees σ(p), stuck in (0.5, 0.73): G's loss cannot fall "
                 "below −log 0.73 ≈ 0.31, and its gradient fades exactly where D confidently rejects the fakes. It "
                 "is a real bug, silent because any number is a valid logit.",
        },
        misconceptions={"a": "g-loss-real-label-bug", "b": "forgot-detach", "d": "double-sigmoid"},
        answer="a659c613d3398be2031a",
    ),
    Numeric(
        "08-smoothing",
        "D is trained with <b>two-sided</b> label smoothing: real label 0.9 and fake label 0.1. At a point x where G "
        "puts samples but the data has none ($p_{data}(x) = 0$, $p_g(x) > 0$), what does the optimal D say? "
        "Two decimals.",
        step=0.01,
        accepted=["88c0bd21eb37cbe782dd", "dee358ecb9c00b16a44d", "356451092c631d4a7951"],
        hint="Redo lesson 06's point-by-point argument: at x, real samples arrive with density $p_{data}$ and "
             "target 0.9, fakes with density $p_g$ and target 0.1. D* is the weighted share of the targets.",
        explanation="At x, D maximises $(0.9\\,p_{data} + 0.1\\,p_g)\\log D + (0.1\\,p_{data} + 0.9\\,p_g)\\log(1 - D)$, "
                    "so $D^* = (0.9\\,p_{data} + 0.1\\,p_g) / (p_{data} + p_g)$, which is 0.1 where there is no data: "
                    "D calls G's off-data samples 10 % real, so G's mistakes there are partly rewarded. That is why "
                    "only the real label is smoothed (one-sided smoothing keeps $D^* = 0$ where $p_{data} = 0$).",
        wrong=[(-0.01, 0.01, "0 is right for one-sided smoothing, where fakes keep the label 0. Here the fake label "
                             "is 0.1, and only fakes arrive at x."),
               (0.44, 0.46, "0.45 is one-sided smoothing (real label 0.9) where $p_g = p_{data}$. Here there is no "
                            "data at x at all."),
               (0.49, 0.51, "0.5 is what two-sided smoothing gives where $p_g = p_{data}$. At this x only fakes "
                            "arrive, with target 0.1."),
               (0.89, 0.91, "0.9 is the real label; no real sample ever arrives at x.")],
    ),
    MultipleChoice(
        "08-human-judges",
        "A user study finds that people cannot tell a face GAN's samples from real photos. A colleague concludes "
        "that the GAN has learned the distribution of faces. What does the study miss?",
        options={
            "a": "Which faces never appear, and whether some are copies",
            "b": "Nothing: when people cannot tell them apart, they match",
            "c": "Sharpness: people are fooled more easily by blurry faces",
            "d": "Only speed: the study says nothing about sampling time",
        },
        feedback={
            "a": "A judge of single samples sees neither what is missing (ages, skin tones, poses the GAN never makes) "
                 "nor a copied training photo. Coverage needs counting over many samples (a classifier or features, "
                 "as in lesson 07, or FID); copying needs a nearest-neighbour search in the training set.",
            "b": "People judge one sample at a time, like a D that sees one sample: each face can be flawless while "
                 "whole groups of faces are missing, or some are training photos.",
            "c": "Blurry faces are easier to spot, not harder; and the study already says the faces pass as real. "
                 "What it cannot see is what is missing.",
            "d": "Speed matters for deployment, but the conclusion is about the distribution, and that is what the "
                 "study cannot establish.",
        },
        misconceptions={"b": "looks-good-is-good"},
        answer="485019f7c072c027953d",
    ),
    MultipleChoice(
        "08-bird-scores",
        "A team trains a GAN on bird photos and reports an FD of 3.1, computed on the features of its own bird "
        "classifier with 500 samples. A paper reports an FID of 9.8 for another bird GAN (Inception-v3 features, "
        "50,000 samples). Which GAN makes birds closer to real ones?",
        options={
            "a": "The team's: an FD of 3.1 is about a third of 9.8",
            "b": "The paper's: 50,000 samples make its score better",
            "c": "The team's, since a bird classifier knows birds best",
            "d": "Unknown: scores on different features don't compare",
        },
        feedback={
            "a": "Both are Fréchet distances, but between Gaussians fitted to different features, in different units: "
                 "an extractor that squeezes images into fewer or smaller numbers gives smaller distances for the "
                 "same two sets. And FD is biased upwards at small n, which here works against the team.",
            "b": "More samples make an FD more trustworthy (less biased), not the generator better. The two numbers "
                 "are still on different features, so they cannot be ranked.",
            "c": "Features from a bird classifier may well suit birds better, but that makes its distances a different "
                 "measurement, not a smaller version of FID. It cannot be ranked against a number on Inception "
                 "features.",
            "d": "Each feature extractor measures in its own units and notices different things; even the sample "
                 "size shifts FD. To compare, score both GANs with the same features, the same reference set and "
                 "the same number of samples, each next to the real-against-real baseline.",
        },
        answer="14499dd73b83f2081585",
    ),
    MultipleChoice(
        "08-families",
        "You need a model that makes 10,000 images a second on a phone. Some missing variety is acceptable; blur is "
        "not. Which family of generative models fits best?",
        options={
            "a": "A diffusion model: its many denoising passes are fast",
            "b": "A VAE: one pass to sample, and its samples are sharpest",
            "c": "A GAN: one pass of G per sample, sharp, may miss modes",
            "d": "Any of the three: each makes a sample in one pass",
        },
        feedback={
            "a": "Diffusion models denoise over many steps (tens to a thousand network passes): great coverage and "
                 "sharpness, but the slowest of the three to sample.",
            "b": "A VAE samples in one pass too, but its samples tend to be blurry (its reconstruction loss averages "
                 "over what it cannot predict).",
            "c": "One forward pass of G per sample (fast), and adversarial training gives sharp samples; the price is "
                 "unstable training and possible missing modes, which this use tolerates.",
            "d": "GANs and VAEs sample in one pass; diffusion models need many. And the three differ in sharpness "
                 "and coverage.",
        },
        answer="dce8b968a7b46b2ef13a",
    ),
    MultipleChoice(
        "08-responsible",
        "A news site wants to illustrate an article with GAN-generated faces of 'typical voters'. Which practices "
        "are responsible?",
        options={
            "a": "Label the images as generated, in the file and beside them",
            "b": "Check whom the training data over- or under-represent",
            "c": "Describe the GAN as understanding what voters look like",
            "d": "Make realistic photos of real politicians without consent",
        },
        feedback={
            "a": "Right: generated media should be labelled so they are not mistaken for photographs of real people.",
            "b": "Right: G learns the training distribution, biases included (who is shown, how), and a collapsing "
                 "GAN drops rare groups first: 'typical' would mean whatever the data over-represents.",
            "c": "A GAN has no understanding of what it draws: it maps noise to pixels that one discriminator could "
                 "not tell from the training data.",
            "d": "That is a deepfake: realistic media of real people without their consent can deceive and harm.",
        },
        answer="d3e1cfba96fe667ade11",
        multiple=True,
    ),
]
