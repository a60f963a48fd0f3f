"""The early-loss score: how far a few steps of training take the network. Unlike the spike scores it trains:
the candidate's scoring samples are cut into mini-batches, the first is held out, and AdamW steps on the
others in turn (again from the second when they run out); the score is the held mini-batch's cross-entropy
after the last step, negated (higher is better), with the network in train mode (batch statistics).

It measures what the spike scores cannot see, how readily the network learns: on two sets of 40 trained
MSE-NAS networks it ranked their accuracy after one short epoch better than every training-free score (Kendall
tau +0.70 and +0.54 against RDM's +0.37 and +0.36; docs/benchmarks.md, "A score that trains"), at the cost of
`early_steps` training steps per candidate."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from spikenas.devices import autocast_for
from spikenas.errors import InputError
from spikenas.options import Options, option


@dataclass
class EarlyLossOptions(Options):
    early_steps: int = option(16, "early-loss: training steps before the held mini-batch is read", low=1,
                              high=100_000)
    early_batch: int = option(64, "early-loss: samples per mini-batch (the first held out)", low=1, high=65_536)
    early_lr: float = option(2e-3, "early-loss: AdamW learning rate", low=0.0, high=10.0)
    early_weight_decay: float = option(0.01, "early-loss: AdamW weight decay", low=0.0, high=10.0)


def check_draw(options: EarlyLossOptions, batch_size: int, repeats: int) -> None:
    """A search's scoring draw (`repeats` batches of `batch_size`, each cut on its own as `mini_batches` cuts
    it) must give a held and a training mini-batch."""
    pieces = batch_size // options.early_batch * repeats
    if pieces < 2:
        raise InputError(f"the early-loss score needs two mini-batches of --early-batch {options.early_batch} "
                         f"(one held out, one to step on); --repeats {repeats} batches of --batch-size "
                         f"{batch_size} give {pieces}")


def mini_batches(batches: list[torch.Tensor], labels: list[torch.Tensor], size: int
                 ) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The scoring batches, in order, cut into mini-batches of `size` (a shorter last piece dropped). Static
    batches are [B, ...]; event batches [T, B, ...]."""
    out = []
    for x, y in zip(batches, labels, strict=True):
        dim = 1 if x.dim() == 5 else 0
        for start in range(0, len(y) - size + 1, size):
            out.append((x.narrow(dim, start, size), y[start:start + size]))
    return out


def early_loss(model: nn.Module, batches: list[torch.Tensor], labels: list[torch.Tensor],
               options: EarlyLossOptions, precision: str = "fp32") -> float:
    """The score of `model` (trained in place: score it last)."""
    pieces = mini_batches(batches, labels, options.early_batch)
    if len(pieces) < 2:
        raise ValueError(f"the early-loss score needs two mini-batches of {options.early_batch}; "
                         f"the scoring batches give {len(pieces)}")
    (held_x, held_y), train = pieces[0], pieces[1:]
    bf16 = precision == "bf16"
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=options.early_lr,
                            weight_decay=options.early_weight_decay)
    for step in range(options.early_steps):
        x, y = train[step % len(train)]
        with autocast_for(x.device, bf16, cpu=bf16):
            out = model(x).float()
        loss = F.cross_entropy(out, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad(), autocast_for(held_x.device, bf16, cpu=bf16):
        held = F.cross_entropy(model(held_x).float(), held_y)
    return -held.item()
