"""Checkpoints of lesson 03 (gradient flow).

Misconceptions met: "G's loss uses the real label by mistake" (03-real-label), a forgotten
``.detach()`` (03-detach, 03-d-step-grad), the sigmoid applied twice (03-double-sigmoid), and
"the generator stores training images" (03-copies). Prediction outcome keys: 03-d-step-grad
"yes"/"no"/"zeroed" (``trace.got_grad("D step", "G")``), 03-stall "minimax"/"non_saturating"/"same"
(``stall.winner()``).
"""
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
            "yes": "D's loss does use the numbers G(z), but the trainer shows D <code>fake.detach()</code>: the same "
                   "numbers, cut from the graph that made them, so backward() stops at G(z) and G's .grad stays "
                   "empty. Without the detach it would reach G: the bug clinic below shows what that costs.",
            "no": "G's parameters got no gradient: the trainer shows D <code>fake.detach()</code>, which cuts the graph at "
                  "G(z). D's loss still uses the numbers G(z), but autograd is told not to go further back, so the D step "
                  "trains D only. In the G step it is the other way round: D is frozen and only G gets a gradient.",
            "zeroed": "The trace reads <code>.grad</code> right after backward(), before anything is zeroed, so a gradient "
                      "that existed would have been seen.",
        },
        misconceptions={"yes": "forgot-detach"},
        expected="f6aa820fe235f625c673",
    ),
    MultipleChoice(
        "03-copies",
        "Right before a G step, you swap the real batch for a different one; D's weights stay as they are. "
        "How does G's gradient in that step change?",
        options={
            "a": "It changes, because G's loss compares its fakes with that batch",
            "b": "It changes: each fake is pulled to its nearest real sample",
            "c": "It becomes zero, because G has lost its target samples",
            "d": "It does not change: data reaches G only through D's weights",
        },
        feedback={
            "a": "G's loss is loss_G(D(G(z))): the leaves of its graph are z, G's and D's parameters, and no real "
                 "sample (you asked autograd). The real batch enters only D's loss.",
            "b": "The arrows showed the opposite: each fake climbs D's hill, which need not point at the nearest real "
                 "sample. G has no idea where the real samples are; it feels only the slope of D's opinion.",
            "c": "G's loss never had a real batch in it: it is D's verdict on G(z), and that verdict does not vanish "
                 "when the real batch changes.",
            "d": "The real batch is not in G's graph at all. Data reaches G by one road: earlier D steps shaped D's "
                 "weights, and G's gradient passes through them. Along that road, information about every training "
                 "example can reach G, so with a small data set G can still end up reproducing some examples "
                 "(lesson 07 shows how to check).",
        },
        misconceptions={"a": "g-stores-images", "b": "g-stores-images"},
        answer="3cac5bf01e2005b0aeda",
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
        wrong=[(0.005, 0.02, "That is the saturating gradient's size (0.01) or the inverse ratio: divide the "
                           "non-saturating size, 1 − 0.01, by the saturating one, 0.01."),
               (0.975, 0.985, "0.98 is the difference 0.99 − 0.01. The question asks how many times larger: "
                              "divide 0.99 by 0.01."),
               (0.985, 1.0, "0.99 is the non-saturating gradient's size by itself, and 1 would mean the two push "
                            "equally hard. Same fixed point, not the same gradient: divide 0.99 by 0.01."),
               (455, 462, "That is the ratio of the two losses' values (−log 0.01 ≈ 4.6 against log 0.99 ≈ −0.01), "
                          "not of their gradients. G moves by the gradient: divide 0.99 by 0.01."),
               (-100, -98, "Both derivatives are negative (both losses fall as D(G(z)) rises); the question asks how "
                           "many times larger in size: a positive ratio.")],
    ),
    MultipleChoice(
        "03-real-label",
        "In the G step the trainer computes <code>binary_cross_entropy_with_logits(D(G(z)), ones)</code>: the fakes "
        "get the label 1, \"real\". A reviewer flags it as a bug. Who is right?",
        options={
            "a": "The code: it is the non-saturating loss −log D(G(z))",
            "b": "The reviewer: fakes must be labelled 0 in every loss",
            "c": "The reviewer: with label 1 both players share a loss",
            "d": "Neither: the label makes no difference to G's gradient",
        },
        feedback={
            "a": "BCE against 1 is −log σ(ℓ) = −log D(G(z)), the non-saturating loss (Goodfellow et al. 2014, "
                 "section 3). Same fixed point as the minimax loss, but a strong gradient exactly when D rejects the "
                 "fakes: the 99× you just measured.",
            "b": "Fakes are labelled 0 in <i>D's</i> loss, where D learns to reject them. In G's loss the label says "
                 "what G wants D to answer: \"real\".",
            "c": "They do not share one: D pushes D(G(z)) towards 0, G pushes the same number towards 1. Opposite "
                 "targets on the same output: that is the game.",
            "d": "It does: with the label 0, G would descend D's own objective and make its fakes <i>easier</i> to spot.",
        },
        misconceptions={"b": "g-loss-real-label-bug", "c": "g-loss-real-label-bug"},
        answer="077ee228f7ebf96f48ba",
    ),
    Prediction(
        "03-stall",
        "D has been trained against a fixed G until it is confident: D(G(z)) ≈ 0.001. Now G takes 50 steps "
        "(plain SGD, the same learning rate) with each generator loss while D stays fixed. Which loss moves G's "
        "samples further?",
        options={
            "minimax": "The saturating (minimax) loss log(1 − D(G(z)))",
            "non_saturating": "The non-saturating loss −log D(G(z))",
            "same": "About the same: both losses share one fixed point",
        },
        feedback={
            "minimax": "Against a D this confident, the minimax gradient per sample has size D(G(z)) ≈ 0.001: almost "
                       "nothing to move G with. It would do better only where D is unsure of the fakes.",
            "non_saturating": "The non-saturating loss carried the samples into the region D calls real, while the "
                              "minimax loss barely moved them. Per sample, the minimax push is D(G(z)) ≈ 0.001 against "
                              "1 − D(G(z)) ≈ 1: about a thousand times weaker. Summed over the batch, the few fakes D "
                              "is least sure of carry what is left, so the gap in G's whole gradient was smaller, but "
                              "still large (the run prints both ratios). Same fixed point, but only one of them gets "
                              "going.",
            "same": "Same fixed point, different journeys: at D(G(z)) ≈ 0.001 the two gradients differ about a "
                    "thousand-fold per sample, so the two runs cannot move G alike.",
        },
        expected="c0ec0e40c492b6e3259c",
    ),
    MultipleChoice(
        "03-detach",
        "In your own D step you write <code>fake = G(z)</code> and put <code>D(fake)</code> in D's loss, without "
        "<code>.detach()</code>. What does <code>loss_d.backward()</code> do?",
        options={
            "a": "It raises an error, since G's optimiser is not stepped here",
            "b": "Nothing different: opt_d moves only D, so detach is for speed",
            "c": "It trains G to make better fakes, as a G step would",
            "d": "It also fills G's .grad with the gradient of D's loss",
        },
        feedback={
            "a": "No error here: autograd knows nothing about optimisers. (You may meet \"Trying to backward through "
                 "the graph a second time\" later, if the G step reuses this same fake.)",
            "b": "Half true: opt_d does not move G. But G's .grad now holds the gradient of D's loss. If it is not "
                 "zeroed before the G step, it is added to G's own gradient and pushes G the wrong way; and the "
                 "backward pass through G is wasted work either way.",
            "c": "backward() only computes gradients; nothing moves until an optimiser steps. And the gradient of D's "
                 "loss points the opposite way from what G wants: toward fakes that are easier to spot.",
            "d": "The fake batch is still connected to G, so autograd goes on into G's parameters and stores the "
                 "gradient of D's loss there, which points toward fakes that are easier to spot. Unless G's "
                 "gradients are zeroed before the G step, it is added to G's update. .detach() (or making the fakes "
                 "under torch.no_grad()) cuts the graph at G(z), as the trainer does.",
        },
        misconceptions={"b": "forgot-detach", "c": "forgot-detach"},
        answer="e7cfc11cae85d4cca7b3",
    ),
    MultipleChoice(
        "03-double-sigmoid",
        "Your D ends in <code>nn.Sigmoid()</code> (it returns probabilities), and you train it with "
        "<code>nn.BCEWithLogitsLoss</code>. What happens?",
        options={
            "a": "It trains badly: the loss sees σ(p), stuck in (0.5, 0.73)",
            "b": "An error: the loss refuses inputs already in (0, 1)",
            "c": "Nothing that matters: sigmoid is monotonic, twice is fine",
            "d": "D's output can never get near 0, so D can never say fake",
        },
        feedback={
            "a": "The with-logits loss applies its own sigmoid to D's probability p, so it sees σ(p), which stays in "
                 "(0.5, 0.73) whatever D does: D's loss can never drop below about 1.0 (0.31 + 0.69), and the "
                 "gradient reaching D's logit is (σ(p) − y)·σ'(ℓ) instead of p − y. That is 2 to 7 times weaker where "
                 "D is right or undecided, and 30 to over 1000 times weaker where D is confidently wrong, exactly "
                 "where it should learn most: the loss saturates. No error is raised. Pass logits to a with-logits "
                 "loss.",
            "b": "No error: any real number is a valid logit, so probabilities pass silently. That is what makes this "
                 "bug easy to miss.",
            "c": "Monotonic is not enough: the loss needs values that can approach 0 and 1. σ(p) for p in (0, 1) "
                 "lives in (0.5, 0.73), so the loss cannot tell a confident D from an unsure one, and its gradient "
                 "fades exactly where D is confidently wrong.",
            "d": "D's own output still reaches 0 or 1: its logit is unconstrained and its last layer a sigmoid. Only "
                 "the loss's view, σ(p), is stuck in (0.5, 0.73). The harm is in the training signal, not in what D "
                 "can output.",
        },
        misconceptions={"b": "double-sigmoid", "c": "double-sigmoid", "d": "double-sigmoid"},
        answer="f1ce01b318601e5fd479",
    ),
]
