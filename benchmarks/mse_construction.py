"""Why do MSE-NAS networks train worse than a plain spiking VGG of their size? The same genotypes trained under
variants of the network's construction, on one subset of the data, side by side:

    python benchmarks/mse_construction.py --payoff runs/same-budget-rsa/mse-knee-s0/payoff \
        --networks found,random1 --variants as-built,conv-reduce,unsigned --data-root DATA/fashion-mnist \
        [--train-samples 12000] [--test-samples 5000] [--held-out] [--epochs 1] [--timesteps 2] [--channels 16]

The genotypes come from a payoff's config.json (its `networks`); each is trained with that payoff's recipe
(optimizer, learning rate, weight decay, crop padding, batch) on the first `--train-samples` of a seeded
permutation of the training set and tested on the first `--test-samples` test images (with `--held-out`, on
the next `--test-samples` images of that permutation, which no network trains on: the split to choose a
design by): the same batches for every network and variant. Variants:

- `as-built`: the genotype as its payoff built it (the payoffs before 2026-12-04 late: the pooled readout).
- `conv-reduce`: a reducing cell reads its sources at the resolution before it and halves them with a learned
  transition, BN -> LIF -> conv3x3 stride 2 (channels doubled) -> BN, as SNASNet's skeleton and the MSE-NAS
  authors' code do, instead of an average pool and zero channels.
- `flat-readout`: the genotype with the flat readout (every position of the last cell's spikes, BN -> LIF ->
  flatten -> linear, as the baseline's and SNASNet's classifiers read theirs), instead of their global average.
- `unsigned`: every edge's sign dropped (no half-wave rectification of convolutions or identities).
- `shared-bn`: the batch norms of stepped cells keep one set of statistics, not one per timestep.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from subset_training import subset_arguments, subset_batches
from torch import nn

from spikenas.cells import total
from spikenas.cells.ops import EdgeOp
from spikenas.snn import fold
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.mse import network as mse_network
from spikenas.spaces.mse.network import MseNet
from spikenas.spaces.mse.space import MseSpace
from spikenas.train.config import TrainConfig
from spikenas.train.run import build_model
from spikenas.train.trainer import fit

VARIANTS = ("as-built", "flat-readout", "conv-reduce", "unsigned", "shared-bn")


class ConvReduceNet(MseNet):
    """MseNet whose reducing cells halve their input with a learned transition (module docstring)."""

    def __init__(self, genotype, in_shape, num_classes, timesteps, channels=None, neuron=None) -> None:
        super().__init__(genotype, in_shape, num_classes, timesteps, channels, neuron)
        neuron = neuron or NeuronConfig()
        self.transitions = nn.ModuleDict()
        for c in range(len(self.cells)):
            if self.levels[c + 1] > self.levels[c]:
                w = self.widths[c + 1] // 2
                self.transitions[str(c)] = nn.ModuleDict(
                    {"bn": nn.BatchNorm2d(w), "op": EdgeOp("conv", w, neuron, 3, stride=2, c_out=2 * w)})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [self.stem(x)]
        pooled: dict[tuple[int, int], torch.Tensor] = {}
        for c, cell in enumerate(self.cells):
            level = self.levels[c + 1]
            if str(c) in self.transitions:
                t = self.transitions[str(c)]
                x_in = total([self._at_level(outs, pooled, k, level - 1) for k in self.reads[c]])
                x_in = t["op"](fold(t["bn"], x_in))
            else:
                x_in = total([self._at_level(outs, pooled, k, level) for k in self.reads[c]])
            outs.append(cell(x_in))
        return self.classify(outs[-1])


def built(spec: dict, variant: str, in_shape, classes: int, timesteps: int) -> nn.Module:
    if variant == "conv-reduce":
        genotype = MseSpace().genotype_from_dict(spec["genotype"])
        return ConvReduceNet(genotype, in_shape, classes, timesteps, spec.get("channels"))
    if variant == "shared-bn":
        original = mse_network.GraphCell

        def shared(*a, **kw):
            return original(*a, **{**kw, "per_step_bn": False})

        mse_network.GraphCell = shared
        try:
            return build_model(spec, in_shape, classes, timesteps)
        finally:
            mse_network.GraphCell = original
    if variant == "flat-readout":
        spec = {**spec, "genotype": {**spec["genotype"], "readout": "flat"}}
    model = build_model(spec, in_shape, classes, timesteps)
    if variant == "unsigned":
        for m in model.modules():
            if isinstance(m, EdgeOp):
                m.sign = None
    return model


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--payoff", required=True, help="a payoff folder (its config.json)")
    p.add_argument("--networks", default="found", help="comma-separated names from the payoff (found, random1, ...)")
    p.add_argument("--variants", default=",".join(VARIANTS))
    subset_arguments(p, epochs=1, timesteps=2)
    p.add_argument("--out", default="runs/mse-construction")
    args = p.parse_args()
    config = json.loads((Path(args.payoff) / "config.json").read_text())
    t = config["train"]
    cfg = TrainConfig(epochs=args.epochs, optimizer=t["optimizer"], lr=t["lr"], weight_decay=t["weight_decay"],
                      timesteps=args.timesteps, crop_padding=t["crop_padding"], batch_size=t["batch_size"],
                      device="cpu")
    train, test, in_shape, classes = subset_batches(args, cfg)
    specs = {n["name"]: n["model"] for n in config["networks"]}
    split = "held-out" if args.held_out else "test"
    for name in args.networks.split(","):
        spec = {**specs[name], "channels": args.channels}
        for variant in args.variants.split(",") if spec.get("name") == "genotype" else ["as-built"]:
            torch.manual_seed(0)
            model = built(spec, variant, in_shape, classes, args.timesteps)
            run = Path(args.out) / f"{name}-{variant}"
            run.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            m = fit(model, train, test, cfg, run, resume=True, show_progress=False)
            h = m["history"][-1]
            print(f"{name:9s} {variant:12s} {m['parameters']:>9,} params  train {100 * h['train_accuracy']:.2f}%  "
                  f"{split} {100 * h['test_accuracy']:.2f}%  {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
