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

from spikenas.snn.monitor import count_ones_per_row


def _kernels(gram: torch.Tensor, n: torch.Tensor, N: torch.Tensor) -> torch.Tensor:
    """K summed over maps for each record: gram [R, M, B, B] float64, n [R, M, B] float64, N [R] -> [R, B, B]."""
    N = N.view(-1, 1, 1, 1)
    r = n / N.view(-1, 1, 1)
    d = n.unsqueeze(3) + n.unsqueeze(2) - 2 * gram
    norm = N * (r.unsqueeze(3) * (1 - r).unsqueeze(2) + (1 - r).unsqueeze(3) * r.unsqueeze(2)) + 1e-3
    return (N - 0.5 * d / norm).sum(1)


class SAHDAccumulator:
    """Accumulates the mean SAHD kernel over spike maps; also a spike-monitor sink for neurons.

    `add` only takes each call's products and counts (three kernels); `logdet` turns every call's maps into
    kernels at once, in a few ops for all layers instead of some twenty per layer."""

    def __init__(self, matmul_dtype: torch.dtype = torch.float32) -> None:
        self.matmul_dtype = matmul_dtype
        self.records: list[tuple[torch.Tensor, torch.Tensor, int]] = []  # (gram [M, B, B], n [M, B], N)
        self.maps = 0

    def add(self, spikes: torch.Tensor) -> None:
        """Add maps: spikes [M, B, ...] (M maps, e.g. timesteps, of B samples each)."""
        if spikes.requires_grad:
            spikes = spikes.detach()
        x = spikes.flatten(2).to(self.matmul_dtype)
        self.records.append((torch.bmm(x, x.transpose(1, 2)), count_ones_per_row(x), x.shape[-1]))
        self.maps += x.shape[0]

    def record(self, neuron, spikes: torch.Tensor) -> None:  # spike-monitor protocol
        self.add(spikes)

    def kernel(self) -> torch.Tensor:
        """The mean kernel over every map added, float64 [B, B]."""
        if not self.records:
            raise ValueError("no spike maps recorded: the network has no spiking layer")
        if len({g.shape[0] for g, _, _ in self.records}) == 1:  # one stack for all calls (the usual case)
            groups = [self.records]
        else:
            groups = [[rec] for rec in self.records]
        K = None
        for group in groups:
            gram = torch.stack([g for g, _, _ in group]).double()
            n = torch.stack([c for _, c, _ in group])
            N = torch.tensor([m for _, _, m in group], dtype=torch.float64, device=gram.device)
            k = _kernels(gram, n, N).sum(0)
            K = k if K is None else K + k
        return K / self.maps

    def logdet(self) -> float:
        return float(torch.linalg.slogdet(self.kernel())[1])

    value = logdet  # the score-kernel protocol


def sahd(maps: Iterable[torch.Tensor]) -> float:
    """SAHD score of a list of [B, N] 0/1 spike maps."""
    acc = SAHDAccumulator()
    for m in maps:
        acc.add(m.reshape(1, m.shape[0], -1))
    return acc.logdet()
