"""Generate the 2-D "goalkeeper kick" dataset of the Regularization exercise.

Story: the French goalkeeper kicks the ball from the left of the pitch; each
point is where a player then headed it. Blue points (label 1) are headed by a
French player, red points (label 0) by an opponent. French players win the
upper-left of the field, opponents the lower-right, and the two meet along a
noisy diagonal.

The distribution (all numbers are module constants below):

* Position: uniform over an ellipse with semi-axes 0.62 and 0.45, rotated by
  1.05 rad and centred at (-0.14, -0.04); x stays within about [-0.64, 0.36]
  and y within about [-0.62, 0.54], inside the plotted field
  [-0.75, 0.40] x [-0.75, 0.65].
* Label: with d the signed distance of the point to the line
  y = 0.12 + 1.9 x (positive above the line), the point is blue with
  probability sigmoid(d / 0.02), so labels mix over a band a few hundredths
  wide around the line.
* Intruders: every label is then flipped, independently of the position,
  with probability 0.03. These scattered wrong-side points are what an
  unregularized network bends its boundary to reach (overfitting); L2 and
  dropout keep the boundary close to the line.

The training set (211 points) and the test set (200 points) are independent
draws from this one distribution, made with one ``np.random.default_rng(SEED)``
(training set first). Coordinates are rounded to 6 decimals. SEED was chosen
among seeds 1-30 so that, with the exercise's reference model (layers
[2, 20, 3, 1], lr 0.3, 30000 iterations), the classic lesson is clear with
margin: the unregularized network fits the training set better than the test
set, and L2 (lambd = 0.7) and dropout (keep_prob = 0.86) each raise the test
accuracy. Reference figures on the committed file (train / test accuracy):

    no regularization   0.9478672985781991 / 0.89
    L2, lambd = 0.7     0.933649289099526  / 0.935
    dropout, kp = 0.86  0.933649289099526  / 0.935

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

SEED = 12
N_TRAIN = 211
N_TEST = 200

CENTRE = (-0.14, -0.04)      # centre of the elliptical region where balls land
SEMI_AXES = (0.62, 0.45)     # semi-axes of that ellipse, before rotation
ROTATION = 1.05              # rotation of the ellipse, radians, counter-clockwise
BOUNDARY = (0.12, 1.9)       # the true boundary y = intercept + slope * x
BAND = 0.02                  # width scale of the mixed band around the boundary
FLIP_PROB = 0.03             # probability that a label is flipped (intruders)
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
    # Uniform over the ellipse: the radius is the square root of a uniform.
    r = np.sqrt(rng.uniform(0.0, 1.0, n))
    theta = rng.uniform(0.0, 2.0 * np.pi, n)
    u = SEMI_AXES[0] * r * np.cos(theta)
    v = SEMI_AXES[1] * r * np.sin(theta)
    c, s = np.cos(ROTATION), np.sin(ROTATION)
    x1 = CENTRE[0] + c * u - s * v
    x2 = CENTRE[1] + s * u + c * v
    x1 = np.round(x1, DECIMALS)
    x2 = np.round(x2, DECIMALS)

    # Noisy diagonal: blue with probability sigmoid(distance above the line / BAND).
    intercept, slope = BOUNDARY
    distance = (x2 - (intercept + slope * x1)) / np.sqrt(1.0 + slope**2)
    p_blue = 1.0 / (1.0 + np.exp(-distance / BAND))
    y = (rng.uniform(0.0, 1.0, n) < p_blue).astype(np.uint8)

    # Intruders: flip a few labels anywhere on the field.
    flip = rng.uniform(0.0, 1.0, n) < FLIP_PROB
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
