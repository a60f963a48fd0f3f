"""One training run from its settings: load the data, build the network, fit, write the run folder.

A run folder holds config.json (every setting, written first), checkpoint.pt and metrics.json. Starting
over a folder that already holds a run is refused unless resuming, so nothing finished is overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from spikenas import data, spaces
from spikenas.atomic import atomic_write_json
from spikenas.errors import InputError
from spikenas.models.baseline import SpikingVGG
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.config import TrainConfig
from spikenas.train.trainer import CHECKPOINT, fit


def build_model(spec: dict, in_shape, num_classes: int, timesteps: int) -> nn.Module:
    """The network a run's `model` entry describes; an impossible setting is an InputError."""
    try:
        neuron = NeuronConfig(**spec.get("neuron", {}))
        if spec.get("name", "baseline") == "baseline":
            return SpikingVGG(tuple(in_shape), num_classes, timesteps, width=spec.get("width", 32),
                              neuron=neuron, dropout=spec.get("dropout", 0.0))
        if spec["name"] == "genotype":
            space = spaces.get(spec["space"])
            genotype = space.genotype_from_json(json.dumps(spec["genotype"]))
            return space.build(genotype, tuple(in_shape), num_classes, timesteps, channels=spec.get("channels"),
                               neuron=neuron if "neuron" in spec else None)
    except (TypeError, ValueError) as e:
        raise InputError(f"model: {e}") from None
    raise InputError(f"unknown model {spec.get('name')!r}")


def prepare_data(dataset: str, data_root, cfg: TrainConfig):
    """Train and test batches on the training device. Static images are normalised by the train set's
    channel statistics (direct encoding); event frames are fed as counts."""
    info = data.get_info(dataset)
    events = info.kind == "events"
    T = cfg.timesteps if events else None
    xtr, ytr = data.load(dataset, data_root, "train", T, cfg.framing)
    xte, yte = data.load(dataset, data_root, "test", T, cfg.framing)
    mean = std = None
    if not events and cfg.encoding == "direct":
        mean, std = data.channel_stats(xtr)
    aug = data.Augment(cfg.crop_padding, cfg.flip, cfg.shift)
    scale = 1.0 if events else None
    train = data.DeviceBatches(xtr, ytr, cfg.batch_size, cfg.device, mean, std, aug, shuffle=True,
                               seed=cfg.seed, scale=scale)
    test = data.DeviceBatches(xte, yte, cfg.eval_batch_size, cfg.device, mean, std, scale=scale)
    classes = info.classes or int(max(ytr.max(), yte.max())) + 1
    return tuple(xtr.shape[-3:]), classes, train, test


def check_device(device: str) -> None:
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"--device {device}: no CUDA device on this machine")
    try:
        torch.device(device)
    except RuntimeError:
        raise InputError(f"--device: unknown device {device!r}") from None


def run_training(run_dir: Path, dataset: str, data_root, model_spec: dict, cfg: TrainConfig,
                 resume: bool = False, show_progress: bool = True) -> dict:
    run_dir = Path(run_dir)
    check_device(cfg.device)
    if not resume and ((run_dir / CHECKPOINT).exists() or (run_dir / "metrics.json").exists()):
        raise InputError(f"{run_dir} already holds a training run: pass --resume, or choose another --run")
    run_dir.mkdir(parents=True, exist_ok=True)
    config = {"command": "train", "dataset": dataset, "data_root": None if data_root is None else str(data_root),
              "model": model_spec, "train": cfg.to_dict()}
    atomic_write_json(run_dir / "config.json", config)
    info = data.get_info(dataset)
    if info.classes:  # an impossible model setting is refused before any data is read
        build_model(model_spec, info.shape, info.classes, cfg.timesteps)
    shape, classes, train, test = prepare_data(dataset, data_root, cfg)
    torch.manual_seed(cfg.seed)
    model = build_model(model_spec, shape, classes, cfg.timesteps)
    return fit(model, train, test, cfg, run_dir, info={"dataset": dataset, "model": model_spec},
               resume=resume, show_progress=show_progress)


def saved_config(run_dir: Path) -> dict:
    path = Path(run_dir) / "config.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: not found; nothing to resume in {run_dir}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
