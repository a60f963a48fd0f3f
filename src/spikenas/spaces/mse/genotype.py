"""An MSE-NAS genotype: the genome vector with its layout; decodes to the network's cells."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from spikenas.spaces.genotype import stable_hash
from spikenas.spaces.mse.genome import CellSpec, Layout, decode, structure_dict


@dataclass(frozen=True)
class MseGenotype:
    cells: int
    motifs: int
    genome: tuple[int, ...]

    def __post_init__(self) -> None:
        self.structure  # decode now: an invalid genome never becomes a genotype  # noqa: B018

    @property
    def layout(self) -> Layout:
        return Layout(self.cells, self.motifs)

    @cached_property
    def structure(self) -> tuple[CellSpec, ...]:
        return decode(self.layout, self.genome)

    def to_dict(self) -> dict:
        return {"space": "mse", "cells": self.cells, "motifs": self.motifs, "genome": list(self.genome),
                "structure": structure_dict(self.structure)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def hash(self) -> str:
        """Of the decoded network, not the genome: genomes that differ only in unused genes are duplicates."""
        return stable_hash({"space": "mse", "structure": structure_dict(self.structure)})

    def code(self) -> str:
        """A one-line summary: per cell, its reads, 'r' if it reduces, and its motifs."""
        parts = []
        for c, cell in enumerate(self.structure):
            reads = ",".join("s" if k == 0 else str(k - 1) for k in cell.reads)
            motifs = "+".join(m.template for m in cell.motifs)
            parts.append(f"c{c}[{reads}]{'r' if cell.reduce else ''}:{motifs}")
        return " ".join(parts)
