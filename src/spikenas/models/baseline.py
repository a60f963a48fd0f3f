"""A small spiking VGG-style CNN, the network `spikenas train` uses when no genotype is given.

stem conv3x3 + BN (analog input; computed once under direct encoding) -> LIF
-> [conv3x3 + BN -> LIF] -> avg-pool 2 -> [conv3x3 (w -> 2w) + BN -> LIF] -> avg-pool 2
-> dropout -> linear -> classes, logits averaged over time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from spikenas.cells import DirectStem
from spikenas.limits import MAX_CHANNELS
from spikenas.options import Options, option
from spikenas.snn import SeqFold
from spikenas.snn.neuron_config import NeuronConfig


@dataclass
class BaselineOptions(Options):
    width: int = option(32, "baseline: channels of the first stage", low=1, high=MAX_CHANNELS)
    dropout: float = option(0.0, "dropout before the classifier: the baseline's, or a --genotype network's where "
                                 "its space has one", low=0, high=1, high_open=True,
                            shown="0 for the baseline; a genotype's space's own: SNASNet's 0.5, the paper's")


# the BaselineOptions a --genotype network takes too (where its space has the layer: train.run.build_model)
GENOTYPE_TAKES = ("dropout",)


def conv_bn(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out))


class SpikingVGG(nn.Module):
    """Input [B, C, H, W] (direct encoding: repeated T times after the stem) or [T, B, C, H, W]."""

    def __init__(self, in_shape: tuple[int, int, int], num_classes: int, timesteps: int,
                 width: int = 32, neuron: NeuronConfig | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        neuron = neuron or NeuronConfig()
        c, h, w = in_shape
        self.timesteps = timesteps
        self.stem = DirectStem(c, width, timesteps)
        self.features = nn.Sequential(
            neuron.make(),
            SeqFold(conv_bn(width, width)), neuron.make(), SeqFold(nn.AvgPool2d(2)),
            SeqFold(conv_bn(width, 2 * width)), neuron.make(), SeqFold(nn.AvgPool2d(2)),
        )
        self.head = SeqFold(nn.Flatten(), nn.Dropout(dropout),
                            nn.Linear(2 * width * (h // 4) * (w // 4), num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self.stem(x))).mean(0)
