"""Student and assignment ids: plain folder names, checked in one place."""
from __future__ import annotations

import re

_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,99}")


class InvalidId(ValueError):
    """A student or assignment id that is not a plain folder name."""


def valid_id(value: str) -> bool:
    """A folder name that cannot leave its parent (no '/', no '..')."""
    return _ID.fullmatch(value) is not None and ".." not in value
