"""The plain-data wire format between the grader (parent) and the submission (child).

Messages are length-prefixed JSON. Only these values cross, in either direction:
None, bool, int, float, str, list, tuple, dict with str keys, numpy arrays of a numeric or
boolean dtype (as .npy bytes read with ``allow_pickle=False``) and numpy scalars. Anything
else is encoded as ``Unsupported(type_name)``, so an object with a rigged ``__eq__`` or an
ndarray subclass reaches the grader as a marker, never as a live object. Decoding never
executes code.

This module is also sent verbatim into the sandbox child, so it imports only the standard
library and numpy.
"""
from __future__ import annotations

import base64
import io
import json
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
_HEADER = struct.Struct(">Q")


class Unsupported:
    """Stands for a value of a type the wire does not carry."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = str(type_name)

    def __repr__(self) -> str:
        return f"Unsupported({self.type_name!r})"


class WireError(Exception):
    """A message could not be read or written."""


def _array_to_text(arr) -> str:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _text_to_array(text: str):
    return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)


def _type_name(value) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}"


def encode(value, depth: int = 0):
    """Turn a value into JSON-ready data; see the module docstring for what is carried."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "too deeply nested"}
    t = type(value)
    if value is None or t is bool or t is int or t is float or t is str:
        return value
    if t is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.hasobject:
            return {"__unsupported__": f"numpy.ndarray[{value.dtype}]"}
        return {"__ndarray__": _array_to_text(value)}
    if isinstance(value, np.generic) and t.__module__ == "numpy" and value.dtype.kind in "biufc":
        return {"__npscalar__": _array_to_text(np.asarray(value))}
    if t is list:
        return [encode(v, depth + 1) for v in value]
    if t is tuple:
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if t is dict:
        if not all(type(k) is str for k in value):
            return {"__unsupported__": "dict with non-str keys"}
        return {"__dict__": {k: encode(v, depth + 1) for k, v in value.items()}}
    if isinstance(value, Unsupported):
        return {"__unsupported__": value.type_name}
    return {"__unsupported__": _type_name(value)}


def decode(data, depth: int = 0):
    """Inverse of :func:`encode`; unknown shapes of data decode to Unsupported."""
    if depth > MAX_DEPTH:
        return Unsupported("too deeply nested")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(v, depth + 1) for v in data]
    if t is dict and len(data) == 1:
        (tag, inner), = data.items()
        try:
            if tag == "__ndarray__":
                return _text_to_array(inner)
            if tag == "__npscalar__":
                return _text_to_array(inner)[()]
        except Exception as exc:  # malformed array bytes
            return Unsupported(f"unreadable array ({type(exc).__name__})")
        if tag == "__tuple__" and type(inner) is list:
            return tuple(decode(v, depth + 1) for v in inner)
        if tag == "__dict__" and type(inner) is dict:
            return {str(k): decode(v, depth + 1) for k, v in inner.items()}
        if tag == "__unsupported__":
            return Unsupported(str(inner))
    return Unsupported("malformed message")


def write_message(fd: int, message: dict) -> None:
    """Write one message (a dict of plain data) to a file descriptor."""
    import os

    payload = json.dumps(encode(message), allow_nan=True).encode("utf-8")
    if len(payload) > MAX_MESSAGE_BYTES:
        payload = json.dumps(encode({"ok": False, "error": {
            "type": "MessageTooLarge", "message": f"{len(payload)} bytes", "traceback": ""}})).encode()
    data = _HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
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


def read_message(fd: int, deadline: float | None = None) -> dict:
    """Read one message; raises TimeoutError, EOFError or WireError."""
    (length,) = _HEADER.unpack(read_exact(fd, _HEADER.size, deadline))
    if length > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {length} bytes exceeds the limit")
    try:
        data = json.loads(read_exact(fd, length, deadline).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"unreadable message: {exc}") from None
    message = decode(data)
    if type(message) is not dict:
        raise WireError("message is not a dict")
    return message
