"""No HiGHS object the toolkit creates writes to standard output (HiGHS 1.16 prints a banner on fd 1)."""

from __future__ import annotations

import subprocess
import sys

import highspy


def _stdout_of(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_new_highs_and_later_plain_highs_objects_leave_stdout_empty() -> None:
    code = "from milp_milkrun.runtime.highs import new_highs\nimport highspy\nnew_highs(); highspy.Highs(); print('end')"
    assert _stdout_of(code) == "end\n"


def test_new_highs_is_silent_and_has_its_output_switched_off() -> None:
    from milp_milkrun.runtime.highs import new_highs

    assert new_highs().getOptionValue("output_flag")[1] is False
    assert isinstance(new_highs(), highspy.Highs)
