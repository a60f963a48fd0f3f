"""Attention over a cell's output, at the membrane level: it rescales the currents a cell passes on, before
the next cell's neurons turn them into spikes, so every spike stays binary (MA-DARTS's multi-dimensional
attention). Each module takes and returns [T, B, C, H, W].

  eca       channel attention (ECA-Net): per sample and step, each channel's weight is a sigmoid of a 1-D
            convolution (kernel k from C, as ECA) over the channels' spatial means. Parameters: k.
  cbam      channel then spatial attention (CBAM): channel weights from a shared two-layer MLP (reduction 16)
            over the spatial mean and max; spatial weights from a 7x7 convolution over the channel mean and
            max. Parameters: 2 C^2/16 + 98.
  temporal  a weight per timestep per sample: the step's mean over channels and space, for all T steps of a
            sample, through a two-layer MLP (T -> max(T/2, 1) -> T) and a sigmoid. Parameters: about T^2.

MACs per sample (T steps): eca about T C k, cbam about T (4 C^2/16 + 98 H W), temporal about T^2: small
beside the cell's convolutions (docs/darts.md gives figures).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ECA(nn.Module):
    def __init__(self, channels: int, gamma: int = 2, b: int = 1) -> None:
        super().__init__()
        t = int(abs((math.log2(channels) + b) / gamma))
        k = t if t % 2 else t + 1
        self.conv = nn.Conv1d(1, 1, k, padding=k // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T, B, C = x.shape[:3]
        y = x.mean((-2, -1)).reshape(T * B, 1, C)
        w = torch.sigmoid(self.conv(y)).reshape(T, B, C, 1, 1)
        return x * w


class CBAM(nn.Module):
    def __init__(self, channels: int, reduction: int = 16, kernel: int = 7) -> None:
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.mlp = nn.Sequential(nn.Linear(channels, hidden, bias=False), nn.ReLU(),
                                 nn.Linear(hidden, channels, bias=False))
        self.spatial = nn.Conv2d(2, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T, B, C, H, W = x.shape
        z = x.reshape(T * B, C, H, W)
        w = torch.sigmoid(self.mlp(z.mean((-2, -1))) + self.mlp(z.amax((-2, -1))))
        z = z * w.view(T * B, C, 1, 1)
        s = torch.sigmoid(self.spatial(torch.cat([z.mean(1, keepdim=True), z.amax(1, keepdim=True)], 1)))
        return (z * s).reshape(T, B, C, H, W)


class TemporalAttention(nn.Module):
    """Weights [T, B] (one per step per sample), from the sample's per-step means."""

    def __init__(self, timesteps: int) -> None:
        super().__init__()
        hidden = max(timesteps // 2, 1)
        self.timesteps = timesteps
        self.fc1, self.fc2 = nn.Linear(timesteps, hidden), nn.Linear(hidden, timesteps)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] != self.timesteps:
            raise ValueError(f"temporal attention was built for {self.timesteps} steps, not {x.shape[0]}")
        y = x.mean((2, 3, 4)).transpose(0, 1)  # [B, T]
        return torch.sigmoid(self.fc2(F.relu(self.fc1(y)))).transpose(0, 1)  # [T, B]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weights(x)[:, :, None, None, None]


ATTENTIONS = ("eca", "cbam", "temporal")


def make_attention(names, channels: int, timesteps: int) -> nn.Module:
    """The named attentions applied in the order eca, cbam, temporal (any subset; none: identity)."""
    unknown = [n for n in names if n not in ATTENTIONS]
    if unknown:
        raise ValueError(f"unknown attention {unknown[0]!r}; known: {', '.join(ATTENTIONS)}")
    parts = []
    if "eca" in names:
        parts.append(ECA(channels))
    if "cbam" in names:
        parts.append(CBAM(channels))
    if "temporal" in names:
        parts.append(TemporalAttention(timesteps))
    return nn.Sequential(*parts) if parts else nn.Identity()
