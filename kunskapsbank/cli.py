"""The `kunskapsbank` command line: a thin click layer over the service."""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from .config import Config


def _kb(ctx) -> "Kunskapsbank":  # noqa: F821
    from .service import Kunskapsbank
    if "kb" not in ctx.obj:
        ctx.obj["kb"] = Kunskapsbank(ctx.obj["config"])
        ctx.call_on_close(ctx.obj["kb"].close)
    return ctx.obj["kb"]


@click.group()
@click.option("--home", type=click.Path(file_okay=False), envvar="KUNSKAPSBANK_HOME",
              help="Data directory (default ./var, or $KUNSKAPSBANK_HOME).")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx, home, verbose):
    """Kunskapsbanken: search and archive for FoU decisions and reports."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["config"] = Config.from_env(home)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=int, default=None, help="Worker processes (default: all cores).")
@click.pass_context
def ingest(ctx, paths, workers):
    """Ingest files and directories (walked for PDF, images, DOCX and TXT)."""
    from tqdm import tqdm

    from .service import default_workers, iter_files
    kb = _kb(ctx)
    total = sum(1 for _ in iter_files(paths))
    started = time.perf_counter()
    with tqdm(total=total, unit="fil", disable=None, file=sys.stderr) as bar:
        summary = kb.ingest_many(paths, workers=workers or default_workers(),
                                 progress=lambda o: bar.update(1))
    elapsed = time.perf_counter() - started
    pages = sum(o.pages for o in summary.outcomes)
    ocr = sum(o.ocr_pages for o in summary.outcomes)
    updated = summary.count("updated")
    click.echo(f"{summary.count('added')} added, {summary.count('duplicate')} already present, "
               f"{summary.count('failed')} failed; {pages} pages ({ocr} by OCR) "
               f"in {elapsed:.1f} s" + (f"; {updated} processed again by a newer pipeline"
                                        if updated else ""))
    for o in summary.failed:
        click.echo(f"FAILED {o.path}: {o.reason}", err=True)
    ctx.exit(1 if summary.failed else 0)


@main.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the search index from the catalog."""
    started = time.perf_counter()
    n = _kb(ctx).reindex()
    click.echo(f"Indexed {n} documents in {time.perf_counter() - started:.1f} s")


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.pass_context
def search(ctx, query, as_json, limit):
    """Search the index."""
    results = _kb(ctx).search(query, page_size=limit)
    if as_json:
        out = {"total": results.total, "hits": [
            {k: h.to_json()[k] for k in ("id", "filename", "title", "dnr", "date",
                                         "document_type", "score", "snippet")}
            for h in results.hits]}
        if results.notice:
            out["notice"] = results.notice
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if results.notice:
        click.echo(results.notice)
    click.echo(f"{results.total} träffar")
    for h in results.hits:
        click.echo(f"[{h.id}] {h.title or h.filename}  {h.dnr or ''}  {h.date or ''}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.pass_context
def extract(ctx, file, as_json):
    """Run ingest on one file and print the result; nothing is stored."""
    from ingest import IngestError, process
    try:
        doc = process(file, config=ctx.obj["config"])
    except IngestError as exc:
        click.echo(f"{file}: {exc.reason_en}", err=True)
        ctx.exit(1)
    if as_json:
        click.echo(json.dumps(doc.to_json(), ensure_ascii=False, indent=2))
    else:
        m = doc.metadata
        click.echo(f"{doc.filename}: {len(doc.pages)} pages, OCR pages {doc.ocr_pages}, "
                   f"language {doc.language}\ndnr {m.dnr}  type {m.document_type}  "
                   f"date {m.date}\ntitle {m.title}\n")
        click.echo(doc.text)


@main.command()
@click.argument("file", type=click.File("rb"))
def clean(file):
    """Repair the text of a text file and print it."""
    from ingest.repair import repair_text
    from ingest.txt import decode_bytes
    text, _ = repair_text(decode_bytes(file.read())[0])
    click.echo(text)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_context
def serve(ctx, host, port, threads):
    """Serve the web UI with waitress."""
    import waitress

    from web import create_app
    app = create_app(ctx.obj["config"])
    click.echo(f"Kunskapsbanken: http://{host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads)


@main.command()
@click.pass_context
def stats(ctx):
    """Counts of documents, pages and index entries."""
    kb = _kb(ctx)
    db = kb.catalog.db
    docs = kb.catalog.count_documents()
    pages, ocr = db.execute("SELECT count(*), coalesce(sum(ocr), 0) FROM pages").fetchone()
    errors = db.execute("SELECT count(*) FROM ingest_errors").fetchone()[0]
    click.echo(f"documents {docs}\npages {pages} ({ocr} by OCR)\nindexed {kb.index.doc_count()}"
               f"\ningest errors {errors}\nhome {kb.config.home}")


# -- staff accounts --------------------------------------------------------------------------
def _users(ctx):
    from .catalog import Catalog
    from .users import Users
    if "users" not in ctx.obj:
        catalog = Catalog(ctx.obj["config"].catalog_path)
        ctx.call_on_close(catalog.close)
        ctx.obj["users"] = Users(catalog)
    return ctx.obj["users"]


def _fail(ctx, message: str) -> None:
    click.echo(message, err=True)
    ctx.exit(1)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def user():
    """Staff accounts: roles fou (upload, edit, delete) and admin (also re-index and users)."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["fou", "admin"]), default="fou", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of "
              "standard input (for scripts) instead of prompting.")
@click.pass_context
def user_add(ctx, username, role, password_stdin):
    """Add a user; the password is prompted for (hidden, twice)."""
    from .users import UserError
    try:
        created = _users(ctx).add(username, _read_password(password_stdin), role)
    except UserError as exc:
        _fail(ctx, f"Cannot add user: {exc}")
    click.echo(f"Added {created.username} ({created.role})")


@user.command("remove")
@click.argument("username")
@click.pass_context
def user_remove(ctx, username):
    """Remove a user; their sessions end at once."""
    if not _users(ctx).remove(username):
        _fail(ctx, f"No such user: {username}")
    click.echo(f"Removed {username}")


@user.command("list")
@click.pass_context
def user_list(ctx):
    """List users with their roles."""
    for u in _users(ctx).list():
        click.echo(f"{u.username}\t{u.role}\tcreated {u.created_at}\t"
                   f"password set {u.password_changed_at}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line "
              "of standard input instead of prompting.")
@click.pass_context
def user_passwd(ctx, username, password_stdin):
    """Set a user's password; their other sessions end."""
    from .users import UserError
    users = _users(ctx)
    if users.get(username) is None:
        _fail(ctx, f"No such user: {username}")
    try:
        users.set_password(username, _read_password(password_stdin))
    except UserError as exc:
        _fail(ctx, f"Cannot set password: {exc}")
    click.echo(f"Password changed for {username}")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["fou", "admin"]))
@click.pass_context
def user_role(ctx, username, role):
    """Change a user's role."""
    if not _users(ctx).set_role(username, role):
        _fail(ctx, f"No such user: {username}")
    click.echo(f"{username} is now {role}")


if __name__ == "__main__":
    main()
