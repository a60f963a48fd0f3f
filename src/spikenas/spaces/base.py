"""What every space shares: reading a genotype from JSON (a bare genotype, or a file that holds one under
"genotype", such as best.json) through the space's own `genotype_from_dict`."""

from __future__ import annotations

import json

from spikenas.errors import InputError
from spikenas.snn.neuron_config import NeuronConfig


class SpaceBase:
    name = "space"
    # the dropout before the classifier that the space's networks have unless told otherwise (`build(...,
    # dropout=p)`); None: its networks have no dropout layer
    dropout: float | None = None
    # the neuron the space's networks are built (and searched) with unless given another (`build(..., neuron=)`)
    neuron: NeuronConfig = NeuronConfig()
    # the member of a multi-objective search's front that becomes best.json unless --pick says (search.front's
    # PICKS): the knee, where trading score for spikes and size was measured to cost little
    pick: str = "knee"

    def genotype_from_dict(self, d: dict):
        raise NotImplementedError

    def genotype_from_json(self, text: str):
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"genotype: not valid JSON ({e})") from None
        except RecursionError:
            raise InputError("genotype: JSON nested too deeply") from None
        if isinstance(d, dict) and isinstance(d.get("genotype"), dict):
            d = d["genotype"]
        if not isinstance(d, dict):
            raise InputError(f"genotype: expected a JSON object for the {self.name} space")
        return self.genotype_from_dict(d)
