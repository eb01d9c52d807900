"""Check that a palette stays distinguishable under colour-vision deficiencies.

Each colour is converted to linear RGB, passed through the Machado, Oliveira & Fernandes
(2009) simulation matrix for full protanopia, deuteranopia or tritanopia, and compared in
CIELAB (CIE76 ΔE). Two colours closer than about 10 ΔE are hard to tell apart at a glance.

Example
-------
>>> from gmplab.viz.theme import OKABE_ITO
>>> min_pairwise_delta_e(OKABE_ITO, "deuteranopia") > 10
True
>>> min_pairwise_delta_e(("#FF0000", "#00AA00"), "deuteranopia") < 10   # red vs green
True
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

# Machado et al. 2009, severity 1.0 (linear RGB).
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
    "normal": np.eye(3),
}


def _linear_rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour must be '#RRGGBB', got {hex_color!r}")
    srgb = np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(hex_color: str, deficiency: str) -> np.ndarray:
    """CIELAB coordinates of ``hex_color`` as seen with ``deficiency``."""
    if deficiency not in MACHADO:
        raise ValueError(f"deficiency must be one of {sorted(MACHADO)}, got {deficiency!r}")
    return _lab(MACHADO[deficiency] @ _linear_rgb(hex_color))


def min_pairwise_delta_e(colors, deficiency: str) -> float:
    """Smallest CIE76 ΔE between any two of ``colors`` as seen with ``deficiency``."""
    labs = [simulate(c, deficiency) for c in colors]
    return float(min(np.linalg.norm(a - b) for a, b in combinations(labs, 2)))
