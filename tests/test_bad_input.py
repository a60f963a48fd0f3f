"""Bad input never crashes, hangs or clobbers: generated bad options, run folders, genotype files and dataset
files, given to the command line in this process. Each must end with exit status 2 and one line on stderr that
starts with `error:` and names the option or the file, with no traceback, within a time bound, and leave every
file of two existing run folders (a search and a training run) byte-identical and no new folder behind.

The cases are drawn by hypothesis from the declarations themselves (every declared option's range, type and
choices), so a new option is covered with no edit here. Together the four tests run well over 1,000 cases."""

import contextlib
import gzip
import hashlib
import io
import json
import os
import pickle
import signal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikenas import spaces
from spikenas.cli.main import main
from spikenas.data.idx import write_idx
from spikenas.models.baseline import BaselineOptions
from spikenas.options import declared, flag_of
from spikenas.payoff.options import PayoffOptions
from spikenas.scores import SCORES
from spikenas.search.config import SearchConfig
from spikenas.search.strategies import STRATEGIES
from spikenas.snn.neuron_config import NeuronConfig
from spikenas.train.config import TrainConfig

from .formats import AEDAT31_HEADER, CIFAR10_CLASSES, cifar10_folder

SECONDS = 60  # per case, on a loaded machine; a refusal takes milliseconds
RAN = {"cases": 0}
FAST = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def run_main(argv) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `spikenas argv` in this process, bounded in time."""
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main([str(a) for a in argv])
            except SystemExit as e:
                rc = e.code
    except Hang:
        raise AssertionError(f"no answer within {SECONDS} s: spikenas {' '.join(map(str, argv))}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return rc, out.getvalue(), err.getvalue()


def snapshot(*folders: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two finished runs that no refused command may touch, and a place for new runs."""
    root = tmp_path_factory.mktemp("bad-input")
    os.environ["SPIKENAS_CACHE"] = str(root / "cache")
    search, train = root / "search-run", root / "train-run"
    rc, _, err = run_main(["search", "--candidates", "2", "--timesteps", "2", "--batch-size", "32", "--repeats",
                           "1", "--channels", "8", "--quiet", "--run", search])
    assert rc == 0, err
    rc, _, err = run_main(["train", "--dataset", "digits", "--epochs", "1", "--timesteps", "2", "--batch-size", "256",
                           "--width", "4", "--quiet", "--run", train])
    assert rc == 0, err
    w = {"root": root, "search": search, "train": train, "n": 0}
    w["before"] = snapshot(search, train)
    return w


def new_place(world) -> Path:
    world["n"] += 1
    return world["root"] / "cases" / f"c{world['n']}"


def refused(world, argv, names, new_run: Path | None = None) -> None:
    """The command refuses: exit 2, one `error:` line naming one of `names`, nothing touched or left."""
    RAN["cases"] += 1
    rc, _, err = run_main(argv)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    shown = f"spikenas {' '.join(map(str, argv))}\n{err}"
    assert "Traceback" not in err, shown
    assert rc == 2, f"exit {rc}: {shown}"
    assert len(lines) == 1 and lines[0].startswith("error:"), shown
    assert any(str(n) in lines[0] for n in names), f"names none of {names}: {shown}"
    assert snapshot(world["search"], world["train"]) == world["before"], shown
    if new_run is not None:
        assert not new_run.exists(), f"{new_run} left behind: {shown}"


# --- options ----------------------------------------------------------------------------------------------

def bad_values(bounds) -> st.SearchStrategy:
    """Values outside what a declared option takes, as command-line text."""
    garbage = st.sampled_from(["abc", "", " ", "1,2", "--", "nan?", "0x10", "1_0x"])
    names = bounds.names()
    if names is not None:
        return st.text(min_size=1, max_size=12).filter(lambda t: t not in names and not t.startswith("-"))
    if bounds.kind is int:
        out = [garbage, st.sampled_from(["1.5", "1e3", "nan", "inf"])]
        if bounds.low is not None:
            out.append(st.integers(max_value=int(bounds.low) - 1, min_value=int(bounds.low) - 10**25).map(str))
        if bounds.high is not None:
            out.append(st.integers(min_value=int(bounds.high) + 1, max_value=int(bounds.high) + 10**25).map(str))
        return st.one_of(out)
    if bounds.kind is float:
        out = [garbage, st.sampled_from(["nan", "inf", "-inf", "NaN", "-nan"])]
        if bounds.low is not None:
            below = st.floats(max_value=bounds.low, allow_nan=False, allow_infinity=False,
                              exclude_max=not bounds.low_open, min_value=bounds.low - 1e12)
            out.append(below.filter(lambda v: v < bounds.low or bounds.low_open).map(repr))
        if bounds.high is not None:
            above = st.floats(min_value=bounds.high, allow_nan=False, allow_infinity=False,
                              exclude_min=not bounds.high_open, max_value=bounds.high + 1e12)
            out.append(above.map(repr))
        return st.one_of(out)
    return garbage


def _piece_args(kind: str, name: str) -> list[str]:
    if kind == "space":
        return ["--space", name, "--strategy", "darts" if name == "darts" else "random"]
    if kind == "score":
        return ["--score", name]
    return ["--strategy", name] + (["--generations", "1"] if name == "nsga2" else [])


def option_cases() -> list[tuple[str, list[str], object]]:
    """(command, the other arguments, the declared field) for every declared option with a range or choices."""
    cases = []
    for f in declared(SearchConfig):
        cases.append(("search", [], f))
    pieces = {"space": {n: c.Options for n, c in spaces.SPACES.items()},
              "score": {n: s.Options for n, s in SCORES.items()},
              "strategy": {n: e.Options for n, e in STRATEGIES.items()}}
    for kind, reg in pieces.items():
        for name, cls in reg.items():
            for f in declared(cls):
                cases.append(("search", _piece_args(kind, name), f))
    for cls in (TrainConfig, BaselineOptions, NeuronConfig):
        for f in declared(cls):
            if f.metadata["bounds"].kind is not bool:
                cases.append(("train", ["--dataset", "digits"], f))
    for cls in (PayoffOptions, TrainConfig):
        for f in declared(cls):
            if f.metadata["bounds"].kind is not bool:
                cases.append(("payoff", [], f))
    return [c for c in cases if c[2].metadata["bounds"].kind in (int, float) or c[2].metadata["bounds"].choices]


OPTION_CASES = option_cases()
OTHER_PIECE = [  # an option the chosen pieces do not take
    ("search", ["--score", "sahd", "--rdm-reduction", "mean"], "--rdm-reduction"),
    ("search", ["--strategy", "random", "--population", "5"], "--population"),
    ("search", ["--space", "snasnet", "--layers", "3"], "--layers"),
    ("search", ["--strategy", "darts", "--space", "darts", "--candidates", "3"], "--candidates"),
    ("search", ["--strategy", "darts", "--space", "darts", "--score", "rdm"], "--score: a setting of scoring"),
    ("search", ["--strategy", "darts", "--space", "darts", "--batch-size", "8", "--workers", "2"],
     "--batch-size, --workers: settings of scoring"),
    ("search", ["--strategy", "darts", "--space", "darts", "--rdm-reduction", "mean"], "--rdm-reduction: a setting"),
    ("search", ["--macro", "fixed", "--space", "darts", "--min-layers", "3"], "--min-layers"),
    ("search", ["--space", "snasnet", "--strategy", "darts"], "--strategy darts"),
    ("search", ["--also-score", "nope"], "nope"),
    ("search", ["--space", "darts", "--attention", "eca,nope"], "--attention"),
    ("search", ["--space", "darts", "--reduce-at", "1,x"], "--reduce-at"),
    ("search", ["--space", "darts", "--layers", "3", "--reduce-at", "5"], "--reduce-at"),
    ("search", ["--strategy", "nsga2", "--generations", "1", "--objectives", "score,nope"], "nope"),
    ("search", ["--strategy", "nsga2"], "--generations"),
    ("search", ["--strategy", "evolution", "--population", "4", "--sample", "9"], "--sample"),
    ("search", ["--dataset", "nope"], "nope"),
    ("search", ["--executor", "ray", "--ray-address", "127.0.0.1:1", "--candidates", "1"], "--ray-address"),
    ("search", ["--executor", "ray", "--ray-address", "no-port"], "--ray-address"),
    ("train", ["--dataset", "digits", "--lif-backend", "triton"], "--lif-backend"),
    ("train", ["--dataset", "digits", "--device", "cuda:7"], "--device"),
    ("train", ["--dataset", "digits", "--device", "tpu"], "--device"),
    ("train", ["--dataset", "digits", "--channels", "8"], "--channels"),
    ("train", ["--dataset", "nope"], "nope"),
    ("train", [], "--dataset"),
    ("train", ["--dataset", "digits", "--width", "1024", "--batch-size", "65536"], "at batch 65536"),
    ("payoff", ["--val-split", "0"], "--val-split"),
    ("payoff", ["--front"], "--front"),
    ("payoff", ["--resume"], "--resume"),
    ("payoff", ["--dataset", "nope"], "nope"),
    ("payoff", ["--train-samples", "100000"], "--train-samples"),
]


@settings(FAST, max_examples=700)
@given(data=st.data())
def test_bad_options_are_refused_in_one_line(world, data):
    if data.draw(st.integers(0, 9)) == 0:
        command, args, name = data.draw(st.sampled_from(OTHER_PIECE))
        given = args
    else:
        command, args, f = data.draw(st.sampled_from(OPTION_CASES))
        given, name = [*args, flag_of(f), data.draw(bad_values(f.metadata["bounds"]))], flag_of(f)
    if command == "payoff":  # reads the world's search; writes only into its payoff/ folder
        refused(world, ["payoff", world["search"], *given, "--quiet"], [name])
        assert not (world["search"] / "payoff").exists()
        return
    run = new_place(world)
    refused(world, [command, *given, "--quiet", "--run", run], [name], run)


def test_every_option_shows_its_type_range_and_default_in_help():
    for command in ("search", "train"):
        rc, out, _ = run_main([command, "--help"])
        assert rc == 0
        text = " ".join(out.split())
        fields = declared(SearchConfig) if command == "search" else (
            declared(TrainConfig) + declared(BaselineOptions) + declared(NeuronConfig))
        for f in fields:
            if f.name in ("flip", "amp"):
                continue
            b = f.metadata["bounds"]
            assert flag_of(f) in text and "default" in text
            if b.choices is not None:
                assert "one of " + ", ".join(b.names()) in text, f.name
            elif b.low is not None:
                assert b.range_text() in text, f.name
    rc, out, _ = run_main(["--version"])
    assert rc == 0 and out.startswith("spikenas ")


# --- run folders ------------------------------------------------------------------------------------------

def folder_states(root: Path) -> dict[str, Path]:
    s = root / "states"
    if s.exists():
        return json.loads((s / "index.json").read_text(), object_hook=lambda d: {k: Path(v) for k, v in d.items()})
    s.mkdir(parents=True)
    states = {"missing": s / "missing", "empty": s / "empty", "file": s / "a-file", "junk": s / "junk",
              "not-json": s / "not-json", "list": s / "list", "other-kind": s / "other-kind",
              "train-broken": s / "train-broken", "search-broken": s / "search-broken",
              "store-only": s / "store-only", "binary": s / "binary"}
    states["empty"].mkdir()
    states["file"].write_text("x")
    states["junk"].mkdir()
    (states["junk"] / "notes.txt").write_text("mine")
    for name, content in (("not-json", b"{not json"), ("list", b"[]"), ("other-kind", b'{"command": "other"}'),
                          ("train-broken", b'{"command": "train"}'),
                          ("search-broken", b'{"command": "search", "space": 5}'),
                          ("binary", b"\xff\xfe\x00{")):
        states[name].mkdir()
        (states[name] / "config.json").write_bytes(content)
    states["store-only"].mkdir()
    (states["store-only"] / "search.sqlite").write_bytes(b"")
    (s / "index.json").write_text(json.dumps({k: str(v) for k, v in states.items()}))
    return states


@settings(FAST, max_examples=200)
@given(data=st.data())
def test_wrong_run_folders_are_refused_and_untouched(world, data):
    states = folder_states(world["root"])
    before = snapshot(*[p for p in states.values() if p.is_dir()])
    seed = str(data.draw(st.integers(0, 1000)))
    state = data.draw(st.sampled_from([*states, "search-run", "train-run"]))
    path = {"search-run": world["search"], "train-run": world["train"]}.get(state) or states[state]
    commands = []
    if state != "search-run":
        commands.append(["search", "--resume", "--run", path, "--seed", seed, "--quiet"])
    if state not in ("train-run",):
        commands.append(["train", "--resume", "--run", path, "--seed", seed, "--quiet"])
    if state not in ("missing", "empty"):
        commands += [["search", "--run", path, "--seed", seed, "--quiet"],
                     ["train", "--dataset", "digits", "--run", path, "--seed", seed, "--quiet"]]
    if state not in ("search-run", "train-run"):
        commands.append(["report", path])
    if state != "search-run":
        commands.append(["payoff", path, "--quiet"])
    argv = data.draw(st.sampled_from(commands))
    refused(world, argv, [path.name])
    assert snapshot(*[p for p in states.values() if p.is_dir()]) == before
    assert not states["missing"].exists()


# --- genotype files ---------------------------------------------------------------------------------------

def valid_genotypes() -> dict[str, dict]:
    rng = np.random.default_rng(0)
    return {name: spaces.get(name).sample(rng).to_dict() for name in ("snasnet", "mse", "darts")}


BAD_JSON = st.one_of(st.integers(min_value=2**63, max_value=2**80), st.integers(max_value=-1, min_value=-2**80),
                     st.sampled_from([1e30, -1.5, 0.5, "8", None, [], {}, True, "x" * 50, [[[]]]]))


def bad_genotype(data, base: dict[str, dict]) -> tuple[bytes, str | None]:
    """(file content, the word the error must name besides the file) of a genotype file that is wrong."""
    kind = data.draw(st.sampled_from(["bytes", "utf8", "deep", "space", "field", "channels"]))
    if kind == "bytes":
        return data.draw(st.binary(max_size=200)), None
    if kind == "utf8":
        return b'{"space": "darts", "x": "\xff\xfe"}', None
    if kind == "deep":
        n = data.draw(st.integers(1000, 100_000))
        return ("[" * n + "]" * n).encode(), None
    name = data.draw(st.sampled_from(sorted(base)))
    g = json.loads(json.dumps(base[name]))
    if kind == "space":
        g["space"] = data.draw(st.one_of(st.text(max_size=10).filter(lambda t: t not in spaces.SPACES), BAD_JSON))
    elif kind == "channels":
        return json.dumps({"space": name, "genotype": g, "channels": data.draw(
            st.one_of(BAD_JSON, st.integers(1025, 10**6), st.just(0)).filter(lambda v: v is not None))}).encode(), \
            "channels"
    elif name == "snasnet":
        i, j = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
        g["matrix"][i][j] = data.draw(st.one_of(BAD_JSON, st.integers(50, 10**6)))
    elif name == "mse":
        key = data.draw(st.sampled_from(["cells", "motifs", "genome"]))
        if key == "genome" and g["genome"]:
            g["genome"][data.draw(st.integers(0, len(g["genome"]) - 1))] = data.draw(BAD_JSON)
        else:
            g[key] = data.draw(st.one_of(BAD_JSON, st.integers(65, 10**9), st.just(0)))
    else:
        key = data.draw(st.sampled_from(["layers", "reduce_at", "normal", "attention", "pair"]))
        if key == "pair":
            g["reduce"][data.draw(st.integers(0, len(g["reduce"]) - 1))] = [
                data.draw(st.sampled_from(["none", "conv", "skip"])), data.draw(st.integers(50, 2**70))]
        else:
            g[key] = data.draw(st.one_of(BAD_JSON, st.integers(65, 10**9), st.just(0), st.just(["nope"]))
                               .filter(lambda v: v != [] or key == "normal"))
    return json.dumps(g, allow_nan=True).encode(), None


@settings(FAST, max_examples=250)
@given(data=st.data())
def test_bad_genotype_files_are_refused(world, data):
    base = valid_genotypes()
    place = new_place(world)
    place.mkdir(parents=True)
    special = data.draw(st.sampled_from([None] * 6 + ["folder", "loop", "missing", "fifo"]))
    path = place / "g.json"
    also = None
    if special == "folder":
        path.mkdir()
    elif special == "loop":
        os.symlink(place / "g2.json", path)
        os.symlink(path, place / "g2.json")
    elif special == "fifo":
        os.mkfifo(path)
    elif special is None:
        content, also = bad_genotype(data, base)
        path.write_bytes(content)
    run = place / "run"
    if also == "channels" or data.draw(st.booleans()):
        argv = ["train", "--genotype", path, "--dataset", "digits", "--quiet", "--run", run]
    else:
        argv = ["show", path, "--out", place / "g.svg"]
    refused(world, argv, [path.name] + ([also] if also else []), run)


# --- dataset files ----------------------------------------------------------------------------------------

def _idx_bytes(type_byte: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims) + payload


def mnist_folder(data, d: Path) -> None:
    """The four MNIST files, one or two of them wrong."""
    d.mkdir(parents=True)
    rng = np.random.default_rng(0)
    good = {"train": 6, "t10k": 4}
    for split, n in good.items():
        write_idx(d / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(d / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, n).astype(np.uint8))
    split = data.draw(st.sampled_from(["train", "t10k"]))
    images, labels = d / f"{split}-images-idx3-ubyte", d / f"{split}-labels-idx1-ubyte"
    n = good[split]
    kind = data.draw(st.sampled_from(["random", "int16", "size", "zero", "truncated", "gzip", "labels",
                                      "count", "folder", "float"]))
    if kind == "random":
        images.write_bytes(data.draw(st.binary(max_size=300)))
    elif kind == "int16":
        images.write_bytes(_idx_bytes(0x0B, (n, 28, 28), bytes(2 * n * 784)))
    elif kind == "float":
        images.write_bytes(_idx_bytes(0x0D, (n, 28, 28), np.full(n * 784, np.nan, ">f4").tobytes()))
    elif kind == "size":
        h, w = data.draw(st.tuples(st.integers(1, 40), st.integers(1, 40)).filter(lambda s: s != (28, 28)))
        images.write_bytes(_idx_bytes(0x08, (n, h, w), bytes(n * h * w)))
    elif kind == "zero":
        images.write_bytes(_idx_bytes(0x08, (0, 28, 28), b""))
        labels.write_bytes(_idx_bytes(0x08, (0,), b""))
    elif kind == "truncated":
        images.write_bytes(images.read_bytes()[:data.draw(st.integers(0, 200))])
    elif kind == "gzip":
        (d / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"x" * 50)[:data.draw(st.integers(2, 40))])
        images.unlink()
    elif kind == "labels":
        labels.write_bytes(_idx_bytes(0x08, (n,), bytes([data.draw(st.integers(10, 255))]) * n))
    elif kind == "count":
        labels.write_bytes(_idx_bytes(0x08, (n + 1,), bytes(n + 1)))
    else:
        images.unlink()
        images.mkdir()


def cifar_folder(data, root: Path) -> None:
    cifar10_folder(root)
    path = root / "cifar-10-batches-py" / data.draw(st.sampled_from(["data_batch_1", "data_batch_5", "test_batch"]))
    kind = data.draw(st.sampled_from(["random", "list", "none-labels", "str-labels", "ragged", "dtype",
                                      "range", "no-data", "empty"]))
    d = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]}
    if kind == "random":
        path.write_bytes(data.draw(st.binary(max_size=300)))
        return
    if kind == "list":
        d = [1, 2, 3]
    elif kind == "none-labels":
        d[b"labels"] = [None, None]
    elif kind == "str-labels":
        d[b"labels"] = ["cat", "dog"]
    elif kind == "ragged":
        d[b"data"] = [[1, 2, 3], [4]]
    elif kind == "dtype":
        d[b"data"] = np.zeros((2, 3072), np.float32)
    elif kind == "range":
        d[b"labels"] = [data.draw(st.integers(10, 2**62)), -data.draw(st.integers(1, 2**62))]
    elif kind == "no-data":
        del d[b"data"]
    else:
        d = {b"data": np.zeros((0, 3072), np.uint8), b"labels": []}
        for p in path.parent.iterdir():
            if (p.name == "test_batch") == (path.name == "test_batch"):
                with open(p, "wb") as f:
                    pickle.dump(d, f)
        return
    with open(path, "wb") as f:
        pickle.dump(d, f)


def image_folder(data, root: Path) -> None:
    """Own images (--dataset folder) with one thing wrong."""
    from PIL import Image

    for split in ("train", "test"):
        (root / split / "a").mkdir(parents=True)
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(root / split / "a" / "0.png")
    kind = data.draw(st.sampled_from(["bytes", "size", "class", "empty", "no-train"]))
    split = data.draw(st.sampled_from(["train", "test"]))
    if kind == "bytes":
        (root / split / "a" / "1.jpg").write_bytes(data.draw(st.binary(max_size=100)))
    elif kind == "size":
        Image.fromarray(np.zeros((5, 4, 3), np.uint8)).save(root / split / "a" / "1.png")
    elif kind == "class":
        (root / "test" / "b").mkdir()
    elif kind == "empty":
        (root / split / "a" / "0.png").unlink()
    else:
        (root / "train" / "a" / "0.png").unlink()
        (root / "train" / "a").rmdir()
        (root / "train").rmdir()


def event_folder(data, root: Path) -> tuple[str, list[str]]:
    """A folder of one event set with something wrong; (dataset name, extra arguments of `data info`)."""
    name = data.draw(st.sampled_from(["nmnist", "npz-events", "dvs-gesture", "cifar10-dvs"]))
    if name == "nmnist":
        folder = root / "Train" / "0"
        folder.mkdir(parents=True)
        (root / "Test" / "0").mkdir(parents=True)
        kind = data.draw(st.sampled_from(["dir", "empty", "partial", "outside"]))
        f = folder / "a.bin"
        if kind == "dir":
            (folder / "x.bin").mkdir()
        elif kind == "empty":
            f.write_bytes(b"")
        elif kind == "partial":
            f.write_bytes(bytes(data.draw(st.integers(1, 4))))
        else:
            f.write_bytes(bytes([data.draw(st.integers(34, 255)), 0, 0, 0, 1]))
        return name, []
    if name == "npz-events":
        folder = root / "train" / "a"
        folder.mkdir(parents=True)
        (root / "test" / "a").mkdir(parents=True)
        kind = data.draw(st.sampled_from(["empty", "truncated", "missing", "nan", "str", "2d", "huge", "sensor",
                                          "sensor-text", "negative", "npy"]))
        f = folder / "s.npz"
        ok = {k: np.arange(3) for k in "xytp"} | {"p": np.array([0, 1, 0])}
        extra = []
        if kind == "empty":
            f.write_bytes(b"")
        elif kind == "truncated":
            np.savez(f, **ok)
            f.write_bytes(f.read_bytes()[:data.draw(st.integers(1, 100))])
        elif kind == "missing":
            np.savez(f, x=ok["x"])
        elif kind == "nan":
            np.savez(f, **(ok | {"t": np.array([0.0, np.nan, 2.0])}))
        elif kind == "str":
            np.savez(f, **(ok | {"x": np.array(["a", "b", "c"])}))
        elif kind == "2d":
            np.savez(f, **(ok | {"y": np.zeros((3, 2), np.int64)}))
        elif kind == "huge":
            np.savez(f, **(ok | {"x": np.array([0, 1, data.draw(st.integers(5000, 2**40))])}))
        elif kind == "sensor":
            np.savez(f, **ok)
            (root / "sensor.txt").write_text("4096 4096\n")
            extra = ["--timesteps", "1000"]
        elif kind == "sensor-text":
            np.savez(f, **ok)
            (root / "sensor.txt").write_text(data.draw(st.sampled_from(["", "a b", "0 5", "99999999 3", "-1 4"])))
        elif kind == "negative":
            np.savez(f, **(ok | {"y": np.array([0, -1, 2])}))
        else:
            np.save(folder / "s.npy", ok["x"])
            (folder / "s.npy").rename(f)
        return name, extra
    if name == "dvs-gesture":
        root.mkdir(parents=True)
        (root / "user01_fluorescent.aedat").write_bytes(AEDAT31_HEADER)
        (root / "user01_fluorescent_labels.csv").write_text("class,startTime_usec,endTime_usec\n1,0,10\n")
        return name, []
    for cls in CIFAR10_CLASSES:
        (root / cls).mkdir(parents=True)
        (root / cls / "a.aedat").write_bytes(b"#!AER-DAT2.0\r\n# header only\r\n")
    return name, []


@settings(FAST, max_examples=250)
@given(data=st.data())
def test_bad_dataset_files_are_refused_by_data_info_and_train(world, data):
    place = new_place(world)
    kind = data.draw(st.sampled_from(["mnist", "cifar10", "events", "folder"]))
    root = place / "data"
    extra: list[str] = []
    if kind == "mnist":
        mnist_folder(data, root)
        name = "mnist"
    elif kind == "cifar10":
        cifar_folder(data, root)
        name = "cifar10"
    elif kind == "folder":
        image_folder(data, root)
        name = "folder"
    else:
        name, extra = event_folder(data, root)
    run = place / "run"
    if data.draw(st.booleans()) or extra:
        argv = ["data", "info", name, "--data-root", root, *extra]
    else:
        argv = ["train", "--dataset", name, "--data-root", root, "--epochs", "1", "--quiet", "--run", run]
    refused(world, argv, [root, name], run)


def test_over_a_thousand_bad_inputs_ran():
    # the four generators above, in this module's order; run alone, they are not all counted
    if RAN["cases"]:
        assert RAN["cases"] >= 1000, RAN
