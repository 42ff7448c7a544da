"""Checkpoints of lesson 00 (welcome: the kit and a GAN at a glance).

Misconceptions met: "the generator stores training images" (00-copies, 00-keep) and "an epoch
is one step" (00-step). The prediction 00-toward-ring's outcome keys are computed by
``widgets.explorer.toward_ring`` (``result.outcome``): "closer", "same", "farther"; it trains a new
tiny GAN built as the explorer's was, so the outcome never depends on what the learner clicked.
"""
from __future__ import annotations

from .. import MultipleChoice, Prediction

QUESTIONS = [
    MultipleChoice(
        "00-keep",
        "Training is over. Which network do you keep to make new samples, and why?",
        options={
            "a": "D, because it has learned what real data looks like",
            "b": "Both, because D must approve every sample that G makes",
            "c": "G, because fresh noise through G gives a new sample",
            "d": "Neither: you keep the images that G stored while training",
        },
        feedback={
            "a": "D learned to tell real from fake <i>for the G it trained against</i>, and it cannot make anything. "
                 "Once training ends it has no job left, so it is usually thrown away.",
            "b": "Making a sample is one pass through G: draw z, compute G(z). No D is involved. (Some research "
                 "methods reuse D to filter samples, but that is an extra, not how a GAN makes samples.)",
            "c": "G is the product: draw z ~ N(0, I), compute G(z), and you have a new sample. D was needed only to "
                 "give G a learning signal, so it is discarded after training.",
            "d": "G stores no images: what training leaves you is G's weights, a function from noise to samples. "
                 "(Such a function can still end up reproducing some training images; lesson 07 shows how to check.)",
        },
        misconceptions={"d": "g-stores-images"},
        answer="73e6e56309bdb7d47ecb",
    ),
    MultipleChoice(
        "00-copies",
        "How does the generator find out what the real data looks like?",
        options={
            "a": "Only through D: the gradient of D's verdict flows back into G",
            "b": "It reads each real batch along with its noise, and imitates it",
            "c": "It stores the training samples and returns one for each z",
            "d": "It never does: D slowly learns to accept G's random output",
        },
        feedback={
            "a": "G never sees x. D has seen real data, and the gradient of D's score tells G which way to move each "
                 "sample to look more real. So G learns a mapping from noise to data-like samples. Information about "
                 "the training examples does reach G this way, so G can come to reproduce some of them: lesson 07 "
                 "shows how to check.",
            "b": "G's only input is z (look at the diagram): the real batch x goes to D, never to G.",
            "c": "No real sample is ever handed to G to store: G is a network whose weights change only through "
                 "the gradients that come back through D. (Those gradients do carry information about the training "
                 "samples, so a G trained on a small data set can come to reproduce some of them: lesson 07 checks.)",
            "d": "G does learn: its weights change in every G update and its samples move toward the data (the "
                 "prediction below shows it). D is trained to reject fakes, not to accept them.",
        },
        misconceptions={"b": "g-stores-images", "c": "g-stores-images"},
        answer="f0be52306f337f4bfa4b",
    ),
    MultipleChoice(
        "00-step",
        "A progress bar says <b>step 300</b>. What has happened 300 times?",
        options={
            "a": "A pass over the whole training set, so 300 epochs",
            "b": "One D update; G is updated only when training ends",
            "c": "One sample was generated, scored by D and kept",
            "d": "k D updates (here k = 1), then one G update",
        },
        feedback={
            "a": "An epoch is one pass over a whole data set; a step uses one batch per update. With 60,000 images "
                 "and batches of 256, one epoch is about 235 steps. The ring is an endless distribution, so it has "
                 "no epochs at all.",
            "b": "G is updated in every step, right after D. Updating the two in turns is what makes it a game.",
            "c": "Each step makes a whole batch of fakes (256 here), and none is kept: they are used once, to compute "
                 "the two losses.",
            "d": "One step = <code>d_steps</code> D updates (1 here) followed by one G update, each on a fresh batch "
                 "(256 samples here). That is what the explorer's \"take one training step\" button does.",
        },
        misconceptions={"a": "epoch-is-step", "b": "epoch-is-step"},
        answer="2b2cdb0e97d5682f098c",
    ),
    Prediction(
        "00-toward-ring",
        "A new copy of the explorer's tiny GAN, exactly as it was at step 1, now trains for 200 steps. "
        "G never sees a single ring point. Where will G's purple points be, compared with the green ring?",
        options={
            "closer": "Closer to the ring: G's points move toward the data",
            "same": "About where they are: G cannot find data it never sees",
            "farther": "Farther from the ring: they drift away from the data",
        },
        feedback={
            "closer": "G never saw a ring point, yet its samples moved toward them: in every G update, D's gradient "
                      "told each fake point which way is \"more real\". That is the whole trick of a GAN.",
            "same": "G never sees the data, but D does, and D's gradient carries what D learned about the data into "
                    "every G update. That is enough for G's points to move toward the ring.",
            "farther": "GAN training can oscillate (lessons 04 and 06), but from this start D's gradient points the "
                       "fakes toward the region D calls real, which is where the ring is.",
        },
        ordered=True,
        expected="ac7d3bd423deee32e991",
    ),
]
