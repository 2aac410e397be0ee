"""Read JSON files and validate them against the published schemas, one clear line per problem.

The schemas ship inside the package (``instance.schema.json``, ``plan.schema.json``) and are
published as ``docs/instance.schema.json`` and ``docs/plan.schema.json``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.request_limits import MAX_FILE_BYTES, check_file_size

MAX_SHOWN = 60  # characters of an offending value quoted in a message
MAX_NUMBER = 1e15  # larger than any demand, capacity or distance; floats stay exact to the unit below it
PATTERN_WORDS = {
    r"^[^\s/]+$": "may not contain spaces or '/' (vehicles are named <name>-<k>)"
}  # a schema pattern in words
BOUNDS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The packaged schema ``<name>.schema.json``.

    Parameters
    ----------
    name : str
        ``instance`` or ``plan``.

    Returns
    -------
    dict[str, Any]
        The parsed JSON schema.
    """
    text = resources.files("milp_milkrun.io").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_json(path: Path) -> Any:
    """Parse a JSON file.

    Parameters
    ----------
    path : Path
        The file to read.

    Returns
    -------
    Any
        The parsed document. A missing file, malformed JSON, nesting deeper than any instance needs,
        or a number out of range raises ``InputError`` naming the file or the JSON path of the number.
    """
    text = read_text(path)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(str(path), "nested too deeply to be an instance or a plan") from None
    except ValueError as exc:  # NaN / Infinity, or an integer of more digits than Python parses
        if "integer string conversion" not in str(exc):
            raise InputError(str(path), str(exc)) from None
        data = json.loads(text, parse_constant=_reject_constant, parse_int=_integer_or_too_long)  # to name its field
    _check_numbers(data)
    return data


class _TooLongInteger:
    """Stands in for an integer of more digits than Python converts, so the range check names its field."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _integer_or_too_long(text: str) -> int | _TooLongInteger:
    digits = len(text.lstrip("-"))
    return _TooLongInteger(digits) if digits > 20 else int(text)  # 20 digits are out of range already


def _check_numbers(data: Any) -> None:
    """Every number finite and at most MAX_NUMBER in size (a capacity of 1e400 parses as infinity)."""
    pending: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while pending:  # iterative: a deep but valid document must not exhaust the stack
        value, where = pending.pop()
        if isinstance(value, dict):
            pending.extend((v, (*where, k)) for k, v in value.items())
        elif isinstance(value, list) and not _numbers_in_range(value):
            pending.extend((v, (*where, i)) for i, v in enumerate(value))
        elif isinstance(value, _TooLongInteger) or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER
        ):
            shown = f"{value:.3g}" if isinstance(value, float) else f"a {_digits(value)}-digit integer"
            raise InputError(
                json_path(where), f"{shown} is out of range (numbers must be finite and at most {MAX_NUMBER:.0e})"
            )


def _numbers_in_range(values: list[Any]) -> bool:
    """True when ``values`` is a (nested) list of numbers, all in range: one numpy pass over a
    distance matrix instead of a Python step per entry. False (inspect item by item) otherwise:
    objects, strings, null, ragged rows, or an out-of-range number, which the walk then names."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return False
    return array.size > 0 and bool(np.all(np.abs(array) <= MAX_NUMBER))


def _digits(value: int | _TooLongInteger) -> int:
    return value.digits if isinstance(value, _TooLongInteger) else len(str(abs(value)))


def read_text(path: Path) -> str:
    """The text of a UTF-8 file.

    Parameters
    ----------
    path : Path
        The file to read.

    Returns
    -------
    str
        Its content, newlines as ``\\n``; a missing file, a directory, a device or pipe, a file over
        ``MAX_FILE_BYTES``, bytes that are not UTF-8 or an OS error raise ``InputError`` naming the file.
    """
    if not path.exists():
        raise InputError(str(path), "no such file")
    if path.is_dir():
        raise InputError(str(path), "is a directory, not a file")
    if not path.is_file():  # a device or a pipe (/dev/zero) could be read forever
        raise InputError(str(path), "is not a regular file")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # a file still growing is cut at the limit, never read whole
        check_file_size(path, len(data))
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as text mode reads
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid number in an instance or plan")


def validate(data: Any, schema_name: str) -> None:
    """Raise one InputError for the first schema violation (in document order), naming its JSON path.

    Parameters
    ----------
    data : Any
        A parsed JSON document.
    schema_name : str
        ``instance`` or ``plan``.
    """
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: _sort_key(e.absolute_path))
    if not errors:
        return
    first = errors[0]
    more = f" (and {len(errors) - 1} more schema problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    raise InputError(json_path(first.absolute_path, schema_name), _describe(first, data) + more)


def json_path(parts: Any, schema_name: str = "instance") -> str:
    """A JSON path as the errors name it: ``["dcs", 3, "demand"]`` -> ``dcs[3].demand``.

    Parameters
    ----------
    parts : Any
        The keys and indices from the root (e.g. a ``jsonschema`` error's ``absolute_path``).
    schema_name : str
        The document's kind, the name of its root.

    Returns
    -------
    str
        The dotted path.
    """
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or schema_name


def _sort_key(parts: Any) -> list[str]:
    return [f"{p:09d}" if isinstance(p, int) else str(p) for p in parts]


def _describe(error: jsonschema.ValidationError, document: Any) -> str:
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if custom:
        message = str(custom)
    elif error.validator == "type":
        message = f"expected {_type_names(error.validator_value)}, got {_show(error.instance)}"
    elif error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        message = f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"
    elif error.validator in BOUNDS:
        message = f"must be {BOUNDS[error.validator]} {error.validator_value:g}, got {_show(error.instance)}"
    elif error.validator == "dependentRequired":
        present = next(
            k
            for k, needed in error.validator_value.items()
            if k in error.instance and any(n not in error.instance for n in needed)
        )
        message = f"'{present}' needs {' and '.join(repr(n) for n in error.validator_value[present])} as well"
    elif error.validator == "minItems":
        message = f"needs at least {error.validator_value} item{'s' if error.validator_value > 1 else ''}, got {len(error.instance)}"
    elif error.validator == "maxItems":
        message = f"takes at most {error.validator_value} items, got {len(error.instance)}"
    elif error.validator == "pattern":  # never show the user a regular expression
        message = f"{_show(error.instance)} {PATTERN_WORDS.get(error.validator_value, 'is not in the form docs/formats.md gives')}"
    elif error.validator == "enum":
        message = f"{_show(error.instance)} is not one of {', '.join(map(repr, error.validator_value))}"
    else:
        message = error.message
    owner = _owner(list(error.absolute_path), document)
    return f"{owner}: {message}" if owner else message


def _owner(parts: list[Any], document: Any) -> str:
    """Name the DC, hub or vehicle type an error sits in, so the user finds it without counting."""
    if not isinstance(document, dict):
        return ""
    if len(parts) >= 2 and parts[0] in ("dcs", "vehicle_types") and isinstance(parts[1], int):
        try:
            item = document[parts[0]][parts[1]]
        except (KeyError, IndexError, TypeError):
            return ""
        key = "id" if parts[0] == "dcs" else "name"
        if isinstance(item, dict) and isinstance(item.get(key), str):
            return f"{'DC' if parts[0] == 'dcs' else 'vehicle type'} {_named(item[key])}"
    if (
        parts
        and parts[0] == "hub"
        and isinstance(document.get("hub"), dict)
        and isinstance(document["hub"].get("id"), str)
    ):
        return f"hub {_named(document['hub']['id'])}"
    if len(parts) >= 2 and parts[0] == "routes" and isinstance(parts[1], int):
        try:
            vehicle = document["routes"][parts[1]].get("vehicle")
        except (KeyError, IndexError, TypeError, AttributeError):
            return ""
        return f"route of {_named(vehicle)}" if isinstance(vehicle, str) else ""
    return ""


def _named(name: str) -> str:
    """An id or name as the message shows it: as written, or quoted with escapes where it holds a character that is
    not printable (a control character would break the one-line message, or start a line of its own)."""
    return name if name.isprintable() else repr(name)


def _type_names(expected: Any) -> str:
    names = {
        "number": "a number",
        "integer": "an integer",
        "string": "a string",
        "array": "a list",
        "object": "an object",
        "boolean": "true or false",
        "null": "null",
    }
    kinds: list[str] = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(k, k) for k in kinds)


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
