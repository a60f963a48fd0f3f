"""--val-split: a seeded hold-out of the training set is measured every epoch, the test set exactly once,
after the last epoch; metrics.json says which split each figure comes from, and the sizes add up."""

import json

import spikenas.train.trainer as trainer
from spikenas.cli.main import main


def test_the_test_set_is_read_once_after_the_last_epoch(tmp_path, monkeypatch):
    reads = []
    measure = trainer.measure

    def counted(model, batches, *a, **k):
        reads.append(len(batches.y))
        return measure(model, batches, *a, **k)

    monkeypatch.setattr(trainer, "measure", counted)
    run = tmp_path / "t"
    assert main(["train", "--dataset", "digits", "--epochs", "3", "--timesteps", "2", "--batch-size", "128",
                 "--width", "4", "--val-split", "0.2", "--quiet", "--run", str(run)]) == 0
    m = json.loads((run / "metrics.json").read_text())
    assert m["samples"] == {"train": 1437 - 287, "validation": 287, "test": 360}
    assert reads == [287, 287, 287, 360]  # validation every epoch, the test set once at the end
    assert all("val_accuracy" in e and "test_accuracy" not in e for e in m["history"])
    assert m["test_accuracy"] is not None and "read once" in m["splits"]["test_accuracy, spikes, energy"]
    assert main(["report", str(run)]) == 0
    assert "validation" in (run / "report.html").read_text()


def test_without_a_hold_out_every_epoch_is_on_the_test_set(tmp_path):
    run = tmp_path / "t"
    assert main(["train", "--dataset", "digits", "--epochs", "2", "--timesteps", "2", "--batch-size", "256",
                 "--width", "4", "--quiet", "--run", str(run)]) == 0
    m = json.loads((run / "metrics.json").read_text())
    assert m["samples"]["validation"] == 0 and all("test_accuracy" in e for e in m["history"])
