"""Event datasets by name: raw events (timesteps=None) or cached frames [N, T, 2, H, W]."""

from __future__ import annotations

import numpy as np
import torch

from spikenas.data.cache import cached
from spikenas.data.events import sets
from spikenas.data.events.framing import METHODS, to_frames
from spikenas.errors import InputError
from spikenas.limits import require_memory

FINDERS = {"nmnist": sets.nmnist, "dvs-gesture": sets.dvs_gesture, "cifar10-dvs": sets.cifar10_dvs,
           "npz-events": sets.npz_events}


def check_framing(framing: str) -> None:
    if framing not in METHODS:
        raise InputError(f"framing must be one of {', '.join(METHODS)}, not {framing!r}")


def require_frames(name: str, split: str, samples: int, timesteps: int, sensor: tuple[int, int]) -> None:
    """Refuse, with the figures, frames that would not fit in memory (uint8 [N, T, 2, H, W], twice: built
    and stored)."""
    H, W = sensor
    require_memory(2 * samples * timesteps * 2 * H * W,
                   f"{name} {split}: {samples} samples framed at T = {timesteps} on a {H}x{W} sensor")


def load_recorded(name: str, root, split: str, timesteps: int | None, framing: str = "count"):
    """(EventSet, labels) when `timesteps` is None, else (uint8 frames tensor, labels tensor)."""
    check_framing(framing)
    plan = FINDERS[name](root, split)
    if timesteps is None:
        rec = plan.read()
        return rec.events, torch.from_numpy(rec.labels)

    def build() -> tuple[np.ndarray, np.ndarray]:
        rec = plan.read()
        require_frames(name, split, len(rec.events), timesteps, rec.events.sensor)
        return to_frames(rec.events, timesteps, framing), rec.labels

    frames, labels = cached(name, split, {"timesteps": timesteps, "framing": framing}, plan.sources, build)
    return torch.from_numpy(frames), torch.from_numpy(labels)
