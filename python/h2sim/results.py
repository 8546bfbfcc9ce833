"""Results as pandas and xarray objects, and output files written all or nothing.

The one place for both: :class:`h2sim.Model` builds its DataFrames and Datasets here,
and every command and report writes its files through :func:`write_atomically` or
:class:`StagedWrites`, so that a failed write never leaves a half-written file behind.

    ds = h2sim.results.dataset_from_frame(model, model.run())     # one run as a Dataset
    table = h2sim.results.long_table(model.run_batch(runs))        # (run, time) x columns
    h2sim.results.write_table(table, "runs.parquet")
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _h2sim

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from .model import Model

#: File name endings write_table knows.
TABLE_FORMATS = (".csv", ".parquet", ".nc")


from .errors import ArgumentError, ArgumentTypeError, Error, WriteError  # noqa: E402  (WriteError: also an OSError)


# --- converting -----------------------------------------------------------------------------
def dataset(model: Model, values: np.ndarray, times: Sequence[float], names: Sequence[str],
            units: Sequence[str], runs: Sequence[Any] | None = None) -> xr.Dataset:
    """An xarray Dataset of ``values[run, time, output]``: one data variable per model
    variable, arrayed variables with a dimension per model dimension (or an ``element``
    dimension when only some elements were reported), units, description, source and label
    as attributes. With ``runs`` None the run dimension is dropped (one run)."""
    import xarray as xr

    info, dims = model._variable_descriptions()
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name.split("[", 1)[0], []).append(i)
    # One set of coordinates for the whole Dataset (not one per variable, which xarray would
    # then align: most of the time a small batch took).
    coords: dict[str, Any] = {"time": np.asarray(times)}
    lead = ["run", "time"] if runs is not None else ["time"]
    data = {}
    for base, indices in groups.items():
        var = info.get(_h2sim.canonical_name(base))
        var_dims = list(var["dimensions"]) if var is not None and var["dimensions"] else []
        shape = [len(dims[d]) for d in var_dims]
        whole = False
        if var_dims and int(np.prod(shape)) == len(indices):
            # Every element, in whatever order the columns were asked for: put them in the
            # variable's own (row-major) order before the reshape, or values would sit under
            # the wrong elements' coordinates.
            order = _storage_order(base, var_dims, dims, [names[i] for i in indices])
            if order is not None:
                indices = [indices[k] for k in np.argsort(order, kind="stable")]
                whole = True
        contiguous = indices == list(range(indices[0], indices[-1] + 1))
        block = values[:, :, indices[0]:indices[-1] + 1] if contiguous else values[:, :, indices]
        if runs is None:
            block = block[0]
        dims_of = list(lead)
        if var_dims and (len(indices) > 1 or not whole):
            if whole:
                block = block.reshape(*block.shape[:-1], *shape)
                dims_of += var_dims
                coords.update({d: dims[d] for d in var_dims})
            else:  # a few elements asked for by name
                labels = [names[i] for i in indices]
                if "element" in coords and list(coords["element"]) != labels:
                    return _dataset_aligned(model, values, times, names, units, runs)
                dims_of.append("element")
                coords["element"] = labels
        else:
            block = block[..., 0]
        attrs = {"units": units[indices[0]],
                 "description": var["description"] if var is not None else "",
                 "source": var["source"] if var is not None else ""}
        if var is not None and var["label"]:
            attrs["long_name"] = var["label"]  # xarray's plots label axes with it
        data[base] = (dims_of, block, attrs)
    if runs is not None:
        coords["run"] = np.asarray(runs)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs["scenario"] = model.name
    return ds


def _storage_order(base: str, var_dims: list[str], dims: dict[str, list[str]],
                   labels: list[str]) -> list[int] | None:
    """Each label's position in the variable's row-major order, when the labels are its
    elements, each once; None otherwise."""
    expected = [f"{base}[{','.join(combo)}]" for combo in itertools.product(*(dims[d] for d in var_dims))]
    if labels == expected:
        return list(range(len(labels)))
    position = {_h2sim.canonical_element_name(name): k for k, name in enumerate(expected)}
    order = [position.get(_h2sim.canonical_element_name(label), -1) for label in labels]
    return order if sorted(order) == list(range(len(expected))) else None


def _dataset_aligned(model: Model, values: np.ndarray, times: Sequence[float], names: Sequence[str],
                     units: Sequence[str], runs: Sequence[Any] | None) -> xr.Dataset:
    """The Dataset of :func:`dataset` where variables name different elements: one DataArray
    per variable, aligned on a shared ``element`` dimension by xarray."""
    import xarray as xr

    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name.split("[", 1)[0], []).append(i)
    data = {}
    for base, indices in groups.items():
        single = dataset(model, values[:, :, indices], times, [names[i] for i in indices],
                         [units[i] for i in indices], runs if runs is not None else [0])
        data[base] = single[base]
    ds = xr.Dataset(data)
    ds = ds.isel(run=0, drop=True) if runs is None else ds
    ds.attrs["scenario"] = model.name
    return ds


def dataset_from_frame(model: Model, frame: pd.DataFrame) -> xr.Dataset:
    """One run's DataFrame (as :meth:`Model.run` returns it) as an xarray Dataset."""
    names = [str(c) for c in frame.columns]
    units = [frame.attrs.get("units", {}).get(c, "") for c in names]
    return dataset(model, frame.to_numpy()[None, ...], frame.index.to_numpy(), names, units)


def long_table(batch: xr.Dataset) -> pd.DataFrame:
    """A (run, time) x variable table from a :meth:`Model.run_batch` Dataset; an arrayed
    variable gives one column per element, named ``name[element, ...]``. Units in
    ``attrs["units"]``."""
    runs = batch["run"].to_numpy()
    times = batch["time"].to_numpy()
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for name, var in batch.data_vars.items():
        extra = [d for d in var.dims if d not in ("run", "time")]
        data = var.transpose("run", "time", *extra).to_numpy()
        if not extra:
            columns[name] = data.reshape(-1)
            units[name] = var.attrs.get("units", "")
            continue
        labels = [batch[d].to_numpy() if d in batch.coords else range(var.sizes[d]) for d in extra]
        for idx in itertools.product(*(range(var.sizes[d]) for d in extra)):
            label = f"{name}[{', '.join(str(labels[k][i]) for k, i in enumerate(idx))}]"
            if extra == ["element"]:
                label = str(labels[0][idx[0]])
            columns[label] = data[(slice(None), slice(None), *idx)].reshape(-1)
            units[label] = var.attrs.get("units", "")
    index = pd.MultiIndex.from_product([runs, times], names=["run", "time"])
    frame = pd.DataFrame(columns, index=index)
    frame.attrs["units"] = units
    return frame


# --- writing ------------------------------------------------------------------------------
def write_table(frame: pd.DataFrame, path: str, ext: str | None = None,
                dataset_factory: Callable[[], Any] | None = None) -> None:
    """Writes a DataFrame as ``ext`` (default: the file's ending): .csv, .parquet, or .nc
    (the Dataset that ``dataset_factory`` makes, else the frame's own xarray form), through
    a temporary file renamed into place, so that a failed write leaves no file behind.
    Inside :class:`StagedWrites` the path is a temporary name, so give ``ext`` there.

    A column that .parquet or .nc cannot store (values of mixed types, such as numbers and
    text, or objects that are neither) is an :class:`ArgumentTypeError` naming the file and
    the column; a file that cannot be written is a :class:`WriteError`."""
    from .arguments import path as path_argument

    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(f"write_table: frame must be a pandas DataFrame, not {type(frame).__name__}")
    path = path_argument(path, "write_table: path")
    shown = _staged_targets.get(os.path.abspath(path), path)  # the name the caller gave, not a temporary one
    ext = (ext or os.path.splitext(path)[1]).lower()
    if ext not in TABLE_FORMATS:
        raise ArgumentError(f"{shown}: the file name must end in {', '.join(TABLE_FORMATS)}")
    if ext != ".csv" and dataset_factory is None:
        _check_storable(frame, shown, ext)

    def write(target: str) -> None:
        if ext == ".csv":
            frame.to_csv(target)
        elif ext == ".parquet":
            table = frame.copy()
            table.attrs = {}  # pandas would put attrs into the parquet metadata as JSON; keep it plain
            table.to_parquet(target)
        else:
            data = dataset_factory() if dataset_factory is not None else frame.to_xarray()
            data.to_netcdf(target)

    if os.path.abspath(path) in _staged_targets:  # already a temporary file of StagedWrites
        _write_wrapped(write, path, shown)
        return
    temp = None
    try:
        temp = _temporary_beside(path)
        _write_wrapped(write, temp, shown)
        _move_into_place(temp, path)
        temp = None
    except OSError as error:
        if isinstance(error, WriteError):
            raise
        raise WriteError(f"cannot write {shown}: {error.strerror or error}") from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.remove(temp)


def _write_wrapped(write: Callable[[str], None], path: str, shown: str) -> None:
    """Runs ``write(path)``: I/O failures become WriteError, a value the format cannot hold
    an ArgumentError (not an I/O error: the disk is fine, the table is not)."""
    try:
        write(path)
    except Error:
        raise
    except OSError as error:
        raise WriteError(f"cannot write {shown}: {error.strerror or error}") from None
    except (ValueError, TypeError) as error:  # pyarrow's ArrowInvalid/ArrowTypeError derive from these
        raise ArgumentError(f"cannot write {shown}: {error}") from None


def _kind(value: Any) -> str:
    """'number', 'text', 'bool', 'missing' or the type's name, for a cell of an object column."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "missing"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _check_storable(frame: pd.DataFrame, shown: str, ext: str) -> None:
    """Refuses, before anything is written, a column (or index level) of object values that
    .parquet and .nc cannot store: values of more than one kind, or objects that are
    neither numbers nor text."""
    index = frame.index
    names = [str(n) for n in index.names]
    if ext == ".nc" and len(set(names)) < len(names):  # xarray writes dimensions ('time', 'time')
        raise ArgumentError(f"cannot write {shown}: the index levels {', '.join(names)} repeat a name; "
                            "the dimensions of a .nc file need distinct names")
    levels = [(f"index level '{name}'", index.get_level_values(k)) for k, name in enumerate(index.names)]
    for label, values in [*levels, *((f"column '{c}'", frame[c]) for c in frame.columns
                                     if not isinstance(frame[c], pd.DataFrame))]:
        if values.dtype != object:
            continue
        kinds: dict[str, Any] = {}
        for v in values:
            kinds.setdefault(_kind(v), v)
        kinds.pop("missing", None)
        odd = [k for k in kinds if k not in ("number", "text", "bool")]
        if odd:
            raise ArgumentTypeError(f"cannot write {shown}: {label} holds {odd[0]} values such as "
                                    f"{kinds[odd[0]]!r}; a {ext} column holds numbers or text")
        if len(kinds) > 1:
            raise ArgumentTypeError(f"cannot write {shown}: {label} mixes {' and '.join(kinds)} "
                                    f"({', '.join(repr(v) for v in kinds.values())}); a {ext} column holds "
                                    "one kind of value (convert it, e.g. with .astype(str))")


#: Temporary files of StagedWrites (absolute path) -> the target they will become, so that
#: messages name the file the caller asked for.
_staged_targets: dict[str, str] = {}


# The one rule for writing a file safely: into a temporary file beside the target (same
# folder, so the rename is atomic), given the target's permissions (or the usual ones for a
# new file), renamed over the target.
def refuse_read_only(target: str) -> None:
    """A rename replaces a read-only file (and as root open() would write it too): refuse an
    existing file without any write permission, as a user who made it read-only expects."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) and not mode & 0o222:
        raise PermissionError(errno.EACCES, "the file is read-only (make it writable to replace it)", target)


def permissions_for(target: str, new_file: int = 0o666) -> int:
    """The permission bits a replacement of ``target`` gets: those of the file it replaces,
    or ``new_file`` less the umask for a new one (mkstemp makes 0600)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return new_file & ~umask


def _temporary_beside(target: str) -> str:
    refuse_read_only(target)
    folder = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=folder)
    os.close(fd)
    return temp


def _move_into_place(temp: str, target: str) -> None:
    os.chmod(temp, permissions_for(target))
    os.replace(temp, target)


def write_atomically(path: str | os.PathLike, text: str) -> None:
    """Writes ``text`` to ``path`` through a temporary file beside it, renamed into place,
    so that a failed write leaves no file behind (and the old file, if any, as it was).
    Raises WriteError (an OSError) when the file cannot be written, ArgumentTypeError when
    ``text`` is not text, ArgumentError when it cannot be encoded as UTF-8."""
    from .arguments import path as path_argument

    target = path_argument(path, "write_atomically: path")
    if not isinstance(text, str):
        raise ArgumentTypeError(f"write_atomically: text must be text (str), not {type(text).__name__}")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ArgumentError(f"write_atomically: text cannot be written as UTF-8: character "
                            f"{text[error.start]!r} at offset {error.start} ({error.reason})") from None
    temp = None
    try:
        temp = _temporary_beside(target)
        with open(temp, "wb") as handle:
            handle.write(data)
        _move_into_place(temp, target)
    except BaseException as error:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.remove(temp)
        if isinstance(error, OSError) and not isinstance(error, WriteError):
            raise WriteError(f"cannot write {target}: {error.strerror or error}") from None
        raise


class StagedWrites:
    """Output files written to temporary names beside their targets and renamed into place
    together by :meth:`commit`; on failure every temporary file is removed, so a failed
    command leaves no half-written file and no stale temporary file behind. Failures are
    :class:`WriteError`."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []

    def write(self, target: str, writer: Callable[[str], None]) -> None:
        try:
            temp = _temporary_beside(target)
        except OSError as error:
            raise WriteError(f"cannot write {target}: {error.strerror or error}") from None
        self.pending.append((temp, target))
        _staged_targets[os.path.abspath(temp)] = target
        try:
            writer(temp)
        except Error:  # h2sim's own errors say what they are (an ArgumentError is no I/O failure)
            raise
        except (ValueError, TypeError) as error:  # a value the format cannot hold: not I/O (exit 1, not 3)
            raise ArgumentError(f"cannot write {target}: {error}") from None
        except Exception as error:  # noqa: BLE001 - OSError, and libraries' own I/O failures
            raise WriteError(f"cannot write {target}: {getattr(error, 'strerror', None) or error}") from None
        finally:
            _staged_targets.pop(os.path.abspath(temp), None)

    def commit(self) -> None:
        target = ""
        try:
            for temp, target in self.pending:
                _move_into_place(temp, target)
        except OSError as error:
            raise WriteError(f"cannot write {target}: {error.strerror or error}") from None
        finally:
            self.discard()

    def discard(self) -> None:
        for temp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.remove(temp)
        self.pending = []


@contextlib.contextmanager
def staged() -> Iterator[StagedWrites]:
    """``with staged() as files: files.write(path, writer); ...; files.commit()``: nothing
    is left behind when anything in the block fails."""
    files = StagedWrites()
    try:
        yield files
    except BaseException:
        files.discard()
        raise
