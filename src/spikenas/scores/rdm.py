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
  rsa:    (the default) label-aware: the mean over layers of the Spearman rank correlation between the
          layer's RDM and the category RDM (0 for two samples of the same class, 1 otherwise), over pairs
          i < j, with values equal to 9 decimals ranked as ties; a layer whose RDM is constant counts 0.
Every layer costs one matrix product per call: D follows from G = x x^T and the spike counts n = x.sum(1)
(d_ij = n_i + n_j - 2 G_ij; the Pearson moments are G/N and n/N), accumulated in float64.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from spikenas.snn.monitor import count_ones_per_row

DISSIMILARITIES = ("hamming", "pearson")
REDUCTIONS = ("mean", "nn", "logdet", "rsa")
# the default variant: the one whose ranking of candidates agreed best with their trained accuracy (43
# MSE-NAS networks trained on Fashion-MNIST, at four widths, batches and lengths: benchmarks/proxy_variants.py;
# on digits too, benchmarks/rdm_proxy.py; figures in docs/benchmarks.md). It reads the batch's labels;
# LABEL_FREE are the reductions that do not.
DEFAULT_DISSIMILARITY = "hamming"
DEFAULT_REDUCTION = "rsa"
LABEL_FREE = ("mean", "nn", "logdet")
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


def _rdms(n: torch.Tensor, G: torch.Tensor, N: torch.Tensor, dissimilarity: str) -> torch.Tensor:
    """Every layer's RDM at once: n [L, B] spike counts, G [L, B, B] = x x^T, N [L] pattern lengths."""
    N = N.view(-1, 1, 1)
    if dissimilarity == "hamming":
        return (n.unsqueeze(2) + n.unsqueeze(1) - 2 * G) / N
    m = n.unsqueeze(2) / N  # [L, B, 1]
    cov = G / N - m * m.transpose(1, 2)
    var = cov.diagonal(dim1=1, dim2=2).clamp_min(0)  # [L, B]
    const = var <= EPS
    D = 1 - cov / torch.sqrt(var.unsqueeze(2) * var.unsqueeze(1)).clamp_min(EPS)
    same = (m - m.transpose(1, 2)).abs() <= EPS
    either = const.unsqueeze(2) | const.unsqueeze(1)
    both = const.unsqueeze(2) & const.unsqueeze(1)
    D = torch.where(either, torch.where(both & same, 0.0, 1.0).double(), D)
    D.diagonal(dim1=1, dim2=2).zero_()
    return D


class RDMAccumulator:
    """Accumulates each spiking layer's RDM statistics; also a spike-monitor sink (one entry per neuron).

    Scoring calls `add` once per spiking layer per batch, so it costs three kernels (the patterns' copy, the
    product, the counts) and `value` a handful for all layers together."""

    def __init__(self, dissimilarity: str = DEFAULT_DISSIMILARITY, reduction: str = DEFAULT_REDUCTION,
                 labels: torch.Tensor | None = None, matmul_dtype: torch.dtype = torch.float32) -> None:
        if dissimilarity not in DISSIMILARITIES:
            raise ValueError(f"RDM dissimilarity must be one of {', '.join(DISSIMILARITIES)}, not {dissimilarity!r}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"RDM reduction must be one of {', '.join(REDUCTIONS)}, not {reduction!r}")
        if reduction == "rsa" and labels is None:
            raise ValueError(f"the rsa reduction (RDM's default) compares the spikes with the batch's classes: "
                             f"give the batch's labels, or choose a label-free reduction ({', '.join(LABEL_FREE)})")
        self.dissimilarity, self.reduction, self.labels = dissimilarity, reduction, labels
        self.matmul_dtype = matmul_dtype
        self.G: dict = {}  # layer -> x x^T summed over its calls, float64 [B, B]
        self.n: dict = {}  # layer -> spike count per sample, float64 [B]
        self.N: dict = {}  # layer -> pattern length so far

    def add(self, key, spikes: torch.Tensor) -> None:
        """Spikes of one layer: [M, B, ...] (M timesteps); successive calls with the same key concatenate."""
        if spikes.requires_grad:
            spikes = spikes.detach()
        x = spikes.transpose(0, 1).reshape(spikes.shape[1], -1).to(self.matmul_dtype)  # [B, M*N]
        G, n = (x @ x.T).double(), count_ones_per_row(x)
        if key in self.G:
            G, n = self.G[key] + G, self.n[key] + n
        self.G[key], self.n[key] = G, n
        self.N[key] = self.N.get(key, 0) + x.shape[1]

    def record(self, neuron, spikes: torch.Tensor) -> None:  # spike-monitor protocol
        self.add(id(neuron), spikes)

    def value(self) -> float:
        if not self.G:
            raise ValueError("no spike maps recorded: the network has no spiking layer")
        G, n = torch.stack(list(self.G.values())), torch.stack(list(self.n.values()))
        N = torch.tensor(list(self.N.values()), dtype=torch.float64, device=G.device)
        rdms = _rdms(n, G, N, self.dissimilarity)  # [L, B, B]
        B = rdms.shape[1]
        if self.reduction == "rsa":
            y = self.labels.to(rdms.device)
            iu = torch.triu_indices(B, B, 1, device=rdms.device)
            category = (y.unsqueeze(1) != y.unsqueeze(0)).double()[iu[0], iu[1]]
            pairs = rdms[:, iu[0], iu[1]]
            return sum(spearman(D, category) for D in pairs) / len(pairs)
        D = rdms.mean(0)
        off = ~torch.eye(B, dtype=torch.bool, device=D.device)
        if self.reduction == "mean":
            return float(D[off].mean())
        if self.reduction == "nn":
            return float(D.masked_fill(~off, float("inf")).min(1).values.mean())
        S = 1 - D + 1e-3 * torch.eye(B, dtype=D.dtype, device=D.device)
        return float(torch.linalg.slogdet(S)[1])


def rdm(maps: Iterable[torch.Tensor], dissimilarity: str = DEFAULT_DISSIMILARITY, reduction: str = DEFAULT_REDUCTION,
        labels: torch.Tensor | None = None) -> float:
    """RDM score of a list of per-layer spike patterns, each [B, N] of 0/1 (a layer's timesteps concatenated)."""
    acc = RDMAccumulator(dissimilarity, reduction, labels, matmul_dtype=torch.float64)
    for i, m in enumerate(maps):
        acc.add(i, m.reshape(m.shape[0], -1).unsqueeze(0))
    return acc.value()
