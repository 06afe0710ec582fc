"""The web front (pages, GP summary APIs, staff console) under arbitrary paths, queries,
headers and bodies, with and without a signed-in staff session."""

from __future__ import annotations

from typing import Any, Optional

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.checks import assert_answered, clear_login_failures, fuzz
from tests.fuzz.strategies import (
    CONTENT_TYPES,
    HEADER_VALUES,
    HOSTILE_CHAR,
    dumps,
    field_values,
    form_encode,
    garbage_bodies,
    json_values,
    texts,
    url_texts,
)

pytestmark = pytest.mark.servers

PAGES = ["/", "/living-with-dystonia", "/privacy", "/summary", "/health", "/staff/login", "/staff", "/staff/",
         "/staff/overview", "/staff/api/queue", "/staff/api/overview", "/staff/api/queue/", "/widget/", "/vendor/",
         "/static/", "/api/", "/staff/api/"]  # fmt: skip
TRAVERSAL = st.sampled_from(
    [
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "....//....//etc/passwd",
        "%c0%ae%c0%ae/etc/passwd",
        "widget.js%00.html",
        ".",
    ]
)
METHODS = st.sampled_from(["GET", "GET", "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"])
QUERY_KEYS = st.one_of(st.sampled_from(["all", "page", "limit", "link", "session_id", "code", "day"]), url_texts(12))
QUERIES = st.lists(st.tuples(QUERY_KEYS, url_texts()), max_size=4).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv))
# Who is asking: nobody signed in, the signed-in console, or a made-up session cookie.
WHO = st.one_of(st.sampled_from(["anonymous", "staff"]), HEADER_VALUES)
ORIGINS = st.one_of(st.none(), st.just("own"), HEADER_VALUES)
JSON_BODIES = st.one_of(
    garbage_bodies("text"),
    st.builds(
        lambda fields, extra: dumps({**extra, **fields}).encode(),
        st.fixed_dictionaries({}, optional={k: field_values() for k in ("text", "link", "session_id", "token")}),
        st.dictionaries(texts(max_size=12), json_values(), max_size=3),
    ),
)


def request(servers, console, method: str, path: str, who: Any, body: Optional[bytes] = None,
            content_type: Optional[str] = None, csrf: Any = None, origin: Any = None) -> requests.Response:  # fmt: skip
    headers: dict[str, str] = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if origin is not None:
        headers["Origin"] = servers.web if origin == "own" else origin
    http = console.http if who == "staff" else requests
    if who == "staff" and csrf is not None:
        headers["X-CSRF-Token"] = console.csrf_token if csrf == "real" else csrf
    if who not in ("staff", "anonymous"):
        headers["Cookie"] = f"signpost_staff={who}"
    response = http.request(method, servers.web + path, data=body, headers=headers, allow_redirects=False, timeout=30)
    assert_answered(response.status_code, response.text)
    return response


@fuzz(4)
@given(
    method=METHODS,
    page=st.sampled_from(PAGES),
    tail=st.one_of(st.just(""), url_texts(), TRAVERSAL),
    query=st.one_of(st.just(""), QUERIES),
    who=WHO,
)
def test_any_path_and_query(servers, console, method, page, tail, query, who):
    path = page + tail + (f"?{query}" if query else "")
    response = request(servers, console, method, path, who)
    assert "root:" not in response.text, path


@fuzz(2)
@given(route=st.sampled_from(["/api/summary", "/api/summary-link"]), body=JSON_BODIES, content_type=CONTENT_TYPES)
def test_summary_apis(servers, console, route, body, content_type):
    response = request(servers, console, "POST", route, "anonymous", body, content_type)
    if response.status_code == 404:
        assert route == "/api/summary-link", "only the new route may be missing"


LOGIN_FIELDS = st.builds(
    lambda fields, extra: [*extra, *fields.items()],
    st.fixed_dictionaries(
        {}, optional={k: st.one_of(texts(), st.lists(HOSTILE_CHAR).map("".join)) for k in ("username", "password")}
    ),
    st.lists(st.tuples(st.one_of(st.just("csrf_token"), texts(12)), texts()), max_size=2),
)
LOGIN_BODIES = st.one_of(LOGIN_FIELDS.map(form_encode), st.binary(max_size=500), garbage_bodies("username"))
FORM = "application/x-www-form-urlencoded"


@fuzz(2)
@given(body=LOGIN_BODIES, content_type=st.one_of(st.just(FORM), CONTENT_TYPES), origin=ORIGINS)
def test_staff_login(servers, console, database, body, content_type, origin):
    clear_login_failures(database)  # each attempt reaches the password check, not the lockout
    try:
        response = request(servers, console, "POST", "/staff/login", "anonymous", body, content_type, origin=origin)
        assert response.status_code != 303, "made-up credentials signed in"
    finally:
        clear_login_failures(database)


@fuzz(3)
@given(
    body=JSON_BODIES,
    content_type=st.one_of(st.just("application/json"), CONTENT_TYPES),
    who=WHO,
    csrf=st.one_of(st.none(), st.just("real"), HEADER_VALUES),
    origin=ORIGINS,
)
def test_staff_triage(servers, console, body, content_type, who, csrf, origin):
    request(servers, console, "POST", "/staff/api/triage", who, body, content_type, csrf, origin)


@fuzz(2)
@given(
    code=st.one_of(url_texts(), st.sampled_from(["DYS-AAAA", "dys-2222", "%00", "%ED%A0%80", "..", "%2F"])),
    handled=st.booleans(),
    query=st.one_of(st.just(""), QUERIES),
    who=WHO,
    body=st.one_of(st.none(), JSON_BODIES),
    csrf=st.one_of(st.none(), st.just("real"), HEADER_VALUES),
)
def test_staff_queue(servers, console, code, handled, query, who, body, csrf):
    path = f"/staff/api/queue/{code}" + ("/handled" if handled else "") + (f"?{query}" if query else "")
    method = "POST" if handled else "GET"
    request(servers, console, method, path, who, body, "application/json" if body else None, csrf)


@fuzz()
@given(
    code=st.one_of(url_texts(), st.sampled_from(["DYS-AAAA", "dys-2222", "%00", "%ED%A0%80", "..", "%2F"])),
    action=st.sampled_from(["/take", "/reply", "/release", "/notes", "/reopen"]),
    who=WHO,
    body=st.one_of(st.none(), JSON_BODIES),
    csrf=st.one_of(st.none(), st.just("real"), HEADER_VALUES),
)
def test_staff_case_actions(servers, console, code, action, who, body, csrf):
    """The live-handoff routes (take, reply, release, notes, reopen) with any code and body."""
    path = f"/staff/api/queue/{code}{action}"
    request(servers, console, "POST", path, who, body, "application/json" if body else None, csrf)


@fuzz()
@given(
    route=st.sampled_from([*PAGES, "/staff/logout", "/staff/api/triage", "/api/summary"]),
    body=st.one_of(JSON_BODIES, LOGIN_BODIES),
    content_type=CONTENT_TYPES,
    who=WHO,
)
def test_post_anything_anywhere(servers, console, route, body, content_type, who):
    if route == "/staff/logout" and who == "staff":
        who = "anonymous"  # keep the console's session for the other examples
    request(servers, console, "POST", route, who, body, content_type)
