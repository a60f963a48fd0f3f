"""The spiking substrate: neurons, surrogates, time folding and the spike monitor."""

from spikenas.snn.layers import SeqFold, fold, repeat_time
from spikenas.snn.monitor import SpikeMonitor
from spikenas.snn.neurons import IF, LIF, PLIF, is_neuron, steps_recorded_once
from spikenas.snn.surrogate import Surrogate, get_surrogate, spike

__all__ = ["IF", "LIF", "PLIF", "SeqFold", "SpikeMonitor", "Surrogate", "fold", "get_surrogate", "is_neuron",
           "repeat_time", "spike", "steps_recorded_once"]
