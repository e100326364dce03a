"""Maps of a proposal per gemeente (matplotlib; boundaries via :mod:`optimizer.data.geo`).

Only for looking: nothing in the engine needs geometry. Without a boundary file (or without
geopandas) no map is drawn and the run says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def deviation_map(gemeenten: pd.DataFrame, boundaries, path: str | Path, title: str) -> Path:
    """Choropleth of (persons linked - target) / max(target, 1) per gemeente.

    Blue = below target, red = above, white = on target; grey = no boundary. ``gemeenten`` is
    the gemeenten table of a proposal (gm_code, persons, target).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    g = gemeenten.set_index("gm_code")
    rel = (g["persons"] - g["target"]) / np.maximum(g["target"].astype(float), 1.0)
    shapes = boundaries.join(rel.rename("relative_deviation"), how="left")
    fig, ax = plt.subplots(figsize=(7, 8))
    # a shortfall is at most -1 (nobody linked); over-shoots beyond +1 share the darkest red
    shapes.plot(column="relative_deviation", ax=ax, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -1.0, 1.0),
                edgecolor="#999999", linewidth=0.2, legend=True,
                legend_kwds={"label": "(linked - target) / max(target, 1)", "shrink": 0.6, "extend": "max"},
                missing_kwds={"color": "lightgrey"})
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    fig.text(0.01, 0.01, "Bron: CBS, PDOK (gemeentegrenzen)", fontsize=7, color="#555555")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
