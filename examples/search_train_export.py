"""Search, train, measure and export in one script: a training-free SNASNet search on the built-in digits,
the chosen cell trained, its accuracy, spikes and energy printed, and the network written as NIR and
TorchScript. `--quick` runs a few-second version (what the tests run); without it, a short real one.

    python examples/search_train_export.py
"""

import argparse

import torch

import spikenas.api as sn
from spikenas.export import to_torchscript
from spikenas.export.nir_graph import to_nir


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    quick = p.parse_args().quick
    size = dict(candidates=6, timesteps=2, batch_size=32, repeats=1, channels=8) if quick else \
        dict(candidates=100, timesteps=4)
    result = sn.search("runs/example-search", space="snasnet", dataset="digits", **size)
    print(f"searched {result['candidates']} cells; chosen: {result['best'].metrics.get('code')}")
    metrics = sn.train("runs/example-train", dataset="digits", genotype="runs/example-search/best.json",
                       epochs=1 if quick else 20, timesteps=size["timesteps"], batch_size=128 if quick else 32,
                       optimizer="adamw", lr=2e-3, crop_padding=0 if quick else 1)
    print(f"test accuracy {100 * metrics['test_accuracy']:.2f}%, {metrics['spikes_per_sample']:.0f} spikes and "
          f"{metrics['energy_per_sample_uj']:.3f} uJ per sample, {metrics['parameters']} parameters")
    model, about = sn.load("runs/example-train")
    to_torchscript(model, about, "runs/example-train/model.pt")
    import nir

    nir.write("runs/example-train/model.nir", to_nir(model, about))
    with torch.no_grad():
        print("logits of one image:", model(torch.rand(1, *about["input_shape"])).numpy().round(2))


if __name__ == "__main__":
    main()
