"""The differentiable (DARTS / MA-DARTS) space: normal and reduction cells of two inputs and a few
intermediate nodes, searched as a supernet or sampled as discrete genotypes."""
