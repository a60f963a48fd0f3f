"""An MSE-NAS genotype: the genome vector with its layout, which decodes to the network's cells, and the
network's readout.

`readout`: how the classifier reads the last cell's spikes: "flat", a linear layer over every channel at every
position (as the baseline's and SNASNet's classifiers do), or "pool", a linear layer over their global
average (the first releases' only readout, and so the default of a genotype that does not name one: left out
of the JSON and the hash, so every genotype written before the choice keeps its network and its identity).
A search writes its space's `--readout`, "flat" by default (docs/mse.md: the measurement behind it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from spikenas.spaces.genotype import stable_hash
from spikenas.spaces.mse.genome import CellSpec, InvalidGenome, Layout, decode, structure_dict

READOUTS = ("flat", "pool")
LEGACY_READOUT = "pool"


@dataclass(frozen=True)
class MseGenotype:
    cells: int
    motifs: int
    genome: tuple[int, ...]
    readout: str = LEGACY_READOUT

    def __post_init__(self) -> None:
        if self.readout not in READOUTS:
            raise InvalidGenome(f"'readout' must be {' or '.join(READOUTS)}, not {self.readout!r}")
        self.structure  # decode now: an invalid genome never becomes a genotype  # noqa: B018

    @property
    def layout(self) -> Layout:
        return Layout(self.cells, self.motifs)

    @cached_property
    def structure(self) -> tuple[CellSpec, ...]:
        return decode(self.layout, self.genome)

    def _readout(self) -> dict:
        return {} if self.readout == LEGACY_READOUT else {"readout": self.readout}

    def to_dict(self) -> dict:
        return {"space": "mse", "cells": self.cells, "motifs": self.motifs, "genome": list(self.genome),
                **self._readout(), "structure": structure_dict(self.structure)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def hash(self) -> str:
        """Of the decoded network, not the genome: genomes that differ only in unused genes are duplicates."""
        return stable_hash({"space": "mse", **self._readout(), "structure": structure_dict(self.structure)})

    def code(self) -> str:
        """A one-line summary: per cell, its reads, 'r' if it reduces, and its motifs; then 'flat' for the
        flat readout."""
        parts = []
        for c, cell in enumerate(self.structure):
            reads = ",".join("s" if k == 0 else str(k - 1) for k in cell.reads)
            motifs = "+".join(m.template for m in cell.motifs)
            parts.append(f"c{c}[{reads}]{'r' if cell.reduce else ''}:{motifs}")
        return " ".join(parts + ([self.readout] if self.readout != LEGACY_READOUT else []))
