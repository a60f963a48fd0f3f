"""Which training-free score, at which width, batch and length, ranks a payoff run's networks best? Every
network a finished payoff trained (found and random draws; the ones the search could score) is scored again at
initialisation by every RDM variant (2 dissimilarities x 4 reductions), SAHD, and spikes at initialisation, at
each setting given, and each score's Kendall tau / Spearman rho against the networks' validation accuracy
(the payoff's seed, each seed `proxy_ceiling.py` trained, and their mean) is printed as a markdown table.

    python benchmarks/proxy_variants.py runs/px2/mse --seeds-out runs/px2/mse-seeds \\
        --settings 16x256x2,32x256x2,16x64x2,16x256x4

A setting is CHANNELSxBATCHxTIMESTEPS; the networks are built and seeded as the search built them (same
weights for the same genotype and seed) and scored on the search's scoring batches at that batch size (two
repeats). Every RDM variant reads every spiking layer (`rdm_layers="all"`); at the search's own setting, the
recomputed score of the search's kind must equal the recorded one where the search read every layer too:
checked, and said. `--cache FILE` keeps the scores, so that another ground truth (a seed trained since)
or another setting costs only what it adds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from spikenas import run_folder, spaces
from spikenas.payoff.ranks import kendall_tau, spearman_rho
from spikenas.scores.rdm import DISSIMILARITIES
from spikenas.search.score_batches import score_batches
from spikenas.search.scoring import Networks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rdm_proxy import scores_of  # noqa: E402  (benchmarks/ is not a package)


def accuracies(payoff: Path, seeds_out: Path | None, names: list[str]) -> dict[str, list[float]]:
    """Validation accuracy per network name for the payoff's seed and every seed under `seeds_out`."""
    done = {r["name"]: r for r in json.loads((payoff / "payoff.json").read_text())["networks"]}
    seed = json.loads((payoff / "config.json").read_text())["train"]["seed"]
    runs = {f"seed {seed}": [done[n]["val_accuracy"] for n in names]}
    for folder in sorted(seeds_out.glob("seed*")) if seeds_out else []:
        metrics = [run_folder.read_metrics(folder / n) for n in names]
        if all(m and m.get("status") == "done" for m in metrics):
            runs[f"seed {folder.name[4:]}"] = [m["history"][-1]["val_accuracy"] for m in metrics]
    return runs


def trained_networks(search: Path, seeds_out: Path | None):
    """(the search's config, the payoff's plan entries of the networks it trained and the search could score,
    the space, their genotypes, {ground truth name: validation accuracy per network}), the seeds' mean among
    the ground truths where there is more than one seed."""
    scfg = json.loads((search / "config.json").read_text())
    payoff = search / "payoff"
    pcfg = json.loads((payoff / "config.json").read_text())
    status = {r["name"]: r["status"] for r in json.loads((payoff / "payoff.json").read_text())["networks"]}
    plan = [e for e in pcfg["networks"] if e["kind"] != "baseline" and status.get(e["name"]) == "done"
            and e.get("scores") and all(v is not None for v in e["scores"].values())]
    names = [e["name"] for e in plan]
    truth = accuracies(payoff, seeds_out, names)
    if len(truth) > 1:
        truth["their mean"] = [sum(v[i] for v in truth.values()) / len(truth) for i in range(len(names))]
    space = spaces.get(scfg["space"], **scfg.get("space_options", {}))
    return scfg, plan, space, [space.genotype_from_dict(e["model"]["genotype"]) for e in plan], truth


def arguments(description: str, settings: str, dissimilarity: bool = False) -> argparse.Namespace:
    """The command line of a rescoring benchmark: a payoff's search run, the seeds' folder, the settings and
    the cache (and, with `dissimilarity`, the RDMs' dissimilarity)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("search_run", help="a search run folder whose payoff/ has finished")
    ap.add_argument("--seeds-out", type=Path, default=None, help="proxy_ceiling.py's --out for the same run")
    ap.add_argument("--settings", default=settings, help="comma-separated CHANNELSxBATCHxTIMESTEPS")
    ap.add_argument("--cache", type=Path, default=None,
                    help="a JSON file of the values computed so far (per setting and genotype), read and extended")
    if dissimilarity:
        ap.add_argument("--dissimilarity", choices=DISSIMILARITIES, default="hamming")
    return ap.parse_args()


def main() -> None:
    a = arguments(__doc__.split("\n\n")[0], "16x256x2")
    for setting, scfg, plan, rows, truth, t0 in each_setting(a, scores_of, "networks scored by the search", "score"):
        C, B, T = (int(v) for v in setting.split("x"))
        own = (C, B, T) == (scfg["channels"], scfg["batch_size"], scfg["timesteps"])
        opts = scfg["score_options"]
        if own and scfg["score"] == "rdm" and opts.get("rdm_layers", "all") == "all":  # these read every layer
            key = f"rdm/{opts['rdm_dissimilarity']}/{opts['rdm_reduction']}"
            worst = max(abs(r[key] - e["scores"]["rdm"]) for r, e in zip(rows, plan, strict=True))
            print(f"(the search's setting: {key} recomputed within {worst:.2e} of the recorded scores)\n")
        print_correlations(setting, rows, truth)
        print(f"<!-- {setting}: {time.perf_counter() - t0:.0f} s -->", flush=True)


def each_setting(a: argparse.Namespace, measure, networks: str, column: str, cache_tag: str = ""):
    """Prints the table's head, then yields, per setting of `a.settings`: (setting, the search's config, its
    plan, `measure` of every trained network (rescored), the ground truths, when the setting began). The values
    are read from and added to `a.cache` (this benchmark's and proxy_layers.py's), under the setting followed
    by `cache_tag` (what else the values depend on)."""
    cache = json.loads(a.cache.read_text()) if a.cache and a.cache.is_file() else {}
    scfg, plan, space, genotypes, truth = trained_networks(Path(a.search_run), a.seeds_out)
    print(f"{len(plan)} {networks}; ground truth: {', '.join(truth)}\n")
    print(f"| setting | {column} | " + " | ".join(f"tau / rho against {k}" for k in truth) + " |")
    print("|---|---|" + "---|" * len(truth))
    for setting in a.settings.split(","):
        t0 = time.perf_counter()
        values = rescored(scfg, space, genotypes, setting, cache.setdefault(setting + cache_tag, {}), measure)
        if a.cache:
            a.cache.write_text(json.dumps(cache))
        yield setting, scfg, plan, values, truth, t0


def rescored(scfg: dict, space, genotypes: list, setting: str, known: dict, measure) -> list:
    """`measure(network, batches, labels)` of each genotype at a setting CHANNELSxBATCHxTIMESTEPS: the network
    built and seeded as the search built it, on the search's scoring batches at that size; `known` (genotype
    hash -> value) is read and extended."""
    C, B, T = (int(v) for v in setting.split("x"))
    batches, labels, shape, classes = score_batches(scfg["dataset"], scfg["data_root"], T, B, scfg["repeats"],
                                                    scfg["seed"])
    networks = Networks(space, dict(input_shape=shape, num_classes=classes, timesteps=T, channels=C),
                        torch.device("cpu"), reuse=False, channels_last=False)
    for g in genotypes:
        if g.hash() not in known:
            known[g.hash()] = measure(networks.get(g, scfg["seed"]), batches, labels)
    return [known[g.hash()] for g in genotypes]


def print_correlations(setting: str, rows: list[dict], truth: dict) -> None:
    """One markdown row per score of `rows` (a dict per network): tau / rho against each ground truth."""
    C, B, T = setting.split("x")
    for score in rows[0]:
        xs = [r[score] for r in rows]
        cells = []
        for ys in truth.values():
            tau, rho = kendall_tau(xs, ys), spearman_rho(xs, ys)
            cells.append("-" if tau is None else f"{tau:+.3f} / {rho:+.3f}")
        print(f"| C={C}, batch {B}, T={T} | {score} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
