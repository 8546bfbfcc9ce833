"""Scenario discovery with PRIM (the EMA Workbench's implementation): which region of the
uncertainties holds the runs of interest - for example the scenarios in which a plan misses
its targets.

    found = h2sim.discover(exploration, "not targets_met", policy="plan")
    found.limits        # the box: restricted uncertainties and their ranges
    found.coverage, found.density
    found.plot()        # the box against each uncertainty's full range
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd


def _ema_prim():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional EMA back ends (ipyparallel, ...) it may lack
        from ema_workbench.analysis import prim
    return prim


class Discovery:
    """A PRIM box (``box``, an EMA ``PrimBox``) and its statistics.

    - ``limits``: DataFrame, one row per restricted input: ``min``, ``max`` of the box and
      ``low``, ``high`` of the input over all runs, and PRIM's quasi-p value.
    - ``coverage``: the share of all runs of interest that lie in the box;
      ``density``: the share of the runs in the box that are of interest; ``mass``: the
      share of all runs in the box.
    - ``select(i)``: another box of the peeling trajectory (``trajectory`` lists them).
    """

    def __init__(self, prim, box, x: pd.DataFrame, y: np.ndarray, label: str) -> None:
        self.prim = prim
        self.box = box
        self.x = x
        self.y = y
        self.label = label

    @property
    def trajectory(self) -> pd.DataFrame:
        return self.box.peeling_trajectory

    @property
    def index(self) -> int:
        return int(self.box._cur_box)

    def select(self, i: int) -> "Discovery":
        self.box.select(i)
        return self

    @property
    def coverage(self) -> float:
        return float(self.box.coverage)

    @property
    def density(self) -> float:
        return float(self.box.density)

    @property
    def mass(self) -> float:
        return float(self.box.mass)

    @property
    def limits(self) -> pd.DataFrame:
        lims = self.box.box_lim
        full = self.box.box_lims[0]
        qp = self.box.qp[self.index] if self.index < len(self.box.qp) else {}
        rows = []
        for column in lims.columns:
            low, high = lims[column].iloc[0], lims[column].iloc[1]
            if low == full[column].iloc[0] and high == full[column].iloc[1]:
                continue
            q = qp.get(column, [np.nan, np.nan])
            qv = np.nanmin([v if v is not None and v >= 0 else np.nan for v in q]) if len(q) else np.nan
            rows.append({"input": column, "min": low, "max": high, "low": full[column].iloc[0],
                         "high": full[column].iloc[1], "qp": qv})
        return pd.DataFrame(rows, columns=["input", "min", "max", "low", "high", "qp"]).set_index("input")

    def in_box(self, x: pd.DataFrame | None = None) -> np.ndarray:
        """Which runs (rows of ``x``, default the analysed ones) lie in the box."""
        x = self.x if x is None else x
        inside = np.ones(len(x), dtype=bool)
        for name, row in self.limits.iterrows():
            inside &= (x[name].to_numpy() >= row["min"]) & (x[name].to_numpy() <= row["max"])
        return inside

    def describe(self) -> str:
        parts = [f"{name} in [{row['min']:.4g}, {row['max']:.4g}] (of {row['low']:.4g} to {row['high']:.4g})"
                 for name, row in self.limits.iterrows()]
        return (f"{self.label}: box with coverage {self.coverage:.0%}, density {self.density:.0%}, "
                f"mass {self.mass:.0%}: " + ("; ".join(parts) if parts else "no restriction"))

    def plot(self, ax=None):
        """The box against each restricted input's range (the EMA Workbench's graph)."""
        from .plots import plot_prim_box

        return plot_prim_box(self, ax=ax)

    def plot_tradeoff(self):
        """Coverage against density along the peeling trajectory."""
        return self.box.show_tradeoff()

    def __repr__(self) -> str:
        return f"<h2sim.Discovery {self.describe()}>"


def discover(exploration, y: str | np.ndarray, policy: str | None = None, inputs: Sequence[str] | None = None,
             threshold: float | None = None, significance: float | None = 0.05, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """Finds the box of inputs where ``y`` is true, with PRIM.

    - ``y``: a target outcome's name (``"not name"`` or ``"~name"`` for where it fails) or a
      boolean array over the runs.
    - ``policy``: analyse this policy's runs only (inputs: the uncertainties); without it,
      every run (inputs: the uncertainties and the levers).
    - ``inputs``: the columns of the experiments to restrict (default as above).
    - ``threshold``: the density a box must reach (default 0.8, or halfway from the share of
      runs of interest to 1 when that is higher: a box must say more than the whole sample).
      The box returned is, of the restricted boxes on the peeling trajectory that reach it,
      the one with the highest coverage (the densest box when none does).
      ``significance``: restrictions whose quasi-p value (Bryant & Lempert 2010) is above it
      on both sides are dropped, least significant first, so that the box names only what
      matters (None keeps every restriction). ``peel_alpha``, ``paste_alpha``, ``mass_min``:
      PRIM's settings.
    """
    from ..arguments import exploration as exploration_argument

    exploration = exploration_argument(exploration)
    experiments = exploration.experiments
    if isinstance(y, str):
        text = y.strip()
        negate = text.startswith("~") or text.lower().startswith("not ")
        name = text[1:].strip() if text.startswith("~") else (text[4:].strip() if negate else text)
        if name not in exploration.outcomes:
            raise KeyError(f"no outcome {name!r}; outcomes: {', '.join(exploration.scalar_names)}")
        values = np.asarray(exploration.outcomes[name])
        if values.dtype != bool:
            raise ValueError(f"outcome {name!r} is not a target (True/False): give a boolean array, "
                             f"e.g. exploration.outcomes[{name!r}] > value")
        mask_y = ~values if negate else values.copy()
        label = f"{'not ' if negate else ''}{name}"
    else:
        mask_y = np.asarray(y, dtype=bool)
        if mask_y.shape != (len(experiments),):
            raise ValueError(f"y has {mask_y.shape} values; the exploration has {len(experiments)} runs")
        label = "runs of interest"
    rows = np.ones(len(experiments), dtype=bool)
    if policy is not None:
        rows = (experiments["policy"] == policy).to_numpy()
        if not rows.any():
            raise KeyError(f"no policy {policy!r}; policies: {', '.join(exploration.policies.index)}")
        label += f" under {policy}"
    if inputs is None:
        inputs = list(exploration.uncertainties) + ([] if policy is not None else list(exploration.levers))
    inputs = [c for c in inputs if pd.api.types.is_numeric_dtype(experiments[c])  # not trajectories (text)
              and experiments.loc[rows, c].nunique() > 1]
    if not inputs:
        raise ValueError("no inputs vary across these runs: nothing for PRIM to restrict")
    x = experiments.loc[rows, list(inputs)].reset_index(drop=True).astype(float)
    yy = mask_y[rows].astype(int)
    if yy.sum() == 0:
        raise ValueError(f"{label}: no run is of interest; there is nothing to discover")
    base_rate = float(yy.mean())
    if threshold is None:
        threshold = max(0.8, (base_rate + 1) / 2)
    prim = _ema_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x, yy, threshold=threshold, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        box = p.find_box()
    trajectory = box.peeling_trajectory
    good = trajectory[(trajectory["density"] >= threshold) & (trajectory["res_dim"] > 0)]
    chosen = int(good["coverage"].idxmax()) if len(good) else int(trajectory["density"].idxmax())
    box.select(chosen)
    if significance is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _drop_insignificant(box, significance)
    return Discovery(p, box, x, yy.astype(bool), label)


def _drop_insignificant(box, significance: float) -> None:
    """Drops the restriction with the largest quasi-p value while it is above ``significance``
    (each drop adds a box to the trajectory and selects it)."""
    while True:
        lims, full = box.box_lims[box._cur_box], box.box_lims[0]
        restricted = [c for c in lims.columns if not (lims[c].iloc[0] == full[c].iloc[0]
                                                       and lims[c].iloc[1] == full[c].iloc[1])]
        if len(restricted) <= 1:
            return
        qp = box.qp[box._cur_box]
        scores = {}
        for c in restricted:
            sides = [v for v in qp.get(c, []) if v is not None and v >= 0]
            scores[c] = min(sides) if sides else 0.0
        worst = max(scores, key=scores.get)
        if scores[worst] <= significance:
            return
        box.drop_restriction(worst)
