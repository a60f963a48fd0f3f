"""bf16 autocast on the CPU, asked for by name (`spikenas train --cpu-amp`, `spikenas search --precision bf16`):
the convolutions run in bf16 on a channels-last network, training still learns, and the training-free
scores keep their ranking; without it everything stays fp32 and contiguous."""

import json

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau

from spikenas import spaces
from spikenas.models.baseline import SpikingVGG
from spikenas.search.executors import Job
from spikenas.search.scoring import score_candidate
from spikenas.snn import IF
from spikenas.train.config import TrainConfig
from spikenas.train.trainer import make_optimizer, supervised_step


def _conv_output_dtypes(model) -> list:
    seen = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(lambda mod, args, out: seen.append(out.dtype))
    return seen


def test_the_training_step_runs_its_convolutions_in_bf16_only_when_asked():
    x, y = torch.rand(4, 1, 12, 12), torch.randint(0, 10, (4,))
    for cpu_amp, expect in ((False, torch.float32), (True, torch.bfloat16)):
        torch.manual_seed(0)
        model = SpikingVGG((1, 12, 12), 10, 2, width=4)
        seen = _conv_output_dtypes(model)
        cfg = TrainConfig(timesteps=2, cpu_amp=cpu_amp)
        loss, _ = supervised_step(cfg, torch.device("cpu"))(model, make_optimizer(model, cfg), x, y)
        assert set(seen) == {expect} and torch.isfinite(loss)
        assert all(p.dtype == torch.float32 for p in model.parameters())  # fp32 master weights


def test_cpu_amp_trains_digits_channels_last_and_is_a_setting_of_the_run(cli, tmp_path):
    run = tmp_path / "r"
    out = cli("train", "--dataset", "digits", "--epochs", "3", "--batch-size", "16", "--lr", "0.05",
              "--cpu-amp", "--run", run, "--quiet")
    assert out.returncode == 0, out.stderr
    m = json.loads((run / "metrics.json").read_text())
    assert m["config"]["cpu_amp"] is True and m["test_accuracy"] > 0.85
    out = cli("train", "--run", run, "--resume", "--epochs", "3", "--quiet")  # the saved setting is kept
    assert out.returncode == 0, out.stderr


def test_bf16_scoring_keeps_the_fp32_ranking():
    space = spaces.get("snasnet")
    rng = np.random.default_rng(0)
    genotypes = [space.sample(rng) for _ in range(10)]
    build = {"input_shape": (3, 16, 16), "num_classes": 10, "timesteps": 4, "channels": 16}
    batches = [torch.rand(32, 3, 16, 16, generator=torch.Generator().manual_seed(b)) for b in range(2)]
    cpu = torch.device("cpu")
    jobs = {p: Job("snasnet", {}, batches, build, 0, [("sahd", None)], p, None) for p in ("fp32", "bf16")}
    networks = {p: job.networks(cpu) for p, job in jobs.items()}
    inputs = {p: job.batches_on(cpu) for p, job in jobs.items()}
    assert inputs["bf16"][0].is_contiguous(memory_format=torch.channels_last) and inputs["fp32"][0].is_contiguous()
    scores: dict = {"fp32": [], "bf16": []}
    for g in genotypes:
        for p in scores:
            model = networks[p].get(g, 0)
            seen = _conv_output_dtypes(model)
            try:
                with torch.no_grad(), torch.autocast("cpu", torch.bfloat16, enabled=p == "bf16"):
                    model(inputs[p][0])
                scores[p].append(score_candidate(networks[p], g, inputs[p], 0, precision=p)["score"])
            except ValueError:  # a readout that never fires: the same network fails either way
                scores[p].append(None)
            assert set(seen) == {torch.bfloat16 if p == "bf16" else torch.float32}
    pairs = [(a, b) for a, b in zip(scores["fp32"], scores["bf16"], strict=True) if a is not None and b is not None]
    assert len(pairs) >= 6
    assert all(abs(a - b) <= 0.15 * abs(a) for a, b in pairs)
    assert kendalltau(*zip(*pairs, strict=True)).statistic > 0.5


@pytest.mark.parametrize("backend", ["torch", "sequence", "compiled"])
def test_the_membrane_charges_in_float32_under_bf16(backend):
    """bf16 inputs (a convolution's output under autocast) fire the spikes float32 copies of them fire,
    for whole sequences and step by step (cells with feedback), the membrane carried in float32. Small
    inputs integrated over 16 steps: a bf16 membrane (8 bits) crosses the threshold at other steps."""
    torch.manual_seed(4)
    x = (torch.rand(16, 3, 4, 5, 5) * 0.3).bfloat16()
    expect = IF(backend="torch")(x.float())
    assert torch.equal(IF(backend=backend)(x).float(), expect)
    neuron, v, spikes = IF(backend=backend), None, []
    for t in range(16):
        s, v = neuron.step(x[t], v)
        assert v.dtype == torch.float32
        spikes.append(s)
    assert torch.equal(torch.stack(spikes), expect)
