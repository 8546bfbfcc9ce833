"""Charts of a calibration: fit against data with residuals, profile-likelihood curves,
and posterior pairs. Each returns a matplotlib Figure."""

from __future__ import annotations

from typing import Any

import numpy as np


def plot_fit(result: Any, series: list[str] | None = None, time_label: str | None = None):
    """For each series: the fitted model's trajectory, the model values compared with
    the data (crosses), the observations (filled: fitted; open: held out) and, below,
    the residuals (observed - fitted). A dashed line marks ``fit_until``."""
    import matplotlib.pyplot as plt

    residuals = result.residuals
    names = series or list(dict.fromkeys(residuals["series"]))
    problem = result._problem
    evaluator = problem.evaluator
    run = result.fitted_model.run(return_columns=evaluator.columns, **evaluator.run_options)
    fig, axes = plt.subplots(2 * len(names), 1, figsize=(8, 3.6 * len(names)), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1] * len(names)})
    for i, name in enumerate(names):
        top, bottom = axes[2 * i, 0], axes[2 * i + 1, 0]
        part = residuals[residuals["series"] == name]
        if part.empty:
            raise KeyError(f"no series named {name!r}; the fit has {', '.join(dict.fromkeys(residuals['series']))}")
        variable = part["variable"].iloc[0]
        series_object = next(s for s in evaluator.observations if s.name == name)
        mean_over = series_object.mean_over
        short = variable if len(variable) <= 48 else variable[:45] + "..."
        label = short if mean_over == 0 else f"{short}, mean over {mean_over:g} before each time"
        top.plot(run.index, evaluator.trajectory(run, series_object), color="C0", lw=1.2, label="model")
        top.plot(part["time"], part["fitted"], "x", color="C0", ms=6, label="model at the data" if mean_over == 0
                 else "model mean at the data")
        fit = part[part["sample"] == "fit"]
        hold = part[part["sample"] == "holdout"]
        top.plot(fit["time"], fit["observed"], "o", color="C3", label="data (fitted)")
        if not hold.empty:
            top.plot(hold["time"], hold["observed"], "o", mfc="none", color="C3", label="data (held out)")
        units = part["units"].iloc[0]
        top.set_ylabel(units or "value")
        top.set_title(f"{name}: {label}", fontsize="medium")
        top.legend(fontsize="x-small", loc="best")
        top.grid(True, alpha=0.3)
        bottom.axhline(0, color="0.5", lw=0.8)
        bottom.vlines(part["time"], 0, part["residual"], color="C3", lw=1)
        bottom.plot(fit["time"], fit["residual"], "o", color="C3", ms=4)
        if not hold.empty:
            bottom.plot(hold["time"], hold["residual"], "o", mfc="none", color="C3", ms=4)
        bottom.set_ylabel("residual")
        bottom.grid(True, alpha=0.3)
        for axis in (top, bottom):
            if result.fit_until is not None:
                axis.axvline(result.fit_until, color="0.3", ls="--", lw=0.8)
            axis.set_xlim(run.index[0], run.index[-1])
        bottom.set_xlabel(time_label or result.model.time["units"] or "time")
    fig.suptitle(f"{result.model.name}: fit by {result.method.replace('_', ' ')}")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))
    return fig


def plot_profiles(result: Any):
    """The rise of the payoff along each parameter's profile, with the limit that bounds
    the profile interval (dashed) and the estimate (dotted)."""
    import matplotlib.pyplot as plt

    if not result.profiles:
        raise ValueError("the calibration computed no profiles (intervals without 'profile')")
    names = list(result.profiles)
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis, name in zip(axes.flat, names):
        curve = result.profiles[name]
        row = result.parameters.loc[name]
        axis.plot(curve["value"], curve["change"], "o-", ms=3, color="C0")
        axis.axhline(result.profile_limit, color="C3", ls="--", lw=1, label=f"{result.level:.0%} limit")
        axis.axvline(row["estimate"], color="0.3", ls=":", lw=1)
        for end in (row["profile_low"], row["profile_high"]):
            if np.isfinite(end):
                axis.axvline(end, color="C3", lw=0.8)
        axis.set_xlabel(f"{name} ({row['units']})" if row["units"] else name)
        axis.set_ylabel("rise of the payoff")
        axis.set_ylim(bottom=min(0.0, float(curve["change"].min())),
                      top=max(2.5 * result.profile_limit, min(float(curve["change"].max()), 4 * result.profile_limit)))
        axis.grid(True, alpha=0.3)
    for axis in list(axes.flat)[len(names):]:
        axis.set_visible(False)
    axes.flat[0].legend(fontsize="small")
    fig.suptitle(f"{result.model.name}: profile likelihood")
    fig.tight_layout()
    return fig


def plot_posterior(posterior: Any, bins: int = 30):
    """A corner plot of the posterior sample: histograms on the diagonal, pairs below."""
    import matplotlib.pyplot as plt

    samples = posterior.samples if hasattr(posterior, "samples") else posterior
    names = list(samples.columns)
    p = len(names)
    fig, axes = plt.subplots(p, p, figsize=(2.6 * p + 1, 2.6 * p + 1), squeeze=False)
    for i in range(p):
        for k in range(p):
            axis = axes[i, k]
            if k > i:
                axis.set_visible(False)
                continue
            if i == k:
                axis.hist(samples[names[i]], bins=bins, color="C0", alpha=0.8)
                axis.set_yticks([])
            else:
                axis.plot(samples[names[k]], samples[names[i]], ".", ms=1.5, alpha=0.3, color="C0")
            if i == p - 1:
                axis.set_xlabel(names[k])
            else:
                axis.set_xticklabels([])
            if k == 0 and i > 0:
                axis.set_ylabel(names[i])
    fig.suptitle("posterior")
    fig.tight_layout()
    return fig
