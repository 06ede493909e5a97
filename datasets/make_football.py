"""Generate the 2-D "goalkeeper kick" dataset of the Regularization exercise.

Story: the French goalkeeper kicks the ball from the left of the pitch; each
point is where a player then headed it. Blue points (label 1) are headed by a
French player, red points (label 0) by an opponent. French players win the
upper-left of the field, opponents the lower-right; the two halves are split
by a diagonal line, and a few balls near that line are won by the other team.

The distribution (all numbers are module constants below):

* Position: uniform over an ellipse with semi-axes 0.62 and 0.45, rotated by
  1.05 rad and centred at (-0.14, -0.04), except a strip of half-width
  GAP = 0.03 along the line y = 0.12 + 1.9 x, where no ball lands (candidates
  are drawn four at a time per point and those inside the strip are
  dropped). x stays within about [-0.64, 0.36] and y within about
  [-0.62, 0.54], inside the plotted field [-0.75, 0.40] x [-0.75, 0.65].
* Label: with d the signed distance of the point to that line (positive
  above it), the point is blue with probability sigmoid(d / BAND). BAND is
  0.002, so outside the empty strip every label is its side's (the chance of
  the other is below 4e-7 per point).
* Intruders: a point whose distance to the line lies in NEAR = [0.03, 0.25]
  has its label flipped with probability 0.1. These wrong-side balls, a few
  steps into the other team's half, are what an unregularized network bends
  its boundary to reach (overfitting); L2 and dropout keep the boundary
  close to the line.

Why this shape (issue 10): with the exercise's settings (layers [2, 20, 3, 1],
lr 0.3, 30000 iterations) gradient descent amplifies last-bit differences
(OpenBLAS kernels, a 1e-10 change of the initial weights) whenever points
with mixed labels sit at the decision boundary: the original course file and
the previous version of this one gave accuracies that depended on the CPU.
With the empty strip and the intruders a few steps away from it, every point
ends far from the threshold in all three runs, so the accuracies below are the
same under every kernel (tools/platform_matrix.py measures them) while the lesson
keeps its margin.

The training set (211 points) and the test set (200 points) are independent
draws from this one distribution, made with one ``np.random.default_rng(SEED)``
(training set first). Coordinates are rounded to 6 decimals. SEED = 3 is the
first seed of this design that passes both checks: the lesson is clear (no
regularization trains better than it tests by at least 4 points; L2,
lambd = 0.7, and dropout, keep_prob = 0.86, each raise the test accuracy by
at least 3 points, to different results), and all three runs are stable
(seed 1: the unregularized network does not overfit; seed 2: its run is
chaotic, a 1e-10 change of the initial weights moves some outputs by 1e-2).
Reference figures on the committed file (train / test accuracy), the same
under every kernel, with every point at least 0.0057 from the threshold:

    no regularization   0.9241706161137441 / 0.87
    L2, lambd = 0.7     0.9146919431279621 / 0.915
    dropout, kp = 0.86  0.9241706161137441 / 0.91

The 18 training and 17 test points on the wrong side cap the accuracy of the
true line at 0.9147 / 0.915: L2 reaches it.

The output file is byte-for-byte reproducible: see ``_fixed_header``.

Usage::

    python datasets/make_football.py [--out PATH]

writes ``football.mat`` next to this script unless ``--out`` is given.
"""

import argparse
import io
from pathlib import Path

import numpy as np
import scipy.io

SEED = 3
N_TRAIN = 211
N_TEST = 200

CENTRE = (-0.14, -0.04)      # centre of the elliptical region where balls land
SEMI_AXES = (0.62, 0.45)     # semi-axes of that ellipse, before rotation
ROTATION = 1.05              # rotation of the ellipse, radians, counter-clockwise
BOUNDARY = (0.12, 1.9)       # the true boundary y = intercept + slope * x
GAP = 0.03                   # half-width of the empty strip along the boundary
BAND = 0.002                 # width scale of label mixing at the boundary (inside the strip)
NEAR = (0.03, 0.25)          # distances to the boundary where intruders occur
FLIP_PROB = 0.1              # probability that a label there is flipped (intruders)
CANDIDATES = 4               # positions drawn per point before the strip is removed
DECIMALS = 6                 # coordinates are rounded to this many decimals

HEADER_TEXT = b"MATLAB 5.0 MAT-file, written by make_football.py; no creation date, so the bytes are reproducible"


def _sample_kicks(rng, n):
    """
    Draw n labelled landing points from the dataset's distribution.

    Arguments:
    - rng: A numpy Generator; it is advanced by the draws.
    - n: Number of points, an int.

    Returns:
    - X: Positions, a float64 array of shape (n, 2), one point per row.
    - y: Labels (1 blue, 0 red), a uint8 array of shape (n, 1).
    """
    # Uniform over the ellipse (the radius is the square root of a uniform); CANDIDATES * n
    # positions are drawn and the first n outside the empty strip are kept.
    k = CANDIDATES * n
    r = np.sqrt(rng.uniform(0.0, 1.0, k))
    theta = rng.uniform(0.0, 2.0 * np.pi, k)
    u = SEMI_AXES[0] * r * np.cos(theta)
    v = SEMI_AXES[1] * r * np.sin(theta)
    c, s = np.cos(ROTATION), np.sin(ROTATION)
    x1 = np.round(CENTRE[0] + c * u - s * v, DECIMALS)
    x2 = np.round(CENTRE[1] + s * u + c * v, DECIMALS)
    intercept, slope = BOUNDARY
    distance = (x2 - (intercept + slope * x1)) / np.sqrt(1.0 + slope**2)
    keep = np.abs(distance) >= GAP
    x1, x2, distance = x1[keep][:n], x2[keep][:n], distance[keep][:n]
    if len(x1) < n:
        raise RuntimeError("too few candidates outside the empty strip: raise CANDIDATES")

    # Blue above the line, red below (mixed only within a few BAND of it, inside the strip).
    p_blue = 1.0 / (1.0 + np.exp(-distance / BAND))
    y = (rng.uniform(0.0, 1.0, n) < p_blue).astype(np.uint8)

    # Intruders: flip some labels a few steps into the other half.
    near = (np.abs(distance) >= NEAR[0]) & (np.abs(distance) <= NEAR[1])
    flip = rng.uniform(0.0, 1.0, n) < np.where(near, FLIP_PROB, 0.0)
    y[flip] = 1 - y[flip]

    X = np.stack([x1, x2], axis=1)
    return X, y.reshape(n, 1)


def make_football(seed=SEED):
    """
    Build the football dataset in the layout of the .mat file.

    Arguments:
    - seed: Seed of the numpy Generator, an int; the default is the one the
      committed file was made with.

    Returns:
    - data: A dictionary with
      - "X": training points, float64 of shape (211, 2)
      - "y": training labels, uint8 of shape (211, 1)
      - "Xval": test points, float64 of shape (200, 2)
      - "yval": test labels, uint8 of shape (200, 1)
    """
    rng = np.random.default_rng(seed)
    X, y = _sample_kicks(rng, N_TRAIN)
    Xval, yval = _sample_kicks(rng, N_TEST)
    return {"X": X, "y": y, "Xval": Xval, "yval": yval}


def _fixed_header(raw):
    """
    Replace the dated text header of a MAT 5 file with a fixed one.

    scipy.io.savemat writes "Created on: <current date>" into the 116-byte
    descriptive text at the start of the file, so two runs differ. The
    MAT 5 format defines those 116 bytes as free text (bytes 116-123 are
    the subsystem offset, 124-127 the version and endianness marks), so we
    overwrite only that text, padded with spaces as MATLAB does. This uses
    the documented file layout rather than scipy internals.

    Arguments:
    - raw: The bytes written by scipy.io.savemat.

    Returns:
    - The same bytes with the first 116 replaced by HEADER_TEXT, space-padded.
    """
    if not raw.startswith(b"MATLAB 5.0 MAT-file") or raw[126:128] not in (b"IM", b"MI"):
        raise ValueError("unexpected MAT-file header layout from scipy.io.savemat")
    if len(HEADER_TEXT) > 116:
        raise ValueError("HEADER_TEXT is longer than the 116-byte header field")
    return HEADER_TEXT.ljust(116, b" ") + raw[116:]


def to_mat_bytes(data):
    """
    Serialize a dataset dictionary to reproducible MAT 5 bytes.

    Arguments:
    - data: A dictionary as returned by make_football.

    Returns:
    - The bytes of the .mat file (uncompressed, variables in the order
      X, y, Xval, yval, fixed header).
    """
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {k: data[k] for k in ("X", "y", "Xval", "yval")}, format="5", do_compression=False)
    return _fixed_header(buffer.getvalue())


def main(argv=None):
    """
    Command line: write the dataset to --out (default: football.mat next to this script).

    Arguments:
    - argv: A list of command-line arguments, or None for sys.argv[1:].

    Returns:
    - path: The pathlib.Path written.
    """
    parser = argparse.ArgumentParser(description="Write the football dataset of the Regularization exercise.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "football.mat",
        help="output .mat file (default: football.mat next to this script)",
    )
    args = parser.parse_args(argv)
    args.out.write_bytes(to_mat_bytes(make_football()))
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
