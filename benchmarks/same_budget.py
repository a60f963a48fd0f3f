"""The same-budget protocol: does each method's search pay on a dataset? For each method and seed: search,
then `spikenas payoff` (the chosen network, k networks drawn at random from the same space and the
hand-built baseline at the narrowest width with at least the chosen network's parameters, all trained with
one recipe, a seeded 10% validation hold-out, the test set read once per network). Prints one markdown
table: accuracy (mean and spread over the random draws), spikes and energy per sample, parameters and time
of every network, and the verdict.

CPU size (the default; about 5 networks x 2 epochs on 8,000 images per method and seed):

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods snasnet,mse --seeds 0 --out runs/same-budget

The whole Fashion-MNIST training set (less the 10% hold-out) at the CPU size otherwise:

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods snasnet,mse --seeds 0 --train-samples 0 --out runs/same-budget-full

SNASNet networks the size of the baseline (`--hidden 0`: the space's classifier without its 1024-unit hidden
layer, a linear readout as the baseline's; the baseline then at the found network's parameter count), found
by SAHD alone (`snasnet`) or by NSGA-II on SAHD, spikes and parameters, the knee of the front
(`snasnet-nsga2`, as many candidates):

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods snasnet,snasnet-nsga2 --hidden 0 --seeds 0,1 --train-samples 0 --out runs/same-budget-h0

The same with per-timestep batch-norm statistics in cells with feedback edges, trained under bf16 autocast:

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods snasnet --hidden 0 --step-bn --cpu-amp --seeds 0,1 --train-samples 0 --out runs/same-budget-tbn

One classifier dropout for every network (none here; by default payoff gives the baseline the found network's
own, SNASNet's 0.5), SAHD's pick and the NSGA-II knee:

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods snasnet,snasnet-nsga2 --hidden 0 --step-bn --cpu-amp --dropout 0 --seeds 0,1 --train-samples 0 \\
        --out runs/same-budget-d0

With a spike budget for the searches (here the width-36 baseline's spikes at initialisation):

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist --methods snasnet \\
        --hidden 0 --step-bn --cpu-amp --dropout 0 --max-spikes 5744 --seeds 0,1 --train-samples 0 \\
        --out runs/same-budget-spikes

MSE-NAS's knee (NSGA-II on RDM, spikes and parameters) and its best RDM score, the baseline sized to each
(the networks' readout pooled, as before the flat readout became the default; without `--readout pool`, flat):

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods mse-knee,mse --sized-baseline --readout pool --seeds 0 --train-samples 0 --out runs/same-budget-rsa

MSE-NAS selecting by the score that trains (`--score early-loss`: 16 AdamW steps on the scoring draw, the
held batch's loss; RDM recorded beside it), its best score against the draws and the baseline of its size:

    python benchmarks/same_budget.py --dataset fashion-mnist --data-root DATA/fashion-mnist \\
        --methods mse --score early-loss --sized-baseline --seeds 0 --train-samples 0 --out runs/same-budget-early

CIFAR-10 from the JPEG copy, unpacked (`--dataset folder`; images of any size in class folders):

    python benchmarks/same_budget.py --dataset folder --data-root /tmp/cifar10-jpeg --crop-padding 4 --flip \\
        --methods snasnet,mse,darts --random 2 --out runs/same-budget-cifar

GPU size (`--size gpu`: full training set, 30 epochs, T = 4, larger searches, two seeds):

    python benchmarks/same_budget.py --size gpu --device cuda --dataset fashion-mnist \\
        --data-root DATA/fashion-mnist --methods snasnet,mse,mse-knee,darts --seeds 0,1 --out runs/same-budget-gpu

Every step is a spikenas run folder (OUT/METHOD-sSEED and its payoff/), so a killed protocol started again
with the same command resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spikenas.cli.main import main as spikenas

SIZES = {
    "cpu": {"timesteps": 2, "channels": 16, "candidates": 100, "generations": 3, "population": 20,
            "darts": ["--samples", "4000", "--epochs", "4", "--layers", "3", "--search-batch-size", "64"],
            "recipe": ["--epochs", "2", "--train-samples", "8000", "--batch-size", "128"],
            # the baseline at the nearest parameter count to an SNASNet network (its 1024-unit hidden layer
            # holds most of its 1.7M parameters at C = 16) is a width-236 VGG: beyond a CPU budget
            "baseline": ["--baseline-width", "32"]},
    "gpu": {"timesteps": 4, "channels": None, "candidates": 1000, "generations": 10, "population": 50,
            "darts": ["--epochs", "50", "--partial", "4"],
            "recipe": ["--epochs", "30", "--batch-size", "128"], "baseline": []},
}


def search_args(method: str, size: dict, seed: int, hidden: int | None = None, step_bn: bool = False,
                rdm_reduction: str | None = None, readout: str | None = None, score: str = "rdm") -> list[str]:
    common = ["--timesteps", str(size["timesteps"]), "--seed", str(seed)]
    if size["channels"]:
        common += ["--channels", str(size["channels"] if method != "darts" else size["channels"] // 2)]
    snasnet = ["--space", "snasnet", "--score", "sahd", *([] if hidden is None else ["--hidden", str(hidden)]),
               *(["--step-bn", "true"] if step_bn else [])]
    if method == "snasnet":
        return [*snasnet, "--strategy", "random", "--candidates", str(size["candidates"]), *common]
    if method == "snasnet-nsga2":  # the same space and score, and spikes and size as objectives: the knee
        return [*snasnet, "--strategy", "nsga2", "--objectives", "score,spikes,params", "--pick", "knee",
                "--generations", str(size["candidates"] // size["population"] - 1),
                "--population", str(size["population"]), "--offspring", str(size["population"]), *common]
    if method in ("mse", "mse-knee"):  # the best score (RDM unless --score) or the knee (score, spikes, size)
        return ["--space", "mse", "--strategy", "nsga2", "--score", score,
                *(["--also-score", "rdm"] if score != "rdm" else []),
                *(["--rdm-reduction", rdm_reduction] if rdm_reduction and score == "rdm" else []),
                *(["--readout", readout] if readout else []),
                "--pick", "primary" if method == "mse" else "knee",
                "--generations", str(size["generations"]), "--population", str(size["population"]),
                "--offspring", str(size["population"]), *common]
    if method == "darts":
        return ["--space", "darts", "--strategy", "darts", *size["darts"], *common]
    raise SystemExit(f"unknown method {method!r}: snasnet, snasnet-nsga2, mse, mse-knee or darts")


# settings of every network that the protocol passes on to `spikenas payoff` when given
PAYOFF_SETTINGS = {
    "--dropout": "dropout before the classifier of every network, the baseline's too (default: the found network's "
                 "own: SNASNet's 0.5, else 0; payoff's --dropout)",
    "--tau": "membrane time constant of every network's LIF, the baseline's too (default: the found network's "
             "own: SNASNet's 4/3, else 2; payoff's --tau)",
}


def _given(flag: str, value) -> list[str]:
    return [] if value is None else [flag, str(value)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--methods", default="snasnet,mse")
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-root", default=None)
    p.add_argument("--seeds", default="0")
    p.add_argument("--random", type=int, default=3)
    p.add_argument("--size", choices=tuple(SIZES), default="cpu")
    p.add_argument("--device", default="cpu")
    p.add_argument("--crop-padding", type=int, default=2, help="random-crop padding in training (CIFAR-10: 4)")
    p.add_argument("--flip", action="store_true", help="random horizontal flips in training (CIFAR-10)")
    p.add_argument("--train-samples", type=int, default=None,
                   help="train on a seeded subset of this many images (0: the whole training set; default: the "
                        "size's: 8,000 on the CPU, all on the GPU)")
    p.add_argument("--hidden", type=int, default=None,
                   help="SNASNet: the space's hidden width (0: none; default: the paper's 1024); when given, the "
                        "baseline is sized to the found network")
    p.add_argument("--step-bn", action="store_true",
                   help="SNASNet: batch-norm statistics per timestep in cells with feedback edges (the space's "
                        "--step-bn)")
    p.add_argument("--cpu-amp", action="store_true", help="train every network under bf16 autocast on the CPU")
    for flag, what in PAYOFF_SETTINGS.items():
        p.add_argument(flag, type=float, default=None, help=what)
    p.add_argument("--rdm-reduction", default=None,
                   help="MSE-NAS: the RDM score's reduction (search's --rdm-reduction; default: search's own)")
    p.add_argument("--readout", default=None,
                   help="MSE-NAS: the networks' readout, flat or pool (search's --readout; default: search's own)")
    p.add_argument("--score", default="rdm",
                   help="the score MSE-NAS searches select by (rdm, the method's; early-loss: the score that trains, "
                        "RDM then recorded beside it)")
    p.add_argument("--sized-baseline", action="store_true",
                   help="the baseline at the found network's parameter count for every method (payoff's default), "
                        "not the CPU size's width 32")
    p.add_argument("--max-spikes", type=float, default=None,
                   help="spike budget of every search that scores candidates (search's --max-spikes); payoff then "
                        "draws the random networks within it")
    p.add_argument("--out", default="runs/same-budget")
    args = p.parse_args()
    if args.score != "rdm" and (set(args.methods.split(",")) - {"mse", "mse-knee"} or args.rdm_reduction):
        p.error("--score other than rdm is for MSE-NAS's searches alone (--methods mse,mse-knee; RDM is then "
                "recorded with its defaults, so no --rdm-reduction)")
    size = dict(SIZES[args.size])
    if args.hidden is not None or args.sized_baseline:
        size["baseline"] = []
    if args.train_samples is not None:
        r = size["recipe"]
        r = [v for i, v in enumerate(r) if v != "--train-samples" and (i == 0 or r[i - 1] != "--train-samples")]
        size["recipe"] = r + (["--train-samples", str(args.train_samples)] if args.train_samples else [])
    data = ["--dataset", args.dataset] + (["--data-root", args.data_root] if args.data_root else [])
    recipe = [*size["recipe"], "--timesteps", str(size["timesteps"]), "--optimizer", "adamw", "--lr", "2e-3",
              "--weight-decay", "0.01", "--crop-padding", str(args.crop_padding), "--val-split", "0.1",
              "--device", args.device, *(["--flip"] if args.flip else []), *(["--cpu-amp"] if args.cpu_amp else []),
              *[v for flag in PAYOFF_SETTINGS for v in _given(flag, getattr(args, flag[2:]))]]
    lines = ["| method | seed | network | parameters | validation | test | spikes/sample | uJ/sample | time, s |",
             "|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for method in args.methods.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            run = Path(args.out) / f"{method}-s{seed}"
            resume = ["--resume"] if (run / "config.json").exists() else []
            budget = [] if args.max_spikes is None or method == "darts" else ["--max-spikes", str(args.max_spikes)]
            searched = search_args(method, size, seed, args.hidden, args.step_bn, args.rdm_reduction,
                                   args.readout, args.score)
            _call(["search", *searched, *budget, *data, "--device", args.device, "--run", str(run), "--quiet", *resume])
            resume = ["--resume"] if (run / "payoff" / "config.json").exists() else []
            _call(["payoff", str(run), "--top", "1", "--random", str(args.random), "--seed", str(seed), *recipe,
                   *size["baseline"], "--quiet", *resume])
            summary = json.loads((run / "payoff" / "payoff.json").read_text())
            for r in summary["networks"]:
                name = f"{r['name']} `{r['code']}`" if r.get("code") else r["name"]
                lines.append(f"| {method} | {seed} | {name} | {r['parameters']:,} | {_pct(r['val_accuracy'])} | "
                             f"{_pct(r['test_accuracy'])} | {r['spikes_per_sample']:,.0f} | "
                             f"{r['energy_per_sample_uj']:.3f} | {r['wall_time_s']:.0f} |")
            c = summary["comparison"]
            spread = "" if c["random_spread"] is None else f" +- {100 * c['random_spread']:.2f}"
            verdicts.append(f"{method}, seed {seed}: random mean {_pct(c['random_mean'])}{spread}; "
                            f"{c['verdict']}")
    print("\n".join(lines + [""] + verdicts))


def _call(argv: list[str]) -> None:
    print("spikenas " + " ".join(argv), flush=True)
    status = spikenas(argv)
    if status:
        raise SystemExit(f"spikenas {argv[0]} ended with status {status}")


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"


if __name__ == "__main__":
    main()
