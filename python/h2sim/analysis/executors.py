"""Running a table of runs in chunks, here or on an executor, reducing each chunk to its
outcomes before the next.

The unit of work is (model, chunk of the parameter table, what to keep). Locally the chunk
goes to :meth:`h2sim.Model.run_batch` on every core. On an executor - anything with
``submit(fn, *args)`` returning a future with ``result()``: ``concurrent.futures`` pools,
``dask.distributed.Client`` - the model travels as a :class:`ModelBundle` (the text of every
file the scenario reads, so workers need no shared file system), is loaded once per worker
process, and each chunk comes back as its outcomes (and any time series asked for). A run's
numbers do not depend on the chunk it is in, so every executor gives the local result bit
for bit.
"""

from __future__ import annotations

import collections
import hashlib
import os
import shutil
import tempfile
import threading
import time as _time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..trajectories import setting
from . import outcomes as _outcomes

MIN_CHUNK_SECONDS = 0.1      # executors: a chunk is at least this much work
TARGET_CHUNK_SECONDS = 0.5   # ... and about this much, so that scheduling costs stay small
MAX_CHUNK_BYTES = 64 << 20   # the trajectories of one chunk, before reduction
LANES = 8                    # the engine's lane block: chunks are multiples of it
LOCAL_CHUNK = 2048           # runs per local chunk: every core busy, progress shown often


@dataclass
class Plan:
    """What each chunk computes: the outcomes, the time series kept whole, and the run
    settings (time overrides) passed to run_batch."""

    outcomes: list
    time_series: list[str] = field(default_factory=list)
    run_options: dict = field(default_factory=dict)
    # How the numbers of a column set a scheduled lever (h2sim.trajectories.check_form):
    # from a time on, or as a factor or delay of its schedule. Absent: the number itself.
    forms: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        columns = _outcomes.columns_needed(self.outcomes)
        return columns + [c for c in self.time_series if c not in columns]


def evaluate_chunk(model, names: Sequence[str], values: np.ndarray, plan: Plan, threads: int | None = None):
    """Runs one chunk and reduces it: ({outcome: (n,)}, {series: (n, times)}, times)."""
    table = {name: values[:, j] if not plan.forms.get(name) else [setting(plan.forms[name], v) for v in values[:, j]]
             for j, name in enumerate(names)}
    if not names:  # run_batch needs a column: set a constant to its own value
        first = model.parameters.index[0]
        table = {first: np.full(len(values), float(model.parameters.iloc[0]["value"]))}
    dataset = model.run_batch(table, return_columns=plan.columns, threads=threads, progress=False,
                              **plan.run_options)
    times = dataset["time"].to_numpy()
    data = {c: _outcomes.extract(dataset, c) for c in plan.columns}
    reduced = _outcomes.evaluate(plan.outcomes, data, times)
    series = {c: data[c] for c in plan.time_series}
    return reduced, series, times


# --- shipping the model ------------------------------------------------------------------------
class ModelBundle:
    """A model as bytes: every file its scenario reads (``Model.files``: the ``extends:``
    chain, the model file, components), relative to their common folder, with the overrides
    set by ``with_params``. :meth:`load` rebuilds the same Model anywhere."""

    def __init__(self, files: dict[str, bytes], entry: str, strict_units: bool, overrides: dict,
                 origin: str) -> None:
        self.files = files
        self.entry = entry
        self.strict_units = strict_units
        self.overrides = overrides
        self.origin = origin  # the folder the files came from, to name them in errors
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name] + b"\0")
        digest.update(repr((entry, strict_units, sorted(overrides.items(), key=str))).encode())
        self.key = digest.hexdigest()[:20]

    @classmethod
    def from_model(cls, model) -> "ModelBundle":
        if model._source is None:
            raise ValueError("only a Model loaded from a file can be sent to an executor")
        path, text, strict = model._source
        paths = [p for p in model.files if os.path.exists(p)] or [os.path.abspath(path)]
        root = os.path.commonpath([os.path.dirname(p) for p in paths])
        files = {}
        for p in paths:  # bytes, as h2sim.load reads them: the library decodes them by its rule
            with open(p, "rb") as handle:
                files[os.path.relpath(p, root)] = handle.read()
        files[os.path.relpath(os.path.abspath(path), root)] = text  # the bytes as loaded
        return cls(files, os.path.relpath(os.path.abspath(path), root), strict, dict(model._overrides), root)

    def load(self):
        """The Model, loaded from the files written to a private folder (cached per
        process, so a worker parses and compiles it once)."""
        with _CACHE_LOCK:
            cached = _CACHE.get(self.key)
            if cached is not None:
                _CACHE.move_to_end(self.key)
                return cached
        import h2sim

        folder = tempfile.mkdtemp(prefix=f"h2sim-{self.key}-")
        try:
            for name, data in self.files.items():
                target = os.path.join(folder, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(data)
            model = h2sim.load(os.path.join(folder, self.entry), strict_units=self.strict_units)
            if self.overrides:
                model = model.with_params(self.overrides)
            model.program  # compile once, here
        finally:  # loaded: the model holds everything it needs, the files can go
            shutil.rmtree(folder, ignore_errors=True)
        with _CACHE_LOCK:
            _CACHE[self.key] = model
            while len(_CACHE) > 4:
                _CACHE.popitem(last=False)
        return model


_CACHE: "collections.OrderedDict[str, Any]" = collections.OrderedDict()  # per worker process
_CACHE_LOCK = threading.Lock()


def _remote_chunk(bundle: ModelBundle, names: Sequence[str], values: np.ndarray, plan: Plan, threads: int):
    """What a worker runs: load (once) and evaluate the chunk on ``threads`` threads."""
    model = bundle.load()
    try:
        return evaluate_chunk(model, names, values, plan, threads=threads)
    except Exception as error:  # name the user's file, not the worker's copy of it
        _rename_files(error, bundle)
        raise


def _rename_files(error: Exception, bundle: ModelBundle) -> None:
    file = getattr(error, "file", "")
    if file and f"h2sim-{bundle.key}-" in file:
        relative = file.split(f"h2sim-{bundle.key}-", 1)[1].split(os.sep, 1)[-1]
        original = os.path.join(bundle.origin, relative)
        error.args = (str(error).replace(file, original),)
        error.file = original


# --- chunking ----------------------------------------------------------------------------------
def chunk_bounds(n: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def memory_chunk(n_times: int, n_columns: int) -> int:
    """The most runs whose trajectories fit in MAX_CHUNK_BYTES."""
    per_run = max(1, n_times) * max(1, n_columns) * 8 * 2  # the Dataset and the extracted arrays
    return max(LANES, (MAX_CHUNK_BYTES // per_run) // LANES * LANES)


def run_chunks(model, names: Sequence[str], values: np.ndarray, plan: Plan, *, executor=None,
               chunk_size: int | None = None, threads: int | None = None, worker_threads: int = 1,
               on_chunk: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, int, Any]]:
    """Yields (start, stop, (outcomes, series, times)) for consecutive chunks of the table.

    Locally each chunk runs on ``threads`` threads (default: every core). With an
    executor, a pilot chunk runs here first to time the model, and the rest is cut into
    chunks of about TARGET_CHUNK_SECONDS of work (never under MIN_CHUNK_SECONDS, never over
    the memory cap), at most a few in flight per worker so that memory stays bounded.
    """
    n = len(values)
    times_estimate = _saved_times(model, plan.run_options)
    cap = memory_chunk(times_estimate, len(plan.columns))
    if executor is None:
        size = chunk_size or min(cap, LOCAL_CHUNK)
        for start, stop in chunk_bounds(n, max(1, size)):
            result = evaluate_chunk(model, names, values[start:stop], plan, threads=threads)
            if on_chunk:
                on_chunk(start, stop)
            yield start, stop, result
        return
    # a pilot chunk here times the model (and is part of the answer)
    pilot = min(n, chunk_size or 2 * LANES)
    began = _time.perf_counter()
    result = evaluate_chunk(model, names, values[:pilot], plan, threads=1)
    per_run = max((_time.perf_counter() - began) / pilot, 1e-7)
    if on_chunk:
        on_chunk(0, pilot)
    yield 0, pilot, result
    if pilot == n:
        return
    if chunk_size is None:
        size = int(np.ceil(TARGET_CHUNK_SECONDS / per_run))
        size = max(size, int(np.ceil(MIN_CHUNK_SECONDS / per_run)), LANES)
        size = min(-(-size // LANES) * LANES, cap)
    else:
        size = chunk_size
    bundle = ModelBundle.from_model(model)
    bounds = [(pilot + a, pilot + b) for a, b in chunk_bounds(n - pilot, size)]
    window = max(2, 3 * _workers(executor))
    in_flight: collections.deque = collections.deque()
    todo = iter(bounds)
    for start, stop in todo:
        in_flight.append((start, stop, executor.submit(_remote_chunk, bundle, list(names),
                                                       values[start:stop], plan, worker_threads)))
        if len(in_flight) >= window:
            break
    while in_flight:
        start, stop, future = in_flight.popleft()
        result = future.result()
        nxt = next(todo, None)
        if nxt is not None:
            a, b = nxt
            in_flight.append((a, b, executor.submit(_remote_chunk, bundle, list(names), values[a:b], plan,
                                                    worker_threads)))
        if on_chunk:
            on_chunk(start, stop)
        yield start, stop, result


def _workers(executor) -> int:
    for attr in ("_max_workers",):
        if hasattr(executor, attr):
            return int(getattr(executor, attr))
    info = getattr(executor, "scheduler_info", None)
    if callable(info):
        try:
            return max(1, len(info().get("workers", {})))
        except Exception:  # noqa: BLE001 - a best guess is enough
            return 4
    return 4


def _saved_times(model, options: dict) -> int:
    t = model.time
    start = options.get("start") if options.get("start") is not None else t["start"]
    stop = options.get("stop") if options.get("stop") is not None else t["stop"]
    every = options.get("save_every") or (t["save_every"] if options.get("dt") is None else options["dt"])
    every = every or t["dt"]
    return int((stop - start) / every) + 2
