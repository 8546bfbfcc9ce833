"""Robustness of policies across scenarios: satisficing, regret and the lever benchmark.

Every policy of an :class:`Exploration` ran in the same scenarios, so policies can be
compared scenario by scenario:

- **satisficing**: the share of scenarios in which a policy meets its targets (all of them),
  with a Wilson confidence interval;
- **regret**: in each scenario, how far a policy's outcome falls short of the best policy's
  there (in the outcome's units, by its ``goal``); summarised by its median, 90th
  percentile and maximum over scenarios (Savage's minimax regret);
- **the lever benchmark**: one row per lever mix: P(targets met), the median and 90th
  percentile of a cost outcome, and the cost per unit of a benefit outcome (e.g. per tonne of
  CO2 avoided).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


from ..arguments import exploration as _exploration_argument  # noqa: E402

def _policy_matrix(exploration, outcome: str) -> pd.DataFrame:
    """Scenarios x policies of one scalar outcome."""
    values = np.asarray(exploration.outcomes[outcome])
    frame = pd.DataFrame({"scenario": exploration.experiments["scenario"].to_numpy(),
                          "policy": exploration.experiments["policy"].to_numpy(), "value": values})
    matrix = frame.pivot(index="scenario", columns="policy", values="value")
    return matrix[[p for p in exploration.policies.index if p in matrix.columns]]


def _targets(exploration, targets: Sequence[str] | str | None) -> list[str]:
    if targets is None:
        info = exploration.outcome_info
        chosen = [t for t in exploration.targets if not (t in info.index and info.loc[t, "kind"] in ("all", "any"))]
        if not chosen:
            raise ValueError("the exploration has no targets (outcomes with at_least:/at_most:); pass targets=")
        return chosen
    if isinstance(targets, str):
        targets = [targets]
    for t in targets:
        if t not in exploration.outcomes:
            raise KeyError(f"no outcome {t!r}; outcomes: {', '.join(exploration.scalar_names)}")
        if np.asarray(exploration.outcomes[t]).dtype != bool:
            raise ValueError(f"outcome {t!r} is not a target (True/False); give it at_least: or at_most:")
    return list(targets)


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion."""
    from scipy.stats import norm

    if n == 0:
        return (math.nan, math.nan)
    z = norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def satisficing(exploration, targets: Sequence[str] | str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Per policy: the share of scenarios meeting all ``targets`` (default: every target
    outcome), its confidence interval, and the share meeting each target alone."""
    exploration = _exploration_argument(exploration)
    names = _targets(exploration, targets)
    rows = []
    for policy in exploration.policies.index:
        mask = (exploration.experiments["policy"] == policy).to_numpy()
        met = np.logical_and.reduce([np.asarray(exploration.outcomes[t])[mask] for t in names])
        low, high = wilson_interval(int(met.sum()), int(mask.sum()), level)
        row = {"policy": policy, "P(targets met)": met.mean(), "low": low, "high": high, "scenarios": int(mask.sum())}
        for t in names:
            row[f"P({t})"] = np.asarray(exploration.outcomes[t])[mask].mean()
        rows.append(row)
    return pd.DataFrame(rows).set_index("policy")


def regret(exploration, outcome: str, goal: str | None = None) -> pd.DataFrame:
    """Per policy: median, 90th percentile and maximum regret of ``outcome`` over the
    scenarios. ``goal`` (maximize/minimize) defaults to the outcome's declared goal."""
    exploration = _exploration_argument(exploration)
    info = exploration.outcome_info
    goal = goal or (info.loc[outcome, "goal"] if outcome in info.index else None)
    if goal not in ("maximize", "minimize"):
        raise ValueError(f"outcome {outcome!r} has no goal: declare `goal: maximize` or `minimize`, or pass goal=")
    matrix = _policy_matrix(exploration, outcome).astype(float)
    best = matrix.max(axis=1) if goal == "maximize" else matrix.min(axis=1)
    gap = (best.to_numpy()[:, None] - matrix.to_numpy()) if goal == "maximize" else \
        (matrix.to_numpy() - best.to_numpy()[:, None])
    gap = pd.DataFrame(gap, index=matrix.index, columns=matrix.columns)
    return pd.DataFrame({"median regret": gap.median(), "p90 regret": gap.quantile(0.9),
                         "max regret": gap.max()}).rename_axis("policy")


def benchmark(exploration, targets: Sequence[str] | str | None = None, cost: str | None = None,
              benefit: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """The lever benchmark: one row per policy (lever mix) with its lever values, P(targets
    met) with its interval, the median and 90th percentile of ``cost``, the median of
    ``benefit`` and the cost per unit of benefit (the ratio of the medians, and the median
    of the per-scenario ratios where the benefit is positive). Sorted by P(targets met),
    then by median cost."""
    exploration = _exploration_argument(exploration)
    table = exploration.policies.copy()
    try:
        table = table.join(satisficing(exploration, targets, level))
    except ValueError:
        if targets is not None:
            raise
    policies = exploration.experiments["policy"].to_numpy()
    if cost is not None:
        values = np.asarray(exploration.outcomes[cost], dtype=float)
        table[f"{cost} median"] = [np.nanmedian(values[policies == p]) for p in table.index]
        table[f"{cost} p90"] = [np.nanquantile(values[policies == p], 0.9) for p in table.index]
    if benefit is not None:
        gains = np.asarray(exploration.outcomes[benefit], dtype=float)
        table[f"{benefit} median"] = [np.nanmedian(gains[policies == p]) for p in table.index]
        if cost is not None:
            table[f"{cost} per {benefit}"] = table[f"{cost} median"] / table[f"{benefit} median"]
            ratios = []
            for p in table.index:
                c, g = values[policies == p], gains[policies == p]
                ok = g > 0
                ratios.append(np.median(c[ok] / g[ok]) if ok.any() else math.nan)
            table[f"{cost} per {benefit} (median ratio)"] = ratios
    keys = [k for k in ("P(targets met)", f"{cost} median") if k in table.columns]
    if keys:
        table = table.sort_values(keys, ascending=[False, True][: len(keys)])
    table.index.name = "policy"
    return table
