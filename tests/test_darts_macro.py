"""The macro (network-level) search of the DARTS space: with one-hot weights the lattice is exactly the fixed
supernet of the path it selects, the derivation takes the most probable path (not the greedy one), the
architecture step moves the macro weights, and a search with `--macro search` writes a network that trains."""

import json

import pytest
import torch

from spikenas import spaces
from spikenas.spaces.darts.lattice import MacroSupernet, derive_macro
from spikenas.spaces.darts.supernet import Supernet

from .test_darts import SEARCH

HUGE = 1e4  # softmax of (HUGE, -HUGE) is exactly (1, 0) in float32


def _select(net: MacroSupernet, layers: int, reduce_at: tuple) -> None:
    """Set the macro weights one-hot on the path of `layers` cells reducing at `reduce_at`."""
    with torch.no_grad():
        net.beta.fill_(0.0)
        r = 0
        for k in range(layers):
            way = int(k in reduce_at)
            r += way
            net.beta[k, r, way], net.beta[k, r, 1 - way] = HUGE, -HUGE
        net.gamma.fill_(-HUGE)
        net.gamma[layers - 1] = HUGE


def _path_weights(net: MacroSupernet, layers: int, reduce_at: tuple) -> dict:
    """The lattice's weights on the path, named as the fixed supernet names them."""
    sd, out, r, ways = net.state_dict(), {}, 0, []
    for key, value in sd.items():
        if key.startswith(("stem.", "head.")) or key in ("alpha_normal", "alpha_reduce"):
            out[key] = value
    for k in range(layers):
        way = int(k in reduce_at)
        r += way
        name = f"cells.{k}_{r}_{('normal', 'reduce')[way]}."
        older = 0 if k == 0 else net.older_ways(k, r - way).index((ways[-1], r - way - ways[-1]))
        for key, value in sd.items():
            if key.startswith(name):
                rest = key[len(name):]
                if rest.startswith("pre0."):
                    index, tail = rest[len("pre0."):].split(".", 1)
                    if int(index) != older:
                        continue
                    rest = "pre0." + tail
                out[f"cells.{k}.{rest}"] = value
        ways.append(way)
    return out


@pytest.mark.parametrize(("layers", "reduce_at"), [(4, (1, 3)), (5, (0, 1)), (3, (1, 2)), (5, (2, 4))])
def test_one_hot_macro_weights_give_the_fixed_supernet_of_their_path(layers, reduce_at):
    torch.manual_seed(0)
    lattice = MacroSupernet((1, 12, 12), 10, 2, 8, nodes=2, layers=5, reductions=2, min_layers=3)
    _select(lattice, layers, reduce_at)
    fixed = Supernet((1, 12, 12), 10, 2, 8, nodes=2, layers=layers, reduce_at=reduce_at)
    fixed.load_state_dict(_path_weights(lattice, layers, reduce_at))
    lattice.eval(), fixed.eval()
    x = torch.randn(3, 1, 12, 12)
    with torch.no_grad():
        assert torch.allclose(lattice(x), fixed(x), atol=1e-6)
    g = lattice.derive()
    assert (g.layers, g.reduce_at) == (layers, reduce_at)


def test_the_derivation_takes_the_most_probable_path_not_the_greedy_one():
    layers, reductions = 3, 1
    beta = torch.zeros(layers, reductions + 1, 2)
    beta[0, 0, 0] = beta[0, 1, 1] = 1.0  # reached from the stem one way only
    beta[1, 0, 0] = 1.0
    beta[1, 1] = torch.tensor([0.55, 0.45])  # (1, 1): a normal cell from (0, 1) or a reduction from (0, 0)
    beta[2, 1] = torch.tensor([0.55, 0.45])  # greedy from the exit would take the normal cell (0.55)...
    gamma = torch.tensor([0.0, 0.2, 0.8])
    assert derive_macro(beta, gamma, reductions, 2) == (3, (2,))  # ...but 0.55 * 0.55 < 0.45 * 1
    beta[2, 1] = torch.tensor([0.7, 0.3])  # now 0.7 * 0.55 > 0.3: stay, and reach (1, 1) from (0, 1)
    assert derive_macro(beta, gamma, reductions, 2) == (3, (0,))
    assert derive_macro(beta, torch.tensor([0.0, 0.9, 0.1]), reductions, 2)[0] == 2


def test_the_architecture_step_moves_the_macro_weights_and_options_are_checked():
    from spikenas.errors import InputError
    from spikenas.search.architect import Architect

    space = spaces.get("darts", layers=3, nodes=2, reduce_at=[1], macro="search")
    assert space.options.min_layers == 1
    torch.manual_seed(0)
    net = space.supernet((1, 8, 8), 10, 2, channels=8)
    beta, gamma = net.beta.detach().clone(), net.gamma.detach().clone()
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    Architect(net, net).step(x, y, x.flip(0), y.flip(0), eta=0.01)
    assert not torch.equal(beta, net.beta) and not torch.equal(gamma, net.gamma)
    with pytest.raises(InputError, match="--min-layers applies to --macro search only"):
        spaces.get("darts", min_layers=3)
    with pytest.raises(InputError, match="--min-layers must be in 2 .. 8"):
        spaces.get("darts", macro="search", min_layers=1)


def test_a_macro_search_writes_a_network_that_trains(cli, tmp_path):
    run = tmp_path / "s"
    out = cli(*[a if a != "3" else "4" for a in SEARCH], "--epochs", "1", "--macro", "search", "--reduce-at", "1",
              "--min-layers", "2", "--run", run)
    assert out.returncode == 0, out.stderr
    g = json.loads((run / "best.json").read_text())["genotype"]
    assert 2 <= g["layers"] <= 4 and len(g["reduce_at"]) == 1 and g["reduce_at"][0] < g["layers"]
    history = json.loads((run / "metrics.json").read_text())["history"]
    assert len(history[0]["macro"]["depth"]) == 4 and history[0]["layers"] == g["layers"]
    train = cli("train", "--genotype", run / "best.json", "--dataset", "digits", "--epochs", "1", "--timesteps", "2",
                "--batch-size", "64", "--run", tmp_path / "t", "--quiet")
    assert train.returncode == 0, train.stderr
    assert cli("report", run).returncode == 0
    assert "exit depth" in (run / "report.html").read_text()
