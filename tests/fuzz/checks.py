"""What every fuzz example must hold, and how the tests watch the servers under test."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, settings
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import ROOT
from signpost.staff.models import LoginFailure
from tests.conftest import RASA_PORT

# The normal run keeps tests/fuzz/ to a few minutes; `make fuzz` sets HYPOTHESIS_PROFILE=long.
# Derandomized, so a run in CI tries the same examples as the run before it.
EXAMPLES = {"fuzz": 40, "long": 1000}
for _name, _count in EXAMPLES.items():
    settings.register_profile(
        _name,
        max_examples=_count,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
if PROFILE not in EXAMPLES:
    PROFILE = "fuzz"


def fuzz(weight: float = 1.0) -> settings:
    """The profile's settings, with `weight` times its examples (cheap endpoints get more)."""
    base = settings.get_profile(PROFILE)
    return settings(base, max_examples=max(1, round(base.max_examples * weight)))


LEAKS = ("Traceback", 'File "', "Exception")


def assert_no_leak(text: str) -> None:
    found = [leak for leak in LEAKS if leak in text]
    assert not found, f"the response shows {found}: {text[:500]!r}"


def assert_answered(status: int, text: str) -> None:
    assert status < 500, f"{status}: {text[:500]!r}"
    assert_no_leak(text)


def apology() -> str:
    """The first sentence of the reply a failed turn gets (utter_service_problem)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return str(domain["responses"]["utter_service_problem"][0]["text"]).split(".")[0]


def rasa_alive() -> bool:
    """Whether the Rasa server under test is still running (its process, not only its port)."""
    wanted = ["signpost.rasa_plugins.serve", "run", "--model", "--port", str(RASA_PORT)]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if all(w in args for w in wanted) and args[args.index("--port") + 1] == str(RASA_PORT):
            return True
    return False


# Sanic logs this for every closed socket.io websocket (python-engineio's handler returns
# no response object once the socket closes). It is noise, not a failure of the request;
# it is left out here so that the check sees everything else.
# aiohttp logs a traceback for each request it cannot parse (a header with a control
# character, say) and answers it with 400, which the test has already checked.
NOISE = [
    re.compile(
        r"Exception occurred while handling uri: 'ws://[^']*/socket\.io/[^']*'\n"
        r"Traceback \(most recent call last\):\n"
        r'  File "handle_request", line \d+, in handle_request\n'
        r"sanic\.exceptions\.ServerError: Invalid response type None \(need HTTPResponse\)\n"
    ),
    re.compile(
        r"^[^\n]* ERROR aiohttp\.server [^\n]*Error handling request\n"
        r"Traceback \(most recent call last\):\n(?:[ \t][^\n]*\n)*"
        r"aiohttp\.http_exceptions\.\w+: 400, message:[^\n]*\n(?:(?!\d{4}-\d\d-\d\d )[^\n]*\n)*",
        re.MULTILINE,
    ),
]


class LogWatch:
    """The part of a server's log written since the last look: it must hold no traceback."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = self._size()

    def _size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def new_text(self) -> str:
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        return data.decode(errors="replace")

    def skip(self) -> None:
        self.offset = self._size()

    def assert_clean(self) -> None:
        text = self.new_text()
        for noise in NOISE:
            text = noise.sub("", text)
        assert "Traceback" not in text, f"{self.path.name} logged a traceback:\n{text[-3000:]}"


def clear_login_failures(engine: Engine) -> None:
    """Forget failed sign-ins, so that fuzzing the sign-in form neither locks out the tests
    that sign in later nor stops at the lockout instead of reaching the password check."""
    with Session(engine, future=True) as s, s.begin():
        s.execute(delete(LoginFailure))
