"""NSGA-II (Deb et al., 2002) over genome vectors, through pymoo's ask/tell interface.

pymoo does the non-dominated sorting, crowding and tournament selection; the space supplies sampling,
mutation and crossover that keep genomes valid, and duplicates are judged by the decoded network's hash
against the population, the other offspring and every candidate evaluated before (so nothing is scored
twice). Generation 0 is a population of `population` samples; each later generation adds `offspring`.
Objectives, all minimised inside pymoo: -score, spikes per sample, parameters (any subset, in that order
of names). A candidate that could not be scored gets the worst value on every objective.
"""

from __future__ import annotations

import numpy as np

from spikenas.errors import InputError

OBJECTIVES = {"score": -1.0, "spikes": 1.0, "params": 1.0}  # sign that turns each into a minimisation
FAILED = 1e30


def objective_vector(row, objectives) -> list[float]:
    """The minimised objectives of a stored candidate (row: search.store.Candidate)."""
    if row.status != "ok":
        return [FAILED] * len(objectives)
    return [OBJECTIVES[o] * float(getattr(row, o)) for o in objectives]


def check_objectives(objectives) -> tuple[str, ...]:
    objectives = tuple(objectives)
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown or not objectives or len(set(objectives)) != len(objectives):
        raise InputError(f"--objectives must name distinct objectives among {', '.join(OBJECTIVES)}, "
                         f"not {','.join(objectives)!r}")
    return objectives


class NSGA2Search:
    def __init__(self, space, seed: int, population: int | None = None, offspring: int = 50,
                 objectives=("score", "spikes", "params"), **_) -> None:
        population = population or 50
        try:
            from pymoo.algorithms.moo.nsga2 import NSGA2
            from pymoo.core.problem import Problem
            from pymoo.core.termination import NoTermination
        except ImportError:
            raise InputError("--strategy nsga2 needs pymoo: pip install pymoo") from None
        if not hasattr(space, "sample_genome"):
            raise InputError(f"--strategy nsga2 needs a space of genome vectors (mse), not {space.name}")
        if population < 2 or offspring < 1:
            raise InputError(f"nsga2 needs --population >= 2 and --offspring >= 1, not {population}, {offspring}")
        self.space = space
        self.objectives = check_objectives(objectives)
        self.seen: set[str] = set()
        ops = _operators(space, self.seen)
        self.problem = Problem(n_var=len(space.upper), n_obj=len(self.objectives), xl=np.zeros(len(space.upper)),
                               xu=space.upper.astype(float), vtype=int)
        self.algorithm = NSGA2(pop_size=population, n_offsprings=offspring, eliminate_duplicates=ops["duplicates"],
                               sampling=ops["sampling"], crossover=ops["crossover"], mutation=ops["mutation"])
        self.algorithm.setup(self.problem, termination=NoTermination(), seed=seed, verbose=False)
        self.batch = None  # the pymoo Population being evaluated
        self.genotypes: list = []
        self.asked = 0
        self.F: list[list[float] | None] = []

    def _next_batch(self) -> None:
        self.batch = self.algorithm.ask()
        if self.batch is None or len(self.batch) == 0:
            raise InputError("NSGA-II could not produce any new candidate: the space is exhausted")
        self.genotypes = [self.space.genotype(x) for x in self.batch.get("X")]
        self.seen.update(g.hash() for g in self.genotypes)
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

    def tell(self, genotype, row) -> None:
        i = next(k for k in range(self.asked) if self.F[k] is None and self.genotypes[k] == genotype)
        self.F[i] = objective_vector(row, self.objectives)
        if self.asked == len(self.genotypes) and all(f is not None for f in self.F):
            from pymoo.core.evaluator import Evaluator
            from pymoo.problems.static import StaticProblem

            Evaluator().eval(StaticProblem(self.problem, F=np.array(self.F)), self.batch)
            self.algorithm.tell(infills=self.batch)
            self.batch = None


def _operators(space, seen: set[str]) -> dict:
    from pymoo.core.crossover import Crossover
    from pymoo.core.duplicate import DuplicateElimination
    from pymoo.core.mutation import Mutation
    from pymoo.core.sampling import Sampling

    class ValidSampling(Sampling):
        def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
            return np.stack([space.sample_genome(random_state) for _ in range(n_samples)])

    class ValidCrossover(Crossover):
        def __init__(self) -> None:
            super().__init__(n_parents=2, n_offsprings=2, prob=0.9)

        def _do(self, problem, X, *args, random_state=None, **kwargs):
            a, b = X[0], X[1]  # [matings, genes] each
            out = np.empty((2, *a.shape), dtype=np.int64)
            for k in range(a.shape[0]):
                out[0, k] = space.crossover_genome(a[k], b[k], random_state)
                out[1, k] = space.crossover_genome(b[k], a[k], random_state)
            return out

    class ValidMutation(Mutation):
        def _do(self, problem, X, *args, random_state=None, **kwargs):
            return np.stack([space.mutate_genome(x, random_state) for x in X])

    class SameNetwork(DuplicateElimination):
        """Duplicates: the same decoded network as another in the set, in `other`, or evaluated before."""

        def _do(self, pop, other, is_duplicate):
            hashes = [space.genotype(x).hash() for x in pop.get("X")]
            against = set() if other is None else {space.genotype(x).hash() for x in other.get("X")}
            first: set[str] = set()
            for i, h in enumerate(hashes):
                if h in seen or h in against or (other is None and h in first):
                    is_duplicate[i] = True
                first.add(h)
            return is_duplicate

    return {"sampling": ValidSampling(), "crossover": ValidCrossover(), "mutation": ValidMutation(),
            "duplicates": SameNetwork()}
