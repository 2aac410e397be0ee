"""Every command against hostile input (property-based): damaged instances, plans and factor files,
and option values no one should type, each run through the real entry point ``main()``.

Whatever comes in, a command ends with exit 0, 1, 2 or 130 only; exit 2 is one ``error:`` line on
stderr (besides the instance's own warnings); no traceback; and no file changes that the command was
not asked to write. The commands that solve get short limits, so the whole file runs in well under a
minute on two cores.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import json_paths, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TOY6 = json.loads((ROOT / "instances" / "toy6.json").read_text())
PLAN = {
    "routes": [
        {"vehicle": "large-1", "stops": ["DC1", "DC2", "DC3"]},
        {"vehicle": "small-1", "stops": ["DC4"]},
        {"vehicle": "small-2", "stops": ["DC6", "DC5"]},
    ]
}
FACTORS = {"vehicle_types": {"large": "medium_diesel_truck", "small": "light_diesel_truck"}}
HOSTILE = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["DC1", "HUB", "large", "small-2", "DC\x001", "中心", 10**9, 0, -1, 1e300, [], {}])
)
NUMBERS = st.sampled_from(
    ["inf", "-inf", "nan", "0", "-1", "1e309", "abc", "", "2", "0.5", "100000", "99999999999999999999", "1"]
)
SAFE = {"--time-limit": "1", "--max-iterations": "20"}  # appended when a command solves, so that no example runs long


@st.composite
def damaged(draw: st.DrawFn, document: object) -> object:
    """``document`` with zero to three fields replaced by a hostile value or deleted."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(0, 3))):
        if not isinstance(document, (dict, list)) or not document:
            break
        where = draw(st.sampled_from(json_paths(document)[1:]))
        parent: Any = document
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(HOSTILE)
    return document


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir" for p in sorted(folder.rglob("*"))
    }


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    folder: Path,
    args: list[str],
    written: set[str],
) -> None:
    before = _snapshot(folder)
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code in (0, 1, 2, 130), (args, code, err)
    assert "Traceback" not in err, err
    if code == 2:
        errors = [line for line in err.splitlines() if not line.startswith(("warning: ", "note: "))]
        assert len(errors) == 1 and errors[0].startswith("error: "), (args, err)
    changed = {p for p, digest in _snapshot(folder).items() if before.get(p) != digest}
    assert changed <= written, f"{args} changed {sorted(changed - written)}"


COMMANDS = {
    # command: (files it reads, flags with a value, whether it solves)
    "show": (["instance"], ["--vehicles"], False),
    "check": (["instance", "plan"], ["--vehicles"], False),
    "convert": (["instance"], ["--vehicles"], False),
    "emissions": (["instance", "plan"], ["--factors", "--vehicles"], False),
    "map": (["instance", "plan"], ["--vehicles"], False),
    "inspect": (["instance"], ["--limit", "--time-limit", "--vehicles"], False),
    "solve": (["instance"], ["--time-limit", "--gap", "--threads", "--seed", "--vehicles", "--factors"], True),
    "heuristic": (["instance"], ["--time-limit", "--max-iterations", "--seed", "--factors"], True),
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    command=st.sampled_from(sorted(COMMANDS)),
    instance=damaged(TOY6),
    plan=damaged(PLAN),
    factors=damaged(FACTORS),
    flags=st.dictionaries(
        st.sampled_from(
            ["--time-limit", "--gap", "--threads", "--seed", "--vehicles", "--max-iterations", "--limit", "--factors"]
        ),
        NUMBERS,
        max_size=2,
    ),
    objective=st.sampled_from([None, "distance", "cost", "emissions"]),
)
def test_any_command_on_hostile_input_ends_cleanly(
    command: str,
    instance: object,
    plan: object,
    factors: object,
    flags: dict[str, str],
    objective: str | None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    files = {"instance": folder / "instance.json", "plan": folder / "plan.json", "factors": folder / "factors.json"}
    for name, document in (("instance", instance), ("plan", plan), ("factors", factors)):
        files[name].write_text(json.dumps(document, ensure_ascii=False))
    reads, accepted, solves = COMMANDS[command]
    args = [command, *(str(files[name]) for name in reads)]
    written: set[str] = set()
    if command == "convert":
        args.append(str(folder / "out.json"))
        written.add(str(folder / "out.json"))
    if command == "map":
        args += ["-o", str(folder / "map.html")]
        written.add(str(folder / "map.html"))
    for flag, value in flags.items():
        if flag in accepted:
            args += [flag, str(files["factors"]) if flag == "--factors" else value]
    if solves:
        args += [a for flag, value in SAFE.items() if flag in accepted and flag not in flags for a in (flag, value)]
        args += ["--output", str(folder / "plan_out.json")]
        written.add(str(folder / "plan_out.json"))
        if objective is not None:
            args += ["--objective", objective]
        if command == "solve":
            args.append("--quiet")
    _run(monkeypatch, capsys, folder, args, written)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    command=st.sampled_from(["batch", "fleet", "crosscheck"]),
    flags=st.dictionaries(
        st.sampled_from(["--time-limit", "--workers", "--threads", "--seed", "--scheduler"]),
        NUMBERS | st.sampled_from(["tcp://", "tcp://host", "not a url", "tcp://127.0.0.1:99999"]),
        min_size=1,
        max_size=2,
    ),
)
def test_the_long_commands_refuse_hostile_options_cleanly(
    command: str,
    flags: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "net").mkdir()
    (folder / "net" / "toy6.json").write_text(json.dumps(TOY6))
    accepted = {
        "batch": ["--time-limit", "--workers", "--seed", "--scheduler"],
        "fleet": ["--time-limit", "--seed"],
        "crosscheck": ["--time-limit", "--threads", "--seed"],
    }[command]
    args = (
        [command, str(folder / "net" / "toy6.json")]
        if command != "batch"
        else [command, str(folder / "net"), "--out", str(folder / "out")]
    )
    for flag, value in flags.items():
        if flag in accepted:
            args += [flag, value]
    if "--time-limit" not in flags:
        args += ["--time-limit", "2"]
    written = {str(p) for p in [folder / "out"]} if command == "batch" else set()
    if command == "batch":
        written |= {str(folder / "out" / name) for name in ("summary.csv", "summary.json", "toy6")}
        written |= {str(folder / "out" / "toy6" / name) for name in ("result.json", "plan.json", "log.txt")}
    if flags.get("--time-limit") in ("100000", "99999999999999999999", "1e309"):
        return  # a valid but long limit: not what this test is for
    _run(monkeypatch, capsys, folder, args, written)
