"""Where candidates are scored: in this process, in worker processes (one per GPU, or CPU cores), or on a
Ray cluster (many GPUs, many machines). Every executor scores a batch of genotypes and yields each result
as soon as it finishes, so the driver stores it at once and a kill loses nothing that was finished.

A worker receives the space (name and options), the scoring batches and the build settings once, then
genotypes as JSON.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing as mp
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from spikenas import spaces
from spikenas.allocator import keep_freed_memory
from spikenas.devices import channels_last_for
from spikenas.errors import InputError
from spikenas.search.scoring import Networks, score_candidate


@dataclass
class Job:
    """What every worker needs to score candidates of one search."""

    space: str
    space_options: dict
    batches: list[torch.Tensor]  # on the CPU; moved to the worker's device once
    build: dict
    seed: int
    scores: list  # (name, options) of every score, the selecting one first
    precision: str
    labels: list[torch.Tensor] | None  # per batch, for label-aware scores
    threads: int = 1  # CPU threads per candidate, the same in every executor (a score can depend on it)
    largest_tensor: int = 0  # bytes of a candidate's largest layer output (allocator.keep_freed_memory)

    def make_space(self):
        return spaces.get(self.space, **self.space_options)

    def channels_last(self, device: torch.device) -> bool:
        return channels_last_for(device, self.precision == "bf16")

    def networks(self, device: torch.device) -> Networks:
        """The candidates' networks on `device`, in the layout the precision runs fastest in."""
        return Networks(self.make_space(), self.build, device, channels_last=self.channels_last(device))

    def batches_on(self, device: torch.device) -> list[torch.Tensor]:
        return to_device(self.batches, device, self.channels_last(device))


def to_device(batches: list[torch.Tensor], device: torch.device, channels_last: bool = False) -> list[torch.Tensor]:
    """Scoring batches on the device, images channels-last where asked; on CUDA cuDNN picks its fastest
    kernels (the same shapes repeat for every candidate)."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    if not channels_last:
        return [b.to(device) for b in batches]
    return [b.to(device, memory_format=torch.channels_last) if b.dim() == 4 else b.to(device) for b in batches]


def score_one(job: Job, networks: Networks, batches: list[torch.Tensor], genotype_json: str) -> dict:
    """One candidate's result, or {'error': ...} when it cannot be scored."""
    g = networks.space.genotype_from_json(genotype_json)
    try:
        r = score_candidate(networks, g, batches, job.seed, job.scores, job.precision, labels=job.labels)
        if math.isnan(r["score"]):
            raise ValueError("the score is NaN")
        return r
    except (RuntimeError, ValueError) as e:  # out of memory, a degenerate network: recorded, not fatal
        return {"error": str(e)}


RAY_RETRIES = 3


class InlineExecutor:
    """Score in this process, one candidate at a time (the default)."""

    def __init__(self, job: Job, device: torch.device) -> None:
        self.job = job
        self.networks = job.networks(device)
        self.batches = job.batches_on(device)

    def run(self, genotypes: list[str]) -> Iterator[tuple[int, dict]]:
        for i, g in enumerate(genotypes):
            with threads(self.job.threads):
                result = score_one(self.job, self.networks, self.batches, g)
            yield i, result

    def close(self) -> None:
        pass


@contextmanager
def threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to `n` within the block, restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_WORKER: dict = {}


def _worker_init(job: Job, devices: list[str], threads: int) -> None:
    ident = mp.current_process()._identity
    rank = (ident[0] - 1) if ident else 0
    device = torch.device(devices[rank % len(devices)])
    torch.set_num_threads(threads)
    keep_freed_memory(job.largest_tensor)
    _WORKER.update(job=job, networks=job.networks(device), batches=job.batches_on(device))


def _worker_score(genotype_json: str) -> dict:
    w = _WORKER
    return score_one(w["job"], w["networks"], w["batches"], genotype_json)


class ProcessExecutor:
    """`workers` processes on this machine: on CUDA one per visible GPU (round robin), on the CPU the cores
    shared between them."""

    def __init__(self, job: Job, device: torch.device, workers: int) -> None:
        if device.type == "cuda":
            devices = [f"cuda:{i}" for i in range(torch.cuda.device_count())]
        else:
            devices = ["cpu"]
        self.pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_worker_init,
                                           initargs=(job, devices, job.threads))

    def run(self, genotypes: list[str]) -> Iterator[tuple[int, dict]]:
        futures = {self.pool.submit(_worker_score, g): i for i, g in enumerate(genotypes)}
        for f in cf.as_completed(futures):
            yield futures[f], f.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def check_ray_address(address: str | None, timeout: float = 5.0) -> None:
    """A host:port (or ray://host:port) address must answer within `timeout` seconds, so a wrong address is
    refused in one line instead of Ray waiting for it; "auto", "local" and none are Ray's own."""
    if address is None or address in ("auto", "local"):
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--ray-address must be host:port, ray://host:port, auto or local, not {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as e:
        raise InputError(f"--ray-address {address}: nothing answers there within {timeout:.0f} s "
                         f"({e.strerror or e}); start the cluster with `ray start --head`, or leave "
                         f"--ray-address out for a local one") from None


class RayExecutor:
    """Candidates as Ray tasks: `ray.init(address)` joins a running cluster (`ray start --head` on one machine,
    `ray start --address HEAD:6379` on the others) or starts a local one; each task takes `gpus` GPUs."""

    def __init__(self, job: Job, device: torch.device, workers: int, address: str | None, gpus: float) -> None:
        try:
            import ray
        except ImportError:
            raise InputError("--executor ray needs Ray: pip install 'spikenas[ray]'") from None
        self.ray = ray
        if not ray.is_initialized():
            check_ray_address(address)
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            except (ConnectionError, RuntimeError) as e:
                raise InputError(f"--ray-address {address}: no Ray cluster joined there ({type(e).__name__}); "
                                 f"start it with `ray start --head`, or leave --ray-address out") from None
        self.job_ref = ray.put(job)
        # a task whose worker dies (killed, its machine lost) is run again, up to RETRIES times; its result
        # is stored once, when it returns
        cpus = 0 if device.type == "cuda" else job.threads
        self.task = ray.remote(num_gpus=gpus if device.type == "cuda" else 0, num_cpus=cpus,
                               max_retries=RAY_RETRIES)(_ray_score)

    def run(self, genotypes: list[str]) -> Iterator[tuple[int, dict]]:
        refs = {self.task.remote(self.job_ref, g): i for i, g in enumerate(genotypes)}
        pending = list(refs)
        lost = (self.ray.exceptions.WorkerCrashedError, self.ray.exceptions.NodeDiedError,
                self.ray.exceptions.OutOfMemoryError)
        while pending:
            done, pending = self.ray.wait(pending, num_returns=1)
            try:
                result = self.ray.get(done[0])
            except lost as e:  # every retry died too: recorded as the candidate's failure, the search goes on
                result = {"error": f"its Ray worker died {RAY_RETRIES + 1} times ({type(e).__name__})"}
            yield refs[done[0]], result

    def close(self) -> None:
        pass


def _ray_score(job: Job, genotype_json: str) -> dict:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.set_num_threads(job.threads)
    keep_freed_memory(job.largest_tensor)
    return score_one(job, job.networks(device), job.batches_on(device), genotype_json)


def make_executor(name: str, job: Job, device: torch.device, workers: int, address: str | None = None,
                  gpus: float = 1.0):
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if name == "local":
        return InlineExecutor(job, device) if workers == 1 else ProcessExecutor(job, device, workers)
    if name == "ray":
        return RayExecutor(job, device, workers, address, gpus)
    raise InputError(f"--executor must be local or ray, not {name!r}")
