"""TensorBoard scalars, where the tensorboard package is installed: a training run logs each epoch once, and
a resumed run does not log an epoch twice."""

import pytest

from spikenas.cli.main import main

accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

TRAIN = ["train", "--dataset", "digits", "--timesteps", "2", "--batch-size", "256", "--width", "4", "--quiet"]


def _steps(run, tag):
    acc = accumulator.EventAccumulator(str(run / "tensorboard"))
    acc.Reload()
    return [e.step for e in acc.Scalars(tag)]


def test_training_logs_every_epoch_once(tmp_path):
    run = tmp_path / "t"
    assert main([*TRAIN, "--epochs", "2", "--run", str(run)]) == 0
    assert _steps(run, "test_accuracy") == [1, 2]
    assert main(["train", "--resume", "--run", str(run), "--quiet"]) == 0  # a finished run: nothing logged again
    assert _steps(run, "test_accuracy") == [1, 2]


def test_a_resumed_log_drops_what_it_will_log_again(tmp_path):
    from spikenas.logs import TensorBoard

    first = TensorBoard(tmp_path, 1)
    for step in (1, 2, 3):  # killed after logging step 3 but before its checkpoint
        first.add(step, {"x": float(step)})
    first.close()
    again = TensorBoard(tmp_path, 3)  # the checkpoint holds steps 1 and 2
    for step in (3, 4):
        again.add(step, {"x": 10.0 * step})
    again.close()
    acc = accumulator.EventAccumulator(str(tmp_path / "tensorboard"))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("x")] == [(1, 1.0), (2, 2.0), (3, 30.0), (4, 40.0)]
