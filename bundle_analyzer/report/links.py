"""Turning a finding's references into links, and refusing anything that is not plain web.

References come from rule files, which a user may load from anywhere: only ``http``/``https``
become links. The catalog's short forms become GitHub links, e.g. ``aws/amazon-vpc-cni-k8s#1791``
and ``aws/amazon-vpc-cni-k8s:docs/troubleshooting.md@b521881``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_ISSUE = re.compile(r"^([A-Za-z0-9][\w.-]{0,99})/([\w.-]{1,100})#(\d{1,9})$")
_SOURCE = re.compile(r"^([A-Za-z0-9][\w.-]{0,99})/([\w.-]{1,100}):([\w./-]{1,300}?)(?::(\d{1,7}))?@([0-9a-f]{7,40})$")
# Characters kept as they are in a URL; everything else (spaces, quotes, <, >, backslash) is
# percent-encoded so the URL cannot end an attribute or a Markdown autolink early.
_URL_SAFE = ":/?#[]@!$&()*+,;=%-._~"
_MAX_URL = 2000


def reference_url(reference: str) -> str | None:
    """The web address a reference points to, or None when it is not a web link."""
    ref = reference.strip()
    if len(ref) > _MAX_URL:
        return None
    if m := _ISSUE.match(ref):
        return f"https://github.com/{m[1]}/{m[2]}/issues/{m[3]}"
    if m := _SOURCE.match(ref):
        anchor = f"#L{m[4]}" if m[4] else ""
        return f"https://github.com/{m[1]}/{m[2]}/blob/{m[5]}/{m[3]}{anchor}"
    try:
        parts = urlsplit(ref)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 0x21 or c == "\x7f" for c in ref):
        return None
    return quote(ref, safe=_URL_SAFE)
