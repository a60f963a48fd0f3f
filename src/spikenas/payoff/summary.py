"""payoff.json from the plan and the trained networks: one row per network, the rank agreement of the
training-free score and of the two trivial proxies (parameters, convolutions) with the trained accuracy
on the validation hold-out, and the found network against the random draws and the baseline on the test
set (read once per network, after its last epoch)."""

from __future__ import annotations

import math

from spikenas.payoff.ranks import kendall_tau, spearman_rho


def row(entry: dict, metrics: dict | None) -> dict:
    """A network's row: what the plan knew before training, and what training measured (None until done)."""
    done = metrics is not None and metrics.get("status") == "done"
    history = (metrics or {}).get("history") or []
    return {"name": entry["name"], "kind": entry["kind"], "code": entry["code"], "score": entry["score"],
            "scores": entry.get("scores"),
            "parameters": entry["parameters"], "convolutions": entry["convolutions"],
            "epochs_done": len(history), "status": "done" if done else ("running" if history else "waiting"),
            "val_accuracy": history[-1].get("val_accuracy") if done else None,
            **{k: metrics.get(k) if done else None for k in
               ("test_accuracy", "spikes_per_sample", "energy_per_sample_uj", "wall_time_s")}}


def summarize(rows: list[dict]) -> dict:
    """`correlations`: for every training-free score the networks got (the search's own first, then any
    --also-score), the parameter count and the convolution count: tau and rho against validation accuracy,
    over the same networks (those with every score; without scores, every trained genotype network)."""
    trained = [r for r in rows if r["status"] == "done" and r["kind"] != "baseline"]
    names = list(dict.fromkeys(n for r in rows for n in (r.get("scores") or {})))
    scored = [r for r in trained if r.get("scores") and all(
        r["scores"].get(n) is not None and not math.isnan(r["scores"][n]) for n in names)]
    among = scored if names else trained
    correlations = {}
    for predictor in [*names, "parameters", "convolutions"]:
        xs = [float(r["scores"][predictor] if predictor in names else r[predictor]) for r in among]
        ys = [r["val_accuracy"] for r in among]
        several = len(among) > 1
        correlations[predictor] = {"kendall_tau": kendall_tau(xs, ys) if several else None,
                                   "spearman_rho": spearman_rho(xs, ys) if several else None,
                                   "networks": len(among), "kind": "score" if predictor in names else "trivial"}
    return {"networks": rows, "correlations": correlations,
            "correlated_with": "validation accuracy after the last epoch (a seeded hold-out of the training set)",
            "comparison": compare(rows)}


def compare(rows: list[dict]) -> dict:
    """The found network against the random draws (mean, sample standard deviation, the draw the validation
    split would pick) and the baseline, on test accuracy; `verdict` in words."""
    done = {r["name"]: r for r in rows if r["status"] == "done"}
    found, base = done.get("found"), done.get("baseline")
    randoms = [r for r in rows if r["kind"] == "random" and r["status"] == "done"]
    out: dict = {"found_test_accuracy": found["test_accuracy"] if found else None,
                 "random_draws": len(randoms), "random_mean": None, "random_spread": None,
                 "random_picked_by_validation": None,
                 "baseline_test_accuracy": base["test_accuracy"] if base else None}
    if randoms:
        accs = [r["test_accuracy"] for r in randoms]
        mean = sum(accs) / len(accs)
        out["random_mean"] = mean
        out["random_spread"] = (math.sqrt(sum((a - mean) ** 2 for a in accs) / (len(accs) - 1))
                                if len(accs) > 1 else None)
        pick = max(randoms, key=lambda r: (r["val_accuracy"], -randoms.index(r)))
        out["random_picked_by_validation"] = {"name": pick["name"], "test_accuracy": pick["test_accuracy"]}
    out["verdict"] = verdict(found, out, base)
    return out


def verdict(found: dict | None, c: dict, base: dict | None) -> str:
    if found is None:
        return "the found network has not finished training"
    parts = []
    if c["random_mean"] is not None:
        margin = 100 * (found["test_accuracy"] - c["random_mean"])
        spread = c["random_spread"]
        if spread is None:
            parts.append(f"the found network: {margin:+.2f} points against the one random draw (no spread with one "
                         "draw)")
        else:
            beats = "beats" if margin > 100 * spread else "does not beat"
            parts.append(f"the found network {beats} the mean of {c['random_draws']} random draws by more than "
                         f"their spread ({margin:+.2f} points; spread {100 * spread:.2f})")
    if base is not None:
        diff = 100 * (found["test_accuracy"] - base["test_accuracy"])
        params = "no more" if found["parameters"] <= base["parameters"] else "more"
        spikes = "no more" if found["spikes_per_sample"] <= base["spikes_per_sample"] else "more"
        parts.append(f"{diff:+.2f} points against the baseline, with {params} parameters "
                     f"({found['parameters']:,} vs {base['parameters']:,}) and {spikes} spikes per sample "
                     f"({found['spikes_per_sample']:,.0f} vs {base['spikes_per_sample']:,.0f})")
    return "; ".join(parts) if parts else "nothing to compare the found network with"
