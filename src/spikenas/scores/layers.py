"""Which spiking layers a score reads: every one, or the network's last cell's.

A network may name the neurons of its last cell (`last_cell_neurons()`: MSE-NAS's networks give the deepest
cell that has any); one that does not (SNASNet's, DARTS's, the baseline VGG) is read at every layer either
way. RDM's `rdm_layers` chooses; `last-cell` is its default because RSA over the last cell ranked 43 MSE-NAS
networks by their trained accuracy better than RSA over every layer, with either readout and against either
training seed (docs/mse.md, "The fitness")."""

from __future__ import annotations

from torch import nn

LAYERS = ("last-cell", "all")
DEFAULT_LAYERS = "last-cell"


def neurons_read(model: nn.Module, layers: str) -> frozenset[int] | None:
    """The ids of the neuron modules a score set to `layers` reads in `model`; None: every spiking layer."""
    if layers not in LAYERS:
        raise ValueError(f"layers must be one of {', '.join(LAYERS)}, not {layers!r}")
    named = getattr(model, "last_cell_neurons", None)
    if layers == "all" or named is None:
        return None
    return frozenset(id(m) for m in named())
