"""Host-side veth names as the CNI computes them (unchanged since v1.0)."""

from __future__ import annotations

import hashlib


def veth_name(namespace: str, pod: str, prefix: str = "eni") -> str:
    """``prefix`` + the first 11 hex digits of sha1("<namespace>.<pod>").

    >>> veth_name("default", "web-7d4b9c-x2x9q")
    'enic0778f2fe26'
    """
    digest = hashlib.sha1(f"{namespace}.{pod}".encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}{digest[:11]}"
