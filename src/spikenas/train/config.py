"""Every setting of a training run, with the defaults a user of the field expects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from spikenas.data.events.framing import METHODS as FRAMING_METHODS
from spikenas.devices import check_device
from spikenas.errors import InputError
from spikenas.limits import MAX_BATCH, MAX_EPOCHS, MAX_SEED, MAX_TIMESTEPS
from spikenas.options import check_fields, option
from spikenas.snn.functional import lif_compiled
from spikenas.train.encoding import ENCODINGS


@dataclass
class TrainConfig:
    epochs: int = option(10, "passes over the training set", low=1, high=MAX_EPOCHS)
    batch_size: int = option(128, "training batch size", low=1, high=MAX_BATCH)
    eval_batch_size: int = option(500, "test batch size", low=1, high=MAX_BATCH)
    optimizer: str = option("sgd", "sgd (momentum, nesterov off) or adamw", choices=("sgd", "adamw"))
    lr: float | None = option(None, "peak learning rate (none: 0.1 for SGD, 1e-3 for AdamW)", kind=float, low=0,
                              low_open=True, high=100)
    momentum: float = option(0.9, "SGD momentum", low=0, high=1, high_open=True)
    weight_decay: float = option(5e-4, "weight decay", low=0, high=1)
    warmup_epochs: float = option(0.0, "linear warm-up before the cosine decay, in epochs", low=0, high=MAX_EPOCHS)
    label_smoothing: float = option(0.0, "label smoothing", low=0, high=1, high_open=True)
    timesteps: int = option(4, "simulation timesteps T", low=1, high=MAX_TIMESTEPS)
    encoding: str = option("direct", "direct (analog input repeated) or poisson (rate-coded spikes)",
                           choices=ENCODINGS)
    framing: str = option("count", "event sets: T bins of equal event count or equal time",
                          choices=FRAMING_METHODS)
    val_split: float = option(0.0, "hold out this fraction of the training set (seeded by --seed) as a "
                                   "validation split, evaluated every epoch instead of the test set, which is then "
                                   "read once, after the last epoch (0: no hold-out; the test set every epoch)",
                              low=0, high=0.5)
    train_samples: int = option(0, "train on a seeded subset of this many training samples, taken after the "
                                   "validation hold-out (0: all of them)", low=0, high=100_000_000)
    crop_padding: int = option(0, "random crop with this zero padding (0: off)", low=0, high=64)
    flip: bool = option(False, "random horizontal flips")
    shift: int = option(0, "random translation of event frames by up to this many pixels (0: off)", low=0,
                        high=64)
    seed: int = option(0, "random seed", low=0, high=MAX_SEED)
    device: str = option("cpu", "cpu, cuda or cuda:N", shown="cuda when present, else cpu")
    amp: bool = option(True, "bf16 autocast on CUDA")
    cpu_amp: bool = option(False, "bf16 autocast on the CPU as well (oneDNN's bf16 convolutions: up to 4x quicker "
                                  "steps on CPUs with AMX or AVX-512 BF16, slower on others; rounding differs "
                                  "from fp32)")
    sync_bn: bool = option(False, "data-parallel training (torchrun, CUDA): batch norm over the whole batch, "
                                  "not each process's share")
    compile_model: bool = option(False, "train through torch.compile of the network (graph compiled on the first "
                                        "steps: tens of seconds, again for the last, smaller batch; on the CPU "
                                        "a C++ compiler is needed)", flag="--compile")
    channels_last: bool = True  # CUDA, and the CPU under --cpu-amp (devices.channels_last_for)
    e_mac_pj: float = option(4.6, "energy per MAC in pJ", low=0, high=1e6, flag="--e-mac")
    e_ac_pj: float = option(0.9, "energy per accumulate in pJ", low=0, high=1e6, flag="--e-ac")

    def __post_init__(self) -> None:
        check_fields(self)
        check_device(self.device)
        if self.sync_bn and not self.device.startswith("cuda"):
            raise InputError("--sync-bn: synchronised batch norm runs on CUDA only (torch has no CPU kernel)")
        if self.compile_model and not self.device.startswith("cuda") and not lif_compiled.available():
            raise InputError("--compile: torch.compile needs a C++ compiler on the PATH (c++, g++ or clang++) "
                             "to run on the CPU")
        if self.lr is None:
            self.lr = 0.1 if self.optimizer == "sgd" else 1e-3

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    # settings that may change between a run and its resumption without changing its results
    RESUMABLE_CHANGES = ("device", "eval_batch_size", "compile_model")
