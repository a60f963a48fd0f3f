"""Representational dissimilarity (RDM) scores of a network at initialisation (the MSE-NAS fitness).

A spiking layer's pattern for sample i is x_i in {0,1}^N: its spikes at every timestep, concatenated.
From the B patterns of a batch, the layer's B x B representational dissimilarity matrix (RDM) is
  hamming: D_ij = (number of positions where x_i and x_j differ) / N
  pearson: D_ij = 1 - corr(x_i, x_j), corr the Pearson correlation over the N positions; when a pattern is
           constant (a silent layer) D_ij is 0 if x_j is the same constant and 1 otherwise.
The network's RDM D is the mean of its layers' RDMs; the score (higher is better) reduces it:
  mean:   the mean of D_ij over pairs i != j (how far apart different inputs are, on average);
  nn:     the mean over i of min_{j != i} D_ij (how far each input is from its nearest other input);
  logdet: log det(S + 1e-3 I) with S = 1 - D, a similarity matrix that is positive semi-definite for both
          dissimilarities (near-identical patterns make it near-singular, so the score falls);
  rsa:    label-aware: the mean over layers of the Spearman rank correlation between the layer's RDM and the
          category RDM (0 for two samples of the same class, 1 otherwise), over pairs i < j, with values
          equal to 9 decimals ranked as ties; a layer whose RDM is constant counts 0.
Every layer costs one matrix product per call: D follows from G = x x^T and the spike counts n = x.sum(1)
(d_ij = n_i + n_j - 2 G_ij; the Pearson moments are G/N and n/N), accumulated in float64.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

DISSIMILARITIES = ("hamming", "pearson")
REDUCTIONS = ("mean", "nn", "logdet", "rsa")
# the default variant: the one whose ranking of candidates agreed best with their trained accuracy in the
# proxy-quality benchmark (benchmarks/rdm_proxy.py, figures in docs/benchmarks.md)
DEFAULT_DISSIMILARITY = "hamming"
DEFAULT_REDUCTION = "mean"
EPS = 1e-12


def _ranks(v: torch.Tensor) -> torch.Tensor:
    """Ranks 1..n of a 1-D tensor, ties given their average rank (as scipy.stats.rankdata)."""
    values, inverse, counts = torch.unique(v, sorted=True, return_inverse=True, return_counts=True)
    ends = torch.cumsum(counts, 0).double()
    average = ends - (counts.double() - 1) / 2
    return average[inverse]


def spearman(a: torch.Tensor, b: torch.Tensor) -> float:
    """Spearman's rank correlation; values equal to 9 decimals tie (rounding noise must not order them)."""
    a, b = torch.round(a.double(), decimals=9), torch.round(b.double(), decimals=9)
    ra, rb = _ranks(a) - (a.numel() + 1) / 2, _ranks(b) - (b.numel() + 1) / 2
    denom = float(torch.sqrt((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum()) / denom if denom > 0 else 0.0


class _Layer:
    def __init__(self, B: int, device) -> None:
        self.G = torch.zeros(B, B, dtype=torch.float64, device=device)
        self.n = torch.zeros(B, dtype=torch.float64, device=device)
        self.N = 0

    def rdm(self, dissimilarity: str) -> torch.Tensor:
        N, n, G = self.N, self.n, self.G
        if dissimilarity == "hamming":
            return (n.unsqueeze(1) + n.unsqueeze(0) - 2 * G) / N
        m = n / N
        cov = G / N - m.unsqueeze(1) * m.unsqueeze(0)
        var = cov.diagonal().clamp_min(0)
        const = var <= EPS
        D = 1 - cov / torch.sqrt(var.unsqueeze(1) * var.unsqueeze(0)).clamp_min(EPS)
        same = (m.unsqueeze(1) - m.unsqueeze(0)).abs() <= EPS
        either = const.unsqueeze(1) | const.unsqueeze(0)
        both = const.unsqueeze(1) & const.unsqueeze(0)
        D = torch.where(either, torch.where(both & same, 0.0, 1.0).double(), D)
        return D.fill_diagonal_(0)


class RDMKernel:
    """Accumulates each spiking layer's RDM statistics; also a spike-monitor sink (one entry per neuron)."""

    def __init__(self, dissimilarity: str = "hamming", reduction: str = "mean", labels: torch.Tensor | None = None,
                 matmul_dtype: torch.dtype = torch.float32) -> None:
        if dissimilarity not in DISSIMILARITIES:
            raise ValueError(f"RDM dissimilarity must be one of {', '.join(DISSIMILARITIES)}, not {dissimilarity!r}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"RDM reduction must be one of {', '.join(REDUCTIONS)}, not {reduction!r}")
        if reduction == "rsa" and labels is None:
            raise ValueError("the rsa reduction needs the batch's labels")
        self.dissimilarity, self.reduction, self.labels = dissimilarity, reduction, labels
        self.matmul_dtype = matmul_dtype
        self.layers: dict[int, _Layer] = {}

    def add(self, key, spikes: torch.Tensor) -> None:
        """Spikes of one layer: [M, B, ...] (M timesteps); successive calls with the same key concatenate."""
        x = spikes.detach().transpose(0, 1).reshape(spikes.shape[1], -1).to(self.matmul_dtype)  # [B, M*N]
        layer = self.layers.get(key)
        if layer is None:
            layer = self.layers[key] = _Layer(x.shape[0], x.device)
        layer.G += (x @ x.T).double()
        layer.n += x.sum(1, dtype=torch.float64)
        layer.N += x.shape[1]

    def record(self, neuron, spikes: torch.Tensor) -> None:  # spike-monitor protocol
        self.add(id(neuron), spikes)

    def value(self) -> float:
        if not self.layers:
            raise ValueError("no spike maps recorded: the network has no spiking layer")
        rdms = [layer.rdm(self.dissimilarity) for layer in self.layers.values()]
        B = rdms[0].shape[0]
        off = ~torch.eye(B, dtype=torch.bool, device=rdms[0].device)
        if self.reduction == "rsa":
            y = self.labels.to(rdms[0].device)
            iu = torch.triu_indices(B, B, 1, device=rdms[0].device)
            category = (y.unsqueeze(1) != y.unsqueeze(0)).double()[iu[0], iu[1]]
            return sum(spearman(D[iu[0], iu[1]], category) for D in rdms) / len(rdms)
        D = torch.stack(rdms).mean(0)
        if self.reduction == "mean":
            return float(D[off].mean())
        if self.reduction == "nn":
            return float(D.masked_fill(~off, float("inf")).min(1).values.mean())
        S = 1 - D + 1e-3 * torch.eye(B, dtype=D.dtype, device=D.device)
        return float(torch.linalg.slogdet(S)[1])


def rdm(maps: Iterable[torch.Tensor], dissimilarity: str = "hamming", reduction: str = "mean",
        labels: torch.Tensor | None = None) -> float:
    """RDM score of a list of per-layer spike patterns, each [B, N] of 0/1 (a layer's timesteps concatenated)."""
    acc = RDMKernel(dissimilarity, reduction, labels, matmul_dtype=torch.float64)
    for i, m in enumerate(maps):
        acc.add(i, m.reshape(m.shape[0], -1).unsqueeze(0))
    return acc.value()
