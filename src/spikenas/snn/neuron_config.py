"""How a model's spiking neurons are made: one small config shared by every architecture."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn

from spikenas.options import check_fields, option
from spikenas.snn.neurons import BACKENDS, IF, LIF, PLIF
from spikenas.snn.surrogate import DEFAULT_ALPHA


@dataclass(frozen=True)
class NeuronConfig:
    """Neuron kind ("lif", "plif", "if") and its parameters; `make()` builds one neuron module."""

    kind: str = option("lif", "neuron model", choices=("lif", "plif", "if"), flag="--neuron")
    tau: float = option(2.0, "membrane time constant (plif: its initial value)", low=1, high=1e4)
    threshold: float = option(1.0, "firing threshold", low=0, low_open=True, high=1e4)
    reset: str = option("hard", "reset after a spike: to zero (hard) or by the threshold (soft)",
                        choices=("hard", "soft"))
    surrogate: str = option("atan", "surrogate gradient of the spike", choices=tuple(DEFAULT_ALPHA))
    detach_reset: bool = True
    backend: str = option("auto", "LIF kernel: auto (Triton on CUDA; elsewhere compiled where a C++ "
                                  "compiler is found, else sequence when training), compiled (torch.compile's "
                                  "CPU code for the whole sequence), sequence (one autograd node of torch "
                                  "operations), torch (the step-by-step reference), or triton (CUDA only)",
                          choices=BACKENDS, flag="--lif-backend")

    def __post_init__(self) -> None:
        check_fields(self)

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
