"""Student text made safe to record and to show: no terminal escapes, always encodable."""
from __future__ import annotations

import re

# ANSI/VT escape sequences (CSI incl. the 8-bit \x9b, OSC such as hyperlinks, DCS/SOS/PM/APC, two-
# character escapes) and the remaining C0/C1 controls except tab and newline. Notebook front ends
# (formgrader, nbconvert) render ANSI in outputs: a student's message could recolour itself green,
# move the cursor to hide lines, or carry a link.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x1b\x9d]\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` without escape sequences or control characters (tab and newline stay), with lone
    surrogates (not encodable as UTF-8: every write of the record would fail) as ``\\udXXX`` text."""
    text = _ESCAPES.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def clean_record(value):
    """Every string in a JSON-like value (dict keys included) through clean_text, dicts and lists in place."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        items = [(clean_record(k) if isinstance(k, str) else k, clean_record(v)) for k, v in value.items()]
        value.clear()
        value.update(items)
        return value
    if isinstance(value, list):
        value[:] = [clean_record(v) for v in value]
        return value
    if isinstance(value, tuple):
        return tuple(clean_record(v) for v in value)
    return value
