"""Does the wire carry plain data only, and refuse everything else?"""
import numpy as np
import pytest

from course.sandbox.wire import Unsupported, decode, encode


def roundtrip(value):
    blobs = []
    data = encode(value, blobs)
    return decode(data, blobs)


def test_plain_values_roundtrip():
    value = {"a": [1, 2.5, "x", None, True], "t": (1, np.float64(2.0)), "arr": np.arange(6.0).reshape(2, 3)}
    got = roundtrip(value)
    assert got["a"] == [1, 2.5, "x", None, True] and type(got["t"]) is tuple
    assert type(got["arr"]) is np.ndarray and (got["arr"] == value["arr"]).all()
    assert type(got["t"][1]) is np.float64


@pytest.mark.parametrize("value", [
    np.zeros(3).view(type("Sub", (np.ndarray,), {})),
    np.array([object()], dtype=object),
    type("Eq", (), {"__eq__": lambda s, o: True})(),
    {1: "non-str key"},
    lambda: 0,
])
def test_unsupported_values_become_markers(value):
    assert isinstance(roundtrip(value), Unsupported)


def test_str_subclass_keys_cross_as_plain_str():
    """Does a dict keyed by numpy.str_ (iterating an array of names) arrive with plain str keys, and a
    str subclass's own __str__ / __eq__ never run (issue 21)?"""
    got = roundtrip({np.str_("W1"): 1.0, "b1": 2.0})
    assert got == {"W1": 1.0, "b1": 2.0} and all(type(k) is str for k in got)
    sly = type("Sly", (str,), {"__str__": lambda s: "other", "__hash__": lambda s: 0, "__eq__": lambda s, o: False})
    got = roundtrip({sly("W1"): 1.0})
    assert got == {"W1": 1.0} and all(type(k) is str for k in got)
    clash = type("Clash", (str,), {"__hash__": lambda s: id(s), "__eq__": lambda s, o: s is o})
    assert isinstance(roundtrip({clash("W1"): 1.0, clash("W1"): 2.0}), Unsupported)  # two keys, one str


def test_malformed_data_decodes_to_marker():
    assert isinstance(decode({"__ndarray__": "not a reference"}, []), Unsupported)
    assert isinstance(decode({"__pickle__": "x"}, []), Unsupported)


def pipe_roundtrip(message):
    import os

    from course.sandbox.wire import read_message, write_message

    r, w = os.pipe()
    try:
        write_message(w, message)
        return read_message(r)
    finally:
        os.close(r)
        os.close(w)


def test_arrays_cross_as_raw_bytes_with_dtype_and_shape():
    arrays = [np.arange(12.0).reshape(3, 4), np.asfortranarray(np.arange(6).reshape(2, 3)),
              np.array([True, False]), np.arange(4, dtype=np.int32), np.array([1 + 2j]),
              np.zeros((0, 3)), np.array(7.5), np.arange(5.0)[::2]]
    got = pipe_roundtrip({"a": arrays, "s": np.float32(1.5)})
    for want, have in zip(arrays, got["a"]):
        assert type(have) is np.ndarray and have.dtype == want.dtype and have.shape == want.shape
        assert (have == want).all() and have.flags.writeable
    assert type(got["s"]) is np.float32 and got["s"] == 1.5


@pytest.mark.parametrize("ref", [
    {"dtype": "|O", "shape": [1], "blob": 0},            # object dtype: never
    {"dtype": "<f8", "shape": [3], "blob": 0},           # 8 bytes do not make 3 float64
    {"dtype": "<f8", "shape": [1], "blob": 5},           # no such blob
    {"dtype": "[('a', '<f8')]", "shape": [1], "blob": 0},  # structured
    {"dtype": "<f8", "shape": [-1], "blob": 0},
    {"dtype": "<f8", "shape": "1", "blob": 0},
])
def test_malformed_array_references_decode_to_markers(ref):
    assert isinstance(decode({"__ndarray__": ref}, [b"\0" * 8]), Unsupported)


def test_sandbox_starts_whatever_fds_the_parent_holds(tmp_path):
    """Regression: a child started after the parent opened (non-inheritable) files must still answer."""
    from course.sandbox.process import Limits, Sandbox

    held = [open(__file__, "rb") for _ in range(4)]
    try:
        with Sandbox(tmp_path, Limits(call_timeout=10)) as sb:
            sb.exec("def f(x):\n    return x * 2", "<cell>")
            assert sb.call("f", 21) == 42
    finally:
        for f in held:
            f.close()


def test_oversized_message_becomes_an_error_reply(monkeypatch):
    from course.sandbox import wire

    monkeypatch.setattr(wire, "MAX_MESSAGE_BYTES", 1000)
    got = pipe_roundtrip({"ok": True, "value": np.zeros(1000)})
    assert got["ok"] is False and got["error"]["type"] == "MessageTooLarge"
