"""Output files: checked before any work starts, written whole, never over the user's input.

Every file the toolkit writes (plans, instances, plots, model files) goes through
:func:`check_output_path` when the command starts, so a typo in a path costs nothing, and through
:func:`write_atomically`, so an interrupt or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from milp_milkrun.errors import InputError

PLAN_SUFFIXES = (".json", ".sol")
INSTANCE_SUFFIXES = (".json", ".vrp")
MODEL_SUFFIXES = (".lp", ".mps")
PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")


def check_output_path(
    path: str | Path, *, field: str, suffixes: Iterable[str], inputs: Iterable[str | Path] = ()
) -> Path:
    """Refuse an output path that cannot or must not be written, before any work is done.

    Parameters
    ----------
    path
        Where the file is to be written.
    field
        What the path is for (``output``, ``plot``, ...), named in the error.
    suffixes
        The accepted extensions (lower case, with the dot).
    inputs
        Files the command reads: the output may not be any of them.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        For an unsupported extension, a directory, a missing or unwritable folder, or an input file.
    """
    path = Path(path)
    accepted = tuple(suffixes)
    if path.is_dir():
        raise InputError(field, f"{path} is a directory; give a file name")
    if path.suffix.lower() not in accepted:
        raise InputError(field, f"{path}: unsupported extension {path.suffix or '(none)'!r}; use {', '.join(accepted)}")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(field, f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(field, f"{path}: no permission to write there")
    for source in inputs:
        if _same_file(path, Path(source)):
            raise InputError(field, f"{path} is an input of this command; writing there would destroy it")
    return path


def make_output_folder(path: str | Path, *, field: str) -> Path:
    """Create the folder a command writes its results into (with its parents), before any work.

    Parameters
    ----------
    path
        The results folder; it may exist already.
    field
        What the folder is for, named in the error.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        When the path is a file, lies under a file, or cannot be created or written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(field, f"{path} is a file; give a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(field, f"{path}: cannot create the folder: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(field, f"{path}: no permission to write there")
    return path


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> None:
    """Write a file whole or not at all: ``write`` fills a temporary file in the same folder, which
    then replaces ``path`` in one step (``os.replace``).

    Parameters
    ----------
    path
        The file to create or replace.
    write
        Writes the content to the path it is given (a temporary file with the same extension).

    Raises
    ------
    InputError
        When the file cannot be written (permissions, a full disk, a read-only file system); ``path``
        is then left as it was.
    """
    named = str(path)
    path = Path(os.path.realpath(path))  # through a symbolic link, so the link stays a link
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    except OSError as exc:
        raise InputError(named, f"cannot write: {exc.strerror or exc}") from None
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(named, f"cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _mode_for(path: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets under the umask (mkstemp's
    own 0600 would make a shared plan private)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    umask = os.umask(0)  # the only way to read it; done once at import, not while workers write
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def write_text_atomically(path: str | Path, text: str) -> None:
    """:func:`write_atomically` for a text file (UTF-8).

    Parameters
    ----------
    path : str or Path
        The file to create or replace.
    text : str
        Its whole content.
    """
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
