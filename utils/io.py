"""Reading a reader's own grids from files, with an error for every kind of bad file.

A **grid** is a 2-D array of small non-negative integers (levels; 0 is the background).
:func:`load_grids` reads

- one file: ``.npy`` (one grid (H, W) or a stack (N, H, W)), ``.npz`` (the array named
  ``grids``, or its only array, or the one named by ``key``), ``.csv`` (comma-separated) or
  ``.txt`` (whitespace-separated) with one grid row per line and a blank line between stacked
  grids;
- a folder: every such file in it, in name order (other files are ignored, and so are
  files named ``labels.*`` and the labels file if it lives there);

and, when there is one, a labels file (:func:`read_labels`): one label per line in grid order,
or ``name,label`` lines naming each grid's file, or a ``.npy`` vector.

Nothing is coerced silently: float cells (even ``1.0``), booleans, negative cells, levels
above the declared ``n_levels``, grids of different shapes, empty files, and labels that are
missing, extra or unknown each raise ``ValueError``/``TypeError`` naming the file and what is
wrong.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_text("0,1\\n2,0\\n")
>>> _ = (folder / "b.csv").write_text("1,1\\n0,3\\n")
>>> _ = (folder / "labels.csv").write_text("name,label\\na.csv,left\\nb.csv,right\\n")
>>> data = load_grids(folder, labels=folder / "labels.csv", n_levels=3)
>>> data.grids.shape, data.sources, data.classes, data.labels.tolist()
((2, 2, 2), ['a.csv', 'b.csv'], ['left', 'right'], [0, 1])
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import check_int, describe

__all__ = ["GridSet", "load_grids", "read_labels", "pad_grids", "SUFFIXES", "MAX_CELLS",
           "MAX_FILE_BYTES"]

SUFFIXES = (".npy", ".npz", ".csv", ".txt")
"""File types :func:`load_grids` reads."""

MAX_CELLS = 2 ** 28
"""Most cells :func:`load_grids` returns in all (268 million: 256 MB as uint8)."""

MAX_FILE_BYTES = 1 << 30
"""Largest text file read (1 GB): larger text is better stored as ``.npy``."""


@dataclass
class GridSet:
    """Grids read from files.

    Attributes
    ----------
    grids : (N, H, W) uint8 array
        The levels, 0..n_levels.
    sources : list of str
        Where each grid came from: the file name, with ``[i]`` for the i-th grid of a stack.
    n_levels : int
        Highest level allowed (declared, or the highest level found).
    labels : (N,) int64 array or None
        Each grid's class as an index into ``classes``; None without a labels file.
    classes : list of str or None
        Class names, sorted (numerically when every name is an integer).
    """

    grids: np.ndarray
    sources: list[str]
    n_levels: int
    labels: np.ndarray | None = None
    classes: list[str] | None = None


def _path(name: str, value: object) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {describe(value)}")
    path = Path(value)
    if not path.exists():
        raise ValueError(f"{name}: no such file or folder: {str(path)!r}")
    return path


def _check_cells(arr: np.ndarray, where: str, top: int | None) -> np.ndarray:
    """Integer levels 0..top (0..255 without top), 2-D or 3-D, not empty."""
    if arr.dtype == bool:
        raise TypeError(f"{where}: cells must be integer levels, got booleans (convert with "
                        f".astype(int) if True means level 1)")
    if not np.issubdtype(arr.dtype, np.integer):
        whole = np.issubdtype(arr.dtype, np.floating) and bool(np.all(arr == np.round(arr)))
        hint = " (every value is whole: save them with .astype(int))" if whole else ""
        raise TypeError(f"{where}: cells must be integer levels, got dtype {arr.dtype}{hint}")
    if arr.ndim not in (2, 3):
        raise ValueError(f"{where}: a grid must be 2-D (H, W) or a stack 3-D (N, H, W), got "
                         f"shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{where}: holds no cells (shape {arr.shape})")
    low, high = int(arr.min()), int(arr.max())
    limit = 255 if top is None else top
    if low < 0 or high > limit:
        bad = np.argwhere((arr < 0) | (arr > limit))[0]
        what = "declared n_levels" if top is not None else "largest level allowed"
        raise ValueError(f"{where}: levels must lie in 0..{limit} (the {what}), found "
                         f"{int(arr[tuple(bad)])} at index {tuple(int(i) for i in bad)}")
    return arr


def _parse_text(path: Path, sep: str | None) -> np.ndarray:
    """Rows of integers; a blank line separates stacked grids."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path.name}: {path.stat().st_size:,} bytes is more than the "
                         f"{MAX_FILE_BYTES:,} a text file may have; save the grids as .npy")
    try:
        text = path.read_text()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: is not a text file ({exc.reason})") from exc
    grids, rows = [], []
    for number, line in enumerate(text.splitlines() + [""], start=1):
        if not line.strip():
            if rows:
                grids.append((rows, number - len(rows)))
                rows = []
            continue
        fields = [f.strip() for f in line.split(sep)]
        values = []
        for column, field in enumerate(fields, start=1):
            try:
                values.append(int(field))
            except ValueError:
                raise ValueError(f"{path.name}: line {number}, column {column}: {field!r} is "
                                 f"not an integer level" + (
                                     " (the file is whitespace-separated: name it .csv if it"
                                     " uses commas)" if sep is None and "," in field else "")
                                 ) from None
        if rows and len(values) != len(rows[0]):
            raise ValueError(f"{path.name}: line {number} has {len(values)} cells, the lines "
                             f"above have {len(rows[0])} (ragged rows)")
        rows.append(values)
    if not grids:
        raise ValueError(f"{path.name}: is empty (no rows of levels)")
    first = grids[0][0]
    for rows, line in grids[1:]:
        if (len(rows), len(rows[0])) != (len(first), len(first[0])):
            raise ValueError(f"{path.name}: the grid starting at line {line} is "
                             f"{len(rows)} x {len(rows[0])}, the first is "
                             f"{len(first)} x {len(first[0])} (grids must have one shape)")
    arr = np.array([r for r, _ in grids], dtype=np.int64)
    return arr[0] if len(grids) == 1 else arr


def _read_array(path: Path, key: str | None) -> np.ndarray:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            head = np.load(path, mmap_mode="r", allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"{path.name}: is not a readable .npy array ({exc})") from exc
        if head.size > MAX_CELLS:
            raise ValueError(f"{path.name}: holds {head.size:,} cells, more than the "
                             f"{MAX_CELLS:,} load_grids reads")
        return np.array(head)
    if suffix == ".npz":
        if not zipfile.is_zipfile(path):
            raise ValueError(f"{path.name}: is not a readable .npz archive (not a zip file)")
        try:
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.files)
                if key is not None:
                    if key not in names:
                        raise ValueError(f"{path.name}: has no array {key!r}; it holds "
                                         f"{names}")
                    chosen = key
                elif "grids" in names or len(names) == 1:
                    chosen = "grids" if "grids" in names else names[0]
                else:
                    raise ValueError(f"{path.name}: holds several arrays {names} and none is "
                                     f"named 'grids'; pass key= to choose one")
                return archive[chosen]
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            if str(exc).startswith(path.name):
                raise
            raise ValueError(f"{path.name}: is not a readable .npz archive ({exc})") from exc
    return _parse_text(path, "," if suffix == ".csv" else None)


def _grid_files(folder: Path, skip: Path | None) -> list[Path]:
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
                   and p.stem.lower() != "labels"
                   and (skip is None or p.resolve() != skip.resolve()))
    if not files:
        found = sorted(p.name for p in folder.iterdir())[:10]
        raise ValueError(f"path: the folder {str(folder)!r} holds no grid files "
                         f"({', '.join(SUFFIXES)}); found {found}")
    return files


def load_grids(path: object, *, labels: object = None, n_levels: int | None = None,
               key: str | None = None) -> GridSet:
    """Read grids from a file or a folder, with their labels when a labels file is given.

    Parameters
    ----------
    path : str or Path
        A grid file (``.npy``, ``.npz``, ``.csv``, ``.txt``) or a folder of them.
    labels : str or Path, optional
        A labels file, read by :func:`read_labels`.
    n_levels : int, optional
        Highest level allowed, 1..255; cells above it are an error.  Without it, the highest
        level found is used.
    key : str, optional
        The array to read from ``.npz`` files (default: ``grids``, or the only array).

    Returns
    -------
    GridSet
        ``grids`` as uint8, in file-name order; ``labels``/``classes`` when ``labels`` is given.

    Raises
    ------
    ValueError, TypeError
        Naming the file and what is wrong: no such path, an empty or unreadable file, cells that
        are not integers, levels outside 0..n_levels, grids of different shapes, ragged rows,
        more cells than :data:`MAX_CELLS`, or labels that do not match the grids.
    """
    source = _path("path", path)
    top = None if n_levels is None else check_int("n_levels", n_levels, minimum=1, maximum=255)
    if key is not None and not isinstance(key, str):
        raise TypeError(f"key must be the name of an array in the .npz files, got {describe(key)}")
    label_path = None if labels is None else _path("labels", labels)
    if source.is_dir():
        files = _grid_files(source, label_path)
    elif source.suffix.lower() in SUFFIXES:
        files = [source]
    else:
        raise ValueError(f"path: {source.name!r} is not a grid file; load_grids reads "
                         f"{', '.join(SUFFIXES)} files or a folder of them")
    grids, sources, total, shape = [], [], 0, None
    for f in files:
        arr = _check_cells(_read_array(f, key), f.name, top)
        stack = arr[None] if arr.ndim == 2 else arr
        if shape is None:
            shape, first = stack.shape[1:], f.name
        elif stack.shape[1:] != shape:
            raise ValueError(f"{f.name}: grids are {stack.shape[1]} x {stack.shape[2]}, but "
                             f"those of {first} are {shape[0]} x {shape[1]} (every grid must "
                             f"have one shape; crop or pad them first)")
        total += stack.size
        if total > MAX_CELLS:
            raise ValueError(f"path: the grids hold more than the {MAX_CELLS:,} cells "
                             f"load_grids reads (stopped at {f.name})")
        grids.append(stack.astype(np.uint8))
        sources += [f.name] if arr.ndim == 2 else [f"{f.name}[{i}]" for i in range(len(arr))]
    data = np.concatenate(grids)
    found = int(data.max())
    result = GridSet(grids=data, sources=sources, n_levels=top if top is not None else found)
    if label_path is not None:
        result.labels, result.classes = read_labels(label_path, sources)
    return result


def _class_names(values: list[str]) -> list[str]:
    names = sorted(set(values))
    try:
        return sorted(names, key=int)
    except ValueError:
        return names


def read_labels(path: object, sources: list[str]) -> tuple[np.ndarray, list[str]]:
    """Read one label per grid.

    Three layouts are read: a ``.npy`` vector in grid order; a text or CSV file with one label
    per line in grid order; or ``name,label`` lines (whitespace-separated in ``.txt``) naming
    each grid's file (as in ``sources``, with or without its suffix).  A first line ``label``
    or ``name,label`` is a header and is skipped.

    Parameters
    ----------
    path : str or Path
        The labels file.
    sources : list of str
        The grids' sources, as :attr:`GridSet.sources`.

    Returns
    -------
    labels : (N,) int64 array
        Indices into ``classes``.
    classes : list of str
        Sorted class names.
    """
    path = _path("labels", path)
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise TypeError(f"sources must be a list of str (GridSet.sources), got {describe(sources)}")
    if path.suffix.lower() == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"{path.name}: is not a readable .npy array ({exc})") from exc
        if arr.ndim != 1 or arr.dtype.kind not in "iuU":
            raise ValueError(f"{path.name}: labels must be a 1-D vector of integers or strings, "
                             f"got shape {arr.shape} and dtype {arr.dtype}")
        values = [str(v) for v in arr.tolist()]
        named = None
    else:
        try:
            lines = [ln.strip() for ln in path.read_text().splitlines()]
        except UnicodeDecodeError as exc:
            raise ValueError(f"labels: {path.name} is not a text file ({exc.reason})") from exc
        sep = "," if path.suffix.lower() == ".csv" else None
        rows = [(i, [f.strip() for f in ln.split(sep)]) for i, ln in enumerate(lines, 1) if ln]
        if rows and rows[0][1][-1].lower() == "label":
            rows = rows[1:]
        if not rows:
            raise ValueError(f"{path.name}: holds no labels")
        widths = {len(fields) for _, fields in rows}
        if len(widths) > 1 or widths.pop() > 2:
            line, fields = next((i, f) for i, f in rows if len(f) != len(rows[0][1]) or len(f) > 2)
            raise ValueError(f"{path.name}: line {line} has {len(fields)} fields; every line "
                             f"must be 'label' or 'name{sep or ' '}label'")
        for line, fields in rows:
            if not all(fields):
                raise ValueError(f"{path.name}: line {line} has an empty field")
        named = [f[0] for _, f in rows] if len(rows[0][1]) == 2 else None
        values = [f[-1] for _, f in rows]
    if named is None:
        if len(values) != len(sources):
            more = "more" if len(values) > len(sources) else "fewer"
            raise ValueError(f"{path.name}: holds {len(values)} labels for {len(sources)} grids "
                             f"({more} labels than grids)")
    else:
        values = _match_names(path.name, named, values, sources)
    classes = _class_names(values)
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[v] for v in values], dtype=np.int64), classes


def _match_names(file: str, named: list[str], values: list[str], sources: list[str]
                 ) -> list[str]:
    """Labels in the order of ``sources`` from ``name,label`` rows."""
    by_name: dict[str, str] = {}
    for name, value in zip(named, values, strict=True):
        if name in by_name:
            raise ValueError(f"{file}: names {name!r} twice")
        by_name[name] = value
    out, missing = [], []
    used = set()
    for s in sources:
        for candidate in (s, Path(s).stem):
            if candidate in by_name:
                out.append(by_name[candidate])
                used.add(candidate)
                break
        else:
            missing.append(s)
    if missing:
        raise ValueError(f"{file}: has no label for {len(missing)} grid(s), e.g. "
                         f"{missing[:3]} (missing labels)")
    extra = sorted(set(by_name) - used)
    if extra:
        raise ValueError(f"{file}: names {len(extra)} grid(s) that were not read, e.g. "
                         f"{extra[:3]} (extra labels)")
    return out


def pad_grids(grids: object, block: int) -> np.ndarray:
    """Pad grids with empty cells (level 0) at the bottom and right to multiples of ``block``.

    The networks of chapter 4 read the grid in ``block`` x ``block`` patches, so their sides
    must be multiples of ``block``; empty cells add no object and no relation.

    Parameters
    ----------
    grids : (H, W) or (N, H, W) integer array
        Levels.
    block : int
        Side of a patch, 1..64.

    Returns
    -------
    array of the same dtype, sides rounded up to multiples of ``block``

    Examples
    --------
    >>> pad_grids(np.ones((2, 48, 51), dtype=np.uint8), 5).shape
    (2, 50, 55)
    """
    from .grids import check_grid

    g = check_grid(grids, name="grids")
    block = check_int("block", block, minimum=1, maximum=64)
    h, w = g.shape[-2:]
    extra = [(0, 0)] * (g.ndim - 2) + [(0, -h % block), (0, -w % block)]
    return np.pad(g, extra)
