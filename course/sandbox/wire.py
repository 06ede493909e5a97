"""The plain-data wire format between the grader (parent) and the submission (child).

A message is a header (JSON length, blob length), a JSON document, and after it the arrays'
raw bytes, so large arrays cross at memory speed. Only these values cross, in either direction:
None, bool, int, float, str, list, tuple, dict with str keys (a str subclass's, numpy.str_'s, arrive as str), numpy arrays of a numeric or
boolean dtype (dtype and shape in the JSON, checked against the bytes on reading) and numpy
scalars. Anything else is encoded as ``Unsupported(type_name)``, so an object with a rigged
``__eq__`` or an ndarray subclass reaches the grader as a marker, never as a live object.
Decoding never executes code (no pickle).

This module is also sent verbatim into the sandbox child, so it imports only the standard
library and numpy.
"""
from __future__ import annotations

import json
import math
import struct
import sys

# numpy is imported when an array is first decoded, not with this module: a grading command starts
# its sandbox child before it loads numpy (course.grading.warm). A value can only be an array once
# numpy is loaded, so encode() looks it up in sys.modules.

MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # requests (grader -> child)
MAX_REPLY_BYTES = 16 * 1024 * 1024  # replies (child -> grader): what the grader is willing to hold
MAX_ELEMENTS = 1_000_000  # JSON values in one reply: bounds the decoded size of a forged one
MAX_STR = 100_000  # characters kept of any string in a reply
MAX_DEPTH = 32
_HEADER = struct.Struct(">QQ")  # JSON bytes, blob bytes


class Unsupported:
    """Stands for a value of a type the wire does not carry."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:200]

    def __repr__(self) -> str:
        return f"Unsupported({self.type_name!r})"


class WireError(Exception):
    """A message could not be read or written."""


def _array_ref(arr, blobs: list) -> dict:
    """dtype + shape in the JSON; the raw C-order bytes appended to ``blobs``, referenced by index."""
    import numpy as np

    blobs.append(np.ascontiguousarray(arr).tobytes())
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "blob": len(blobs) - 1}


def _array_from_ref(ref, blobs: list):
    if type(ref) is not dict:
        raise ValueError("bad array reference")
    dtype, shape, index = ref.get("dtype"), ref.get("shape"), ref.get("blob")
    if type(dtype) is not str or type(index) is not int or not 0 <= index < len(blobs):
        raise ValueError("bad array reference")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("bad array shape")
    import numpy as np

    dt = np.dtype(dtype)  # parses a type string; never executes code
    if dt.kind not in "biufc" or dt.hasobject or dt.fields is not None or dt.subdtype is not None:
        raise ValueError(f"dtype {dt} not carried")
    data = blobs[index]
    if len(data) != dt.itemsize * math.prod(shape):
        raise ValueError("array bytes do not match dtype and shape")
    return np.frombuffer(data, dtype=dt).reshape(shape).copy()


def _type_name(value) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}"[:200]


def encode(value, blobs: list, depth: int = 0):
    """Turn a value into JSON-ready data, appending array bytes to ``blobs``; see the module
    docstring for what is carried."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "too deeply nested"}
    t = type(value)
    if value is None or t is bool or t is int or t is float or t is str:
        return value
    np = sys.modules.get("numpy")
    if np is not None and t is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.hasobject:
            return {"__unsupported__": f"numpy.ndarray[{value.dtype}]"}
        return {"__ndarray__": _array_ref(value, blobs)}
    if np is not None and isinstance(value, np.generic) and t.__module__ == "numpy" and value.dtype.kind in "biufc":
        return {"__npscalar__": _array_ref(np.asarray(value), blobs)}
    if t is list:
        return [encode(v, blobs, depth + 1) for v in value]
    if t is tuple:
        return {"__tuple__": [encode(v, blobs, depth + 1) for v in value]}
    if t is dict:
        # Keys of a str subclass (numpy.str_ from iterating an array of names) cross as plain str:
        # str.__str__ copies the characters without calling the subclass's code (issue 21).
        keys = [str.__str__(k) if issubclass(type(k), str) else None for k in value]
        if None in keys or len(set(keys)) != len(keys):
            return {"__unsupported__": "dict with non-str keys"}
        return {"__dict__": {k: encode(v, blobs, depth + 1) for k, v in zip(keys, value.values())}}
    if isinstance(value, Unsupported):
        return {"__unsupported__": value.type_name}
    return {"__unsupported__": _type_name(value)}


def decode(data, blobs: list, depth: int = 0, max_str: int | None = None):
    """Inverse of :func:`encode`; unknown shapes of data decode to Unsupported; strings longer than
    ``max_str`` (None: no limit) are cut."""
    if depth > MAX_DEPTH:
        return Unsupported("too deeply nested")
    t = type(data)
    if t is str:
        if max_str is None or len(data) <= max_str:
            return data
        return data[:max_str] + f"[... {len(data) - max_str} characters dropped]"
    if data is None or t in (bool, int, float):
        return data
    if t is list:
        return [decode(v, blobs, depth + 1, max_str) for v in data]
    if t is dict and len(data) == 1:
        (tag, inner), = data.items()
        try:
            if tag == "__ndarray__":
                return _array_from_ref(inner, blobs)
            if tag == "__npscalar__":
                return _array_from_ref(inner, blobs)[()]
        except Exception as exc:  # malformed array bytes
            return Unsupported(f"unreadable array ({type(exc).__name__})")
        if tag == "__tuple__" and type(inner) is list:
            return tuple(decode(v, blobs, depth + 1, max_str) for v in inner)
        if tag == "__dict__" and type(inner) is dict:
            return {str(k)[:max_str]: decode(v, blobs, depth + 1, max_str) for k, v in inner.items()}
        if tag == "__unsupported__":
            return Unsupported(str(inner))
    return Unsupported("malformed message")


def write_message(fd: int, message: dict, deadline: float | None = None, max_bytes: int | None = None) -> None:
    """Write one message (a dict of plain data); raises TimeoutError when the reader stops
    reading before ``deadline`` (time.monotonic(); the fd is then used non-blocking)."""
    import os
    import select
    import time

    max_bytes = MAX_MESSAGE_BYTES if max_bytes is None else max_bytes
    blobs: list = []
    payload = json.dumps({"message": encode(message, blobs), "blobs": [len(b) for b in blobs]},
                         allow_nan=True).encode("utf-8")
    blob_bytes = sum(len(b) for b in blobs)
    if len(payload) + blob_bytes > max_bytes:
        payload = json.dumps({"message": encode({"ok": False, "error": {
            "type": "MessageTooLarge", "message": f"{len(payload) + blob_bytes} bytes", "traceback": ""}}, []),
            "blobs": []}).encode()
        blobs, blob_bytes = [], 0
    data = b"".join([_HEADER.pack(len(payload), blob_bytes), payload, *blobs])
    view = memoryview(data)
    if deadline is not None:
        os.set_blocking(fd, False)
    while view:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [fd], [], remaining)
            if not ready:
                raise TimeoutError
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read exactly n bytes, waiting at most until ``deadline`` (time.monotonic())."""
    import os
    import select
    import time

    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None, max_bytes: int | None = None,
                 max_elements: int | None = None, max_str: int | None = None) -> dict:
    """Read one message; raises TimeoutError, EOFError or WireError (malformed, too large, more
    than ``max_elements`` values, too deep: the sender misbehaved). Strings are cut to ``max_str``."""
    max_bytes = MAX_MESSAGE_BYTES if max_bytes is None else max_bytes
    json_length, blob_length = _HEADER.unpack(read_exact(fd, _HEADER.size, deadline))
    if json_length + blob_length > max_bytes:
        raise WireError(f"message of {json_length + blob_length} bytes exceeds the limit of {max_bytes}")
    text = read_exact(fd, json_length, deadline)
    # Every JSON value but the first follows a ',' or opens with '[' / '{' (bytes inside strings only
    # over-count), so this bounds what json.loads can build before it builds it.
    if max_elements is not None and text.count(b",") + text.count(b"[") + text.count(b"{") > max_elements:
        raise WireError(f"message holds more than {max_elements} values")
    try:
        frame = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: JSON errors, huge ints
        raise WireError(f"unreadable message: {type(exc).__name__}: {str(exc)[:200]}") from None
    raw = read_exact(fd, blob_length, deadline) if blob_length else b""
    lengths = frame.get("blobs") if type(frame) is dict else None
    if type(lengths) is not list or not all(type(n) is int and n >= 0 for n in lengths) or sum(lengths) != blob_length:
        raise WireError("malformed message frame")
    blobs, start = [], 0
    for n in lengths:
        blobs.append(raw[start:start + n])
        start += n
    message = decode(frame.get("message"), blobs, max_str=max_str)
    if type(message) is not dict:
        raise WireError("message is not a dict")
    return message
