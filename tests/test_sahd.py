"""`sahd` against a direct transcription of the formula of the issue (and of SNASNet's code)."""

import numpy as np
import pytest
import torch

from spikenas.scores import SAHDAccumulator, sahd


def transcription(maps):
    total = None
    for x in maps:
        x = x.double()
        B, N = x.shape
        r = (x.sum(1) / N).unsqueeze(1)
        d = x @ (1 - x).T + (1 - x) @ x.T
        K = N - 0.5 * d / (N * (r @ (1 - r).T + (1 - r) @ r.T) + 1e-3)
        total = K if total is None else total + K
    return np.linalg.slogdet((total / len(maps)).numpy())[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sahd_equals_transcription(seed):
    g = torch.Generator().manual_seed(seed)
    maps = [(torch.rand(16, n, generator=g) < p).float() for n, p in ((50, 0.1), (200, 0.4), (7, 0.5), (300, 0.02))]
    assert sahd(maps) == pytest.approx(transcription(maps), rel=1e-10, abs=1e-9)


def test_batched_accumulation_equals_per_map():
    g = torch.Generator().manual_seed(5)
    s = (torch.rand(4, 12, 3, 5, 5, generator=g) < 0.3).float()  # [T, B, C, H, W] from one layer
    acc = SAHDAccumulator()
    acc.add(s)
    assert acc.maps == 4
    assert acc.logdet() == pytest.approx(sahd([s[t].reshape(12, -1) for t in range(4)]), rel=1e-12)


def test_identical_patterns_score_lower_than_distinct_ones():
    g = torch.Generator().manual_seed(0)
    distinct = (torch.rand(8, 400, generator=g) < 0.3).float()
    same = distinct[:1].expand(8, 400).clone()
    same[:, :8] = torch.eye(8)  # almost the same pattern for every sample
    assert sahd([distinct]) > sahd([same])


def test_calls_of_different_map_counts_accumulate_as_one():
    """Layers recorded whole ([T, B, ...]) and step by step ([1, B, ...]) mixed in one kernel."""
    g = torch.Generator().manual_seed(6)
    whole = (torch.rand(3, 10, 2, 4, 4, generator=g) < 0.3).float()
    steps = (torch.rand(3, 10, 5, generator=g) < 0.6).float()
    acc = SAHDAccumulator()
    acc.add(whole)
    for t in range(3):
        acc.add(steps[t:t + 1])
    assert acc.maps == 6
    maps = [whole[t].reshape(10, -1) for t in range(3)] + [steps[t] for t in range(3)]
    assert acc.logdet() == pytest.approx(transcription(maps), rel=1e-10, abs=1e-9)
