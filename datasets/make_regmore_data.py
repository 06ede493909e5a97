"""Generate the 2-D "bowl" dataset of the Regularization More exercise (L1, early stopping, augmentation).

The distribution (all numbers are module constants below):

* Position: uniform over the square [-1, 1] x [-1, 1], except a strip of vertical half-width
  GAP = 0.04 around the boundary curve x2 = f(x1) = 0.9 x1^2 - 0.45 (a parabola), where no point
  lands (candidates are drawn four at a time per point and those inside the strip are dropped).
  Coordinates are rounded to 6 decimals.
* Label: 1 (blue) above the curve, 0 (red) below it.
* Noise: a point whose vertical distance to the curve lies in NEAR = [0.04, 0.3] has its label
  flipped with probability 0.15. These points are what an unregularized network bends its
  boundary to reach.

Why this shape: the clean label depends on x1 only through x1^2, so the mirror image
(x1, x2) -> (-x1, x2) of a point has the same clean label by construction; that is the
label-preserving augmentation of the exercise. The upside-down flip (x1, x2) -> (x1, -x2) has no
such symmetry: it sends most blue points into the red region with their blue label, the careless
augmentation that hurts. The empty strip keeps every point away from the true boundary, so the
accuracies of the exercise's runs have margin on every machine (tools/platform_matrix.py measures it).

The training set (100 points), the dev set (100) and the test set (200) are independent draws
from this one distribution, made with one ``np.random.default_rng(SEED)`` in that order. The
arrays are stored one example per column: X (2, m) float64, Y (1, m) int64.

The archive is written byte-for-byte reproducibly (stored, fixed zip timestamps), so a test can
regenerate it and compare the bytes.

Usage::

    python datasets/make_regmore_data.py [--out PATH]

writes ``regmore.npz`` next to this script unless ``--out`` is given.
"""

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np

SEED = 1
SIZES = {"train": 100, "dev": 100, "test": 200}   # drawn in this order
BOWL = (0.9, -0.45)          # the boundary x2 = a * x1**2 + c
GAP = 0.04                   # vertical half-width of the empty strip along the boundary
NEAR = (0.04, 0.3)           # vertical distances to the boundary where labels may be flipped
FLIP_PROB = 0.15             # probability that a label there is flipped
CANDIDATES = 4               # positions drawn per point before the strip is removed
DECIMALS = 6                 # coordinates are rounded to this many decimals

DEFAULT_OUT = Path(__file__).resolve().parent / "regmore.npz"


def boundary(x1):
    """
    The true boundary curve.

    Arguments:
    - x1: A float or numpy array of first coordinates.

    Returns:
    - x2 of the curve at x1, of the same shape: BOWL[0] * x1**2 + BOWL[1].
    """
    return BOWL[0] * np.asarray(x1) ** 2 + BOWL[1]


def clean_label(X):
    """
    The label of each point before the noise: 1 above the curve, 0 below.

    Arguments:
    - X: Points, a numpy array of shape (2, m).

    Returns:
    - A numpy int64 array of shape (1, m).
    """
    return (X[1] > boundary(X[0])).astype(np.int64).reshape(1, -1)


def _sample(rng, n):
    """
    Draw n labelled points.

    Arguments:
    - rng: A numpy Generator; it is advanced by the draws.
    - n: Number of points, an int.

    Returns:
    - X: float64 array of shape (2, n); Y: int64 array of shape (1, n).
    """
    k = CANDIDATES * n
    x1 = np.round(rng.uniform(-1.0, 1.0, k), DECIMALS)
    x2 = np.round(rng.uniform(-1.0, 1.0, k), DECIMALS)
    distance = x2 - boundary(x1)
    keep = np.abs(distance) >= GAP
    x1, x2, distance = x1[keep][:n], x2[keep][:n], distance[keep][:n]
    if len(x1) < n:
        raise RuntimeError("too few candidates outside the empty strip: raise CANDIDATES")
    y = (distance > 0).astype(np.int64)
    near = (np.abs(distance) >= NEAR[0]) & (np.abs(distance) <= NEAR[1])
    flip = rng.uniform(0.0, 1.0, n) < np.where(near, FLIP_PROB, 0.0)
    y[flip] = 1 - y[flip]
    return np.ascontiguousarray(np.stack([x1, x2]), dtype=np.float64), y.reshape(1, n)


def make_regmore_data(seed=SEED):
    """
    Build the dataset.

    Arguments:
    - seed: Seed of the numpy Generator, an int; the default is the committed file's.

    Returns:
    - A dictionary with "train_X" (2, 100), "train_Y" (1, 100), "dev_X" (2, 100), "dev_Y" (1, 100),
      "test_X" (2, 200), "test_Y" (1, 200).
    """
    rng = np.random.default_rng(seed)
    data = {}
    for name, n in SIZES.items():
        data[f"{name}_X"], data[f"{name}_Y"] = _sample(rng, n)
    return data


def write_npz_reproducibly(path, arrays):
    """
    Like np.savez, but with fixed zip timestamps so equal arrays give equal bytes.

    Arguments:
    - path: The output path.
    - arrays: A dictionary name -> numpy array.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.save(buffer, arrays[name], allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue())


def main(argv=None):
    """
    Command line: write the dataset to --out (default: regmore.npz next to this script).

    Returns:
    - The pathlib.Path written.
    """
    parser = argparse.ArgumentParser(description="Write the dataset of the Regularization More exercise.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .npz file")
    args = parser.parse_args(argv)
    write_npz_reproducibly(args.out, make_regmore_data())
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
