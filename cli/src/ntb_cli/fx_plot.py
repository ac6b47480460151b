"""The model-against-official scatter plot of `ntb fx compare --plot`.

Log-log axes (official rate on x, model rate on y, both local units per USD), the 45°
line where model equals official, and a label on every outlier (absolute percentage
error above `OUTLIER_PERCENT`). The figure is drawn without pyplot's global state
(Agg canvas). Next to the image a sidecar `<plot>.points.json` lists the points read
back from the drawn figure, so a test can check what was plotted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

OUTLIER_PERCENT = Decimal(25)
_NEIGHBOUR_LOG = 0.3  # outliers whose official rates differ by less than ~35% are close
_LINE_MARGIN = 1.5  # the 45° line reaches this factor past the outermost points


@dataclass(frozen=True)
class PlotPoint:
    iso3: str
    official: Decimal
    predicted: Decimal
    absolute_percentage_error: Decimal


@dataclass(frozen=True)
class PlotResult:
    path: Path
    sidecar: Path
    point_count: int
    labelled: tuple[str, ...]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".points.json")


def plot_comparison(points: Sequence[PlotPoint], path: Path, *, title: str) -> PlotResult:
    """Draw `points` into `path` (format from its suffix, e.g. .png or .svg)."""
    if not points:
        raise ValueError("nothing to plot: no compared country")
    figure = Figure(figsize=(8, 8), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    xs = [float(p.official) for p in points]
    ys = [float(p.predicted) for p in points]
    scatter = axes.scatter(xs, ys, s=22, color="tab:blue", zorder=3, label="country")
    low = min(xs + ys) / _LINE_MARGIN
    high = max(xs + ys) * _LINE_MARGIN
    axes.plot([low, high], [low, high], color="tab:gray", linestyle="--", linewidth=1,
              label="model = official (45°)")
    labelled = []
    outliers = [(p.iso3, x, y) for p, x, y in zip(points, xs, ys, strict=True)
                if p.absolute_percentage_error > OUTLIER_PERCENT]
    for iso3, x, y in outliers:
        # a label goes below its point when an outlier close by sits higher, so both show
        below = any(abs(math.log(ox / x)) < _NEIGHBOUR_LOG and oy > y for _, ox, oy in outliers)
        axes.annotate(iso3, (x, y), xytext=(5, -11 if below else 4),
                      textcoords="offset points", fontsize=8, color="tab:red")
        labelled.append(iso3)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    axes.set_aspect("equal")
    axes.set_xlabel("official rate (local units per USD, log)")
    axes.set_ylabel("model rate (local units per USD, log)")
    axes.set_title(title)
    axes.grid(True, which="major", linewidth=0.4)
    axes.legend(loc="upper left", title=f"labelled: error > {OUTLIER_PERCENT}%")
    offsets = numpy.asarray(scatter.get_offsets(), dtype=float)
    drawn = [(float(x), float(y)) for x, y in offsets.tolist()]
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    sidecar = sidecar_path(path)
    sidecar.write_text(json.dumps({
        "title": title,
        "points": [{"iso3": p.iso3, "official": x, "predicted": y}
                   for p, (x, y) in zip(points, drawn, strict=True)],
        "labelled": labelled,
    }, indent=1))
    return PlotResult(path, sidecar, len(drawn), tuple(labelled))
