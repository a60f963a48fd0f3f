"""A network out of spikenas: NIR for neuromorphic hardware and other SNN frameworks (nir_graph), TorchScript
for deployment (traced). ONNX is not offered: torch.onnx's exporter fixes the batch size inside the folded
time-and-batch reshapes, so an exported model would only run at the batch it was traced with."""

from spikenas.export.traced import example_input, to_torchscript

FORMATS = ("nir", "torchscript")
SUFFIX = {"nir": ".nir", "torchscript": ".pt"}

__all__ = ["FORMATS", "SUFFIX", "example_input", "to_torchscript"]
