"""The dashboard's settings, declared beside the code that reads them (plain data, so
that ``clientlens settings`` lists them without importing FastAPI).

:mod:`clientlens.config` adds them to the workspace's core settings.
"""

from __future__ import annotations

from clientlens.config import Setting

WEB_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "web_session_hours",
        float,
        8.0,
        "Dashboard: hours a login lasts before the session cookie expires.",
    ),
    Setting(
        "web_login_attempts",
        int,
        5,
        "Dashboard: failed logins of one user name from one address before logins are "
        "refused for web_lockout_minutes.",
    ),
    Setting(
        "web_lockout_minutes",
        float,
        15.0,
        "Dashboard: minutes logins stay refused after too many failed attempts.",
    ),
    Setting(
        "web_secure_cookie",
        bool,
        True,
        "Dashboard: send the session cookie only over HTTPS (browsers also accept it on "
        "http://localhost); turn off only behind a trusted plain-HTTP network.",
    ),
    Setting("web_page_size", int, 50, "Dashboard and API: rows per page of customer lists."),
)
