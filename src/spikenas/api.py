"""The Python API: what the command line does, from a notebook or a script (docs/api.md).

    import spikenas.api as sn
    result = sn.search("runs/s", space="snasnet", candidates=20, dataset="digits")
    metrics = sn.train("runs/t", dataset="digits", genotype="runs/s/best.json", epochs=5)
    model, about = sn.load("runs/t")          # the trained network, an nn.Module in eval mode
    summary = sn.payoff("runs/s", random=3, epochs=5, dataset="digits")   # did the search pay?

Options are the command line's, with underscores (`batch_size=64`, `rdm_reduction="nn"`); each is checked
against its declaration, and an option none of the chosen pieces takes is refused, as on the command line
(an InputError). Runs are the same folders: `spikenas report`, `--resume` and `export` work on them.
"""

from __future__ import annotations

from pathlib import Path

from spikenas import run_folder
from spikenas.cli.parser import default_device
from spikenas.errors import InputError
from spikenas.models.baseline import GENOTYPE_TAKES, BaselineOptions
from spikenas.options import declared
from spikenas.payoff.options import PayoffOptions
from spikenas.payoff.run import run_payoff
from spikenas.runs import load_network
from spikenas.search.routing import search_config, split_options
from spikenas.search.run import run_search
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.config import TrainConfig
from spikenas.train.run import genotype_model, merge_resumed, run_training, saved_config

__all__ = ["load", "payoff", "search", "train"]


def search(run, *, resume: bool = False, progress: bool = False, **options) -> dict:
    """Run (or resume) a search into the folder `run`; returns {"candidates", "failed", "best", "seconds"}
    with `best` the chosen trial (its genotype JSON, score and values)."""
    general, by_piece = split_options(options)
    run_folder.prepare(Path(run), "search", resume)
    cfg = search_config(Path(run), general, by_piece, resume)
    return run_search(Path(run), cfg, resume=resume, show_progress=progress)


def train(run, *, dataset: str | None = None, genotype=None, data_root=None, channels: int | None = None,
          resume: bool = False, progress: bool = False, **settings) -> dict:
    """Train (or resume) into the folder `run`: the baseline, or `genotype` (a best.json path, or a genotype
    object of a space); returns metrics.json's content. Settings: TrainConfig's, the baseline's (width,
    dropout: a genotype network takes dropout too) and the neuron's (kind, tau, threshold, reset, surrogate,
    backend)."""
    given = _grouped(settings, {"train": TrainConfig, "model": BaselineOptions, "neuron": NeuronConfig},
                     "training")
    run_dir = Path(run)
    run_folder.prepare(run_dir, "train", resume)
    if resume:
        saved = merge_resumed(saved_config(run_dir), {"dataset": dataset, "data_root": data_root,
                                                      "train": given["train"]})
        dataset, data_root, model, train_settings = (saved["dataset"], saved["data_root"], saved["model"],
                                                     saved["train"])
    else:
        if dataset is None:
            raise InputError("dataset is required for a new run")
        model = {"name": "baseline", **given["model"]}
        if genotype is not None:
            baseline_only = [k for k in given["model"] if k not in GENOTYPE_TAKES]
            if baseline_only:
                raise InputError(f"{', '.join(baseline_only)}: settings of the baseline, not of a genotype")
            if isinstance(genotype, (str, Path)):
                model = genotype_model(Path(genotype), channels)
            else:
                model = {"name": "genotype", "space": genotype.to_dict()["space"], "genotype": genotype.to_dict(),
                         "channels": channels}
            model.update(given["model"])
        if given["neuron"]:
            model["neuron"] = given["neuron"]
        train_settings = given["train"]
    cfg = TrainConfig.from_dict({"device": default_device(), **train_settings})
    return run_training(run_dir, dataset, data_root, model, cfg, resume=resume, show_progress=progress)


def payoff(search_run, *, dataset: str | None = None, data_root=None, resume: bool = False,
           progress: bool = False, **settings) -> dict:
    """Train a search's chosen network, its next best, random draws from its space and the baseline with
    one recipe into SEARCH_RUN/payoff (docs/payoff.md); returns payoff.json's content. Settings: the
    payoff's (top, front, random, baseline_width, dropout), TrainConfig's (the recipe) and the neuron's that
    every network trains with (kind, tau, threshold, reset, surrogate, backend; the found network's own where
    not given)."""
    given = _grouped(settings, {"payoff": PayoffOptions, "train": TrainConfig, "neuron": NeuronConfig}, "payoff")
    return run_payoff(Path(search_run), {"dataset": dataset, "data_root": data_root, **given}, resume=resume,
                      show_progress=progress, default_device=default_device())


def load(path, dataset: str | None = None, device: str = "cpu"):
    """(network in eval mode, what it is) from a training run (trained weights), a search or a genotype file."""
    return load_network(path, dataset=dataset, device=device)


def _grouped(settings: dict, groups: dict, what: str) -> dict[str, dict]:
    """Settings sorted by the declaration (group name -> options class) that holds each; one that none
    holds is an InputError."""
    given: dict[str, dict] = {k: {} for k in groups}
    for name, value in settings.items():
        kinds = [k for k, cls in groups.items() if name in {f.name for f in declared(cls)}]
        if not kinds:
            raise InputError(f"{name}: no such {what} setting")
        given[kinds[0]][name] = value
    return given
