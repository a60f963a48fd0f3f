"""`spikenas data list | info NAME | emulate NAME --out DIR`: the datasets, one described, events emulated."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spikenas import data
from spikenas.data.emulate import EmulationConfig, emulate
from spikenas.data.events.framing import METHODS as FRAMINGS
from spikenas.data.events.types import EventSet
from spikenas.errors import InputError
from spikenas.limits import MAX_SEED, MAX_TIMESTEPS
from spikenas.options import Bounds
from spikenas.progress import Progress


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="list datasets, describe one, emulate events",
                       description="Datasets known to spikenas.")
    dsub = p.add_subparsers(dest="data_command", required=True, parser_class=type(p))
    dsub.add_parser("list", help="every dataset name with its shape and classes").set_defaults(func=list_sets)
    info = dsub.add_parser("info", help="load one dataset and describe it")
    info.add_argument("name")
    info.add_argument("--data-root", default=None)
    _add(info, "--timesteps", Bounds(int, 1, MAX_TIMESTEPS, optional=True), None,
         "frames per sample for event sets (none: raw events)")
    _add(info, "--framing", Bounds(str, choices=FRAMINGS), "count", "event sets: bins of equal event count or time")
    info.set_defaults(func=describe)
    em = dsub.add_parser("emulate", help="emulate DVS events from an image set (N-MNIST-style saccades)",
                         description="Write EMULATED events of an image set as <out>/<split>/<class>/<i>.npz "
                                     "(arrays x, y, t, p) plus sensor.txt; train on them with "
                                     "--dataset npz-events --data-root OUT.")
    em.add_argument("name", help="a static image set (digits, mnist, fashion-mnist, cifar10, cifar100)")
    em.add_argument("--out", required=True, help="folder to create (must not exist or be empty)")
    em.add_argument("--data-root", default=None)
    _add(em, "--limit", Bounds(int, 1, 10**9, optional=True), None, "at most this many images per split")
    defaults = EmulationConfig()
    _add(em, "--threshold", Bounds(float, 0, 10, low_open=True), defaults.threshold, "log-intensity contrast threshold")
    _add(em, "--refractory-us", Bounds(int, 0, 10**7), defaults.refractory_us, "refractory period of a pixel, us")
    _add(em, "--noise-hz", Bounds(float, 0, 1e6), defaults.noise_hz, "background events per pixel per s")
    _add(em, "--seed", Bounds(int, 0, MAX_SEED), defaults.seed, "seed of the noise events")
    em.set_defaults(func=emulate_cmd)


def _add(p, flag: str, bounds: Bounds, default, help: str) -> None:
    p.add_argument(flag, type=bounds.parser(flag), default=default, help=f"{help} {bounds.describe(default)}",
                   metavar=flag[2:].upper().replace("-", "_"))


def list_sets(args: argparse.Namespace) -> int:
    for info in data.REGISTRY.values():
        shape = "x".join(map(str, info.shape)) if info.classes else "from files"
        classes = f"{info.classes:4d} classes" if info.classes else "from files  "
        print(f"{info.name:24s} {info.kind:7s} {shape:10s} {classes}  {info.description}")
    return 0


def describe(args: argparse.Namespace) -> int:
    info = data.get_info(args.name)
    print(f"{info.name}: {info.description}\nfiles: {info.files}")
    for split in ("train", "test"):
        x, y = data.load(args.name, args.data_root, split, args.timesteps, args.framing)
        counts = np.bincount(y.numpy(), minlength=info.classes).tolist()
        if isinstance(x, EventSet):
            n = x.counts()
            what = (f"{len(x)} samples of raw events on a {x.sensor[1]}x{x.sensor[0]} sensor, "
                    f"{n.mean():.0f} events per sample (min {n.min()}, max {n.max()})")
        else:
            what = f"x {tuple(x.shape)} {str(x.dtype).replace('torch.', '')}"
        print(f"{split}: {what}; {len(y)} labels, per class {counts}")
    return 0


def emulate_cmd(args: argparse.Namespace) -> int:
    info = data.get_info(args.name)
    if info.kind != "static":
        raise InputError(f"emulate takes a static image set, and {args.name!r} is {info.kind}")
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out} exists and is not empty: choose a new --out")
    cfg = EmulationConfig(threshold=args.threshold, refractory_us=args.refractory_us, noise_hz=args.noise_hz,
                          seed=args.seed)
    for split in ("train", "test"):
        x, y = data.load(args.name, args.data_root, split)
        if args.limit is not None:
            x, y = x[:args.limit], y[:args.limit]
        bar = Progress(len(x), f"emulating {args.name} {split}")
        events = emulate(x, cfg, progress=bar)
        bar.close()
        for i in range(len(events)):
            folder = out / split / str(int(y[i]))
            folder.mkdir(parents=True, exist_ok=True)
            np.savez(folder / f"{i:06d}.npz", **events.sample(i))
        (out / "sensor.txt").write_text(f"{events.sensor[0]} {events.sensor[1]}\n")
    (out / "EMULATED.txt").write_text(f"Events EMULATED from {args.name} images, not recorded: {cfg.to_dict()}\n")
    print(f"wrote emulated events of {args.name} to {out}")
    return 0
