"""The fused Triton LIF kernel against the plain torch reference: same spikes, same gradients.

CI has no GPU: the kernels run under Triton's CPU interpreter (TRITON_INTERPRET=1, set before triton is
imported, in a subprocess). On a CUDA machine the same test runs the compiled kernels on the GPU.
"""

import os
import subprocess
import sys

import pytest
import torch

pytest.importorskip("triton")

SCRIPT = r"""
import itertools, torch
from spikenas.snn import IF, LIF, PLIF
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
cases = []
for reset, detach, surrogate in itertools.product(["hard", "soft"], [True, False], ["atan", "sigmoid", "piecewise"]):
    cases.append((LIF, dict(tau=4 / 3, reset=reset, detach_reset=detach, surrogate=surrogate)))
cases += [(PLIF, dict(init_tau=2.0)), (PLIF, dict(init_tau=3.0, reset="soft")), (IF, dict()), (IF, dict(reset="soft"))]
for cls, kw in cases:
    x = (torch.randn(6, 3, 5, 7, device=device) * 1.5).requires_grad_()
    ref, fused = cls(backend="torch", **kw).to(device), cls(backend="triton", **kw).to(device)
    fused.load_state_dict(ref.state_dict())
    g = torch.randn(6, 3, 5, 7, device=device)
    s_ref = ref(x); (s_ref * g).sum().backward(); gx_ref = x.grad.clone(); x.grad = None
    s_fus = fused(x); (s_fus * g).sum().backward(); gx_fus = x.grad.clone()
    assert torch.equal(s_ref, s_fus), (cls.__name__, kw, "spikes differ")
    err = ((gx_ref - gx_fus).abs().max() / gx_ref.abs().max().clamp_min(1e-12)).item()
    assert err < 1e-5, (cls.__name__, kw, err)
    if cls is PLIF:
        gw_r, gw_f = ref.w.grad.item(), fused.w.grad.item()
        assert abs(gw_r - gw_f) <= 1e-5 * max(abs(gw_r), 1e-6), (kw, gw_r, gw_f)
print("fused == reference on", len(cases), "cases,", device)
"""


def test_fused_lif_matches_reference():
    env = dict(os.environ)
    if not torch.cuda.is_available():  # the interpreter is for CPU tensors only: on CUDA, the compiled kernels
        env.setdefault("TRITON_INTERPRET", "1")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "fused == reference" in out.stdout
