"""Search benchmark on a synthetic archive: indexing speed, memory, index size and query latency.

For each size, a Whoosh index is built in a temporary directory through the project's own
interface (`index.SearchIndex`), from `bench/synthetic_archive.py` documents:
- by default with `SearchIndex.rebuild(docs)`, the bulk path `kunskapsbank reindex` uses (one
  writer, documents streamed from a generator); `--mode add` calls `add()` in chunks of
  `--chunk` documents instead, one commit each, as ingest batches do.
- the build runs in a child process, so its peak RSS is the build's own; generating the
  documents is timed apart and not counted in documents/s.

- `--keep DIR` keeps the index and texts in DIR/<n>/ and, when a finished build of the same
  size, seed and schema is there, reuses it: query latency can be re-measured without
  rebuilding (the build figures printed are then the stored ones of that build).

Then, in this process, over a fixed random set of queries (single common words, two-word
queries, rare words, a dnr, a project name), after a warm-up, latency p50/p95 of
  (a) bare top-10: `search(q, page_size=10, facets=False)` without `text_for` (the hits and
      the total; no facets, no highlights);
  (b) the full first results page: top-10 with facets (whatever `search` returns in
      `results.facets`) and highlights cut from the "catalog" text (`text_for` = a dict lookup);
  (c) project-name queries as full pages: the name as plain text, and `<field>:"<name>"` when
      the schema has a projects field.
Targets (issue): 10 000 docs (b) p95 <= 100 ms and <= 2x (a); 50 000 docs (b) p95 <= 300 ms.

    .venv/bin/python bench/bench_search.py [--docs 10000 50000] [--queries 200] [--profile]
        [--keep /tmp/bench_search]
os.getloadavg() is printed beside the figures: other jobs on the machine skew them.
"""
from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import marshal
import math
import multiprocessing
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_archive import SyntheticArchive, _sampler  # noqa: E402

from index import SCHEMA_VERSION, SearchIndex  # noqa: E402
from index.analysis import SWEDISH_STOPWORDS  # noqa: E402

QUERY_MIX = (("common", 0.35), ("two words", 0.25), ("rare", 0.15), ("dnr", 0.10),
             ("project", 0.15))
PROJECT_FIELDS = ("projekt", "projects", "project")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# -- building (in a child process) ---------------------------------------------------------
def _build(index_dir: str, texts_file: str, n: int, seed: int, mode: str, chunk: int,
           conn) -> None:
    try:
        archive = SyntheticArchive(seed)
        gen_seconds = gen_cpu = 0.0
        start, start_cpu = time.perf_counter(), time.process_time()
        with open(texts_file, "wb") as texts:
            def docs():
                nonlocal gen_seconds, gen_cpu
                for i in range(1, n + 1):
                    t, c = time.perf_counter(), time.process_time()
                    doc = archive.doc(i)
                    marshal.dump((doc.id, doc.text), texts)
                    gen_seconds += time.perf_counter() - t
                    gen_cpu += time.process_time() - c
                    if i % 5000 == 0:
                        print(f"  [{n}] {i} docs generated, {time.perf_counter() - start:.0f} s",
                              file=sys.stderr, flush=True)
                    yield doc

            idx = SearchIndex(Path(index_dir))
            if mode == "rebuild":
                written = idx.rebuild(docs())
            else:
                written, batch = 0, []
                for doc in docs():
                    batch.append(doc)
                    if len(batch) == chunk:
                        written += idx.add(batch)
                        batch = []
                if batch:
                    written += idx.add(batch)
            idx.close()
        total = time.perf_counter() - start
        conn.send({"written": written, "total_s": total, "gen_s": gen_seconds,
                   "index_s": total - gen_seconds, "peak_rss_mb": peak_rss_mb(),
                   "index_cpu_s": time.process_time() - start_cpu - gen_cpu})
    except BaseException as exc:  # report, don't hang the parent
        conn.send({"error": repr(exc)})
    finally:
        conn.close()


def build(index_dir: Path, texts_file: Path, n: int, seed: int, mode: str, chunk: int) -> dict:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_build, args=(str(index_dir), str(texts_file), n, seed, mode,
                                            chunk, child))
    proc.start()
    child.close()
    result = parent.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(f"index build failed: {result['error']}")
    return result


def load_texts(texts_file: Path) -> dict[int, str]:
    texts = {}
    with open(texts_file, "rb") as f:
        while True:
            try:
                doc_id, text = marshal.load(f)
            except EOFError:
                return texts
            texts[doc_id] = text


# -- queries -------------------------------------------------------------------------------
def make_queries(archive: SyntheticArchive, n_docs: int, count: int, seed: int
                 ) -> list[tuple[str, str]]:
    """A fixed random set of (kind, query) over the generated vocabulary and metadata."""
    rng = random.Random(f"queries-{seed}-{n_docs}")
    s = _sampler()

    def content(words):
        return [w for w in words if len(w) >= 4 and w.lower() not in SWEDISH_STOPWORDS
                and "-" not in w]

    common = content(s.domain[:300]) + content(s.general[:400])
    middle = content(s.domain[300:1500]) + content(s.general[1000:8000])
    rare = content(s.general[20000:])
    queries = []
    kinds = [k for k, _ in QUERY_MIX]
    weights = [w for _, w in QUERY_MIX]
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        if kind == "common":
            q = rng.choice(common)
        elif kind == "two words":
            q = f"{rng.choice(common)} {rng.choice(middle)}"
        elif kind == "rare":
            q = rng.choice(rare)
        elif kind == "dnr":
            q = archive.doc(rng.randint(1, n_docs)).dnr
        else:
            q = project_name(archive, rng, n_docs)
        queries.append((kind, q))
    return queries


def project_name(archive: SyntheticArchive, rng: random.Random, n_docs: int) -> str:
    while True:
        doc = archive.doc(rng.randint(1, n_docs))
        if doc.projects:
            return rng.choice(doc.projects)


def project_field(idx: SearchIndex) -> str | None:
    try:
        names = set(idx._ix.schema.names())
    except Exception:
        return None
    return next((f for f in PROJECT_FIELDS if f in names), None)


# -- measuring -----------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Timings(list):
    """Wall-clock ms per query; .cpu: this process's CPU ms per query (what a query costs when
    the machine is shared and busy)."""
    cpu: list[float]


def timed_pass(idx: SearchIndex, queries: list[tuple[str, str]], **kwargs
               ) -> tuple[list[float], list]:
    times, cpu, results = [], [], []
    for _, q in queries:
        t, c = time.perf_counter(), time.process_time()
        r = idx.search(q, page_size=10, **kwargs)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        results.append(r)
    times = Timings(times)
    times.cpu = cpu
    return times, results



def load(avg=None) -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in (avg or os.getloadavg()))


def run_size(n: int, args) -> dict:
    if args.keep:
        work = Path(args.keep) / str(n)
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix=f"bench_search_{n}_", dir=args.tmpdir))
    index_dir, texts_file = work / "index", work / "texts.marshal"
    stamp = work / "build.json"
    wanted = {"n": n, "seed": args.seed, "mode": args.mode, "schema": SCHEMA_VERSION}
    try:
        kept = json.loads(stamp.read_text()) if stamp.exists() else {}
        if kept.get("key") == wanted and index_dir.exists() and texts_file.exists():
            b = kept["build"]
            print(f"reusing the {n}-doc index built in {work}", file=sys.stderr, flush=True)
        else:
            stamp.unlink(missing_ok=True)
            print(f"building {n} docs ({args.mode}) in {work} …", file=sys.stderr, flush=True)
            b = build(index_dir, texts_file, n, args.seed, args.mode, args.chunk)
            b["reused"] = False
            b["load_during_build"] = load()
            if args.keep:
                stamp.write_text(json.dumps({"key": wanted, "build": dict(b, reused=True)}))
        size = dir_size_mb(index_dir)
        from whoosh import index as whoosh_index
        segments = len(whoosh_index.open_dir(str(index_dir))._segments())

        archive = SyntheticArchive(args.seed)
        queries = make_queries(archive, n, args.queries, args.seed)
        warmup = make_queries(archive, n, 20, args.seed + 1000)
        rss0 = rss_mb()
        idx = SearchIndex(index_dir)
        params = inspect.signature(idx.search).parameters
        bare = {"facets": False} if "facets" in params else {}
        t = time.perf_counter()
        idx.search("förvaltning", page_size=10)  # the first query builds the per-searcher tables
        first_ms = (time.perf_counter() - t) * 1000
        for _, q in warmup:
            idx.search(q, page_size=10, **bare)
        load_a = os.getloadavg()
        t_a, res_a = timed_pass(idx, queries, **bare)
        rss_search = rss_mb() - rss0

        texts = load_texts(texts_file)
        text_for = texts.__getitem__
        for _, q in warmup:
            idx.search(q, page_size=10, text_for=text_for)
        load_b = os.getloadavg()
        t_b, res_b = timed_pass(idx, queries, text_for=text_for)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:  # a separate, untimed pass: cProfile roughly doubles the latencies
            profiler.enable()
            timed_pass(idx, queries, text_for=text_for)
            profiler.disable()

        prng = random.Random(f"projects-{args.seed}-{n}")
        names = [project_name(archive, prng, n) for _ in range(args.project_queries)]
        field = project_field(idx)
        t_c_plain, res_c = timed_pass(idx, [("project", nm) for nm in names], text_for=text_for)
        t_c_field = None
        if field:
            t_c_field, _ = timed_pass(idx, [("project", f'{field}:"{nm}"') for nm in names],
                                      text_for=text_for)
        facets = sorted({k for r in res_b for k in (getattr(r, "facets", None) or {})})
        out = {
            "n": n, "build": b, "size_mb": size, "segments": segments, "first_ms": first_ms,
            "bare": bare, "load_a": load(load_a), "load_b": load(load_b), "load_end": load(),
            "rss_search_mb": rss_search, "queries": queries, "t_a": t_a, "t_b": t_b,
            "t_c_plain": t_c_plain, "t_c_field": t_c_field, "field": field, "facets": facets,
            "hits_zero": sum(1 for r in res_a if r.total == 0),
            "median_total": percentile([r.total for r in res_a], 50),
            "search_params": [p for p in params if p != "query"],
            "project_found": sum(1 for nm, r in zip(names, res_c)
                                 if any(h.title and nm in h.title for h in r.hits) or r.total),
        }
        if profiler:
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(30)
            out["profile"] = buf.getvalue()
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(15)
            out["profile_tottime"] = buf.getvalue()
        idx.close()
        return out
    finally:
        if not args.keep and not args.keep_tmp:
            shutil.rmtree(work, ignore_errors=True)


def report(r: dict) -> None:
    n, b = r["n"], r["build"]
    print(f"\n== {n} documents ==")
    print(f"indexing{' (stored figures of the reused build)' if b.get('reused') else ''}: "
          f"{b['written']} docs in {b['index_s']:.0f} s of indexing "
          f"({b['written'] / b['index_s']:.0f} docs/s by the clock; generating took another "
          f"{b['gen_s']:.0f} s"
          + (f"; {b['written'] / b['index_cpu_s']:.0f} docs per CPU second of indexing"
             if b.get("index_cpu_s") else "")
          + f"); build peak RSS {b['peak_rss_mb']:.0f} MB; "
          f"index {r['size_mb']:.0f} MB on disk in {r['segments']} segment(s); "
          f"{b.get('load_during_build', '')} at the build's end")
    print(f"search(): parameters {r['search_params']}; facets returned: "
          f"{r['facets'] or 'none (this search() returns no facets)'}; "
          f"projects field: {r['field'] or 'none (plain-text name only)'}")
    print(f"search process: +{r['rss_search_mb']:.0f} MB RSS after opening the index and "
          f"the (a) pass; first query (builds per-searcher tables) {r['first_ms']:.0f} ms; "
          f"{r['hits_zero']} of {len(r['queries'])} queries found nothing; "
          f"median hits {r['median_total']}")
    print(f"(a) is search(q, page_size=10{', facets=False' if r['bare'] else ''}); "
          f"{r['load_a']} before (a), {r['load_b']} before (b), {r['load_end']} at the end")
    rows = [("(a) bare top-10", r["t_a"]), ("(b) full page: facets + highlights", r["t_b"]),
            ("(c) project name as text, full page", r["t_c_plain"])]
    if r["t_c_field"]:
        rows.append((f"(c) {r['field']}:\"name\", full page", r["t_c_field"]))
    print(f"{'':40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}"
          f" | CPU {'p50':>6} {'p95':>6}")
    for label, t in rows:
        print(f"{label:40} {len(t):4} {percentile(t, 50):8.1f} {percentile(t, 95):8.1f} "
              f"{sum(t) / len(t):8.1f} {max(t):8.1f} |     {percentile(t.cpu, 50):6.1f} "
              f"{percentile(t.cpu, 95):6.1f}")
    a50, a95 = percentile(r["t_a"], 50), percentile(r["t_a"], 95)
    b50, b95 = percentile(r["t_b"], 50), percentile(r["t_b"], 95)
    print(f"ratio (b)/(a): p50 {b50 / a50:.1f}x, p95 {b95 / a95:.1f}x (wall); CPU p95 "
          f"{percentile(r['t_b'].cpu, 95) / percentile(r['t_a'].cpu, 95):.1f}x")
    target = 100 if n <= 10_000 else 300
    verdict = [f"(b) p95 {b95:.0f} ms {'<=' if b95 <= target else '>'} {target} ms"]
    if n <= 10_000:
        verdict.append(f"(b)/(a) p95 {b95 / a95:.1f}x {'<=' if b95 <= 2 * a95 else '>'} 2x")
    print("targets: " + "; ".join(verdict))
    print("by query kind (p50 / p95 ms):")
    kinds = [k for k, _ in {k: 0 for k, _ in r["queries"]}.items()]
    for kind in kinds:
        ia = [t for (k, _), t in zip(r["queries"], r["t_a"]) if k == kind]
        ib = [t for (k, _), t in zip(r["queries"], r["t_b"]) if k == kind]
        print(f"  {kind:10} n={len(ia):3}  (a) {percentile(ia, 50):6.1f} / {percentile(ia, 95):6.1f}"
              f"   (b) {percentile(ib, 50):6.1f} / {percentile(ib, 95):6.1f}")
    if "profile" in r:
        print("\ncProfile of an extra (b) pass (not the timed one), by cumulative time:")
        print(r["profile"])
        print("by own time:")
        print(r["profile_tottime"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--project-queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("rebuild", "add"), default="rebuild")
    parser.add_argument("--chunk", type=int, default=1000, help="documents per add() (--mode add)")
    parser.add_argument("--tmpdir", help="where the temporary index goes (default: $TMPDIR)")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep index and texts in DIR/<n>/ and reuse them when there")
    parser.add_argument("--keep-tmp", action="store_true",
                        help="do not delete the temporary directory (without --keep)")
    parser.add_argument("--profile", action="store_true", help="cProfile an extra, untimed (b) pass")
    args = parser.parse_args()
    print(f"bench_search: {' '.join(sys.argv[1:]) or '(defaults)'}; {os.cpu_count()} CPUs; "
          f"python {sys.version.split()[0]}", flush=True)
    for n in args.docs:
        report(run_size(n, args))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
