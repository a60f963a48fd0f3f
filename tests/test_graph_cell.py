"""A node's sum of its inputs: without a gradient it is added into one output rather than stacked and
summed, and gives the same bits in the same layout."""

import pytest
import torch

from spikenas.cells.graph_cell import stacked_sum, total


def _inputs(count: int, seed: int) -> list[torch.Tensor]:
    """Inputs of mixed layouts and magnitudes: channels-last ones every other, as convolutions give."""
    gen = torch.Generator().manual_seed(seed)
    values = []
    for i in range(count):
        v = torch.randn(3, 4, 8, 6, 6, generator=gen) * 10.0 ** (i - 1)
        if (seed + i) % 2:
            v = v.permute(0, 1, 3, 4, 2).contiguous().permute(0, 1, 4, 2, 3)
        values.append(v)
    return values


@pytest.mark.parametrize("count", [2, 3, 4])
def test_the_sum_without_a_gradient_is_the_stacked_sum_bit_for_bit(count):
    for seed in range(6):
        values = _inputs(count, seed)
        ref = torch.stack(values).sum(0)
        with torch.no_grad():
            fast = stacked_sum([v.requires_grad_() for v in values])
        assert fast.grad_fn is None
        assert torch.equal(fast, ref) and fast.stride() == ref.stride()
        if count > 2:
            with torch.no_grad():
                assert torch.equal(total(values), ref)


def test_a_gradient_still_flows_through_the_stacked_sum():
    values = [v.requires_grad_() for v in _inputs(3, 1)]
    out = stacked_sum(values)
    (out * torch.arange(out.numel()).view(out.shape)).sum().backward()
    for v in values:
        assert torch.equal(v.grad, torch.arange(out.numel(), dtype=v.dtype).view(out.shape))
