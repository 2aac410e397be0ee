"""An irreducible infeasible subset (IIS) of a model's LP relaxation, found within a deadline.

HiGHS's ``getIis`` checks no time limit and cannot be cancelled: on a 25-DC instance with time whose
MIP HiGHS proved infeasible in 0.4 s it took 22-25 s (the light strategy over 3 minutes), so a solve
that explains its infeasibility overran its time limit. The subset is therefore computed in a child
process (``python -m milp_milkrun.runtime.iis LP.npz ROWS.json``) that is stopped when the time is up:
the explanation is a courtesy and never makes a run late.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import highspy
import numpy as np

logger = logging.getLogger(__name__)
MIN_CHILD_SECONDS = 1.0  # below this no child is started (its start alone takes about a quarter of a second)


def irreducible_rows(highs: highspy.Highs, seconds: float) -> list[int] | None:
    """The rows of an IIS of the LP relaxation of ``highs``'s model, computed in ``seconds`` at most.

    Parameters
    ----------
    highs : highspy.Highs
        A HiGHS object holding the model (its integrality is dropped: the subset is the LP's).
    seconds : float
        Wall-clock seconds the search may take.

    Returns
    -------
    list[int] or None
        The row indices of the subset; an empty list when HiGHS isolates none (the LP relaxation is
        feasible); None when the time was too short or ran out.
    """
    if seconds < MIN_CHILD_SECONDS:
        return None
    with tempfile.TemporaryDirectory(prefix="milkrun-iis-") as folder:
        lp_file, rows_file = Path(folder) / "lp.npz", Path(folder) / "rows.json"
        _save_lp(highs.getLp(), lp_file)
        command = [sys.executable, "-m", __name__, str(lp_file), str(rows_file)]
        try:
            subprocess.run(command, capture_output=True, timeout=seconds, check=True)
        except subprocess.TimeoutExpired:
            return None
        except subprocess.CalledProcessError as failed:  # a bug, not a verdict: said in the log, the run goes on
            logger.warning("the search for an irreducible infeasible subset failed: %s", failed.stderr.decode()[-500:])
            return None
        rows: list[int] = json.loads(rows_file.read_text())
        return rows


def _save_lp(lp: highspy.HighsLp, path: Path) -> None:
    """The LP's arrays (columns, rows and the column-wise matrix) in one .npz file."""
    matrix = lp.a_matrix_
    if matrix.format_ != highspy.MatrixFormat.kColwise:
        raise ValueError("expected a column-wise constraint matrix")
    np.savez(
        path,
        col_cost=np.asarray(lp.col_cost_),
        col_lower=np.asarray(lp.col_lower_),
        col_upper=np.asarray(lp.col_upper_),
        row_lower=np.asarray(lp.row_lower_),
        row_upper=np.asarray(lp.row_upper_),
        start=np.asarray(matrix.start_),
        index=np.asarray(matrix.index_),
        value=np.asarray(matrix.value_),
    )


def _loaded_lp(path: Path) -> highspy.HighsLp:
    """The LP relaxation saved by :func:`_save_lp`."""
    arrays = np.load(path)
    lp = highspy.HighsLp()
    lp.num_col_ = len(arrays["col_cost"])
    lp.num_row_ = len(arrays["row_lower"])
    lp.col_cost_ = arrays["col_cost"]
    lp.col_lower_ = arrays["col_lower"]
    lp.col_upper_ = arrays["col_upper"]
    lp.row_lower_ = arrays["row_lower"]
    lp.row_upper_ = arrays["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = arrays["start"]
    lp.a_matrix_.index_ = arrays["index"]
    lp.a_matrix_.value_ = arrays["value"]
    return lp


def _write_irreducible_rows(lp_file: Path, rows_file: Path) -> None:
    """The child's work: an IIS of the saved LP, its rows written as JSON (empty when none is isolated)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(_loaded_lp(lp_file))
    highs.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
    status, iis = highs.getIis()
    found = status != highspy.HighsStatus.kError and iis.valid_
    rows_file.write_text(json.dumps([int(r) for r in iis.row_index_] if found else []))


if __name__ == "__main__":
    _write_irreducible_rows(Path(sys.argv[1]), Path(sys.argv[2]))
