"""Checkpoints of lesson 00 (welcome: the kit and a GAN at a glance).

Misconceptions met here: "the generator copies training images" (00-copies, 00-toward-ring)
and "an epoch is one step" (00-step). Plus which network is kept after training (00-keep).
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "00-keep",
        "Training is over. Which network do you keep to make new samples, and why?",
        options={
            "a": "D, the discriminator: it has learned what real data looks like, so it is the valuable part.",
            "b": "G, the generator: it turns fresh noise z into new samples; D was only its training partner.",
            "c": "Both: D must check every sample G makes before you can use it.",
            "d": "Neither: you keep the training images that G memorised.",
        },
        feedback={
            "a": "D learned to tell real from fake <i>for the G it was training against</i>, and it cannot make "
                 "anything. Once training ends it has no job left, so it is discarded.",
            "b": "G is the product: to make a new sample, draw z ~ N(0, I) and compute G(z). D was needed only to give "
                 "G a learning signal, so it is thrown away after training.",
            "c": "Generating is one pass through G: draw z, compute G(z). No D is involved. (Some research methods "
                 "reuse D to filter samples, but that is an extra, not how a GAN makes samples.)",
            "d": "G memorises nothing: it never sees a training image. What you keep is G's weights, a mapping from "
                 "noise to samples.",
        },
        answer="58ad0063e1daa04a07ff",
    ),
    MultipleChoice(
        "00-copies",
        "How does the generator find out what the real data looks like?",
        options={
            "a": "It reads the real batch x together with z, and learns to copy it.",
            "b": "It stores the training samples and returns a stored one for each z.",
            "c": "Only through D: the gradient of G's loss flows back through D's score of G(z) into G's weights.",
            "d": "It does not: it outputs random noise, and D happens to accept it.",
        },
        feedback={
            "a": "Look at the diagram: G's only input is z. The real batch x goes to D, never to G.",
            "b": "G is a small network with a fixed number of weights (a few thousand here); it stores no samples. "
                 "Nearby z give smoothly changing outputs (the warped grey grid), which a lookup table would not.",
            "c": "G never sees x. D has seen real data, and the gradient of D's score tells G which way to move each "
                 "sample to look more real. So G learns a mapping from noise to data-like samples, not copies.",
            "d": "G does learn: its weights change in every G update (the explorer showed that G's parameters "
                 "changed), and its samples move toward the data as training goes on.",
        },
        answer="85bbff6a1bc06560cd37",
    ),
    MultipleChoice(
        "00-step",
        "A progress bar says <b>step 300</b>. What has happened 300 times?",
        options={
            "a": "One D update (or k of them), then one G update, each on a fresh batch.",
            "b": "A pass over the whole training set (300 epochs).",
            "c": "A D update; G is updated once at the end of training.",
            "d": "One generated sample.",
        },
        feedback={
            "a": "One step = <code>d_steps</code> D updates (1 here) followed by one G update, each on one batch "
                 "(256 samples here). That is what the explorer's \"take one training step\" button does.",
            "b": "An epoch is one pass over a whole data set; a step uses one batch. With 60,000 training images and "
                 "batches of 256, one epoch is about 235 steps. The ring here is an endless distribution, so it has "
                 "no epochs at all.",
            "c": "G is updated in every step, right after D. Updating the two in turns is what makes it a game.",
            "d": "Each step makes a whole batch of fakes (256 here); after training, G can make as many samples as "
                 "you like.",
        },
        answer="6ed94a16b6b6d8140fce",
    ),
    Prediction(
        "00-toward-ring",
        "The tiny GAN will now train for 200 more steps. G never sees a single ring point. "
        "Where will G's purple points be, compared with the green ring?",
        options={
            "closer": "Closer to the ring: G's points move toward the real data",
            "same": "About where they are now: G cannot find data it never sees",
            "farther": "Farther from the ring",
        },
        feedback={
            "closer": "G never saw a ring point, yet its samples moved toward them: in every G update, D's gradient "
                      "told each fake point which way is \"more real\". That is the whole trick of a GAN.",
            "same": "In this run G's points did not get clearly closer. GAN training can stall or wander for a while "
                    "(lesson 04 shows why); G only learns through D, so it is only as good as D's signal.",
            "farther": "In this run G's points moved away. GAN training is a game and can oscillate (lessons 04 and 06); "
                       "G follows D's gradient, and D's opinion keeps changing.",
        },
    ),
]
