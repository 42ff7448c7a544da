"""How much does the Trainer cost over a bare hand-written PyTorch loop?

    python benchmarks/bench_trainer.py [--steps 200] [--repeats 9] [--threads 1]

Measured side by side in ONE run: each repeat times every variant once, in a
rotating order, and the report gives medians over repeats (timings on a shared
2-core machine are noisy; ratios measured together are not). Variants, all with
the same models (MLP 2-128-128), the same ring data, batch 256, the same
non-saturating loss:

* ``bare``          -- the loop as pytorch/examples' dcgan writes it, with the same
                       optimiser the trainer builds (fused Adam where available);
* ``bare_default``  -- the same loop with ``torch.optim.Adam``'s defaults;
* ``trainer``       -- ``Trainer.step()`` with no handlers (goal: <= 1.05 x bare);
* ``recorders``     -- ``Trainer.step()`` with the standard recorders (goal: <= 1.30 x bare).

PyTorch runs on ``--threads`` threads (default 1, what the lessons use: ``ge.setup_lesson``);
on a shared machine two threads fight the other processes for the cores and the medians scatter
by 10x, so compare like with like. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

import gan_edu as ge
from gan_edu.settings import fast_adam_kwargs


def make_models(seed=0):
    ge.seed_everything(seed)
    return ge.models.MLPGenerator(), ge.models.MLPDiscriminator()


def bare_loop(fast_adam: bool):
    """The straightforward formulation: separate D forwards on real and fake."""
    G, D = make_models()
    ring = ge.data.ring()
    kw = fast_adam_kwargs(torch.device("cpu")) if fast_adam else {}
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999), **kw)
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999), **kw)
    gen = torch.Generator().manual_seed(0)

    def step():
        real = ring.sample(256, generator=gen)
        z = torch.randn(256, 2, generator=gen)
        fake = G(z)
        # update D: maximise log D(x) + log(1 - D(G(z)))
        opt_d.zero_grad()
        lr, lf = D(real), D(fake.detach())
        loss_d = (F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr))
                  + F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf)))
        loss_d.backward()
        opt_d.step()
        # update G: maximise log D(G(z))
        opt_g.zero_grad()
        lf = D(fake)
        loss_g = F.binary_cross_entropy_with_logits(lf, torch.ones_like(lf))
        loss_g.backward()
        opt_g.step()

    return step


def trainer_loop(recorders: bool):
    G, D = make_models()
    tr = ge.Trainer(G, D, ge.data.ring(), loss="non_saturating", batch_size=256, lr_g=1e-3, lr_d=1e-3,
                    betas=(0.5, 0.999), device="cpu")
    if recorders:
        ge.recorders.standard(tr)
    return tr.step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200, help="steps per timing (default 200)")
    ap.add_argument("--repeats", type=int, default=9, help="interleaved repeats (default 9)")
    ap.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1, as in the lessons)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    variants = {"bare": bare_loop(True), "bare_default": bare_loop(False),
                "trainer": trainer_loop(False), "recorders": trainer_loop(True)}
    for fn in variants.values():             # warm up: allocator, optimiser state
        for _ in range(30):
            fn()
    times = {k: [] for k in variants}
    names = list(variants)
    for r in range(args.repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            fn = variants[name]
            t0 = time.perf_counter()
            for _ in range(args.steps):
                fn()
            times[name].append((time.perf_counter() - t0) / args.steps)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, optimiser: Adam {fast_adam_kwargs(torch.device('cpu'))}")
    print(f"{'variant':<14}{'ms/step':>9}{'steps/s':>9}{'x bare':>8}")
    for name in names:
        print(f"{name:<14}{med[name] * 1e3:9.2f}{1 / med[name]:9.0f}{med[name] / med['bare']:8.3f}")
    print(f"Trainer.step() / bare loop            = {med['trainer'] / med['bare']:.3f}  (goal <= 1.05)")
    print(f"Trainer.step() + recorders / bare loop = {med['recorders'] / med['bare']:.3f}  (goal <= 1.30)")
    return med


if __name__ == "__main__":
    main()
