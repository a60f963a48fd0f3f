"""The cell machinery every space shares: a cell is a graph (graph.py) of edge operations from one table
(ops.py), run by one module (graph_cell.py), with its operations reusable from network to network (pool.py)."""

from spikenas.cells.graph import CellGraph, Edge, live_nodes, prune_edges, reach
from spikenas.cells.graph_cell import GraphCell, share_duplicate_neurons, total
from spikenas.cells.ops import OPS, EdgeOp, OpInfo, register_op
from spikenas.cells.pool import OpPool
from spikenas.cells.stem import DirectStem

__all__ = ["OPS", "CellGraph", "DirectStem", "Edge", "EdgeOp", "GraphCell", "OpInfo", "OpPool", "live_nodes",
           "prune_edges", "reach", "register_op", "share_duplicate_neurons", "total"]
