"""Training-free scores: a network at initialisation and a batch in, one number out (higher is better)."""

from spikenas.scores.rdm import RDMKernel, rdm
from spikenas.scores.sahd import SAHDKernel, sahd

__all__ = ["RDMKernel", "SAHDKernel", "rdm", "sahd"]
