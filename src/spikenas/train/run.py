"""One training run from its settings: load the data, build the network, fit, write the run folder.

A run folder holds config.json (every setting, written first), checkpoint.pt and metrics.json. Starting
over a folder that already holds a run is refused unless resuming, so nothing finished is overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from spikenas import data, run_folder, spaces
from spikenas.allocator import keep_freed_memory
from spikenas.atomic import atomic_write_json
from spikenas.cells import share_duplicate_neurons
from spikenas.errors import InputError
from spikenas.limits import MAX_CHANNELS
from spikenas.models.baseline import BaselineOptions, SpikingVGG
from spikenas.options import Bounds, make_options
from spikenas.snn.functional import lif_compiled
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.spaces.files import load_genotype
from spikenas.train import distributed
from spikenas.train.config import TrainConfig
from spikenas.train.distributed import Ranks
from spikenas.train.encoding import encode
from spikenas.train.footprint import require_fits
from spikenas.train.trainer import CHECKPOINT, fit


def build_model(spec: dict, in_shape, num_classes: int, timesteps: int) -> nn.Module:
    """The network a run's `model` entry describes (a cell's edges that fire the same spikes share one neuron:
    cells.graph_cell); an impossible setting is an InputError."""
    if not isinstance(spec, dict) or not isinstance(spec.get("neuron", {}), dict):
        raise InputError(f"model: expected a mapping, not {spec!r}")
    try:
        neuron = NeuronConfig(**spec.get("neuron", {}))
        if spec.get("name", "baseline") == "baseline":
            o = make_options(BaselineOptions, {k: spec[k] for k in ("width", "dropout") if k in spec},
                             "baseline model")
            return SpikingVGG(tuple(in_shape), num_classes, timesteps, width=o.width, neuron=neuron,
                              dropout=o.dropout)
        if spec["name"] == "genotype":
            space = spaces.get(spec["space"])
            genotype = space.genotype_from_json(json.dumps(spec["genotype"]))
            Bounds(int, 1, MAX_CHANNELS, optional=True).check("channels", spec.get("channels"))
            model = space.build(genotype, tuple(in_shape), num_classes, timesteps, channels=spec.get("channels"),
                                neuron=neuron if "neuron" in spec else None, **dropout_setting(space, spec))
            share_duplicate_neurons(model)  # the same function and state dict; each distinct neuron counted once
            return model
    except (TypeError, ValueError, KeyError) as e:
        raise InputError(f"model: {e}") from None
    raise InputError(f"unknown model {spec.get('name')!r}")


def dropout_setting(space, spec: dict) -> dict:
    """The `dropout` a genotype network is built with: {} for its space's own (spec without "dropout"), or the
    spec's p; p > 0 is refused for a space whose networks have no dropout layer (spaces.base.SpaceBase.dropout)."""
    if "dropout" not in spec:
        return {}
    p = make_options(BaselineOptions, {"dropout": spec["dropout"]}, "model").dropout
    if space.dropout is None:
        if p:
            raise InputError(f"model: dropout {p}: the {space.name} space's networks have no dropout layer")
        return {}
    return {"dropout": p}


def genotype_model(path: Path, channels: int | None) -> dict:
    """The model entry of a run that trains a searched genotype (validated now, before any data is read)."""
    space_name, genotype, d = load_genotype(path)
    return {"name": "genotype", "space": space_name, "genotype": genotype.to_dict(),
            "channels": channels if channels is not None else d.get("channels"), "from": str(path.resolve())}


def merge_resumed(saved: dict, given: dict) -> dict:
    """A resumed run keeps its saved settings; an option given again must agree with them."""
    for key in ("dataset", "data_root"):
        if given[key] is not None and given[key] != saved[key]:
            raise InputError(f"--{key.replace('_', '-')} {given[key]} differs from the run's {saved[key]}")
    for key, value in given["train"].items():
        if key not in TrainConfig.RESUMABLE_CHANGES and saved["train"].get(key) != value:
            raise InputError(f"--{key.replace('_', '-')} {value} differs from the run's {saved['train'].get(key)}")
    merged = dict(saved)
    merged["train"] = {**saved["train"], **{k: v for k, v in given["train"].items()
                                            if k in TrainConfig.RESUMABLE_CHANGES}}
    return merged


def check_model(model_spec: dict, shape, classes: int, cfg: TrainConfig, events: bool) -> int:
    """The network built on the meta device (so its settings are checked) and its training step's memory
    estimated (train.footprint): refused, with the figures, when it cannot fit on the training device. Returns
    the bytes of the step's largest layer output."""
    def sample(device):
        if events:
            return torch.zeros(cfg.timesteps, 1, *shape, device=device)
        return encode(torch.zeros(1, *shape, device=device), cfg.timesteps, cfg.encoding)

    return require_fits(lambda: build_model(model_spec, shape, classes, cfg.timesteps), sample, cfg.batch_size,
                        2 if cfg.optimizer == "adamw" else 1, cfg.device, f"this network on {tuple(shape)} inputs")


def prepare_data(dataset: str, data_root, cfg: TrainConfig):
    """Train, test and (with --val-split) validation batches on the training device: (shape, classes, train,
    test, validation or None). The validation split is a seeded part of the training set, never trained on.
    Static images are normalised by the training part's channel statistics (direct encoding); event frames
    are fed as counts."""
    info = data.get_info(dataset)
    events = info.kind == "events"
    T = cfg.timesteps if events else None
    xtr, ytr = data.load(dataset, data_root, "train", T, cfg.framing)
    xte, yte = data.load(dataset, data_root, "test", T, cfg.framing)
    xva = yva = None
    if cfg.val_split > 0 or cfg.train_samples:
        n_val = round(cfg.val_split * len(ytr))
        if cfg.val_split > 0 and not 1 <= n_val < len(ytr):
            raise InputError(f"--val-split {cfg.val_split} of {len(ytr)} training samples leaves no validation "
                             f"or no training sample")
        if cfg.train_samples > len(ytr) - n_val:
            raise InputError(f"--train-samples {cfg.train_samples}: {dataset} has {len(ytr) - n_val} training "
                             f"samples{' besides the validation split' if n_val else ''}")
        perm = torch.from_numpy(np.random.default_rng(cfg.seed).permutation(len(ytr)))
        if n_val:
            xva, yva = xtr[perm[:n_val]], ytr[perm[:n_val]]
        kept = perm[n_val:n_val + cfg.train_samples] if cfg.train_samples else perm[n_val:]
        xtr, ytr = xtr[kept], ytr[kept]
    mean = std = None
    if not events and cfg.encoding == "direct":
        mean, std = data.channel_stats(xtr)
    aug = data.Augment(cfg.crop_padding, cfg.flip, cfg.shift)
    scale = 1.0 if events else None
    train = data.DeviceBatches(xtr, ytr, cfg.batch_size, cfg.device, mean, std, aug, shuffle=True,
                               seed=cfg.seed, scale=scale)
    test = data.DeviceBatches(xte, yte, cfg.eval_batch_size, cfg.device, mean, std, scale=scale)
    val = None if xva is None else data.DeviceBatches(xva, yva, cfg.eval_batch_size, cfg.device, mean, std,
                                                      scale=scale)
    classes = info.classes or int(max(ytr.max(), yte.max())) + 1
    return tuple(xtr.shape[-3:]), classes, train, test, val


def run_training(run_dir: Path, dataset: str, data_root, model_spec: dict, cfg: TrainConfig,
                 resume: bool = False, show_progress: bool = True, ranks: Ranks | None = None) -> dict | None:
    """Train into `run_dir`; returns metrics.json's content (None on the ranks other than 0 of a
    data-parallel run, which write nothing: train.distributed)."""
    run_dir = Path(run_dir)
    if run_folder.inspect(run_dir) not in (None, "train"):
        raise InputError(f"--run {run_dir} holds a search, not a training run")
    check_backend(model_spec, cfg.device)
    if not resume and ((run_dir / CHECKPOINT).exists() or (run_dir / "metrics.json").exists()):
        raise InputError(f"{run_dir} already holds a training run: pass --resume, or choose another --run")
    distributed.barrier(ranks)  # every rank has checked the folder before rank 0 writes into it
    if ranks is None or ranks.main:
        run_dir.mkdir(parents=True, exist_ok=True)
        config = {"command": "train", "dataset": dataset,
                  "data_root": None if data_root is None else str(data_root), "model": model_spec,
                  "train": cfg.to_dict()}
        atomic_write_json(run_dir / "config.json", config)
    info = data.get_info(dataset)
    if info.classes:  # an impossible model setting, or one too large, is refused before any data is read
        keep_freed_memory(check_model(model_spec, info.shape, info.classes, cfg, info.kind == "events"))
    shape, classes, train, test, val = prepare_data(dataset, data_root, cfg)
    if not info.classes:  # a set whose shape only its files tell
        keep_freed_memory(check_model(model_spec, shape, classes, cfg, info.kind == "events"))
    torch.manual_seed(cfg.seed)
    model = build_model(model_spec, shape, classes, cfg.timesteps)
    about = {"dataset": dataset, "model": model_spec, "input_shape": list(shape), "classes": classes,
             "samples": {"train": len(train.y), "validation": len(val.y) if val is not None else 0,
                         "test": len(test.y)}}
    return fit(model, train, test, cfg, run_dir, info=about, resume=resume, show_progress=show_progress, val=val,
               ranks=ranks)


def check_backend(model_spec: dict, device: str) -> None:
    """--lif-backend triton needs a CUDA device and the triton package; compiled, a C++ compiler."""
    neuron = model_spec.get("neuron", {}) if isinstance(model_spec, dict) else {}
    if isinstance(neuron, dict) and neuron.get("backend") == "compiled" and not lif_compiled.available():
        raise InputError("--lif-backend compiled needs a C++ compiler on the PATH (c++, g++ or clang++) for "
                         "torch.compile; use --lif-backend sequence")
    if isinstance(neuron, dict) and neuron.get("backend") == "triton":
        if not device.startswith("cuda"):
            raise InputError(f"--lif-backend triton runs on CUDA only, and --device is {device}")
        try:
            import triton  # noqa: F401
        except ImportError:
            raise InputError("--lif-backend triton needs the triton package (pip install triton)") from None


def saved_config(run_dir: Path) -> dict:
    """A training run's config.json, its shape checked (the values are checked when the run is built)."""
    path = Path(run_dir) / "config.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found; nothing to resume in {run_dir}") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{path}: not valid JSON ({type(e).__name__})") from None
    if not (isinstance(d, dict) and isinstance(d.get("dataset"), str) and isinstance(d.get("model"), dict)
            and isinstance(d.get("train"), dict) and isinstance(d.get("data_root"), (str, type(None)))):
        raise InputError(f"{path}: not a training run's config (needs dataset, data_root, model and train)")
    return d
