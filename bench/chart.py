"""The benchmark's picture: throughput by stage beside its floors, and cost per item by scale."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

_STAGE = "#4c72b0"
_FLOOR = "#999999"
_TOTAL = "#c44e52"


def draw(results: dict, path: Path) -> None:
    """Write a two-panel PNG: items/s per stage at the largest scale, and us/item per stage across scales."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2))
    bars = [(name, f["items_per_s"], _STAGE) for name, f in results["stages"].items()]
    bars.append(("end to end", results["end_to_end"]["items_per_s"], _TOTAL))
    bars += [(f"floor: {name}", f["items_per_s"], _FLOOR) for name, f in results["floors"].items()]
    names, values, colors = zip(*reversed(bars))
    left.barh(names, values, color=colors)
    left.set_xscale("log")
    left.set_xlabel("items per second (log scale)")
    ratios = results["ratios"]
    left.set_title(f"{results['items']:,} items: end to end = {ratios['end_to_end_vs_parse']:.2f} x feedparser, "
                   f"load = {ratios['load_vs_copy']:.2f} x COPY", fontsize=10)
    for y, value in enumerate(values):
        left.text(value, y, f" {value:,.0f}", va="center", fontsize=8)
    left.margins(x=0.25)

    scaling = results["scaling"]
    sizes = [s["items"] for s in scaling]
    for stage in results["stages"]:
        right.plot(sizes, [s["us_per_item"][stage] for s in scaling], marker="o", label=stage)
    right.plot(sizes, [s["end_to_end_us_per_item"] for s in scaling], marker="s", linewidth=2.5, color=_TOTAL,
               label="end to end")
    for floor, style in (("feedparser", ":"), ("copy", "--")):
        right.plot(sizes, [s["floors_us_per_item"][floor] for s in scaling], linestyle=style, color=_FLOOR,
                   label=f"floor: {floor}")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xticks(sizes, [f"{n:,}" for n in sizes])
    right.minorticks_off()
    right.set_xlabel("items in the corpus")
    right.set_ylabel("microseconds per item (log scale)")
    right.set_title(f"cost per item by scale (flat is good); peak RSS {results['peak_rss_mb']:.0f} MB", fontsize=10)
    right.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle("wirefeed throughput by stage and by scale", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":  # redraw from a results file: python -m bench.chart RESULTS.json OUT.png
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
