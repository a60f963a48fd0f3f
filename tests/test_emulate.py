"""Emulated events: both polarities, N-MNIST's sensor, deterministic by seed, and framed like recordings."""

import numpy as np
import torch

from spikenas import data
from spikenas.data.emulate import EmulationConfig, emulate, saccade_path
from spikenas.data.events.framing import to_frames
from spikenas.data.idx import write_idx

from .conftest import run_cli


def digit_images(n=6):
    x = torch.zeros(n, 1, 28, 28, dtype=torch.uint8)
    for i in range(n):
        x[i, 0, 6 + i: 20, 10:14 + i] = 255  # a bar, different per sample
    return x


def test_emulated_events_have_both_polarities_and_fit_the_sensor():
    ev = emulate(digit_images())
    assert ev.sensor == (34, 34) and len(ev) == 6
    assert (ev.counts() > 0).all()
    assert set(np.unique(ev.p)) == {0, 1}
    assert ev.x.max() < 34 and ev.y.max() < 34 and ev.x.min() >= 0
    for i in range(6):  # time-ordered within each sample, inside the 300 ms of three saccades
        t = ev.sample(i)["t"]
        assert (np.diff(t) >= 0).all() and t.max() < 300_000
    frames = to_frames(ev, 5)
    assert frames.shape == (6, 5, 2, 34, 34) and frames.sum() == len(ev.t)


def test_blank_image_gives_no_events_without_noise_and_some_with():
    blank = torch.zeros(2, 1, 28, 28, dtype=torch.uint8)
    assert len(emulate(blank).t) == 0
    assert len(emulate(blank, EmulationConfig(noise_hz=50.0)).t) > 0


def test_seeded_and_refractory():
    x = digit_images(3)
    a = emulate(x, EmulationConfig(noise_hz=5.0, seed=1))
    b = emulate(x, EmulationConfig(noise_hz=5.0, seed=1))
    assert np.array_equal(a.t, b.t) and np.array_equal(a.x, b.x)
    cfg = EmulationConfig(refractory_us=20_000)
    ev = emulate(x, cfg)
    s = ev.sample(0)
    pix = s["y"] * 34 + s["x"]
    for p in np.unique(pix):  # no pixel fires twice within its refractory period
        assert (np.diff(s["t"][pix == p]) >= cfg.refractory_us).all()


def test_saccades_form_a_closed_triangle():
    path = saccade_path(EmulationConfig())
    assert len(path) == 60 and path[0][:2] == (-2.0, -2.0) and path[-1][2] < 300_000


def test_nmnist_emulated_dataset_and_command(tmp_path, monkeypatch):
    monkeypatch.setenv("SPIKENAS_CACHE", str(tmp_path / "cache"))
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    for split, n in (("train", 12), ("t10k", 6)):
        write_idx(mnist / f"{split}-images-idx3-ubyte", digit_images(n)[:, 0].numpy())
        write_idx(mnist / f"{split}-labels-idx1-ubyte", np.arange(n) % 10)
    frames, y = data.load("nmnist-emulated", root=mnist, timesteps=4)
    assert frames.shape == (12, 4, 2, 34, 34) and frames.dtype == torch.uint8
    assert frames[:, :, 0].sum() > 0 and frames[:, :, 1].sum() > 0
    assert y.tolist() == [i % 10 for i in range(12)]
    out = run_cli("data", "emulate", "mnist", "--data-root", mnist, "--out", tmp_path / "em")
    assert out.returncode == 0, out.stderr
    assert "EMULATED" in (tmp_path / "em" / "EMULATED.txt").read_text()
    # the same images in one batch of the same size (float rounding of the log-intensity may differ between
    # batch sizes, as vectorised and scalar loops do), then the same framing
    frames2, y2 = data.load("npz-events", root=tmp_path / "em", timesteps=4)
    order = sorted(range(12), key=lambda i: (i % 10, i))  # npz-events lists class by class, then by file name
    assert y2.tolist() == [i % 10 for i in order] and torch.equal(frames2, frames[order])
    again = run_cli("data", "emulate", "mnist", "--data-root", mnist, "--out", tmp_path / "em")
    assert again.returncode == 2 and "not empty" in again.stderr
    limited = run_cli("data", "emulate", "mnist", "--data-root", mnist, "--out", tmp_path / "em5", "--limit", "5")
    assert limited.returncode == 0 and len(list((tmp_path / "em5" / "train").rglob("*.npz"))) == 5
