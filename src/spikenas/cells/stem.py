"""The analog input layer every network shares: conv3x3 + BN. Under direct encoding an image [B, C, H, W]
goes through it once and is repeated T times; an event sequence [T, B, C, H, W] goes through with time
folded into the batch. On the CPU the input is made contiguous first: a channels-last input changes
train-mode BN in the last bits, enough to flip spikes, and a result must not depend on a layout."""

from __future__ import annotations

import torch
from torch import nn

from spikenas.snn import fold, repeat_time
from spikenas.snn.batchnorm_over import conv_bn


class DirectStem(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, timesteps: int) -> None:
        super().__init__(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out))
        self.timesteps = timesteps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type == "cpu":
            x = x.contiguous()

        def stem(z: torch.Tensor) -> torch.Tensor:  # conv + BN, the BN written over the conv's output where it can
            return conv_bn(self[0], self[1], z)

        if x.dim() == 4:
            return repeat_time(stem(x), self.timesteps)
        return fold(stem, x)
