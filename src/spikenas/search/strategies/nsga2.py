"""NSGA-II (Deb et al., 2002) over any encoded space, through pymoo's ask/tell interface.

pymoo does the non-dominated sorting, crowding and tournament selection; the space's own sampling,
mutation and crossover keep genotypes valid (vectors are decoded, changed and encoded again), and
duplicates are judged by the decoded network's hash against the population, the other offspring and every
candidate evaluated before (so nothing is scored twice). Generation 0 is a population of `population`
samples; each later generation adds `offspring`. Objectives, all minimised inside pymoo: -score, spikes
per sample, parameters (any subset, in that order of names). A failed candidate gets the worst value on
every objective.
"""

from __future__ import annotations

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.crossover import Crossover
from pymoo.core.duplicate import DuplicateElimination
from pymoo.core.evaluator import Evaluator
from pymoo.core.mutation import Mutation
from pymoo.core.problem import Problem
from pymoo.core.sampling import Sampling
from pymoo.core.termination import NoTermination
from pymoo.problems.static import StaticProblem

from spikenas.errors import InputError
from spikenas.search.front import check_objectives, objective_vector
from spikenas.search.sampling import SamplingStrategy
from spikenas.search.strategies.nsga2_options import Nsga2Options
from spikenas.spaces.protocols import Encoded, Sampleable


class _Bound:
    """What the pymoo operators read: the space and the hashes evaluated so far. Pickled with the algorithm
    without the space, which load_state_dict binds again."""

    def __init__(self, space, seen: set[str]) -> None:
        self.space, self.seen = space, seen

    def __getstate__(self) -> dict:
        return {"seen": self.seen}

    def __setstate__(self, state: dict) -> None:
        self.space, self.seen = None, state["seen"]


class NSGA2Search(SamplingStrategy):
    needs = (Sampleable, Encoded)
    Options = Nsga2Options

    def __init__(self, space, options: Nsga2Options, seed: int) -> None:
        super().__init__(space, options, seed)
        self.objectives = check_objectives(options.objectives.split(","))
        self.bound = _Bound(space, set())
        ops = _operators(self.bound)
        n = len(space.bounds)
        problem = Problem(n_var=n, n_obj=len(self.objectives), xl=np.zeros(n), xu=space.bounds.astype(float),
                          vtype=int)
        self.algorithm = NSGA2(pop_size=options.population, n_offsprings=options.offspring,
                               eliminate_duplicates=ops["duplicates"], sampling=ops["sampling"],
                               crossover=ops["crossover"], mutation=ops["mutation"])
        self.algorithm.setup(problem, termination=NoTermination(), seed=seed, verbose=False)
        self.batch = None  # the pymoo Population being evaluated
        self.genotypes: list = []
        self.asked = 0
        self.F: list[list[float] | None] = []

    def _next_batch(self) -> None:
        self.batch = self.algorithm.ask()
        if self.batch is None or len(self.batch) == 0:
            raise InputError("NSGA-II could not produce any new candidate: the space is exhausted")
        self.genotypes = [self.space.decode(x) for x in self.batch.get("X")]
        self.bound.seen.update(g.hash() for g in self.genotypes)
        self.asked, self.F = 0, [None] * len(self.genotypes)

    def ready(self) -> int:
        """How many candidates can be asked before the ones already asked are told."""
        if self.batch is None:
            self._next_batch()
        return len(self.genotypes) - self.asked

    def ask(self):
        if self.ready() == 0:
            raise RuntimeError("NSGA-II: tell every candidate of a generation before asking for the next")
        g = self.genotypes[self.asked]
        self.asked += 1
        return g

    def tell(self, genotype, trial) -> None:
        i = next(k for k in range(self.asked) if self.F[k] is None and self.genotypes[k] == genotype)
        self.F[i] = objective_vector(trial, self.objectives)
        if self.asked == len(self.genotypes) and all(f is not None for f in self.F):
            Evaluator().eval(StaticProblem(self.algorithm.problem, F=np.array(self.F)), self.batch)
            self.algorithm.tell(infills=self.batch)
            self.batch = None

    def state_dict(self) -> dict:
        return {"algorithm": self.algorithm, "bound": self.bound, "batch": self.batch, "asked": self.asked,
                "F": self.F}

    def load_state_dict(self, state: dict) -> None:
        self.algorithm, self.bound, self.batch = state["algorithm"], state["bound"], state["batch"]
        self.bound.space = self.space
        self.asked, self.F = state["asked"], state["F"]
        self.genotypes = [] if self.batch is None else [self.space.decode(x) for x in self.batch.get("X")]


def _operators(bound: _Bound) -> dict:
    return {"sampling": ValidSampling(bound), "crossover": ValidCrossover(bound), "mutation": ValidMutation(bound),
            "duplicates": SameNetwork(bound)}


class ValidSampling(Sampling):
    def __init__(self, bound: _Bound) -> None:
        super().__init__()
        self.bound = bound

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        space = self.bound.space
        return np.stack([space.encode(space.sample(random_state)) for _ in range(n_samples)])


class ValidCrossover(Crossover):
    def __init__(self, bound: _Bound) -> None:
        super().__init__(n_parents=2, n_offsprings=2, prob=0.9)
        self.bound = bound

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        space = self.bound.space
        a, b = X[0], X[1]  # [matings, genes] each
        out = np.empty((2, *a.shape), dtype=np.int64)
        for k in range(a.shape[0]):
            ga, gb = space.decode(a[k]), space.decode(b[k])
            out[0, k] = space.encode(space.crossover(ga, gb, random_state))
            out[1, k] = space.encode(space.crossover(gb, ga, random_state))
        return out


class ValidMutation(Mutation):
    def __init__(self, bound: _Bound) -> None:
        super().__init__()
        self.bound = bound

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        space = self.bound.space
        return np.stack([space.encode(space.mutate(space.decode(x), random_state)) for x in X])


class SameNetwork(DuplicateElimination):
    """Duplicates: the same decoded network as another in the set, in `other`, or evaluated before."""

    def __init__(self, bound: _Bound) -> None:
        super().__init__()
        self.bound = bound

    def _do(self, pop, other, is_duplicate):
        space, seen = self.bound.space, self.bound.seen
        hashes = [space.decode(x).hash() for x in pop.get("X")]
        against = set() if other is None else {space.decode(x).hash() for x in other.get("X")}
        first: set[str] = set()
        for i, h in enumerate(hashes):
            if h in seen or h in against or (other is None and h in first):
                is_duplicate[i] = True
            first.add(h)
        return is_duplicate
