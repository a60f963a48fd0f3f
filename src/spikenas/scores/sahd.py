"""Sparsity-aware Hamming distance (SAHD) score of SNASNet (Kim et al., ECCV 2022).

For one spike map x in {0,1}^(B x N) (a spiking layer at one timestep), with firing rates r = x.sum(1)/N
and Hamming distances d = x(1-x)^T + (1-x)x^T:
    K = N - 0.5 * d / (N * (r(1-r)^T + (1-r)r^T) + 1e-3)
K is averaged over every (layer, timestep) map; the score is log|det| of that mean, in float64.
Since d_ij = n_i + n_j - 2 (x x^T)_ij with n = x.sum(1), each map costs one matrix product; x x^T holds
integers below 2^24, exact in float32 (or bf16 inputs with float32 accumulation), and the rest is float64.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class SAHDKernel:
    """Accumulates the mean SAHD kernel over spike maps; also a spike-monitor sink for neurons."""

    def __init__(self, matmul_dtype: torch.dtype = torch.float32) -> None:
        self.matmul_dtype = matmul_dtype
        self.K: torch.Tensor | None = None
        self.maps = 0

    def add(self, spikes: torch.Tensor) -> None:
        """Add maps: spikes [M, B, ...] (M maps, e.g. timesteps, of B samples each)."""
        x = spikes.detach().flatten(2).to(self.matmul_dtype)
        N = x.shape[-1]
        gram = torch.bmm(x, x.transpose(1, 2)).double()  # [M, B, B]
        n = x.sum(-1, dtype=torch.float64)  # [M, B]
        r = n / N
        d = n.unsqueeze(2) + n.unsqueeze(1) - 2 * gram
        norm = N * (r.unsqueeze(2) * (1 - r).unsqueeze(1) + (1 - r).unsqueeze(2) * r.unsqueeze(1)) + 1e-3
        k = (N - 0.5 * d / norm).sum(0)
        self.K = k if self.K is None else self.K + k
        self.maps += x.shape[0]

    def record(self, neuron, spikes: torch.Tensor) -> None:  # spike-monitor protocol
        self.add(spikes)

    def logdet(self) -> float:
        if self.K is None:
            raise ValueError("no spike maps recorded: the network has no spiking layer")
        return float(torch.linalg.slogdet(self.K / self.maps)[1])

    value = logdet  # the score-kernel protocol


def sahd(maps: Iterable[torch.Tensor]) -> float:
    """SAHD score of a list of [B, N] 0/1 spike maps."""
    acc = SAHDKernel()
    for m in maps:
        acc.add(m.reshape(1, m.shape[0], -1))
    return acc.logdet()
