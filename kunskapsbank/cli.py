"""The `kunskapsbank` command line: a thin click layer over the service."""
from __future__ import annotations

import json
import logging
import signal
import sys
import threading
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


class _Stopper:
    """First Ctrl-C: start no new file, let the ones in progress finish and be saved. Second:
    abandon those too (a rerun does them)."""

    def __init__(self, say):
        self.event = threading.Event()
        self.say = say

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self.event

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum, frame):
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        self.say("Stopping: no new files are started; the files in progress finish and are "
                 "saved. Ctrl-C again to abandon them.")


def _run_batch(ctx, run, total: int, unit: str = "file") -> "BatchSummary":  # noqa: F821
    """Run a batch with a progress bar (files, pages/s, ETA) and Ctrl-C handling; print the
    closing summary; exit non-zero when a file failed or the batch was stopped."""
    from tqdm import tqdm
    started = time.perf_counter()
    with tqdm(total=total, unit=unit, disable=None, file=sys.stderr, smoothing=0.1) as bar:
        def progress(outcome) -> None:
            progress.pages += outcome.pages
            rate = progress.pages / max(time.perf_counter() - started, 1e-9)
            bar.set_postfix_str(f"{progress.pages} pages, {rate:.2f} pages/s", refresh=False)
            bar.update(1)
        progress.pages = 0
        try:
            with _Stopper(lambda msg: bar.write(msg, file=sys.stderr)) as stop:
                summary = run(progress, stop)
        except KeyboardInterrupt:
            click.echo("Abandoned. What finished is saved; run the same command again to "
                       "continue.", err=True)
            ctx.exit(130)
    elapsed = time.perf_counter() - started
    s = summary
    line = (f"{s.count('added')} added, {s.count('duplicate')} already present, "
            f"{s.count('failed')} failed; {s.pages} pages ({s.ocr_pages} by OCR, "
            f"{s.cached_pages} of them from the OCR cache) in {elapsed:.1f} s")
    if s.pages and elapsed:
        line += f" ({s.pages / elapsed:.2f} pages/s)"
    if s.count("updated"):
        line += f"; {s.count('updated')} processed again by a newer pipeline"
    click.echo(line)
    for o in s.failed:
        click.echo(f"FAILED {o.path}: {o.reason}", err=True)
    if s.interrupted:
        click.echo("Stopped before the end; run the same command again to continue.", err=True)
    return summary


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Worker processes (default: all cores).")
@click.pass_context
def ingest(ctx, paths, workers):
    """Ingest files and directories (walked for PDF, images, DOCX and TXT).

    Files already in the catalog with the same content and pipeline version are skipped, so
    after Ctrl-C the same command continues where it stopped."""
    from .service import default_workers, iter_files
    kb = _kb(ctx)
    total = sum(1 for _ in iter_files(paths))
    summary = _run_batch(ctx, lambda progress, stop: kb.ingest_many(
        paths, workers=workers or default_workers(), progress=progress, stop=stop,
        keep_outcomes=False), total)
    ctx.exit(1 if summary.failed or summary.interrupted else 0)


@main.command()
@click.option("--reprocess", is_flag=True,
              help="Run the pipeline again on every archived original (OCR from the cache), "
                   "keeping ids and corrections.")
@click.option("--only-stale", is_flag=True,
              help="With --reprocess: only documents an older version of some stage produced.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Worker processes for --reprocess (default: all cores).")
@click.pass_context
def reindex(ctx, reprocess, only_stale, workers):
    """Rebuild the search index from the catalog (beside the live one, then swapped in)."""
    from ingest.pipeline import stale_stages

    from .service import default_workers
    if only_stale and not reprocess:
        raise click.UsageError("--only-stale goes with --reprocess")
    kb = _kb(ctx)
    if reprocess:
        versions = kb.catalog.document_versions().values()
        total = sum(1 for v in versions if stale_stages(v)) if only_stale else len(versions)
        summary = _run_batch(ctx, lambda progress, stop: kb.reprocess(
            only_stale=only_stale, workers=workers or default_workers(), progress=progress,
            stop=stop), total, unit="doc")
        if summary.stale_stages:
            click.echo("stale stages: " + ", ".join(
                f"{stage} ({n} documents)" for stage, n in sorted(summary.stale_stages.items())))
        elif only_stale:
            click.echo("Every document is current; nothing to reprocess.")
        ctx.exit(1 if summary.failed or summary.interrupted else 0)
    started = time.perf_counter()
    n = kb.reindex()
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {n} documents in {elapsed:.1f} s ({n / max(elapsed, 1e-9):.0f} docs/s)")


@main.command()
@click.option("--repair", is_flag=True,
              help="Fix what can be fixed: index missing documents, drop index entries without "
                   "a catalog row, remove leftover temporary files.")
@click.pass_context
def check(ctx, repair):
    """Check that archive, catalog and index agree; exit status 1 when problems remain."""
    from .check import run_check
    report = run_check(_kb(ctx), repair=repair)
    for line in report.lines():
        click.echo(line)
    ctx.exit(0 if report.ok else 1)


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
@click.option("--no-worker", is_flag=True, help="Do not process uploads in this process (run "
              "`kunskapsbank worker` separately).")
@click.pass_context
def serve(ctx, host, port, threads, no_worker):
    """Serve the web UI with waitress, with a worker thread for uploaded files."""
    import waitress

    from web import create_app
    from web.jobs import start_worker
    app = create_app(ctx.obj["config"])
    if not no_worker:
        start_worker(app)
    click.echo(f"Kunskapsbanken: http://{host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads)


@main.command()
@click.pass_context
def stats(ctx):
    """Counts of documents, pages, OCR cache and index entries."""
    from ingest import PIPELINE_VERSION
    kb = _kb(ctx)
    db = kb.catalog.db
    docs = kb.catalog.count_documents()
    pages, ocr = db.execute("SELECT count(*), coalesce(sum(ocr), 0) FROM pages").fetchone()
    cached = db.execute("SELECT count(*) FROM pages WHERE ocr AND from_cache").fetchone()[0]
    errors = db.execute("SELECT count(*) FROM ingest_errors").fetchone()[0]
    stale = sum(1 for v in kb.catalog.document_versions().values() if v != PIPELINE_VERSION)
    cache_files = sum(1 for _ in kb.config.ocr_cache_dir.glob("*/*.json")) \
        if kb.config.ocr_cache_dir.is_dir() else 0
    click.echo(f"documents {docs} ({stale} from an older pipeline than {PIPELINE_VERSION})"
               f"\npages {pages} ({ocr} by OCR, {cached} of them last read from the OCR cache)"
               f"\nOCR cache {cache_files} pages\nindexed {kb.index.doc_count()}"
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


def _audit(ctx, action: str, username: str, **values) -> None:
    """Account changes made here are logged like an admin's in the web, the actor being the
    operating-system user at the command line."""
    import getpass

    from .audit import AuditLog
    AuditLog(_users(ctx).catalog).record(action, username=f"{getpass.getuser()} (kommandoraden)",
                                         subject=username, **values)


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
    _audit(ctx, "user-add", created.username, field="role", new=created.role)
    click.echo(f"Added {created.username} ({created.role})")


@user.command("remove")
@click.argument("username")
@click.pass_context
def user_remove(ctx, username):
    """Remove a user; their sessions end at once."""
    existing = _users(ctx).get(username)
    if existing is None or not _users(ctx).remove(username):
        _fail(ctx, f"No such user: {username}")
    _audit(ctx, "user-remove", username, field="role", old=existing.role)
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
    _audit(ctx, "user-password", username, field="password")  # never the password or hash
    click.echo(f"Password changed for {username}")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["fou", "admin"]))
@click.pass_context
def user_role(ctx, username, role):
    """Change a user's role."""
    existing = _users(ctx).get(username)
    if existing is None or not _users(ctx).set_role(username, role):
        _fail(ctx, f"No such user: {username}")
    _audit(ctx, "user-role", username, field="role", old=existing.role, new=role)
    click.echo(f"{username} is now {role}")


# -- upload jobs -----------------------------------------------------------------------------
@main.command()
@click.option("--until-empty", is_flag=True, help="Exit when no file is queued.")
@click.pass_context
def worker(ctx, until_empty):
    """Process uploaded files from the jobs queue (when `serve --no-worker` does not)."""
    from .jobs import Worker
    w = Worker(_kb(ctx))
    requeued = w.queue.requeue_abandoned()
    if requeued:
        click.echo(f"{requeued} file(s) left running by a stopped worker queued again")
    try:
        n = w.run(until_empty=until_empty)
    except KeyboardInterrupt:
        click.echo("Stopped; a file in progress is queued again at the next start", err=True)
        ctx.exit(130)
    click.echo(f"Processed {n} file(s)")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="CSV for Swedish Excel (UTF-8 with BOM, ';') or JSON.")
@click.option("--year", help="Only mentions of this year.")
@click.option("--district", help="Only mentions of this district (stadsdel).")
@click.option("--category", help="Only mentions of this category.")
@click.option("--status", help="Only mentions with this status.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file (default: standard output).")
@click.pass_context
def export(ctx, fmt, year, district, category, status, output):
    """Export projects and their mentions for the yearly redovisning."""
    from .catalog import Catalog
    from .export import ExportFilter, FilterError, mention_rows, to_csv, to_json
    try:
        flt = ExportFilter.parse(year, district, category, status)
    except FilterError as exc:
        _fail(ctx, exc.message_sv)
    catalog = Catalog(ctx.obj["config"].catalog_path)
    try:
        rows = mention_rows(catalog, flt)
    finally:
        catalog.close()
    data = to_csv(rows) if fmt == "csv" else (
        json.dumps(to_json(rows, flt), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if output:
        output.write_bytes(data)
        click.echo(f"{len({r['project_id'] for r in rows})} projects, {len(rows)} mentions "
                   f"written to {output}", err=True)
    else:
        click.echo(data, nl=False)


@main.group()
def trash():
    """Originals of deleted and replaced documents, kept until purged."""


@trash.command("list")
@click.pass_context
def trash_list(ctx):
    """List the originals in the trash."""
    items = _kb(ctx).trash.list()
    for t in items:
        click.echo(f"{t.deleted_at}  {t.sha256[:12]}  {t.size:>10}  {t.info.get('reason', '')}"
                   f"  {t.info.get('filename', '')}  (by {t.info.get('deleted_by') or '?'})")
    click.echo(f"{len(items)} original(s) in the trash")


@trash.command("purge")
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), default=None,
              help="Only originals deleted more than this many days ago.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def trash_purge(ctx, older_than, yes):
    """Delete originals in the trash for good (and the corrections only they had)."""
    kb = _kb(ctx)
    if not yes:
        click.confirm(f"Delete {len(kb.trash.list())} original(s) in the trash for good?",
                      abort=True)
    purged = kb.purge_trash(older_than)
    click.echo(f"{len(purged)} original(s) purged")


if __name__ == "__main__":
    main()
