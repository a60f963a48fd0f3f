"""`spikenas train`: train the baseline network (or a searched genotype) and write the run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.spaces.files import load_genotype
from spikenas.train.config import TrainConfig
from spikenas.train.run import run_training, saved_config

S = argparse.SUPPRESS
TRAIN_OPTIONS = {  # option -> (TrainConfig field, type, help)
    "--epochs": ("epochs", int, "passes over the training set (10)"),
    "--batch-size": ("batch_size", int, "training batch size (128)"),
    "--optimizer": ("optimizer", str, "sgd or adamw (sgd)"),
    "--lr": ("lr", float, "peak learning rate (0.1 for SGD, 1e-3 for AdamW)"),
    "--momentum": ("momentum", float, "SGD momentum (0.9)"),
    "--weight-decay": ("weight_decay", float, "weight decay (5e-4)"),
    "--warmup-epochs": ("warmup_epochs", float, "linear warm-up before the cosine decay (0)"),
    "--label-smoothing": ("label_smoothing", float, "label smoothing (0)"),
    "--timesteps": ("timesteps", int, "simulation timesteps T (4)"),
    "--encoding": ("encoding", str, "direct (analog input repeated) or poisson (rate-coded spikes)"),
    "--framing": ("framing", str, "event sets: T bins of equal event count or equal time (count)"),
    "--crop-padding": ("crop_padding", int, "random crop with this zero padding (0: off)"),
    "--shift": ("shift", int, "random translation of event frames by up to this many pixels (0)"),
    "--seed": ("seed", int, "random seed (0)"),
    "--eval-batch-size": ("eval_batch_size", int, "test batch size (500)"),
    "--e-mac": ("e_mac_pj", float, "energy per MAC in pJ (4.6)"),
    "--e-ac": ("e_ac_pj", float, "energy per accumulate in pJ (0.9)"),
}
MODEL_OPTIONS = {
    "--width": ("width", int, "baseline: channels of the first stage (32)"),
    "--dropout": ("dropout", float, "baseline: dropout before the classifier (0)"),
}
NEURON_OPTIONS = {
    "--neuron": ("kind", str, "lif, plif or if (lif)"),
    "--tau": ("tau", float, "membrane time constant (2.0)"),
    "--threshold": ("threshold", float, "firing threshold (1.0)"),
    "--reset": ("reset", str, "hard or soft (hard)"),
    "--surrogate": ("surrogate", str, "atan, sigmoid or piecewise (atan)"),
    "--lif-backend": ("backend", str, "auto, torch or triton (auto: Triton on CUDA)"),
}


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a network with surrogate-gradient BPTT",
                       description="Train the baseline spiking CNN (or a searched genotype) and write "
                                   "config.json, checkpoint.pt and metrics.json into --run.")
    p.add_argument("--dataset", default=S, help="dataset name (see `spikenas data list`)")
    p.add_argument("--data-root", default=S, help="folder with the dataset's files (or $SPIKENAS_DATA)")
    p.add_argument("--run", required=True, help="run folder to write (or resume)")
    p.add_argument("--resume", action="store_true", help="continue the run in --run from its last checkpoint")
    p.add_argument("--device", default=S, help="cpu or cuda (default: cuda when present)")
    p.add_argument("--model", default=S, help="baseline (the default when no --genotype is given)")
    p.add_argument("--genotype", default=S, help="a searched architecture: best.json of a search, or a genotype JSON")
    p.add_argument("--channels", type=int, default=S, help="genotype networks: cell channels C (default: "
                                                          "the search's, else scaled to the input)")
    for table in (TRAIN_OPTIONS, MODEL_OPTIONS, NEURON_OPTIONS):
        for opt, (_, typ, hlp) in table.items():
            p.add_argument(opt, type=typ, default=S, help=hlp)
    p.add_argument("--flip", action="store_true", default=S, help="random horizontal flips")
    p.add_argument("--no-amp", action="store_true", default=S, help="no bf16 autocast on CUDA")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def _given(args: argparse.Namespace, table: dict) -> dict:
    return {field: getattr(args, opt[2:].replace("-", "_")) for opt, (field, _, _) in table.items()
            if hasattr(args, opt[2:].replace("-", "_"))}


def settings_from_args(args: argparse.Namespace) -> dict:
    """The run's settings from the options given on the command line (absent ones take defaults)."""
    train = _given(args, TRAIN_OPTIONS)
    if hasattr(args, "flip"):
        train["flip"] = True
    if hasattr(args, "no_amp"):
        train["amp"] = False
    model = {"name": getattr(args, "model", "baseline"), **_given(args, MODEL_OPTIONS)}
    if hasattr(args, "genotype"):
        model = genotype_model(Path(args.genotype), getattr(args, "channels", None))
    neuron = _given(args, NEURON_OPTIONS)
    if neuron:
        model["neuron"] = neuron
    return {"dataset": getattr(args, "dataset", None), "data_root": getattr(args, "data_root", None),
            "model": model, "train": train}


def genotype_model(path: Path, channels: int | None) -> dict:
    """The model entry of a run that trains a searched genotype (validated now, before any data is read)."""
    space_name, genotype, d = load_genotype(path)
    return {"name": "genotype", "space": space_name, "genotype": genotype.to_dict(),
            "channels": channels if channels is not None else d.get("channels")}


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


def run(args: argparse.Namespace) -> int:
    run_dir = Path(args.run)
    settings = settings_from_args(args)
    if args.resume and (run_dir / "config.json").exists():
        settings = merge_resumed(saved_config(run_dir), settings)
    elif settings["dataset"] is None:
        raise InputError("--dataset is required for a new run")
    cfg = TrainConfig.from_dict({"device": default_device(), **settings["train"]})
    metrics = run_training(run_dir, settings["dataset"], settings["data_root"], settings["model"], cfg,
                           resume=args.resume, show_progress=not args.quiet)
    print(f"test accuracy {100 * metrics['test_accuracy']:.2f}%  spikes/sample {metrics['spikes_per_sample']:.0f}  "
          f"energy/sample {metrics['energy_per_sample_uj']:.3f} uJ  parameters {metrics['parameters']}  "
          f"time {metrics['wall_time_s']:.1f}s  -> {run_dir / 'metrics.json'}")
    return 0
