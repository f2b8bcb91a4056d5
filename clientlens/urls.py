"""Connection URLs as ClientLens shows them: never with a password.

Every message, log line and run record that names a database goes through
:func:`mask_url` (the URL) or :func:`scrub` (a driver's message that may quote it).
"""

from __future__ import annotations

import urllib.parse

MASK = "***"
_SECRET_PARAMS = ("password", "passwd", "pwd", "secret", "token", "sslpassword")


def mask_url(url: str) -> str:
    """``url`` with its password, and any secret query parameter, replaced by ``***``.

    >>> mask_url("postgresql://me:pw@host/db?sslmode=require&password=pw2")
    'postgresql://me:***@host/db?sslmode=require&password=***'
    """
    if "://" not in url:  # a libpq "host=... password=..." string, or not a URL at all
        return f"<{MASK}>"
    try:
        parts = urllib.parse.urlsplit(url)
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        password = parts.password
    except ValueError:  # not a URL we can take apart: show none of it
        return f"<{MASK}>"
    if password is None and not any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
        return url
    netloc = parts.netloc
    if password is not None:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}:{MASK}@{host}"
    query = "&".join(f"{k}={MASK if k.lower() in _SECRET_PARAMS else v}" for k, v in pairs)
    out = f"{parts.scheme}://{netloc}{parts.path}"
    return out + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _secrets(url: str) -> list[str]:
    """The password and secret parameters of ``url``, as written and decoded."""
    try:
        parts = urllib.parse.urlsplit(url)
        found = [parts.password] if parts.password else []
        found += [
            v
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() in _SECRET_PARAMS and v
        ]
    except ValueError:
        return [url]
    return sorted({*found, *(urllib.parse.unquote_plus(s) for s in found)}, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    """``message`` (a driver's error, say) with ``url`` and its secrets masked."""
    message = message.replace(url, mask_url(url))
    for secret in _secrets(url):
        message = message.replace(secret, MASK)
    return message
