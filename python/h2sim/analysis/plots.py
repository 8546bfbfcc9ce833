"""Charts of explorations: outcome distributions per policy, Sobol and Morris indices, PRIM
boxes. Each returns a matplotlib Figure, labelled with units."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_outcomes(exploration, outcome: str, policies: Sequence[str] | None = None, target: float | None = None,
                  ax=None, kind: str = "violin"):
    """The distribution of ``outcome`` across scenarios, one column per policy (violins, or
    ``kind="box"``); a target outcome is drawn as the share of scenarios that meet it.
    ``target`` draws a horizontal line (e.g. the plan's value)."""
    policies = list(policies) if policies is not None else list(exploration.policies.index)
    values = np.asarray(exploration.outcomes[outcome])
    names = exploration.experiments["policy"].to_numpy()
    info = exploration.outcome_info
    units = info.loc[outcome, "units"] if outcome in info.index else ""
    fig, ax = _axes(ax, (max(5.0, 0.9 * len(policies) + 2), 4))
    if values.dtype == bool:
        shares = [values[names == p].mean() for p in policies]
        ax.bar(range(len(policies)), shares, color="tab:green", alpha=0.8)
        ax.set_ylim(0, 1.12)
        ax.set_ylabel(f"share of scenarios meeting {outcome}")
        for i, s in enumerate(shares):
            ax.text(i, s + 0.02, f"{s:.0%}", ha="center", fontsize=8)
    else:
        data = [values[(names == p) & np.isfinite(values)] for p in policies]
        if kind == "box":
            ax.boxplot(data, positions=range(len(policies)), showfliers=False)
        else:
            keep = [i for i, d in enumerate(data) if len(d) > 1 and np.ptp(d) > 0]
            if keep:
                ax.violinplot([data[i] for i in keep], positions=keep, showmedians=True, widths=0.8)
            for i, d in enumerate(data):
                if i not in keep and len(d):
                    ax.plot([i - 0.3, i + 0.3], [np.median(d)] * 2, color="tab:blue")
        ax.set_ylabel(f"{outcome} [{units}]" if units else outcome)
        if target is not None:
            ax.axhline(target, color="tab:red", linestyle="--", linewidth=1, label=f"target {target:g}")
            ax.legend(loc="best", fontsize=8)
    ax.set_xticks(range(len(policies)))
    ax.set_xticklabels(policies, rotation=30 if len(policies) > 4 else 0, ha="right" if len(policies) > 4 else "center",
                       fontsize=8)
    ax.set_title(f"{outcome} across {len(values) // max(len(exploration.policies), 1)} scenarios")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def plot_sobol(result, outcome: str | None = None, ax=None):
    """First-order (S1) and total (ST) Sobol indices of one outcome, with their confidence
    intervals, most influential first."""
    table = result.table(outcome)
    outcome = outcome or result.indices.index.get_level_values(0)[0]
    fig, ax = _axes(ax, (max(5.0, 0.7 * len(table) + 2), 4))
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
    ax.bar(x + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
    ax.set_xticks(x)
    ax.set_xticklabels(table.index, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("share of variance")
    ax.set_ylim(min(0, float(np.nanmin(table["S1"] - table["S1_conf"]))),
                max(1.0, float(np.nanmax(table["ST"] + table["ST_conf"])) + 0.05))
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_title(f"Sobol indices of {outcome} ({len(result.exploration)} runs, "
                 f"{result.conf_level:.0%} intervals)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def plot_morris(result, outcome: str | None = None, ax=None):
    """Morris mu* (mean absolute elementary effect, with its interval) against sigma."""
    table = result.table(outcome)
    outcome = outcome or result.indices.index.get_level_values(0)[0]
    fig, ax = _axes(ax, (6, 4.5))
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3)
    for name, row in table.iterrows():
        ax.annotate(name, (row["mu_star"], row["sigma"]), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect| per unit quantile)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(f"Morris screening of {outcome}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_prim_box(discovery, ax=None):
    """The PRIM box: each restricted input's box range against its full range, with
    coverage and density (the EMA Workbench's box graph)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.6 * max(1, len(discovery.limits))))
    discovery.box.inspect(style="graph", ax=ax)
    ax.set_title(discovery.label, fontsize=9)
    ax.figure.tight_layout()
    return ax.figure
