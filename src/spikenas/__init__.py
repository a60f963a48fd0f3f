"""spikenas: search, train and measure spiking neural network architectures."""

__version__ = "0.2.0"
