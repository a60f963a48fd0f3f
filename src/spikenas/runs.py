"""A finished run, or a genotype file, back as a PyTorch network: what `spikenas export` and the Python API
load.

    model, about = load_network("runs/t")                  # a training run: its network with trained weights
    model, about = load_network("runs/s/best.json")        # a genotype (or "runs/s", a search): untrained
    about -> {"input_shape": (C, H, W), "classes": 10, "timesteps": 4, "trained": True, "source": "..."}

The input shape and classes come from the dataset the run used (or `dataset=` for a genotype of a search on
another set); for an event set without a fixed sensor, from the frames the run stored in metrics.json.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from spikenas import data, run_folder, spaces
from spikenas.cells import share_duplicate_neurons
from spikenas.errors import InputError
from spikenas.spaces.files import load_genotype
from spikenas.train.checkpoint import load_checkpoint
from spikenas.train.run import build_model, saved_config
from spikenas.train.trainer import CHECKPOINT


def _shape_of(dataset: str, metrics: dict | None = None) -> tuple[tuple[int, int, int], int]:
    info = data.get_info(dataset)
    if metrics and metrics.get("input_shape") and metrics.get("classes"):
        return tuple(metrics["input_shape"]), int(metrics["classes"])
    if not info.classes:
        raise InputError(f"dataset {dataset!r} has no fixed shape: its run's metrics.json must record input_shape")
    return tuple(info.shape), info.classes


def load_network(path, dataset: str | None = None, timesteps: int | None = None,
                 device: str = "cpu") -> tuple[nn.Module, dict]:
    """(network in eval mode, what it is) from a training run folder, a search run folder or a genotype file."""
    path = Path(path)
    if path.is_dir() and run_folder.inspect(path) == "train":
        cfg = saved_config(path)
        metrics = run_folder.read_metrics(path)
        shape, classes = _shape_of(cfg["dataset"], metrics)
        T = int(cfg["train"].get("timesteps", 4))
        model = build_model(cfg["model"], shape, classes, T)
        ck_path = path / CHECKPOINT
        if not ck_path.is_file():
            raise InputError(f"{ck_path}: no checkpoint yet: the run has not finished an epoch")
        try:
            model.load_state_dict(load_checkpoint(ck_path)["model"])
        except (RuntimeError, KeyError, EOFError, OSError) as e:
            raise InputError(f"{ck_path}: not this run's checkpoint ({type(e).__name__})") from None
        about = {"trained": True, "dataset": cfg["dataset"]}
    else:
        if path.is_dir():
            if run_folder.inspect(path) != "search" or not (path / "best.json").is_file():
                raise InputError(f"{path}: neither a training run, a search with a best.json, nor a genotype file")
            path = path / "best.json"
        space_name, genotype, d = load_genotype(path)
        dataset = dataset or d.get("dataset")
        if dataset is None:
            raise InputError(f"{path}: names no dataset: give --dataset for the input shape and classes")
        shape, classes = _shape_of(dataset)
        T = timesteps or int(d.get("timesteps") or 4)
        torch.manual_seed(0)
        model = spaces.get(space_name).build(genotype, shape, classes, T, channels=d.get("channels"))
        share_duplicate_neurons(model)  # as training builds it
        about = {"trained": False, "dataset": dataset}
    about.update(input_shape=tuple(shape), classes=classes, timesteps=T, source=str(path),
                 events=data.get_info(about["dataset"]).kind == "events")
    return model.to(device).eval(), about
