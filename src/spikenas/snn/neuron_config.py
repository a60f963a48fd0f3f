"""How a model's spiking neurons are made: one small config shared by every architecture."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn

from spikenas.snn.neurons import IF, LIF, PLIF


@dataclass(frozen=True)
class NeuronConfig:
    """Neuron kind ("lif", "plif", "if") and its parameters; `make()` builds one neuron module."""

    kind: str = "lif"
    tau: float = 2.0
    threshold: float = 1.0
    reset: str = "hard"
    surrogate: str = "atan"
    detach_reset: bool = True
    backend: str = "auto"

    def make(self) -> nn.Module:
        common = dict(threshold=self.threshold, reset=self.reset, surrogate=self.surrogate,
                      detach_reset=self.detach_reset, backend=self.backend)
        if self.kind == "lif":
            return LIF(tau=self.tau, **common)
        if self.kind == "plif":
            return PLIF(init_tau=self.tau, **common)
        if self.kind == "if":
            return IF(**common)
        raise ValueError(f"neuron kind must be lif, plif or if, not {self.kind!r}")

    def to_dict(self) -> dict:
        return asdict(self)
