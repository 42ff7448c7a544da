"""Checkpoints of lesson 03 (gradient flow). Answers are stored as salted hashes only."""
from __future__ import annotations

from .. import MultipleChoice, Numeric, Prediction

QUESTIONS = [
    Prediction(
        "03-d-step-grad",
        "The trainer is about to run one step: a D update, then a G update. <b>In the D step</b>, will G's "
        "parameters receive a gradient (a non-zero <code>.grad</code>)?",
        options={
            "yes": "Yes: D's loss depends on G(z), so backward() reaches G's weights",
            "no": "No: the fake batch is detached, so the gradient stops at G(z)",
            "zeroed": "Yes, but the trainer zeroes it before anyone can see it",
        },
        feedback={
            "yes": "G's parameters got a gradient in the D step: the fake batch reached D without <code>.detach()</code>, "
                   "so backward() ran on into G. (gan_edu's trainer never does this; the bug clinic below shows what it costs.)",
            "no": "G's parameters got no gradient: the trainer shows D <code>fake.detach()</code>, which cuts the graph at "
                  "G(z). D's loss still uses the numbers G(z), but autograd is told not to go further back, so the D step "
                  "trains D only. In the G step it is the other way round: D is frozen and only G gets a gradient.",
            "zeroed": "The trace reads <code>.grad</code> right after backward(), before anything is zeroed, so a gradient "
                      "that existed would have been seen.",
        },
    ),
    MultipleChoice(
        "03-copies",
        "After training, G's samples sit right on the training data. How did G find out where the data is?",
        options={
            "a": "G stores training samples and replays them: they are part of G's loss",
            "b": "The G step shows G a real batch too, just like the D step",
            "c": "Only through D: G's loss is D's verdict on G(z), and the gradient through D is G's whole learning signal",
            "d": "z is drawn from the data, so G starts from real samples",
        },
        feedback={
            "a": "G's loss is loss_g(D(G(z))): the leaves of its graph are z, G's and D's parameters, and no real sample. "
                 "G cannot replay what it never received; it learns a mapping from noise to samples.",
            "b": "The trace of a step shows it: the G step draws only z. The real batch appears in D's loss and nowhere else.",
            "c": "Everything G knows about the data arrives as the gradient of D's verdict. D has seen real data; G has "
                 "only seen D's opinion of its own samples. That is also why a D that gives no useful gradient leaves G stuck.",
            "d": "z is noise from N(0, I), drawn independently of the data. G turns noise into samples; it never starts "
                 "from a real one.",
        },
        answer="5d3a5f561ac41e5189a9",
    ),
    Numeric(
        "03-ratio",
        "For one fake sample with logit ℓ, the saturating loss log(1 − σ(ℓ)) has derivative "
        "−σ(ℓ) with respect to ℓ; the non-saturating loss −log σ(ℓ) has "
        "−(1 − σ(ℓ)). D says D(G(z)) = σ(ℓ) = 0.01. How many times larger is the "
        "non-saturating gradient?",
        step=1.0,
        accepted=["cfe3491d3589f516d0ce", "5e9057d8a5cdc03d0b43", "4baa97cd2cc0e7e26739"],
        hint="Divide the two sizes: (1 − D(G(z))) / D(G(z)).",
        explanation="(1 − 0.01) / 0.01 = 99. Early in training D rejects the fakes, D(G(z)) is small, and that is "
                    "exactly where the saturating loss goes quiet. The next cell measures it with autograd.",
        unit="times",
    ),
    MultipleChoice(
        "03-real-label",
        "In the G step the trainer computes <code>binary_cross_entropy_with_logits(D(G(z)), ones)</code>: the fakes "
        "get the label 1, \"real\". A reviewer flags it as a bug. Who is right?",
        options={
            "a": "The reviewer: fakes must always be labelled 0",
            "b": "The code: it is the non-saturating loss −log D(G(z)); G wants D to call its samples real",
            "c": "The reviewer: with the label 1, G and D minimise the same loss, so nothing is learned",
            "d": "Neither: the label does not change the gradient",
        },
        feedback={
            "a": "Fakes are labelled 0 in <i>D's</i> loss, where D learns to reject them. In G's loss the label says what "
                 "G wants D to answer: \"real\".",
            "b": "BCE against 1 is −log σ(ℓ) = −log D(G(z)), the non-saturating loss (Goodfellow et "
                 "al. 2014, section 3). Same fixed point as the minimax loss, but a strong gradient exactly when D "
                 "rejects the fakes: the 99× you just measured.",
            "c": "They do not: D pushes D(G(z)) towards 0, G pushes the same number towards 1. Opposite targets on the "
                 "same output: that is the game.",
            "d": "It does: with the label 0, G would descend D's own objective and make its fakes <i>easier</i> to spot.",
        },
        answer="995e8bd56203381470b6",
    ),
    Prediction(
        "03-stall",
        "D has been trained against a fixed G until it is confident: D(G(z)) ≈ 0.001. Now G takes 50 steps "
        "(plain SGD, the same learning rate) with each generator loss while D stays fixed. Which loss moves G's "
        "samples further?",
        options={
            "minimax": "The saturating (minimax) loss log(1 − D(G(z)))",
            "non_saturating": "The non-saturating loss −log D(G(z))",
            "same": "About the same: the two losses have the same fixed point",
        },
        feedback={
            "minimax": "The minimax loss moved the samples further. That happens only when D is not confident "
                       "(D(G(z)) well above 0.5); against a confident D its gradient, of size D(G(z)), is tiny.",
            "non_saturating": "The non-saturating loss carried the samples into the region D calls real, while the "
                              "minimax loss barely moved them: its gradient per sample is D(G(z)) ≈ 0.001, so each "
                              "SGD step is hundreds of times shorter. Same fixed point, but only one of them gets going.",
            "same": "The two moved G about as far: D was not confident enough for the difference in gradient size to show.",
        },
    ),
    MultipleChoice(
        "03-detach",
        "In your own D step you write <code>fake = G(z)</code> and put <code>D(fake)</code> in D's loss, without "
        "<code>.detach()</code>. What does <code>loss_d.backward()</code> do?",
        options={
            "a": "It raises an error: PyTorch will not backpropagate into a network whose optimiser is not stepped",
            "b": "Nothing different: opt_d only updates D, so .detach() is only a speed trick",
            "c": "It updates G so that it makes better fakes",
            "d": "It also fills G's .grad with the gradient of D's loss, which points the way that makes fakes easier "
                 "to spot; unless cleared before the G step, that is added to G's update",
        },
        feedback={
            "a": "No error here: autograd knows nothing about optimisers. (You may meet \"Trying to backward through the "
                 "graph a second time\" later, if the G step reuses this same fake.)",
            "b": "Half true: opt_d does not move G. But G's .grad now holds the gradient of D's loss. If G's gradients "
                 "are not zeroed before the G step, it is added to G's own and pushes G the wrong way; and the "
                 "backward pass through G is wasted work either way.",
            "c": "backward() only computes gradients; nothing moves until an optimiser steps. And the gradient of D's "
                 "loss points the opposite way from what G wants.",
            "d": "The fake batch is still connected to G, so autograd goes on into G's parameters. .detach() (or "
                 "making fake under torch.no_grad()) cuts the graph at G(z), as the trainer does.",
        },
        answer="e7cfc11cae85d4cca7b3",
    ),
    MultipleChoice(
        "03-double-sigmoid",
        "Your D ends in <code>nn.Sigmoid()</code> (it returns probabilities), and you train it with "
        "<code>nn.BCEWithLogitsLoss</code>. What happens?",
        options={
            "a": "It trains, but badly: the loss sees σ(σ(ℓ)), which stays between 0.5 and 0.73, and "
                 "D's gradients are at least 4× weaker",
            "b": "An error: the loss refuses inputs that are already in (0, 1)",
            "c": "Nothing: sigmoid is monotonic, so applying it twice changes nothing that matters",
            "d": "D becomes too confident too fast",
        },
        feedback={
            "a": "The with-logits loss applies its own sigmoid to D's probability p, so it sees σ(p) with p in "
                 "(0, 1): never below 0.5, never above 0.73. D can never say \"fake\", its loss cannot get low, and "
                 "every gradient is multiplied by σ'(ℓ) ≤ 1/4. Pass logits to a with-logits loss.",
            "b": "No error: any real number is a valid logit, so probabilities pass silently. That is what makes this "
                 "bug easy to miss.",
            "c": "Monotonic is not enough: the loss needs values that can reach 0 and 1. σ(p) for p in (0, 1) "
                 "lives in (0.5, 0.73), and the extra sigmoid shrinks every gradient by σ'(ℓ) ≤ 1/4.",
            "d": "The opposite: σ(σ(ℓ)) can never go below 0.5 or above 0.73, so D cannot become "
                 "confident at all.",
        },
        answer="f1ce01b318601e5fd479",
    ),
]
