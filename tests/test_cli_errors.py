"""Bad input gets exit 2 and one line `error: ...` on stderr, no traceback."""

import gzip

import numpy as np

from spikenas.data.idx import write_idx


def assert_one_line_error(out, *words):
    assert out.returncode == 2, (out.returncode, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in out.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_missing_data_folder(cli, tmp_path):
    out = cli("train", "--dataset", "mnist", "--data-root", tmp_path / "nowhere", "--run", tmp_path / "r")
    assert_one_line_error(out, "train-images-idx3-ubyte", "nowhere")


def test_truncated_idx_file(cli, tmp_path):
    for split, n in (("train", 20), ("t10k", 10)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", np.zeros((n, 28, 28), np.uint8))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[: len(raw) - 100]))
    out = cli("train", "--dataset", "mnist", "--data-root", tmp_path, "--run", tmp_path / "r")
    assert_one_line_error(out, "train-images-idx3-ubyte.gz", "truncated")


def test_mislabelled_idx_file(cli, tmp_path):
    for split, n in (("train", 20), ("t10k", 10)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", np.zeros((n, 28, 28), np.uint8))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", np.arange(n) % 10 + 5)
    out = cli("train", "--dataset", "mnist", "--data-root", tmp_path, "--run", tmp_path / "r")
    assert_one_line_error(out, "train-labels-idx1-ubyte", "label 14")


def test_unknown_option(cli, tmp_path):
    out = cli("train", "--dataset", "digits", "--run", tmp_path / "r", "--frobnicate", "3")
    assert_one_line_error(out, "--frobnicate")


def test_impossible_option_values(cli, tmp_path):
    assert_one_line_error(cli("train", "--dataset", "digits", "--run", tmp_path / "r", "--epochs", "0"), "--epochs")
    assert_one_line_error(cli("train", "--dataset", "nope", "--run", tmp_path / "r"), "unknown dataset")
    assert_one_line_error(cli("train", "--dataset", "digits", "--run", tmp_path / "r", "--neuron", "xyz"), "xyz")


def test_existing_run_is_not_overwritten(cli, tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    (run / "metrics.json").write_text('{"kept": true}')
    out = cli("train", "--dataset", "digits", "--run", run)
    assert_one_line_error(out, "not a spikenas run folder")
    assert (run / "metrics.json").read_text() == '{"kept": true}'


def test_help_on_each_subcommand(cli):
    for sub in (["train"], ["data"], ["data", "info"]):
        out = cli(*sub, "--help")
        assert out.returncode == 0 and "usage" in out.stdout
