"""`spikenas.scores.rdm` against a direct, loop-by-loop transcription of its documented definition."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from spikenas.scores import RDMAccumulator, rdm


def direct_rdm(x: np.ndarray, dissimilarity: str) -> np.ndarray:
    B, N = x.shape
    D = np.zeros((B, B))
    for i in range(B):
        for j in range(B):
            if i == j:
                continue
            if dissimilarity == "hamming":
                D[i, j] = sum(x[i, k] != x[j, k] for k in range(N)) / N
            else:
                a, b = x[i] - x[i].mean(), x[j] - x[j].mean()
                va, vb = (a * a).mean(), (b * b).mean()
                if va == 0 or vb == 0:
                    D[i, j] = 0.0 if va == vb == 0 and x[i].mean() == x[j].mean() else 1.0
                else:
                    D[i, j] = 1 - (a * b).mean() / math.sqrt(va * vb)
    return D


def direct_score(layers, dissimilarity, reduction, labels=None):
    rdms = [direct_rdm(x, dissimilarity) for x in layers]
    B = layers[0].shape[0]
    if reduction == "rsa":
        cat = [float(labels[i] != labels[j]) for i in range(B) for j in range(i + 1, B)]
        total = 0.0
        for D in rdms:
            v = [round(D[i, j], 9) for i in range(B) for j in range(i + 1, B)]
            total += 0.0 if len(set(v)) == 1 else spearmanr(v, cat)[0]
        return total / len(rdms)
    D = sum(rdms) / len(rdms)
    if reduction == "mean":
        return sum(D[i, j] for i in range(B) for j in range(B) if i != j) / (B * (B - 1))
    if reduction == "nn":
        return sum(min(D[i, j] for j in range(B) if j != i) for i in range(B)) / B
    S = 1 - D + 1e-3 * np.eye(B)
    return float(np.linalg.slogdet(S)[1])


def random_layers(seed, B=12):
    rng = np.random.default_rng(seed)
    layers = [(rng.random((B, n)) < p).astype(np.float64) for n, p in ((40, 0.3), (25, 0.05), (60, 0.6))]
    layers[1][3] = 0  # a silent sample: constant pattern
    layers[1][7] = 0
    layers[2][5] = 1  # a saturated one
    return layers, rng.integers(0, 3, B)


@pytest.mark.parametrize("dissimilarity", ["hamming", "pearson"])
@pytest.mark.parametrize("reduction", ["mean", "nn", "logdet", "rsa"])
@pytest.mark.parametrize("seed", [0, 1])
def test_rdm_equals_the_direct_transcription(dissimilarity, reduction, seed):
    layers, labels = random_layers(seed)
    expect = direct_score(layers, dissimilarity, reduction, labels)
    got = rdm([torch.from_numpy(x) for x in layers], dissimilarity, reduction, torch.from_numpy(labels))
    assert got == pytest.approx(expect, rel=1e-9, abs=1e-12)


def test_timesteps_recorded_apart_concatenate():
    """A layer recorded step by step (as a cell with feedback runs) scores as if recorded as one sequence."""
    rng = np.random.default_rng(3)
    spikes = torch.from_numpy((rng.random((4, 10, 3, 5)) < 0.3).astype(np.float32))  # [T, B, C, N]
    for reduction in ("mean", "logdet"):
        whole, steps = RDMAccumulator("pearson", reduction), RDMAccumulator("pearson", reduction)
        whole.record("layer", spikes)
        for t in range(4):
            steps.record("layer", spikes[t:t + 1])
        flat = spikes.permute(1, 0, 2, 3).reshape(10, -1).double()
        assert whole.value() == pytest.approx(steps.value(), rel=1e-12)
        assert whole.value() == pytest.approx(rdm([flat], "pearson", reduction), rel=1e-12)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="dissimilarity"):
        RDMAccumulator("cosine")
    with pytest.raises(ValueError, match="labels"):
        RDMAccumulator("hamming", "rsa")
    with pytest.raises(ValueError, match="label-free reduction"):  # the default reads labels
        RDMAccumulator()
