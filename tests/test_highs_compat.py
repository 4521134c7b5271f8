"""What helpers.disclosure.highs relies on in highspy, including its private core class `_Highs`.

A new highspy release that renames or changes any of it fails here, not in a briefing.
"""

import subprocess
import sys

import highspy
import numpy as np
import pytest

from helpers.disclosure.highs import solve

INF = np.inf


def test_the_private_core_class_and_what_solve_uses_exist():
    assert isinstance(highspy._Highs, type)
    for method in ("setOptionValue", "passModel", "run", "getModelStatus", "modelStatusToString", "getSolution"):
        assert callable(getattr(highspy._Highs, method, None)), method
    model = highspy.HighsLp()
    for attribute in ("num_col_", "num_row_", "col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_", "a_matrix_", "integrality_"):
        assert hasattr(model, attribute), attribute
    for attribute in ("format_", "start_", "index_", "value_"):
        assert hasattr(model.a_matrix_, attribute), attribute
    assert highspy.MatrixFormat.kRowwise is not None
    assert highspy.HighsVarType.kInteger is not None
    assert highspy.HighsModelStatus.kOptimal is not None


@pytest.mark.parametrize("option, value", [("output_flag", False), ("mip_rel_gap", 0.0), ("presolve", "on")])
def test_the_options_solve_sets_are_known(option, value):
    # HiGHS refuses an unknown option or value with an error status (and a message), not silently
    solver = highspy._Highs()
    assert solver.setOptionValue(option, value) == highspy.HighsStatus.kOk


def test_making_the_core_class_and_solving_print_nothing():
    """In a fresh process (HiGHS prints its banner once), on the process's own streams."""
    code = (
        "import highspy, numpy as np\n"
        "h = highspy._Highs()\n"
        "from helpers.disclosure.highs import solve\n"
        "assert solve([-1.0], [0.0], [3.0], np.array([[1.0]]), [0.0], [2.5], integer=True)[0] == 'optimal'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


def test_a_tiny_integer_programme_is_solved_exactly():
    # maximise 5x + 4y with 6x + 4y <= 24 and x + 2y <= 6: the LP optimum is (3, 1.5), worth 21;
    # the integer optimum (4, 0), worth 20, is not the LP optimum rounded
    args = ([-5.0, -4.0], [0.0, 0.0], [INF, INF], np.array([[6.0, 4.0], [1.0, 2.0]]), [-INF, -INF], [24.0, 6.0])
    status, x = solve(*args, integer=True)
    assert status == "optimal" and x.tolist() == [4.0, 0.0]
    status, x = solve(*args, integer=False)
    assert status == "optimal" and np.allclose(x, [3.0, 1.5])


def test_an_unbounded_integer_programme_is_not_reported_optimal():
    # the audit takes "not optimal" for a cell with no upper limit, then checks for a ray
    status, x = solve([0.0, -1.0], [0.0, 5.0], [3.0, INF], np.array([[1.0, -1.0]]), [-INF], [0.0], integer=True)
    assert status != "optimal" and x is None


def test_what_linear_programme_uses_exists():
    for method in ("changeColsCost", "changeColsBounds", "changeRowsBounds", "clearSolver"):
        assert callable(getattr(highspy._Highs, method, None)), method


def test_a_linear_programme_solved_again_answers_as_one_solved_afresh():
    """LinearProgramme keeps HiGHS's basis between solves: each answer (status, optimal value) is
    the one a fresh solve gives, after costs and bounds of all kinds changed, infeasible ones too."""
    from helpers.disclosure.highs import LinearProgramme

    rng = np.random.default_rng(7)
    matrix = (rng.random((12, 9)) < 0.4).astype(float)
    again = LinearProgramme(matrix)
    statuses = set()
    for _ in range(40):
        cost = rng.uniform(-1.0, 2.0, 9)
        lower = np.zeros(9)
        upper = np.where(rng.random(9) < 0.3, INF, rng.integers(0, 4, 9).astype(float))
        middle = matrix @ rng.uniform(0.0, 3.0, 9)
        row_lower = np.where(rng.random(12) < 0.5, -INF, middle - rng.uniform(0.0, 2.0, 12))
        row_upper = np.where(rng.random(12) < 0.2, INF, middle + rng.uniform(-0.5, 2.0, 12))
        fresh = solve(cost, lower, upper, matrix, row_lower, row_upper, integer=False)
        warm = again.solve(cost, lower, upper, row_lower, row_upper)
        assert warm[0] == fresh[0]
        statuses.add(fresh[0])
        if fresh[0] == "optimal":
            assert np.isclose(cost @ warm[1], cost @ fresh[1])
            assert (matrix @ warm[1] >= row_lower - 1e-7).all()
            assert (matrix @ warm[1] <= row_upper + 1e-7).all()
    assert {"optimal", "Infeasible"} <= statuses
