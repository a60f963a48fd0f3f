"""What a space can do, declared as protocols and checked when a search starts.

Space        every space: genotypes from dicts (and so JSON), networks from genotypes.
Sampleable   random and evolutionary strategies: sample, mutate and cross genotypes.
Encoded      NSGA-II (pymoo): genotypes as integer vectors within `bounds` (inclusive upper bounds, lower 0).
Relaxable    differentiable strategies: a supernet whose architecture weights derive a genotype.

A strategy names the protocols it needs; `require` refuses a space without them in one line.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
from torch import nn

from spikenas.errors import InputError


@runtime_checkable
class Genotype(Protocol):
    def to_dict(self) -> dict: ...
    def to_json(self) -> str: ...
    def hash(self) -> str: ...


@runtime_checkable
class Space(Protocol):
    name: str

    def genotype_from_dict(self, d: dict) -> Genotype: ...
    def genotype_from_json(self, text: str) -> Genotype: ...
    def build(self, genotype: Any, input_shape, num_classes: int, timesteps: int, channels: int | None = None,
              neuron=None, pool=None) -> nn.Module: ...


@runtime_checkable
class Sampleable(Protocol):
    def sample(self, rng: np.random.Generator) -> Genotype: ...
    def mutate(self, genotype: Any, rng: np.random.Generator) -> Genotype: ...
    def crossover(self, a: Any, b: Any, rng: np.random.Generator) -> Genotype: ...


@runtime_checkable
class Encoded(Protocol):
    bounds: np.ndarray

    def encode(self, genotype: Any) -> np.ndarray: ...
    def decode(self, vector) -> Genotype: ...


@runtime_checkable
class Relaxable(Protocol):
    def supernet(self, input_shape, num_classes: int, timesteps: int, **options) -> nn.Module: ...


def require(space, protocols, who: str) -> None:
    """InputError naming what `who` needs that `space` lacks."""
    for p in protocols:
        if not isinstance(space, p):
            raise InputError(f"{who} needs a space that is {p.__name__} ; "
                             f"the {space.name} space is not")
