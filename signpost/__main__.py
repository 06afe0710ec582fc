"""Command line: `python -m signpost <command>`.

seed           load data/knowledge into the database (idempotent)
build-nlp      build the spaCy pipeline from the vocabulary and save it to disk
lookups        write the Rasa lookup tables derived from the vocabulary
check-content  validate the knowledge YAML without touching the database
staff          manage helpline staff accounts: add-user NAME (password on standard input),
               remove-user NAME, list-users
purge          delete conversations and records older than --older-than (default RETENTION)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from signpost.config import DATA_DIR, get_settings


def _report(line: str) -> None:
    """A command's one-line result: printed, or with LOG_FORMAT=json a JSON log line like the
    servers' (so `LOG_FORMAT=json make run` writes nothing but JSON objects)."""
    settings = get_settings()
    if settings.log_format == "json":
        from signpost import logs

        logs.configure(settings.log_level, settings.log_format)
        logging.getLogger("signpost.cli").info(line)
    else:
        print(line)


def _seed(_: argparse.Namespace) -> int:
    from signpost.knowledge.content import load_content
    from signpost.knowledge.seed import seed
    from signpost.schema import create_schema
    from signpost.storage.engine import make_engine

    engine = make_engine(get_settings().database_url)
    create_schema(engine)
    counts = seed(engine, load_content())
    _report("seeded: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    return 0


def _build_nlp(args: argparse.Namespace) -> int:
    from signpost.knowledge.content import load_content
    from signpost.knowledge.vocabulary import save_pipeline

    path = save_pipeline(load_content(), Path(args.output or get_settings().spacy_model))
    print(f"spaCy pipeline saved to {path}")
    return 0


def _lookups(args: argparse.Namespace) -> int:
    from signpost.knowledge.content import load_content
    from signpost.knowledge.vocabulary import lookup_tables

    tables = lookup_tables(load_content())
    nlu = [{"lookup": name, "examples": "".join(f"- {v}\n" for v in values)} for name, values in tables.items()]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated from data/knowledge by `python -m signpost lookups`; do not edit.\n"
    out.write_text(header + yaml.safe_dump({"version": "3.1", "nlu": nlu}, sort_keys=False, allow_unicode=True))
    print(f"lookup tables written to {out}")
    return 0


def _check_content(_: argparse.Namespace) -> int:
    from signpost.knowledge.content import load_content

    content = load_content()
    print(
        f"content ok: {len(content.types)} types, {len(content.terms)} terms, {len(content.tips)} tips, "
        f"{len(content.contacts)} contacts, {len(content.topics)} topics"
    )
    return 0


def _read_password() -> str:
    """From a terminal, ask twice without echo; otherwise read the first line of standard input."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise ValueError("The passwords do not match.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _staff(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from signpost.schema import create_schema
    from signpost.staff import accounts
    from signpost.storage.engine import make_engine

    engine = make_engine(get_settings().database_url)
    create_schema(engine)
    try:
        with Session(engine, future=True) as session, session.begin():
            if args.action == "add-user":
                user = accounts.add_user(session, args.username, _read_password())
                print(f"added {user.username}")
            elif args.action == "remove-user":
                accounts.remove_user(session, args.username)
                print(f"removed {args.username}")
            else:
                for user in accounts.list_users(session):
                    print(f"{user.username}\tadded {user.created_at:%Y-%m-%d}")
    except (accounts.AccountError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _purge(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from signpost.config import describe_duration, parse_duration
    from signpost.retention import purge
    from signpost.storage.clock import utcnow
    from signpost.storage.engine import make_engine

    try:
        older_than = parse_duration(args.older_than) if args.older_than else get_settings().retention
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database_url)
    with Session(engine, future=True) as session, session.begin():
        counts = purge(session, older_than, utcnow())
    engine.dispose()
    deleted = ", ".join(f"{table} {n}" for table, n in sorted(counts.items()) if n) or "nothing"
    _report(f"purged records older than {describe_duration(older_than)}: {deleted}")
    return 0


def _migration(args: argparse.Namespace) -> int:
    from signpost.schema import new_revision
    from signpost.storage.engine import make_engine

    engine = make_engine(get_settings().database_url)
    new_revision(engine, args.message)
    engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m signpost", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed", help="seed the knowledge base").set_defaults(func=_seed)
    build = sub.add_parser("build-nlp", help="build and save the spaCy pipeline")
    build.add_argument("--output", help="where to save it (default: SPACY_MODEL)")
    build.set_defaults(func=_build_nlp)
    lookups = sub.add_parser("lookups", help="write Rasa lookup tables")
    lookups.add_argument("--output", default=str(DATA_DIR / "nlu" / "vocabulary_lookups.yml"))
    lookups.set_defaults(func=_lookups)
    sub.add_parser("check-content", help="validate the knowledge YAML").set_defaults(func=_check_content)
    staff = sub.add_parser("staff", help="manage helpline staff accounts")
    staff_sub = staff.add_subparsers(dest="action", required=True)
    for action in ("add-user", "remove-user"):
        staff_sub.add_parser(action).add_argument("username")
    staff_sub.add_parser("list-users")
    staff.set_defaults(func=_staff)
    purge = sub.add_parser("purge", help="delete conversations and records older than the retention period")
    purge.add_argument("--older-than", help="e.g. 30d, 12h or 2w (default: RETENTION from .env, else 30d)")
    purge.set_defaults(func=_purge)
    migration = sub.add_parser("migration", help="write a schema revision for what the models changed")
    migration.add_argument("message", help="what changes, e.g. 'case notes get a topic'")
    migration.set_defaults(func=_migration)
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.log_format == "json":  # every line a command logs (migrations too) is JSON, as the servers'
        from signpost import logs

        logs.configure(settings.log_level, settings.log_format)
    else:
        logging.basicConfig(level=settings.log_level)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
