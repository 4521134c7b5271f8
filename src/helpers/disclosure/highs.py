"""The one call to the HiGHS solver (through highspy): a linear or integer programme, exactly.

HiGHS's own Python interface rather than scipy's ``milp`` (the same solver), because importing
scipy.optimize slows every kernel start (docs/performance.md).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def solve(
    cost: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    matrix: npt.ArrayLike,
    row_lower: npt.ArrayLike,
    row_upper: npt.ArrayLike,
    integer: bool,
) -> tuple[str, npt.NDArray[np.float64] | None]:
    """Minimise ``cost @ x`` for ``lower <= x <= upper``, ``row_lower <= matrix @ x <= row_upper``
    (``inf`` for no bound), over integers or not, with HiGHS: ("optimal", x), or (its status, None).
    """
    # imported at the first solve, not with this module: every kernel preloads the package, and
    # only the request notebook's kernel solves programmes
    import highspy

    matrix = np.asarray(matrix, dtype=np.float64)
    rows, cols = np.nonzero(matrix)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = matrix.shape[1], matrix.shape[0]
    model.col_cost_ = np.asarray(cost, dtype=np.float64)
    model.col_lower_, model.col_upper_ = (
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
    )
    model.row_lower_, model.row_upper_ = (
        np.asarray(row_lower, dtype=np.float64),
        np.asarray(row_upper, dtype=np.float64),
    )
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = np.searchsorted(rows, np.arange(matrix.shape[0] + 1)).astype(np.int32)
    model.a_matrix_.index_ = cols.astype(np.int32)
    model.a_matrix_.value_ = matrix[rows, cols]
    if integer:
        model.integrality_ = [highspy.HighsVarType.kInteger] * matrix.shape[1]
    # `_Highs`, the core class that the public `highspy.Highs` wraps, is private: it prints no
    # banner when made (`Highs` does, into the notebook and the briefing). Written for highspy
    # >= 1.10, < 2 (pyproject's range), checked with 1.16.0; tests/test_highs_compat.py fails if
    # a release stops providing what this function uses.
    solver = highspy._Highs()  # type: ignore[attr-defined]  # private: not in highspy's stubs
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("presolve", "on")
    solver.passModel(model)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return solver.modelStatusToString(status), None
    return "optimal", np.array(solver.getSolution().col_value)


class LinearProgramme:
    """One linear programme's constraint matrix, solved again and again with other costs and
    bounds: HiGHS starts each solve from the basis of the last, which costs a fraction of a solve
    from scratch when little has changed (docs/performance.md). Over the reals only."""

    def __init__(self, matrix: npt.ArrayLike) -> None:
        import highspy

        matrix = np.asarray(matrix, dtype=np.float64)
        self.shape = matrix.shape
        n_rows, n_cols = matrix.shape
        rows, cols = np.nonzero(matrix)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = n_cols, n_rows
        model.col_cost_ = np.zeros(n_cols)
        model.col_lower_, model.col_upper_ = np.zeros(n_cols), np.zeros(n_cols)
        model.row_lower_, model.row_upper_ = np.full(n_rows, -np.inf), np.full(n_rows, np.inf)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.start_ = np.searchsorted(rows, np.arange(n_rows + 1)).astype(np.int32)
        model.a_matrix_.index_ = cols.astype(np.int32)
        model.a_matrix_.value_ = matrix[rows, cols]
        self._solver = highspy._Highs()  # type: ignore[attr-defined]  # as in solve()
        self._solver.setOptionValue("output_flag", False)
        self._solver.passModel(model)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._infeasible = highspy.HighsModelStatus.kInfeasible
        self._cols = np.arange(n_cols, dtype=np.int32)
        self._rows = np.arange(n_rows, dtype=np.int32)

    def solve(
        self,
        cost: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        row_lower: npt.ArrayLike,
        row_upper: npt.ArrayLike,
    ) -> tuple[str, npt.NDArray[np.float64] | None]:
        """As :func:`solve` over the reals, with this programme's matrix."""
        n_rows, n_cols = self.shape
        as_float = [np.asarray(v, dtype=np.float64) for v in (cost, lower, upper)]
        solver = self._solver
        solver.changeColsCost(n_cols, self._cols, as_float[0])
        solver.changeColsBounds(n_cols, self._cols, as_float[1], as_float[2])
        solver.changeRowsBounds(
            n_rows,
            self._rows,
            np.asarray(row_lower, dtype=np.float64),
            np.asarray(row_upper, dtype=np.float64),
        )
        solver.run()
        status = solver.getModelStatus()
        if status not in (self._optimal, self._infeasible):
            # a start from the last basis can end undecided ("Unknown", seen once in 300
            # audits): solved again from scratch
            solver.clearSolver()
            solver.run()
            status = solver.getModelStatus()
        if status != self._optimal:
            return solver.modelStatusToString(status), None
        return "optimal", np.array(solver.getSolution().col_value)
