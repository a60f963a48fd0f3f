"""A payoff run: the search's networks, random draws and the baseline, each trained with one recipe into a
training run folder of its own under SEARCH_RUN/payoff/, and payoff.json rewritten as each finishes.

The plan (which networks; payoff.plan) and the recipe are written to payoff/config.json before any
training; a resumed run reads them back, skips the networks that finished and resumes the one that was
interrupted from its last epoch's checkpoint (train.trainer), so a kill loses at most one epoch of one
network. Every network holds out the same seeded validation split: the rank correlations are measured on
it, and the test set is read once per network, after its last epoch."""

from __future__ import annotations

import shutil
from pathlib import Path

from spikenas import data, run_folder
from spikenas.atomic import atomic_write_json
from spikenas.errors import InputError
from spikenas.options import declared, flag_of, make_options, options_dict
from spikenas.payoff.options import PayoffOptions
from spikenas.payoff.plan import one_neuron, plan_networks
from spikenas.payoff.summary import row, summarize
from spikenas.search.config import SearchConfig
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.config import TrainConfig
from spikenas.train.run import merge_resumed, run_training
from spikenas.train.trainer import CHECKPOINT

FOLDER = "payoff"
DEFAULT_VAL_SPLIT = 0.1
_NEURON_FIELDS = {f.name: f for f in declared(NeuronConfig)}


def run_payoff(search_dir: Path, given: dict, resume: bool = False, show_progress: bool = True,
               default_device: str = "cpu") -> dict:
    """`given`: {"dataset", "data_root" (None: the search's), "train" (the recipe options given), "payoff"
    (PayoffOptions fields given), "neuron" (NeuronConfig fields given; absent: none)}. Returns payoff.json's
    content."""
    search_dir = Path(search_dir)
    kind, search_cfg = run_folder.read_config(search_dir)
    if kind != "search":
        raise InputError(f"{search_dir}: a training run; `spikenas payoff` reads a search run folder")
    if not (search_dir / "best.json").is_file():
        raise InputError(f"{search_dir}: no best.json yet (the search has not chosen a network)")
    out = search_dir / FOLDER
    saved_path = out / "config.json"
    if saved_path.is_file() and not resume:
        raise InputError(f"{out} already holds a payoff run: pass --resume to continue it")
    if resume:
        if not saved_path.is_file():
            raise InputError(f"--resume: {search_dir} holds no payoff run to resume (no {saved_path})")
        kind, saved = run_folder.read_config(out)
        if kind != "payoff":
            raise InputError(f"{saved_path}: not a payoff run's config")
        for key, value in given["payoff"].items():
            if saved["payoff"].get(key) != value:
                raise InputError(f"--{key.replace('_', '-')} {value} differs from the payoff run's "
                                 f"{saved['payoff'].get(key)}")
        for key, value in given.get("neuron", {}).items():
            planned = saved["neuron"].get(key) if isinstance(saved.get("neuron"), dict) else "each network's own"
            if planned != value:
                shown = f"{planned:.4g}" if isinstance(planned, float) else planned
                raise InputError(f"{flag_of(_NEURON_FIELDS[key])} {value} differs from the payoff run's "
                                 f"neuron setting ({shown})")
        settings = merge_resumed(saved, given)
        cfg = TrainConfig.from_dict(settings["train"])
        plan = saved["networks"]
    else:
        settings, cfg, plan = _new(search_dir, search_cfg, given, default_device)
        out.mkdir(exist_ok=True)
        atomic_write_json(saved_path, {"command": "payoff", "search": str(search_dir.resolve()), **settings,
                                       "networks": plan})
    rows = [row(e, _finished(out / e["name"])) for e in plan]
    summary = summarize(rows)
    atomic_write_json(out / "payoff.json", summary)
    for i, entry in enumerate(plan):
        if rows[i]["status"] == "done":
            continue
        if show_progress:
            print(f"[{i + 1}/{len(plan)}] {entry['name']}: {entry['code']} ({entry['parameters']:,} parameters)",
                  flush=True)
        try:
            metrics = run_training(out / entry["name"], settings["dataset"], settings["data_root"],
                                   entry["model"], cfg, resume=True, show_progress=show_progress)
        except InputError:  # the data refused the recipe: a new run leaves nothing behind
            if not resume and not any(out.glob(f"*/{CHECKPOINT}")):
                shutil.rmtree(out, ignore_errors=True)
            raise
        rows[i] = row(entry, metrics)
        summary = summarize(rows)
        atomic_write_json(out / "payoff.json", summary)
    return summary


def _new(search_dir: Path, search_cfg: dict, given: dict, default_device: str) -> tuple[dict, TrainConfig, list]:
    """A new payoff run's settings, recipe and plan (nothing written yet)."""
    opts = make_options(PayoffOptions, given["payoff"], "payoff")
    if opts.front and not (search_dir / "front.json").is_file():
        raise InputError(f"--front: {search_dir} has no front.json (a multi-objective search writes one)")
    cfg = TrainConfig.from_dict({"device": default_device, "val_split": DEFAULT_VAL_SPLIT, **given["train"]})
    if cfg.val_split == 0:
        raise InputError("--val-split 0: payoff ranks the networks on a validation hold-out; give a fraction "
                         f"such as {DEFAULT_VAL_SPLIT}")
    try:
        scfg = SearchConfig.from_dict({**search_cfg, "device": cfg.device, "executor": "local", "workers": 1})
    except (TypeError, ValueError) as e:
        raise InputError(f"{search_dir / 'config.json'}: not a search this release can read ({e})") from None
    dataset = given["dataset"] or scfg.dataset
    data_root = given["data_root"] if given["data_root"] is not None else (
        scfg.data_root if dataset == scfg.dataset else None)
    shape, classes = _shape(dataset, data_root, cfg)
    neuron = one_neuron(scfg.space_obj, given.get("neuron", {}))
    plan = plan_networks(search_dir, scfg, opts, cfg.seed, shape, classes, cfg.timesteps, cfg.device, neuron)
    settings = {"dataset": dataset, "data_root": data_root, "train": cfg.to_dict(), "payoff": options_dict(opts),
                "neuron": neuron}
    return settings, cfg, plan


def _shape(dataset: str, data_root, cfg: TrainConfig) -> tuple[tuple[int, int, int], int]:
    info = data.get_info(dataset)
    if info.classes:
        return tuple(info.shape), info.classes
    x, y = data.load(dataset, data_root, "train", cfg.timesteps if info.kind == "events" else None, cfg.framing)
    return tuple(x.shape[-3:]), int(max(y)) + 1


def _finished(run_dir: Path) -> dict | None:
    """A network's metrics.json when its training has finished, else None."""
    metrics = run_folder.read_metrics(run_dir)
    return metrics if metrics is not None and metrics.get("status") == "done" else None
