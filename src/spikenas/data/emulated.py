"""Emulated event datasets (`nmnist-emulated`, `fashion-mnist-emulated`): an IDX image set moved along
N-MNIST saccades in front of a simulated DVS, framed like recorded events and cached."""

from __future__ import annotations

import numpy as np
import torch

from spikenas.data import static
from spikenas.data.cache import cached
from spikenas.data.emulate import EmulationConfig, emulate, emulate_chunk
from spikenas.data.events.framing import to_frames
from spikenas.data.events.load import check_framing, require_frames
from spikenas.progress import Progress

CHUNK = 2000


def load_emulated(source: str, root, split: str, timesteps: int | None, framing: str = "count",
                  cfg: EmulationConfig | None = None):
    """(EventSet, labels) of the emulated events when `timesteps` is None, else (frames, labels)."""
    check_framing(framing)
    cfg = cfg or EmulationConfig()
    paths = static.idx_paths(source, root, split, *static.IDX_SETS[source])
    if timesteps is None:
        x, y = static.load_idx_named(source, root, split)
        return emulate(x, cfg), y

    def build() -> tuple[np.ndarray, np.ndarray]:
        x, y = static.load_idx_named(source, root, split)
        require_frames(f"{source}-emulated", split, len(x), timesteps, (34, 34))
        gen = torch.Generator().manual_seed(cfg.seed)
        bar = Progress(len(x), f"emulating events from {source} {split}")
        parts = []
        for start in range(0, len(x), CHUNK):
            parts.append(to_frames(emulate_chunk(x[start:start + CHUNK], cfg, gen), timesteps, framing))
            bar.update(min(CHUNK, len(x) - start))
        bar.close()
        return np.concatenate(parts), y.numpy()

    params = {"timesteps": timesteps, "framing": framing, "emulation": cfg.to_dict()}
    frames, labels = cached(f"{source}-emulated", split, params, paths, build)
    return torch.from_numpy(frames), torch.from_numpy(labels)
