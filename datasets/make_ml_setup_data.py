"""Generate the data of the ML Setup assignment (``ml_setup.npz``).

Two small problems, both drawn from ``np.random.RandomState(14)`` in this order:

1. ``X``, ``Y``: a pool of 1000 labelled points for the train/dev/test split and the
   bias/variance experiments. Each point is uniform in the square [-1.5, 1.5]^2; its clean label
   is 1 inside the wavy closed curve r < 1 + 0.25 sin(3 theta) (polar coordinates), else 0; then
   every label is flipped with probability 0.1, independently of the point. The flips make the
   Bayes (optimal) error exactly 10 %: no classifier can beat it on average.
2. ``X_house``, ``y_house``: 100 examples of a linear regression problem with two features on
   very different scales, as in the lecture's example: x1 uniform in (0, 1000) (an area),
   x2 uniform in (0, 1) (a rating); y = 0.003 x1 + 2 x2 + 1 + N(0, 0.1^2).

Shapes follow the course (one example per column):
- X: float64 (2, 1000), Y: int64 (1, 1000)
- X_house: float64 (2, 100), y_house: float64 (1, 100)

The archive is written byte-for-byte reproducibly (fixed zip timestamps), so a test can
regenerate it and compare bytes.

Usage: python datasets/make_ml_setup_data.py [--out PATH]
"""
from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "ml_setup.npz"

SEED = 14
M_POOL = 1000
FLIP = 0.1  # label noise = the Bayes error
M_HOUSE = 100


def clean_label(X: np.ndarray) -> np.ndarray:
    """The noise-free label: 1 inside the wavy curve r < 1 + 0.25 sin(3 theta).

    Inputs:
    - X: float array of shape (2, m)
    Returns:
    - int64 array of shape (1, m) with values 0 / 1
    """
    r = np.hypot(X[0], X[1])
    theta = np.arctan2(X[1], X[0])
    return (r < 1 + 0.25 * np.sin(3 * theta)).astype(np.int64).reshape(1, -1)


def make_ml_setup_data() -> dict[str, np.ndarray]:
    """Return the four arrays, shaped (features, examples)."""
    rng = np.random.RandomState(SEED)
    X = rng.uniform(-1.5, 1.5, size=(2, M_POOL))
    flip = (rng.uniform(size=(1, M_POOL)) < FLIP).astype(np.int64)
    Y = clean_label(X) ^ flip

    x1 = rng.uniform(0, 1000, size=M_HOUSE)
    x2 = rng.uniform(0, 1, size=M_HOUSE)
    y = 0.003 * x1 + 2 * x2 + 1 + rng.normal(0, 0.1, size=M_HOUSE)
    return {
        "X": np.ascontiguousarray(X, dtype=np.float64),
        "Y": np.ascontiguousarray(Y, dtype=np.int64),
        "X_house": np.ascontiguousarray(np.vstack([x1, x2]), dtype=np.float64),
        "y_house": np.ascontiguousarray(y.reshape(1, -1), dtype=np.float64),
    }


def write_npz_reproducibly(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like np.savez, but with fixed zip timestamps so equal arrays give equal bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.save(buf, arrays[name], allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    write_npz_reproducibly(args.out, make_ml_setup_data())
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
