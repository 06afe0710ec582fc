"""Reading request bodies safely: every malformed body becomes `BadBody` (a 400), never a
traceback.

JSON must be UTF-8, parse, nest at most `MAX_DEPTH` deep, and hold no text a database
or encoder refuses (lone surrogates, NUL). Forms must decode and hold no NUL. What the
fields mean is left to each handler.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

MAX_DEPTH = 32


class BadBody(ValueError):
    """A body that cannot be read; the message says what to send instead."""


def _clean_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a "\ud800" escape
        return False
    return True


def check_value(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """`value` if it nests at most `max_depth` deep and all its text is clean; BadBody otherwise."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not _clean_text(item):
                raise BadBody("Text must be valid Unicode without NUL characters.")
        elif isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise BadBody("The JSON is nested too deeply.")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return value


def parse_json(raw: bytes) -> Any:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadBody("Send JSON encoded as UTF-8.") from exc
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise BadBody("Send a JSON object.") from exc
    return check_value(value)


async def read_json(request: web.Request) -> Any:
    """The request's JSON body, checked; BadBody (400) or 413 for anything else."""
    return parse_json(await request.read())


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    """The request's form fields, checked; BadBody (400) or 413 for anything else."""
    try:
        form = await request.post()
    except web.HTTPException:
        raise
    except (ValueError, LookupError, AssertionError, TypeError) as exc:  # bad UTF-8, charset, multipart
        raise BadBody("Send the form as UTF-8.") from exc
    for key, value in form.items():
        if not _clean_text(key) or (isinstance(value, str) and not _clean_text(value)):
            raise BadBody("Text must be valid Unicode without NUL characters.")
    return form
