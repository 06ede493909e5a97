"""Generate the 'circles' dataset of the Initialization assignment.

Train: ``make_circles(n_samples=300, noise=.05)`` right after ``np.random.seed(1)``;
test: ``make_circles(n_samples=100, noise=.05)`` right after ``np.random.seed(2)``
(scikit-learn draws from numpy's global RandomState when ``random_state`` is None).

Writes ``datasets/circles.npz`` with arrays
- train_X: float64 (2, 300), train_Y: int64 (1, 300)
- test_X: float64 (2, 100), test_Y: int64 (1, 100)

The archive is written byte-for-byte reproducibly (fixed zip timestamps), so a test can
regenerate it and compare bytes.

Usage: python datasets/make_circles_data.py [--out PATH]
"""
from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np
import sklearn.datasets

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "circles.npz"


def make_circles_data() -> dict[str, np.ndarray]:
    """Return the four arrays, shaped (features, examples) as the course uses them."""
    np.random.seed(1)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=0.05)
    return {
        "train_X": np.ascontiguousarray(train_X.T, dtype=np.float64),
        "train_Y": train_Y.reshape(1, -1).astype(np.int64),
        "test_X": np.ascontiguousarray(test_X.T, dtype=np.float64),
        "test_Y": test_Y.reshape(1, -1).astype(np.int64),
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
    write_npz_reproducibly(args.out, make_circles_data())
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
