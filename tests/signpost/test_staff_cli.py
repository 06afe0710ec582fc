"""`python -m signpost staff ...`: managing staff accounts from the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.config import ROOT
from signpost.staff import accounts
from signpost.staff.models import StaffUser
from signpost.storage.engine import make_engine


def staff(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "signpost", "staff", *args], input=stdin, capture_output=True, text=True, env=env
    )


def test_add_list_and_remove_users(sqlite_url):
    added = staff(sqlite_url, "add-user", "Alice", stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    engine = make_engine(sqlite_url)
    with Session(engine, future=True) as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == "alice")).one()
        assert accounts.password_matches(user.password_hash, "a long enough password")
        assert user.password_hash.startswith("$argon2id$")
        assert "a long enough password" not in user.password_hash
    assert staff(sqlite_url, "add-user", "bob", stdin="another good password\n").returncode == 0
    listed = staff(sqlite_url, "list-users")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["alice", "bob"]
    assert staff(sqlite_url, "remove-user", "bob").returncode == 0
    assert "bob" not in staff(sqlite_url, "list-users").stdout
    engine.dispose()


def test_refusals_say_why(sqlite_url):
    short = staff(sqlite_url, "add-user", "carol", stdin="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    common = staff(sqlite_url, "add-user", "carol", stdin="password1234\n")
    assert common.returncode == 1 and "too easy to guess" in common.stderr
    own_name = staff(sqlite_url, "add-user", "carol", stdin="carolcarol12\n")
    assert own_name.returncode == 1 and "too easy to guess" in own_name.stderr
    assert staff(sqlite_url, "add-user", "carol", stdin="a long enough password\n").returncode == 0
    twice = staff(sqlite_url, "add-user", "carol", stdin="a long enough password\n")
    assert twice.returncode == 1 and "already" in twice.stderr
    missing = staff(sqlite_url, "remove-user", "nobody")
    assert missing.returncode == 1 and "no user" in missing.stderr
    bad_name = staff(sqlite_url, "add-user", "bad name!", stdin="a long enough password\n")
    assert bad_name.returncode == 1 and "username" in bad_name.stderr.lower()
