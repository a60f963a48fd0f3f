"""Any space's genotype described in words and drawn as SVG."""

from __future__ import annotations

from spikenas.spaces.darts.genotype import DartsGenotype
from spikenas.spaces.mse.genotype import MseGenotype
from spikenas.viz.cell_svg import describe as describe_snasnet
from spikenas.viz.cell_svg import snasnet_svg
from spikenas.viz.darts_svg import darts_svg, describe_darts
from spikenas.viz.mse_svg import describe_mse, mse_svg


def describe(g) -> str:
    if isinstance(g, DartsGenotype):
        return describe_darts(g)
    return describe_mse(g) if isinstance(g, MseGenotype) else describe_snasnet(g)


def draw(g, space: str) -> str:
    if isinstance(g, DartsGenotype):
        return darts_svg(g, f"{space}: {g.hash()}")
    if isinstance(g, MseGenotype):
        return mse_svg(g, f"{space}: {g.hash()}")
    return snasnet_svg(g, f"{space}: {g.code()}")
