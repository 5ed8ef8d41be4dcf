"""Reliability diagram of a verification run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def reliability_diagram(bins: list[dict], ece: float, title: str, path: Path) -> None:
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(5, 6), height_ratios=[3, 1], sharex=True)
    centers = [(b["low"] + b["high"]) / 2 for b in bins]
    width = bins[0]["high"] - bins[0]["low"] if bins else 0.1
    accuracy = [b["accuracy"] if b["accuracy"] is not None else 0.0 for b in bins]
    top.bar(centers, accuracy, width=width * 0.9, color="#4c72b0", label="accuracy")
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.set_ylabel("accuracy of the verdict")
    top.set_ylim(0, 1)
    top.set_title(f"{title}\nECE {ece:.3f}")
    top.legend(loc="upper left")
    bottom.bar(centers, [b["count"] for b in bins], width=width * 0.9, color="#dd8452")
    bottom.set_xlabel("confidence of the predicted label")
    bottom.set_ylabel("claims")
    bottom.set_xlim(0, 1)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
