"""Cross-check the exact model: Pyomo + HiGHS against an independent PuLP + CBC build of it.

Both builds follow :mod:`milp_milkrun.models.families`; this module compares them family by family
(row counts), variable by variable (column counts), by their LP relaxations, and by their MIP
results.  Any difference beyond the tolerance is listed in plain words.  When a MIP run stops at its
time limit only what remains comparable is compared: each run's bound must not exceed the other
run's checked plan, and the report says so.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition

from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import SOLVER_TOLERANCE
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.exact_pulp import PulpExactModel, build_exact_pulp
from milp_milkrun.models.families import families_of
from milp_milkrun.options import DEFAULT_SEED, SolveOptions
from milp_milkrun.result import SolveResult
from milp_milkrun.solve.arcs_to_plan import RouteExtractionError
from milp_milkrun.solve.highs import solve_exact_highs
from milp_milkrun.solve.pulp_backend import solve_pulp_model, solve_relaxation_pulp

DEFAULT_TOLERANCE = SOLVER_TOLERANCE  # relative, on LP optima, MIP optima and bound-versus-plan comparisons
SIDES = ("pyomo/highs", "pulp/cbc")


@dataclass(frozen=True)
class RunSummary:
    """One MIP run as the cross-check sees it (``error`` holds a failure that is itself a finding)."""

    status: str
    objective: float | None
    bound: float | None
    runtime_s: float
    message: str = ""
    error: str = ""

    @classmethod
    def of(cls, result: SolveResult) -> RunSummary:
        """The figures of a solve that the comparison uses.

        Parameters
        ----------
        result : SolveResult
            A run of one build.

        Returns
        -------
        RunSummary
            Its status, objective, bound, runtime and message.
        """
        return cls(result.status, result.objective, result.bound, result.runtime_s, result.message)


@dataclass(frozen=True)
class CrosscheckReport:
    """Side-by-side figures of both builds, the differences found, and notes on what was compared."""

    instance: str
    rows: dict[str, tuple[int, int]]  # family -> (pyomo, pulp)
    columns: dict[str, tuple[int, int]]  # variable -> (pyomo, pulp)
    relaxation: dict[str, tuple[str, float | None]]  # side -> (status, optimum)
    runs: dict[str, RunSummary]  # side -> MIP run
    tolerance: float
    seed: int
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` form of ``milkrun crosscheck``.

        Returns
        -------
        dict[str, object]
            Every figure of the report, the verdict ``agree`` and the differences.
        """
        return {
            "instance": self.instance,
            "agree": self.agree,
            "tolerance": self.tolerance,
            "seed": self.seed,
            "rows": {name: {"pyomo": a, "pulp": b} for name, (a, b) in self.rows.items()},
            "columns": {name: {"pyomo": a, "pulp": b} for name, (a, b) in self.columns.items()},
            "relaxation": {side: {"status": s, "optimum": v} for side, (s, v) in self.relaxation.items()},
            "runs": {side: asdict(run) for side, run in self.runs.items()},
            "differences": self.differences,
            "notes": self.notes,
        }

    def table(self) -> str:
        """The side-by-side table printed by ``milkrun crosscheck``.

        Returns
        -------
        str
            The table as plain text.
        """
        left, right = SIDES
        title = f"crosscheck of {self.instance}: Pyomo + HiGHS vs PuLP + CBC"
        lines = [f"{title} (tolerance {self.tolerance:g} relative, seed {self.seed})", ""]
        lines.append(f"{'rows per family':<26}{'pyomo':>14}{'pulp':>14}")
        lines += [f"{name:<26}{a:>14}{b:>14}{_mark(a == b)}" for name, (a, b) in self.rows.items()]
        lines.append(f"{'columns':<26}{'pyomo':>14}{'pulp':>14}")
        lines += [f"{name:<26}{a:>14}{b:>14}{_mark(a == b)}" for name, (a, b) in self.columns.items()]
        lines.append("")
        lines.append(f"{'':<26}{left:>14}{right:>14}")
        (ls, lv), (rs, rv) = self.relaxation[left], self.relaxation[right]
        lines.append(f"{'LP relaxation status':<26}{ls:>14}{rs:>14}")
        lines.append(f"{'LP relaxation optimum':<26}{_num(lv):>14}{_num(rv):>14}")
        a, b = self.runs[left], self.runs[right]
        lines.append(f"{'MIP status':<26}{a.status:>14}{b.status:>14}")
        lines.append(f"{'MIP objective (checked)':<26}{_num(a.objective):>14}{_num(b.objective):>14}")
        lines.append(f"{'MIP best bound':<26}{_num(a.bound):>14}{_num(b.bound):>14}")
        lines.append(f"{'MIP runtime (s)':<26}{a.runtime_s:>14.2f}{b.runtime_s:>14.2f}")
        lines.append("")
        lines += [f"{side}: {run.error or run.message}" for side, run in self.runs.items() if run.error or run.message]
        lines += [f"note: {n}" for n in self.notes]
        if self.agree:
            lines.append("verdict: the two builds agree")
        else:
            lines.append(f"verdict: {len(self.differences)} difference(s)")
            lines += [f"  - {d}" for d in self.differences]
        return "\n".join(lines)


def _mark(same: bool) -> str:
    return "" if same else "   <- differs"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6f}"


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def _not_above(bound: float, incumbent: float, tolerance: float) -> bool:
    return bound <= incumbent + tolerance * max(1.0, abs(incumbent))


# ----- the two builds ----------------------------------------------------------------------------------
def pyomo_row_counts(model: pyo.ConcreteModel, has_time: bool = False) -> dict[str, int]:
    """Rows per equation family of the Pyomo model.

    Parameters
    ----------
    model : pyo.ConcreteModel
        A model from :func:`~milp_milkrun.models.exact.build_exact_model`.
    has_time : bool
        Whether the instance has time (then the families of Eq 15-18 are counted too).

    Returns
    -------
    dict[str, int]
        Rows per family name; the objective counts as one, a missing family as zero.
    """
    counts = {}
    for family in families_of(has_time):
        component = model.component(family.name)
        counts[family.name] = 0 if component is None else len(component)
    return counts


def pyomo_relaxation(model: pyo.ConcreteModel, time_limit: float) -> tuple[str, float | None]:
    """The LP relaxation of the Pyomo model (integrality relaxed in place) solved by HiGHS.

    Parameters
    ----------
    model : pyo.ConcreteModel
        A model from :func:`~milp_milkrun.models.exact.build_exact_model`; its variables are relaxed.
    time_limit : float
        Seconds for the LP.

    Returns
    -------
    tuple[str, float or None]
        ``("optimal", value)``, ``("infeasible", None)`` or ``("unknown", None)``.
    """
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    results = SolverFactory("highs").solve(
        model, tee=False, time_limit=time_limit, load_solutions=False, raise_exception_on_nonoptimal_result=False
    )
    condition = results.termination_condition
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        return "optimal", float(results.incumbent_objective)
    if condition in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
        return "infeasible", None
    return "unknown", None


def _run_pyomo(instance: Instance, options: SolveOptions) -> RunSummary:
    started = time.perf_counter()
    try:
        return RunSummary.of(solve_exact_highs(instance, options))
    except CheckFailedError as exc:
        return RunSummary("error", None, None, time.perf_counter() - started, error=str(exc))


def _run_pulp(model: PulpExactModel, options: SolveOptions) -> RunSummary:
    started = time.perf_counter()
    try:
        return RunSummary.of(solve_pulp_model(model, options, "cbc", started=started))
    except (CheckFailedError, RouteExtractionError) as exc:
        return RunSummary("error", None, None, time.perf_counter() - started, error=str(exc))


# ----- the comparison -------------------------------------------------------------------------------------
def crosscheck(
    instance: Instance,
    time_limit: float = 60.0,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    threads: int | None = None,
    seed: int = DEFAULT_SEED,
    log: bool = False,
    drop_family: str | None = None,
) -> CrosscheckReport:
    """Build and solve the exact model both ways and compare everything that can be compared.

    Both MIPs are asked for a zero gap, so two "optimal" answers must give the same optimum.

    Parameters
    ----------
    instance : Instance
        The instance to build.
    time_limit : float
        Seconds for each MIP run (and each LP relaxation).
    tolerance : float
        Relative tolerance on LP optima, MIP optima and bound-versus-plan comparisons.
    threads, seed : int
        Solver threads (None: the solvers' choice) and the random seed of both solvers.
    log : bool
        Stream the solvers' logs as logging records.
    drop_family : str, optional
        Remove this family from the PuLP build only: the self-test that proves a wrong model is caught.

    Returns
    -------
    CrosscheckReport
        Rows and columns per family, LP relaxations and MIP runs of both builds, and their differences.
    """
    options = SolveOptions(time_limit=time_limit, gap=0.0, threads=threads, seed=seed, log=log)
    pyomo_model = build_exact_model(instance)
    pulp_model = build_exact_pulp(instance, drop_family=drop_family)
    pyomo_rows, pulp_rows = pyomo_row_counts(pyomo_model, instance.has_time), pulp_model.row_counts()
    rows = {f.name: (pyomo_rows[f.name], pulp_rows[f.name]) for f in families_of(instance.has_time)}
    names = ("x", "u", "theta", "dep", "ret", "y") if instance.has_time else ("x", "u")
    pyomo_columns = {name: len(pyomo_model.component(name)) for name in names}
    columns = {name: (pyomo_columns[name], count) for name, count in pulp_model.column_counts().items()}
    relaxation = {
        SIDES[0]: pyomo_relaxation(pyomo_model, time_limit),
        SIDES[1]: solve_relaxation_pulp(pulp_model, time_limit),
    }
    runs = {SIDES[0]: _run_pyomo(instance, options), SIDES[1]: _run_pulp(pulp_model, options)}
    report = CrosscheckReport(instance.name, rows, columns, relaxation, runs, tolerance, seed)
    if drop_family is not None:
        report.notes.append(f"self-test: family {drop_family} was left out of the PuLP build on purpose")
    _compare_sizes(report)
    _compare_relaxations(report)
    _compare_runs(report)
    return report


def _compare_sizes(report: CrosscheckReport) -> None:
    for name, (a, b) in report.rows.items():
        if a != b:
            report.differences.append(f"family {name}: {a} rows in Pyomo, {b} in PuLP")
    for name, (a, b) in report.columns.items():
        if a != b:
            report.differences.append(f"variable {name}: {a} columns in Pyomo, {b} in PuLP")


def _compare_relaxations(report: CrosscheckReport) -> None:
    (ls, lv), (rs, rv) = (report.relaxation[s] for s in SIDES)
    if "unknown" in (ls, rs):
        report.notes.append("an LP relaxation did not finish within the time limit; relaxations not compared")
    elif ls != rs:
        report.differences.append(f"LP relaxation: {ls} in Pyomo/HiGHS but {rs} in PuLP/CBC")
    elif lv is not None and rv is not None and not _close(lv, rv, report.tolerance):
        report.differences.append(f"LP relaxation optimum: {lv:.9g} in Pyomo/HiGHS but {rv:.9g} in PuLP/CBC")


def _compare_runs(report: CrosscheckReport) -> None:
    """Statuses and optima when both runs finished; bounds against plans when one stopped early."""
    runs = [report.runs[s] for s in SIDES]
    for side, run in zip(SIDES, runs):
        if run.error:
            report.differences.append(f"{side} returned a plan that failed the independent checker: {run.error}")
    if any(r.error for r in runs):
        return
    a, b = runs
    statuses = {a.status, b.status}
    if statuses == {"infeasible"}:
        return
    if "infeasible" in statuses:
        other = b if a.status == "infeasible" else a
        if other.objective is not None:
            proving, finding = (SIDES[0], SIDES[1]) if a.status == "infeasible" else (SIDES[1], SIDES[0])
            report.differences.append(
                f"{proving} proved the model infeasible but {finding} found a checked plan of {other.objective:.9g}"
            )
        else:
            report.notes.append("one run proved infeasibility, the other found no plan in time: not comparable")
        return
    if statuses == {"optimal"}:
        if not _close(a.objective, b.objective, report.tolerance):  # type: ignore[arg-type]
            report.differences.append(f"optimum: {a.objective:.9g} in Pyomo/HiGHS but {b.objective:.9g} in PuLP/CBC")
        return
    stopped = [side for side, run in zip(SIDES, runs) if run.status != "optimal"]
    if a.objective is None and b.objective is None:
        report.notes.append(
            f"{' and '.join(stopped)} stopped at the time limit without a plan: the MIP runs could not be compared"
        )
        return
    report.notes.append(f"{' and '.join(stopped)} stopped at the time limit: only bounds against plans were compared")
    for (side, run), (other_side, other) in (((SIDES[0], a), (SIDES[1], b)), ((SIDES[1], b), (SIDES[0], a))):
        bound = run.objective if run.status == "optimal" and run.bound is None else run.bound
        if (
            bound is not None
            and other.objective is not None
            and not _not_above(bound, other.objective, report.tolerance)
        ):
            report.differences.append(
                f"the bound {bound:.9g} of {side} exceeds the checked plan {other.objective:.9g} of {other_side}"
            )
