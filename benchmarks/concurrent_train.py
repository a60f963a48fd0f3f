"""Train several networks at once on one device, with one recipe and a wall-clock budget: the way to spend a
short GPU lease on a comparison (found networks, random draws, baselines) rather than on one network.

Small spiking networks leave most of a large GPU idle (each step is bound by the host's kernel launches), so
one process per network shares it well. Before training, every network runs a few steps of the recipe at
once (a probe, under the same contention as the trainings), and the common epoch count is the largest that
lets the slowest network finish within the budget (at most --max-epochs): every network trains for the same
epochs, so the comparison keeps one recipe. Each training is an ordinary `spikenas train` run folder
(OUT/NAME, resumable with `spikenas train --run OUT/NAME --resume`); a run still going at the deadline is
stopped and reported as unfinished. Prints one markdown table and writes OUT/summary.json.

    python benchmarks/concurrent_train.py --jobs jobs.json --dataset fashion-mnist \\
        --data-root DATA/fashion-mnist --budget-s 450 --max-epochs 40 --out runs/conc -- \\
        --timesteps 4 --batch-size 256 --optimizer adamw --lr 2e-3 --weight-decay 0.01 --crop-padding 2 \\
        --val-split 0.1 --dropout 0

jobs.json: a list of {"name": ..., "genotype": FILE, "channels": C} or {"name": ..., "width": W}. The
arguments after `--` go to every `spikenas train`, and the probe builds and steps each network as
`spikenas train` reads them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

PROBE_WARMUP, STARTUP_S, MARGIN = 5, 40.0, 1.25


def model_args(job: dict) -> list[str]:
    """The `spikenas train` arguments that choose `job`'s network."""
    if "genotype" in job:
        return ["--genotype", job["genotype"], "--channels", str(job["channels"])]
    return ["--width", str(job["width"])]


def train_settings(job: dict, train_args: list[str], device: str) -> tuple[dict, object]:
    """(model entry, TrainConfig) exactly as `spikenas train` reads `job`'s arguments and the shared ones."""
    from spikenas.cli.main import build_parser
    from spikenas.cli.train_cmd import settings_from_args
    from spikenas.train.config import TrainConfig

    args = build_parser().parse_args(["train", "--run", "-", "--device", device, *model_args(job), *train_args])
    settings = settings_from_args(args)
    return settings["model"], TrainConfig.from_dict(settings["train"])


def probe(job: dict, shape: list[int], classes: int, train_args: list[str], device: str, steps: int) -> dict:
    """Seconds per training step of `job`'s network on random input, its parameters."""
    import torch

    from spikenas.train.run import build_model
    from spikenas.train.trainer import count_parameters, make_optimizer, supervised_step

    spec, cfg = train_settings(job, train_args, device)
    model = build_model(spec, shape, classes, cfg.timesteps).to(device)
    if device.startswith("cuda"):
        model.to(memory_format=torch.channels_last)
    opt, step = make_optimizer(model, cfg), supervised_step(cfg, torch.device(device))
    x = torch.rand(cfg.batch_size, *shape, device=device)
    y = torch.randint(0, classes, (cfg.batch_size,), device=device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    for _ in range(PROBE_WARMUP):
        step(model, opt, x, y)
    sync()
    t = time.perf_counter()
    for _ in range(steps):
        step(model, opt, x, y)
    sync()
    return {"step_s": (time.perf_counter() - t) / steps, "parameters": count_parameters(model)}


def epochs_within(step_s: float, budget_s: float, train_n: int, batch: int, val_n: int, test_n: int,
                  max_epochs: int) -> int:
    """The most epochs a network of `step_s` seconds per step finishes in `budget_s` (an evaluation batch
    counted as half a training step), at least 1."""
    per_epoch = (math.ceil(train_n / batch) + 0.5 * math.ceil(val_n / batch)) * step_s * MARGIN
    final = 0.5 * math.ceil(test_n / batch) * step_s * MARGIN
    return max(1, min(max_epochs, int((budget_s - STARTUP_S - final) // per_epoch)))


def row(name: str, m: dict | None) -> str:
    if not m:
        return f"| {name} | not started | | | | | |"
    hist = m.get("history") or [{}]
    last_val = hist[-1].get("val_accuracy")
    acc = m.get("test_accuracy")
    return (f"| {name} | {m.get('status')} ({m.get('epochs_done')} epochs) | {m.get('parameters'):,} | "
            f"{_shown(last_val, '{:.2%}')} | {_shown(acc, '{:.2%}')} | "
            f"{_shown(m.get('spikes_per_sample'), '{:,.0f}')} | {m.get('wall_time_s', 0):.0f} s |")


def _shown(value, form: str) -> str:
    return "-" if value is None else form.format(value)


def main() -> None:
    argv = sys.argv[1:]
    train_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--data-root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget-s", type=float, default=450, help="wall-clock seconds for probe and training")
    ap.add_argument("--max-epochs", type=int, default=40)
    ap.add_argument("--probe-steps", type=int, default=20)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--shape", default="1,28,28", help="input shape C,H,W (for the probe)")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--train-size", type=int, default=60000, help="training set size before the hold-out")
    ap.add_argument("--test-size", type=int, default=10000)
    ap.add_argument("--probe-one", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    shape = [int(s) for s in a.shape.split(",")]
    if a.probe_one:
        print(json.dumps(probe(json.loads(a.probe_one), shape, a.classes, train_args, a.device, a.probe_steps)))
        return
    t0 = time.monotonic()
    jobs = json.loads(Path(a.jobs).read_text())
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 2) // len(jobs)))}
    me = [sys.executable, __file__] + argv
    probes = [subprocess.Popen(me + ["--probe-one", json.dumps(j), "--"] + train_args, stdout=subprocess.PIPE,
                               text=True, env=env) for j in jobs]
    measured = {}
    for j, p in zip(jobs, probes, strict=True):
        text = p.communicate()[0].strip()
        if p.returncode == 0 and text:
            measured[j["name"]] = json.loads(text.splitlines()[-1])
        else:
            print(f"probe {j['name']}: failed (exit status {p.returncode}); not trained", flush=True)
    jobs = [j for j in jobs if j["name"] in measured]
    _, cfg = train_settings(jobs[0], train_args, a.device)
    val_n = int(round(a.train_size * cfg.val_split))
    train_n = cfg.train_samples or a.train_size - val_n
    batch = cfg.batch_size
    slowest = max(m["step_s"] for m in measured.values())
    left = a.budget_s - (time.monotonic() - t0)
    epochs = epochs_within(slowest, left, train_n, batch, val_n, a.test_size, a.max_epochs)
    for name, m in measured.items():
        print(f"probe {name}: {1000 * m['step_s']:.1f} ms per step (all at once), {m['parameters']:,} parameters")
    print(f"{len(jobs)} networks, {epochs} epochs each ({left:.0f} s left)", flush=True)
    procs = {}
    for j in jobs:
        cmd = [sys.executable, "-m", "spikenas", "train", "--dataset", a.dataset, "--data-root", a.data_root,
               "--device", a.device, "--run", str(out / j["name"]), "--epochs", str(epochs), "--quiet",
               *model_args(j), *train_args]
        log = open(out / f"{j['name']}.log", "w")  # noqa: SIM115 (closed with the process)
        procs[j["name"]] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log)
    deadline = t0 + a.budget_s
    while any(p.poll() is None for p, _ in procs.values()) and time.monotonic() < deadline:
        time.sleep(2)
    for p, log in procs.values():
        if p.poll() is None:
            p.terminate()
            p.wait(30)
        log.close()
    results = {}
    for name in procs:
        f = out / name / "metrics.json"
        results[name] = json.loads(f.read_text()) if f.exists() else None
    summary = {"epochs": epochs, "probe": measured, "train_args": train_args, "jobs": jobs,
               "results": {k: (None if v is None else {x: v.get(x) for x in (
                   "status", "epochs_done", "parameters", "test_accuracy", "spikes_per_sample",
                   "energy_per_sample_uj", "wall_time_s", "history")}) for k, v in results.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print("| network | status | parameters | last validation | test | spikes / sample | time |")
    print("|---|---|---|---|---|---|---|")
    for name, m in results.items():
        print(row(name, m))
    print(f"total {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
