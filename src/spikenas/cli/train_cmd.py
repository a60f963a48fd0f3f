"""`spikenas train`: train the baseline network (or a searched genotype) and write the run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spikenas import run_folder, spaces
from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.limits import MAX_CHANNELS
from spikenas.models.baseline import GENOTYPE_TAKES, BaselineOptions
from spikenas.options import Bounds, add_arguments, declared
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train import distributed
from spikenas.train.config import TrainConfig
from spikenas.train.run import genotype_model, merge_resumed, run_training, saved_config

S = argparse.SUPPRESS
SWITCHES = ("flip", "amp", "cpu_amp", "sync_bn", "compile_model")  # on/off flags: --flip, --no-amp, --cpu-amp, ...


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a network with surrogate-gradient BPTT",
                       description="Train the baseline spiking CNN (or a searched genotype) and write "
                                   "config.json, checkpoint.pt and metrics.json into --run.")
    p.add_argument("--dataset", default=S, help="dataset name (see `spikenas data list`)")
    p.add_argument("--data-root", default=S, help="folder with the dataset's files (or $SPIKENAS_DATA)")
    p.add_argument("--run", "--run-dir", dest="run", required=True,
                   help="run folder to write (or resume); under torchrun spell it --run-dir (torchrun's own "
                        "parser takes --run for an abbreviation of its --run-path)")
    p.add_argument("--resume", action="store_true", help="continue the run in --run from its last checkpoint")
    p.add_argument("--model", default=S, choices=("baseline",), help="baseline (the default when no --genotype "
                                                                      "is given)")
    p.add_argument("--genotype", default=S, help="a searched architecture: best.json of a search, or a genotype JSON")
    p.add_argument("--channels", type=Bounds(int, 1, MAX_CHANNELS).parser("--channels"), default=S,
                   help="genotype networks: cell channels C [integer in [1, 1024]; default: the search's, else "
                        "scaled to the input]")
    add_recipe_arguments(p)
    add_arguments(p, BaselineOptions)
    add_arguments(p, NeuronConfig)
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def add_recipe_arguments(p) -> None:
    """Every TrainConfig option, its on/off settings as flags (--flip, --no-amp, --cpu-amp, --sync-bn, --compile):
    `spikenas train` and the recipe of `spikenas payoff`."""
    add_arguments(p, TrainConfig, skip=SWITCHES)
    p.add_argument("--flip", action="store_true", default=S, help="random horizontal flips")
    p.add_argument("--no-amp", action="store_true", default=S, help="no bf16 autocast on CUDA")
    p.add_argument("--cpu-amp", action="store_true", default=S,
                   help="bf16 autocast on the CPU as well (oneDNN's bf16 convolutions: up to 4x quicker steps on CPUs "
                        "with AMX or AVX-512 BF16, slower on others; rounding differs from fp32)")
    p.add_argument("--sync-bn", action="store_true", default=S, help="data-parallel training (torchrun, CUDA): "
                                                                     "batch norm over the whole batch")
    p.add_argument("--compile", dest="compile_model", action="store_true", default=S,
                   help="train through torch.compile of the network (compiled on the first steps: tens of "
                        "seconds; on the CPU a C++ compiler is needed)")


def recipe_given(args: argparse.Namespace) -> dict:
    """The TrainConfig settings given on the command line (absent ones take defaults or the saved run's)."""
    train = _given(args, TrainConfig, SWITCHES)
    if hasattr(args, "flip"):
        train["flip"] = True
    if hasattr(args, "no_amp"):
        train["amp"] = False
    if hasattr(args, "cpu_amp"):
        train["cpu_amp"] = True
    if hasattr(args, "sync_bn"):
        train["sync_bn"] = True
    if hasattr(args, "compile_model"):
        train["compile_model"] = True
    return train


def _given(args: argparse.Namespace, cls, skip=()) -> dict:
    return {f.name: getattr(args, f.name) for f in declared(cls) if f.name not in skip and hasattr(args, f.name)}


def settings_from_args(args: argparse.Namespace) -> dict:
    """The run's settings from the options given on the command line (absent ones take defaults)."""
    train = recipe_given(args)
    model = {"name": getattr(args, "model", "baseline"), **_given(args, BaselineOptions)}
    if hasattr(args, "genotype"):
        baseline_only = [k for k in model if k != "name" and k not in GENOTYPE_TAKES]
        if baseline_only or hasattr(args, "model"):
            given = ", ".join(["--model"] * hasattr(args, "model") + ["--" + k for k in baseline_only])
            raise InputError(f"{given}: settings of the baseline model, not of a --genotype network")
        model = {**genotype_model(Path(args.genotype), getattr(args, "channels", None)),
                 **{k: v for k, v in model.items() if k in GENOTYPE_TAKES}}
    elif hasattr(args, "channels"):
        raise InputError("--channels: a setting of --genotype networks (the baseline takes --width)")
    neuron = _given(args, NeuronConfig)
    if neuron:
        model["neuron"] = neuron
    return {"dataset": getattr(args, "dataset", None), "data_root": getattr(args, "data_root", None),
            "model": model, "train": train}


def training_note(model: dict) -> str | None:
    """What the genotype's space knows to say about training it (`training_note()`, where a genotype has one)."""
    if model.get("name") != "genotype":
        return None
    note = getattr(spaces.get(model["space"]).genotype_from_dict(model["genotype"]), "training_note", None)
    return note() if callable(note) else None


def run(args: argparse.Namespace) -> int:
    run_dir = Path(args.run)
    run_folder.prepare(run_dir, "train", args.resume)
    settings = settings_from_args(args)
    if args.resume:
        settings = merge_resumed(saved_config(run_dir), settings)
    elif settings["dataset"] is None:
        raise InputError("--dataset is required for a new run")
    cfg = TrainConfig.from_dict({"device": default_device(), **settings["train"]})
    ranks = distributed.from_environment()  # started by torchrun with more than one process
    note = training_note(settings["model"])
    if note and not args.resume and (ranks is None or ranks.rank == 0):
        print(f"note: {note}", file=sys.stderr)
    if ranks is not None:
        cfg.device = distributed.start(ranks, cfg.device)
    try:
        metrics = run_training(run_dir, settings["dataset"], settings["data_root"], settings["model"], cfg,
                               resume=args.resume, show_progress=not args.quiet, ranks=ranks)
    finally:
        distributed.stop()
    if metrics is None:  # a data-parallel rank other than 0: rank 0 reports
        return 0
    held = metrics["config"].get("val_split", 0)
    where = f" (read once; {100 * held:.0f}% of the training set held out for validation)" if held else ""
    print(f"test accuracy {100 * metrics['test_accuracy']:.2f}%{where}  "
          f"spikes/sample {metrics['spikes_per_sample']:.0f}  energy/sample {metrics['energy_per_sample_uj']:.3f} uJ  "
          f"parameters {metrics['parameters']}  time {metrics['wall_time_s']:.1f}s  -> {run_dir / 'metrics.json'}")
    return 0
