r"""The stepwise GAN trainer: the training loop, read top to bottom.

One **step** is ``d_steps`` discriminator updates followed by one generator update (never
call it an epoch). ``step_d()`` and ``step_g()`` run one sub-step alone, like GAN Lab's
"step D" / "step G" buttons. Where the data goes in one step (B = batch_size, m = pack)::

    rng ─► real [B, *shape] ────────────────────────┐   packed for D: [B/m, m·C, ...]
    rng ─► z [B, latent] ──G──► fake [B, *shape] ───┤
                                                    ▼
    update D:  D ─► real_logits [B/m], fake_logits [B/m] ─► loss.d_loss ─► backward ─► opt_d.step()
               (fake is detached: no gradient reaches G)
    update G:  the same fake ─► D (frozen) ─► fake_logits [B/m] ─► loss.g_loss ─► backward
               (through D into G) ─► opt_g.step()

Events fire between the phases; a handler reads ``trainer.state``, a :class:`TrainState`
(both in :mod:`gan_edu.events`).
**A step is all-or-nothing** (:mod:`gan_edu.undo`): if a handler raises (:class:`HandlerError`),
a loss, a weight or an optimiser's state becomes NaN/inf (:class:`TrainingDiverged`, which
names the cause), or you interrupt the kernel, the trainer is put back exactly as it was
before that step -- networks, optimisers, settings, random state, counters, history -- a copy
is kept as ``trainer.last_good``, and only then does the error say so.

The other parts of the trainer: :mod:`gan_edu.settings` (every argument checked;
``configure``), :mod:`gan_edu.checkpoint` (``snapshot``/``restore``, ``save``/``load``).
"""
from __future__ import annotations

import torch
from torch import nn

from . import _check
from . import losses as losses_mod
from . import models as models_mod
from . import settings as settings_mod
from .checkpoint import FORMAT as CHECKPOINT_FORMAT
from .checkpoint import Checkpoints, load_generator
from .events import EVENTS, Events, HandlerError, TrainState
from .history import History
from .models import without_grad
from .settings import OPTIMIZERS, Settings, resolve_device
from .undo import Kept, TrainingDiverged, Undo, check_finite, check_update

__all__ = ["Trainer", "TrainState", "TrainingDiverged", "HandlerError", "EVENTS", "resolve_device", "load_generator",
           "OPTIMIZERS", "CHECKPOINT_FORMAT"]


class Trainer(Events, Settings, Checkpoints):
    """Train generator ``G`` against discriminator ``D`` (which returns logits) on ``data``.

    ``data`` is a :mod:`gan_edu.data` source or an array of points ``[n, dim]``. ``loss`` is a
    name from :mod:`gan_edu.losses`. ``pack=m`` shows D ``m`` samples at once (PacGAN): D must
    take ``m`` times the data's features. ``unroll=k`` computes G's loss against D as it will be
    after ``k`` more updates (a first-order look-ahead D, after unrolled GANs). ``real_label=0.9`` is one-sided label smoothing.
    ``rng`` is the random stream of training (real batches, z); pictures use their own.
    """

    def __init__(self, G: nn.Module, D: nn.Module, data, loss="non_saturating", batch_size: int = 256,
                 lr_g: float = 1e-3, lr_d: float = 1e-3, betas=(0.5, 0.999), d_steps: int = 1, seed: int = 0,
                 optimizer: str = "adam", device="auto", real_label: float = 1.0, gp_weight: float = 10.0,
                 pack: int = 1, unroll: int = 0, history_size: int = 4096):
        settings_mod.check_networks(G, D)                          # every argument is checked first (settings.py)
        self.data = settings_mod.as_data(data)
        fixed = settings_mod.check_fixed(batch_size=batch_size, seed=seed, pack=pack, unroll=unroll,
                                         history_size=history_size, sample_shape=self.data.shape)
        self._set(settings_mod.check_settings(loss=loss, lr_g=lr_g, lr_d=lr_d, betas=betas, d_steps=d_steps,
                                              real_label=real_label, gp_weight=gp_weight, optimizer=optimizer))
        self.device = resolve_device(device)
        self.batch_size, self.seed, self.pack, self.unroll = (fixed[k] for k in ("batch_size", "seed", "pack", "unroll"))
        self.G, self.D = G.to(self.device), D.to(self.device)
        settings_mod.check_shapes(self.G, self.D, self.data, self.pack, self.device)
        self._g_params, self._d_params = list(self.G.parameters()), list(self.D.parameters())
        self._params = [*self._g_params, *self._d_params]
        self._g_tensors, self._d_tensors = [*self._g_params, *self.G.buffers()], [*self._d_params, *self.D.buffers()]
        self.opt_g = self._make_optimizer(self.G, self.lr_g, self.optimizer, self.betas)
        self.opt_d = self._make_optimizer(self.D, self.lr_d, self.optimizer, self.betas)
        self.rng = torch.Generator().manual_seed(self.seed)               # real batches, z, GP mixing
        self._display_rng = torch.Generator().manual_seed(self.seed + 1)  # pictures: never changes training
        self._concat_d = not models_mod.is_batch_coupled(self.D)
        self.state = TrainState()
        self.history = History(fixed["history_size"])
        self._init_events()
        self.last_good: dict | None = None
        self._undo, self._unroll_kept = Undo(self), Kept()

    # ------------------------------------------------------------------ the loop
    def step(self) -> TrainState:
        """ONE training step: ``d_steps`` D updates, then one G update (all or nothing)."""
        return self._undo.run("step", self._step)

    def step_d(self) -> TrainState:
        """One discriminator update alone (G stays fixed). ``state.step`` does not advance."""
        return self._undo.run("D update", lambda: self._d_update(reuse_fake=False))

    def step_g(self) -> TrainState:
        """One generator update alone (D stays fixed). ``state.step`` does not advance."""
        return self._undo.run("G update", lambda: self._g_update(None))

    def _step(self) -> None:
        s = self.state
        s.step += 1
        self._fire("step_start")
        for s.d_iter in range(self.d_steps):
            fake = self._d_update(reuse_fake=s.d_iter == self.d_steps - 1)    # G's update reuses the last fake batch
        self._g_update(fake)
        self.history.record(s.step, loss_d=s.loss_d, loss_g=s.loss_g, d_real=s.d_real, d_fake=s.d_fake)
        self._fire("step_end")

    def _d_update(self, reuse_fake: bool) -> torch.Tensor:
        # ===== update D: minimise loss.d_loss(D(real), D(fake)); G is held fixed.
        #       For the cross-entropy losses: maximise E log D(x) + E log(1 - D(G(z))).
        s = self.state
        self.opt_d.zero_grad(set_to_none=True)
        self.opt_g.zero_grad(set_to_none=True)
        real = self.data.sample(self.batch_size, generator=self.rng).to(self.device)  # real [B, *shape]
        z = self.G.sample_noise(self.batch_size, generator=self.rng)                  # z [B, latent]
        with torch.set_grad_enabled(reuse_fake):            # keep G's graph only if G's update reuses the batch
            fake = self.G(z)                                                          # fake [B, *shape]
        real_logits, fake_logits = self._d_logits(real, fake.detach())   # [B/pack] each; detached: no gradient into G
        loss = self._d_loss(real, fake, real_logits, fake_logits)
        s.real, s.z, s.fake, s.real_logits, s.fake_logits, s.loss = real, z, fake, real_logits, fake_logits, loss
        s.loss_d, s.d_real, s.d_fake = torch.stack([loss.detach(), torch.sigmoid(real_logits.detach()).mean(),
                                                    torch.sigmoid(fake_logits.detach()).mean()]).tolist()  # one sync
        check_finite(self, s.loss_d, "loss_d")
        self._fire("d_forward_end")
        loss.backward()
        self._fire("d_backward_end")        # D's .grad is filled in; D has not moved yet
        self.opt_d.step()
        check_update(self, "D", self.D, self.opt_d, self._d_params)
        s.d_updates += 1
        self._fire("d_step_end")
        return fake

    def _g_update(self, fake: torch.Tensor | None) -> None:
        # ===== update G: minimise loss.g_loss(D(G(z))) -- fool D. D is frozen: the gradient passes
        #       through it into G. Non-saturating: maximise E log D(G(z)); minimax: minimise E log(1 - D(G(z))).
        s = self.state
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_d.zero_grad(set_to_none=True)
        if fake is None:                                                  # step_g() alone: a fresh batch
            s.z = self.G.sample_noise(self.batch_size, generator=self.rng)   # z [B, latent]
            fake = self.G(s.z)                                               # fake [B, *shape]
        kept_d = self._look_ahead() if self.unroll else None
        _set_requires_grad(self._d_params, False)
        fake_logits = self.D(self.packed(fake))                           # [B/pack]
        loss = self.loss.g_loss(fake_logits)
        s.fake, s.fake_logits, s.loss = fake, fake_logits, loss
        s.loss_g, s.d_fake_g = torch.stack([loss.detach(), torch.sigmoid(fake_logits.detach()).mean()]).tolist()
        check_finite(self, s.loss_g, "loss_g")
        self._fire("g_forward_end")
        loss.backward()                     # flows through D into G
        _set_requires_grad(self._d_params, True)
        if kept_d is not None:              # unrolled: back to the real D (in place) before anything else
            kept_d.put_back()
        self._fire("g_backward_end")        # G's .grad is filled in; G has not moved yet
        self.opt_g.step()
        check_update(self, "G", self.G, self.opt_g, self._g_params)
        s.g_updates += 1
        self._fire("g_step_end")

    def run(self, steps: int, progress: bool = True) -> None:
        """``steps`` training steps with a progress bar; a handler can end it early with
        ``trainer.state.stop = True``."""
        steps = _check.positive_int("steps", steps)
        from tqdm.auto import tqdm  # only when a run starts: the core imports no face at load time

        self.state.stop = False
        self._fire_outside_a_step("run_start")
        with tqdm(total=steps, disable=not progress, desc="training", unit="step", leave=False) as bar:
            for i in range(steps):
                self.step()
                bar.update(1)
                if i % 50 == 0 or i == steps - 1:
                    s = self.state
                    bar.set_postfix(loss_d=f"{s.loss_d:.3f}", loss_g=f"{s.loss_g:.3f}", D_real=f"{s.d_real:.2f}",
                                    D_fake=f"{s.d_fake:.2f}", refresh=False)
                if self.state.stop:
                    break
        self._fire_outside_a_step("run_end")

    # ------------------------------------------------------------------ helpers of the loop
    def _d_loss(self, real, fake, real_logits, fake_logits) -> torch.Tensor:
        loss = self.loss.d_loss(real_logits, fake_logits, self.real_label)
        if self.loss.needs_gradient_penalty:
            loss = loss + self.gp_weight * losses_mod.gradient_penalty(self.D, self.packed(real), self.packed(fake.detach()), self.rng)
        return loss

    def _d_logits(self, real: torch.Tensor, fake: torch.Tensor):
        real, fake = self.packed(real), self.packed(fake)
        if self._concat_d:                  # one forward for both halves: same numbers, less overhead
            logits = self.D(torch.cat([real, fake]))
            return logits[: real.shape[0]], logits[real.shape[0]:]
        return self.D(real), self.D(fake)   # BatchNorm / minibatch-std: keep the batches apart

    def _look_ahead(self) -> Kept:
        """A look-ahead D, after unrolled GANs (Metz et al. 2017): let D take ``unroll`` more updates
        on fresh batches, so G's loss is measured against the D that would answer its move. Returns
        what puts D and its optimiser back, in place, after G's backward pass. This is first-order:
        no gradient flows back through D's updates, which Metz et al.'s method differentiates
        through -- so it is a cheaper relative of their method, not the method itself."""
        kept = self._unroll_kept
        kept.capture((("D", self.D, self._d_tensors, self.opt_d),))
        for _ in range(self.unroll):
            real = self.data.sample(self.batch_size, generator=self.rng).to(self.device)
            with torch.no_grad():
                fake = self.G(self.G.sample_noise(self.batch_size, generator=self.rng))
            self.opt_d.zero_grad(set_to_none=True)
            self._d_loss(real, fake, *self._d_logits(real, fake)).backward()
            self.opt_d.step()
        self.opt_d.zero_grad(set_to_none=True)
        return kept

    def packed(self, x: torch.Tensor) -> torch.Tensor:
        """PacGAN: [B, C, ...] -> [B/m, m*C, ...], m = ``pack`` samples side by side per D input."""
        return settings_mod.packed(x, self.pack)

    _packed = packed                        # the old name, kept: lessons and recorders call it

    # ------------------------------------------------------------------ looking at the networks
    @without_grad
    def sample(self, n: int, z: torch.Tensor | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` generator samples [n, *shape] (no gradient, G in eval mode). Uses its own random
        stream, so drawing pictures never changes the course of training. Pass ``z`` [N, latent_dim]
        to choose the noise (then ``n`` is not used)."""
        if z is None:
            z = self.G.sample_noise(n, generator=generator or self._display_rng)
        else:
            z = settings_mod.as_batch("z", z, (self.G.latent_dim,), f"latent_dim={self.G.latent_dim}")
        with models_mod.eval_mode(self.G):
            return self.G(z.to(self.device)).cpu()

    @without_grad
    def d_prob(self, x) -> torch.Tensor:
        """sigmoid(D(x)) [N] for samples x [N, *shape]: D's probability that each is real (D in
        eval mode). With ``pack=m``, D judges a pack of m copies of each sample."""
        shape = tuple(self.data.shape)
        x = settings_mod.as_batch("x", x, shape, f"the data's samples have shape {shape}")
        if self.pack > 1:
            x = x.repeat_interleave(self.pack, dim=0)
        with models_mod.eval_mode(self.D):
            return torch.sigmoid(self.D(self.packed(x.to(self.device)))).cpu()

    @property
    def generator(self) -> torch.Generator:
        """The old name of :attr:`rng` (the random stream of training, not G!), kept as an alias."""
        return self.rng

    @generator.setter
    def generator(self, value: torch.Generator) -> None:
        self.rng = value

    def __repr__(self) -> str:
        return (f"<Trainer step={self.state.step} loss={self.loss.name} data={self.data.name} "
                f"G={type(self.G).__name__} D={type(self.D).__name__} device={self.device.type}>")


def _set_requires_grad(params: list[torch.Tensor], flag: bool) -> None:
    for p in params:
        p.requires_grad_(flag)
