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
