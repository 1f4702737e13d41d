"""Run the benchmarks and print the table (markdown).

    python -m bench.run                 # the studio of issue 7, SQLite and PostgreSQL (~8 min)
    python -m bench.run --short         # a tiny studio, a few runs: keeps the code working (CI)
    python -m bench.run --backend sqlite --profile

Every figure is compared with a baseline measured in the same run on the same
database; bench/README.md says what each one covers. PostgreSQL is the server at
TRAINERY_BENCH_POSTGRES_URL (default: 127.0.0.1:5432, user postgres), where the run
creates and finally drops databases of its own, `trainery_bench_<pid>_<years>y`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time as clock
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import burst, generate, measure

POSTGRES_URL = os.environ.get("TRAINERY_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Options:
    short: bool = False
    backends: tuple[str, ...] = BACKENDS
    runs: int = 200
    listings: int = 1_000  # for the memory figure
    years: tuple[int, int, int] = (1, 5, 10)  # short, main, long history
    profile: bool = False
    keep: bool = False
    burst_only: bool = False  # only the main studio and only the burst (a quicker run while tuning it)
    # The burst (bench/burst.py): members sending /book, trainers /sessions week, within
    # one second; `pairs` members also send /my right after (a chat's order is checked).
    burst_members: int = 300
    burst_trainers: int = 30
    burst_pairs: int = 0
    latency: tuple[float, float] = burst.LATENCY
    workdir: Path | None = None
    postgres_url: str = POSTGRES_URL  # a server connection; only trainery_bench_* databases are made

    @classmethod
    def short_form(cls, **changes: Any) -> Options:
        defaults = {"short": True, "runs": 5, "listings": 10, "years": (1, 2, 3), "latency": (0.005, 0.015),
                    "burst_pairs": 10}
        return cls(**{**defaults, **changes})


@dataclass
class BackendReport:
    backend: str
    load_seconds: dict[int, float] = field(default_factory=dict)
    listing: measure.ListingFigures | None = None  # main studio
    short_history: measure.ListingFigures | None = None
    long_history: measure.ListingFigures | None = None
    memory: measure.MemoryFigures | None = None
    changes: measure.ChangeFigures | None = None
    burst: burst.BurstFigures | None = None
    invariants: dict[str, int] = field(default_factory=dict)  # after the changes: all 0
    profiles: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    options: Options
    studios: dict[int, generate.Studio] = field(default_factory=dict)
    backends: dict[str, BackendReport] = field(default_factory=dict)
    seconds: float = 0.0


async def run(options: Options) -> Report:
    started = clock.perf_counter()
    report = Report(options)
    scale = generate.TINY_SCALE if options.short else generate.STUDIO_SCALE
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="trainery-bench-"))
    urls: dict[tuple[str, int], str] = {}
    loaded = options.years[1:2] if options.burst_only else options.years
    pg_names = [f"trainery_bench_{os.getpid()}_{years}y" for years in loaded]
    try:
        for years in loaded:
            studio = generate.build_studio(years, scale)
            report.studios[years] = studio
            for backend in options.backends:
                url = await _database(backend, years, workdir, options.postgres_url)
                urls[backend, years] = url
                _progress(f"loading the {years}-year studio into {NAMES[backend]}")
                report.backends.setdefault(backend, BackendReport(backend)).load_seconds[years] = await generate.load(
                    url, studio
                )
            studio.drop_rows()
            gc.collect()
        short, main, long = options.years
        for backend in options.backends:
            section = report.backends[backend]
            if options.burst_only:
                section.burst = await _burst(options, urls[backend, main], report.studios[main])
                continue
            _progress(f"{NAMES[backend]}: listings")
            section.listing = await measure.listing_figures(urls[backend, main], report.studios[main], options.runs)
            section.short_history = await measure.listing_figures(
                urls[backend, short], report.studios[short], options.runs, baselines=False
            )
            section.long_history = await measure.listing_figures(
                urls[backend, long], report.studios[long], options.runs, baselines=False
            )
            if options.profile:
                section.profiles["listing"] = await profile_listing(urls[backend, main], report.studios[main])
            _progress(f"{NAMES[backend]}: memory of the bot process over {options.listings} listings")
            try:
                section.memory = await asyncio.to_thread(
                    measure.memory_figures, urls[backend, main], report.studios[main], options.listings
                )
            except Exception as error:  # the other figures still count; the table says it failed
                _progress(f"{NAMES[backend]}: the memory figure failed: {error!r}")
            section.burst = await _burst(options, urls[backend, main], report.studios[main])
            _progress(f"{NAMES[backend]}: override and cancel of {scale.big_bookings}-booking sessions")
            if options.profile:
                section.profiles["override"] = await profile_override(urls[backend, main], report.studios[main])
            section.changes = await measure.change_figures(urls[backend, main], report.studios[main])
            section.invariants = await generate.check(urls[backend, main])
    finally:
        if not options.keep:
            if "postgresql" in options.backends:
                for name in pg_names:
                    await generate.drop_postgres_database(options.postgres_url, name)
            if options.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
    report.seconds = clock.perf_counter() - started
    return report


async def _database(backend: str, years: int, workdir: Path, postgres_url: str) -> str:
    if backend == "sqlite":
        path = workdir / f"studio_{years}y.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    return await generate.recreate_postgres_database(postgres_url, f"trainery_bench_{os.getpid()}_{years}y")


def _progress(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


# -- profiles (--profile) ----------------------------------------------------------

async def profile_listing(url: str, studio: generate.Studio, runs: int = 30) -> str:
    from domain.sessions.listing import sessions_screen
    from storage.database import create_engine, create_sessionmaker

    engine = create_engine(url)
    domain = measure.fixed_studio(create_sessionmaker(engine))

    async def listing() -> None:
        for _ in range(runs):
            await sessions_screen(domain, studio.trainer_id, measure.WEEK)

    try:
        await listing()  # warm
        return await _profiled(listing)
    finally:
        await engine.dispose()


async def profile_override(url: str, studio: generate.Studio) -> str:
    """Profiles the override of the last 1,000-booking session (which the timed runs
    then skip: it is already overridden), on a copy of the keys."""
    from datetime import timedelta

    from domain.override import OverrideRequest
    from domain.sessions.override import save_override
    from storage.database import create_engine, create_sessionmaker

    key = studio.big_keys.pop()
    engine = create_engine(url)
    domain = measure.fixed_studio(create_sessionmaker(engine))
    request = OverrideRequest(start=key.original_start + timedelta(hours=2), cancel_bookings=True)
    try:
        return await _profiled(lambda: save_override(domain, studio.trainer_id, key, request, confirmed=True))
    finally:
        await engine.dispose()


async def _profiled(action: Any) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:  # pyinstrument is not a dependency; fall back on cProfile
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        await action()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"(domain|storage|bot)/", 30)
        return out.getvalue()
    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    await action()
    profiler.stop()
    return profiler.output_text(unicode=False, show_all=False)


async def _burst(options: Options, url: str, studio: generate.Studio) -> burst.BurstFigures:
    _progress(f"{url.split(':')[0]}: a burst of {options.burst_members + options.burst_trainers} updates, "
              "one at a time and at once")
    return await asyncio.to_thread(
        burst.burst_figures, url, studio, members=options.burst_members, trainers=options.burst_trainers,
        pairs=options.burst_pairs, latency=options.latency,
    )


# -- the table ------------------------------------------------------------------------

def ms(samples: measure.Samples | None) -> str:
    if samples is None:
        return "–"
    return f"{samples.p50 * 1000:.1f} / {samples.p95 * 1000:.1f}"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def verdict(value: float, target: float) -> str:
    return "✅" if value <= target else "❌"


def table(report: Report) -> str:
    options = report.options
    sections = [report.backends[b] for b in options.backends]
    short, main, long = options.years
    studio = report.studios[main]
    big = studio.scale.big_bookings
    header = "| figure | " + " | ".join(NAMES[s.backend] for s in sections) + " | target |"
    lines = [header, "|---|" + "---|" * len(sections) + "---|"]

    def row(name: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    row(f"`/sessions week` round trip, p50 / p95 ms ({options.runs} runs, {main} y)",
        [ms(s.listing.round_trip) for s in sections if s.listing])
    row("raw SQL query for the same rows, p50 / p95 ms", [ms(s.listing.raw) for s in sections if s.listing])
    row("bare `sendMessage` of the same reply to the fake, p50 / p95 ms",
        [ms(s.listing.transport) for s in sections if s.listing])
    row("floor: raw query + bare `sendMessage`, run by run, p50 / p95 ms",
        [ms(s.listing.floor) for s in sections if s.listing])
    cells = []
    for s in sections:
        assert s.listing and s.listing.floor and s.listing.raw
        value = s.listing.round_trip.p95 / s.listing.floor.p95
        cells.append(f"**{value:.2f}×** {verdict(value, 3)} (p50 {ratio(s.listing.round_trip.p50, s.listing.floor.p50)};"
                     f" ÷ raw query alone {ratio(s.listing.round_trip.p95, s.listing.raw.p95)})")
    row("**round trip ÷ floor, p95**", cells, "≤ 3×")
    row("… domain listing (`sessions_screen`, one unit of work, from the memo), p50 / p95 ms",
        [ms(s.listing.domain) for s in sections if s.listing])
    row("… round trip right after a change (memo of reads emptied), p50 / p95 ms",
        [ms(s.listing.cold) for s in sections if s.listing])
    cells = []
    for s in sections:
        assert s.short_history and s.long_history
        value = s.long_history.round_trip.p50 / s.short_history.round_trip.p50
        domain = s.long_history.domain.p50 / s.short_history.domain.p50
        cells.append(f"**{value:.2f}×** {verdict(value, 1.2)} (domain {domain:.2f}×)")
    row(f"**history: round trip p50, {long} y ÷ {short} y**", cells, "≤ 1.2×")
    row(f"… round trip p50 / p95 ms at {short} y", [ms(s.short_history.round_trip) for s in sections if s.short_history])
    row(f"… round trip p50 / p95 ms at {long} y", [ms(s.long_history.round_trip) for s in sections if s.long_history])
    cells = []
    for s in sections:
        assert s.changes
        value = statistics.median(s.changes.override)
        cells.append(f"**{value:.3f}**" + (f" {verdict(value, 0.2)}" if s.backend == "sqlite" else ""))
    row(f"**override, {big} bookings cancelled, s** (median of {len(sections[0].changes.override)})", cells,
        "≤ 0.2 s on SQLite")
    cells = []
    for s in sections:
        assert s.changes
        value = statistics.median(s.changes.cancel)
        cells.append(f"**{value:.3f}**" + (f" {verdict(value, 0.2)}" if s.backend == "sqlite" else ""))
    row(f"**cancel, {big} bookings, s** (median of {len(sections[0].changes.cancel)})", cells, "≤ 0.2 s on SQLite")
    rows_inserted = sections[0].changes.rows_inserted if sections[0].changes else 0
    row(f"baseline: insert {rows_inserted:,} rows in one transaction, s (median)",
        [f"{statistics.median(s.changes.inserts):.3f}" for s in sections if s.changes])
    row("override ÷ baseline · cancel ÷ baseline",
        [f"{ratio(statistics.median(s.changes.override), statistics.median(s.changes.inserts))} · "
         f"{ratio(statistics.median(s.changes.cancel), statistics.median(s.changes.inserts))}"
         for s in sections if s.changes])
    burst_rows(sections, row)
    cells = []
    for s in sections:
        if s.memory is None:
            cells.append("failed (see stderr)")
            continue
        cells.append(f"{s.memory.after_start_mb:.0f} → **{s.memory.after_listings_mb:.0f}** "
                     f"{verdict(s.memory.after_listings_mb, 150)} (peak {s.memory.peak_mb:.0f})")
    listings = sections[0].memory.listings if sections[0].memory else 0
    row(f"**bot process RSS, MB: after start → after {listings:,} listings** ({main} y)", cells, "≤ 150 MB")
    return "\n".join(lines)


def burst_table(report: Report) -> str:
    sections = [report.backends[b] for b in report.options.backends]
    lines = ["| figure | " + " | ".join(NAMES[s.backend] for s in sections) + " | target |",
             "|---|" + "---|" * len(sections) + "---|"]

    def row(name: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    burst_rows(sections, row)
    return "\n".join(lines)


def burst_rows(sections: list[BackendReport], row: Any) -> None:
    figures = [s.burst for s in sections]
    if not all(figures):
        return
    first = figures[0]
    assert first is not None
    low, high = (round(x * 1000) for x in first.latency)
    what = f"{first.members} × `/book` + {first.trainers} × `/sessions week`" + (
        f" + {first.pairs} × `/my`" if first.pairs else "")
    row(f"**burst**: {what} within 1 s, Bot API latency {low}–{high} ms; throughput, updates/s: "
        f"one at a time → {first.concurrent.concurrency} at once",
        [f"{b.serial.throughput:.1f} → {b.concurrent.throughput:.1f}" for b in figures if b])
    cells = []
    for s, b in zip(sections, figures):
        assert b is not None
        value = b.concurrent.throughput / b.serial.throughput if b.serial.throughput else 0.0
        cells.append(f"**{value:.1f}×**" + (f" {verdict(-value, -2)}" if s.backend == "postgresql" else ""))
    row("**burst throughput, at once ÷ one at a time**", cells, "≥ 2× on PostgreSQL")
    row("… time to reply, one at a time, p50 / p95 s",
        [f"{b.serial.to_reply.p50:.2f} / {b.serial.to_reply.p95:.2f}" for b in figures if b])
    row(f"**… time to reply, {first.concurrent.concurrency} at once, p50 / p95 s**",
        [f"{b.concurrent.to_reply.p50:.2f} / **{b.concurrent.to_reply.p95:.2f}** "
         f"{verdict(b.concurrent.to_reply.p95, 1.5)}" for b in figures if b], "p95 ≤ 1.5 s")
    row(f"… bot process CPU per update, ms: one at a time · {first.concurrent.concurrency} at once",
        [f"{b.serial.cpu_ms_per_update:.1f} · {b.concurrent.cpu_ms_per_update:.1f}" for b in figures if b])
    row("… host speed: 10 million Python additions, CPU s (lower is faster; compare runs of different hosts by it)",
        [f"{b.host_seconds:.2f}" for b in figures if b])
    row("… bot process RSS after the burst (peak), MB: one at a time · at once",
        [f"{b.serial.rss_mb:.0f} ({b.serial.peak_mb:.0f}) · {b.concurrent.rss_mb:.0f} "
         f"(**{b.concurrent.peak_mb:.0f}**) {verdict(max(b.serial.peak_mb, b.concurrent.peak_mb), 150)}"
         for b in figures if b], "≤ 150 MB")
    row("… every update answered once, each chat's in order; error lines in the bot's log",
        [" · ".join(f"{r.unanswered} unanswered, {r.extra} twice, {r.out_of_order} out of order, "
                    f"{len(r.trouble)} errors" for r in (b.serial, b.concurrent)) for b in figures if b],
        "0 everywhere")


def studio_table(report: Report) -> str:
    years = report.options.years
    lines = ["| rows | " + " | ".join(f"{y} y" for y in years) + " |", "|---|" + "---|" * len(years)]
    tables = [t for t, n in report.studios[years[-1]].counts.items() if n]
    for name in tables:
        lines.append(f"| {name} | " + " | ".join(f"{report.studios[y].counts.get(name, 0):,}" for y in years) + " |")
    lines.append("| seconds to compute the rows | " + " | ".join(f"{report.studios[y].seconds:.1f}" for y in years) + " |")
    for backend, section in report.backends.items():
        lines.append(f"| seconds to insert them, {NAMES[backend]} | "
                     + " | ".join(f"{section.load_seconds.get(y, 0):.1f}" for y in years) + " |")
    return "\n".join(lines)


def render(report: Report) -> str:
    options = report.options
    main = options.years[1]
    week = measure.WEEK
    listing = next(iter(report.backends.values())).listing
    if options.burst_only:
        return "\n".join([f"## Burst only (studio scale, {main} y; {report.seconds:.0f} s)", "", burst_table(report)])
    parts = [
        f"## Benchmarks ({'short form' if options.short else 'studio scale'}; {report.seconds:.0f} s)",
        "",
        f"Studio clock {generate.NOW:%Y-%m-%d %H:%M} UTC; the week listed is {week.first} – {week.last} "
        f"(Europe/Berlin): {listing.occurrences if listing else 0} occurrences, "
        f"{listing.rows if listing else 0} rows from the raw query.",
        "",
        table(report),
        "",
        studio_table(report),
    ]
    broken = {b: {k: v for k, v in s.invariants.items() if v} for b, s in report.backends.items()}
    if any(broken.values()):
        parts += ["", f"**Invariants broken after the changes:** {broken}"]
    for backend, section in report.backends.items():
        for name, text in section.profiles.items():
            parts += ["", f"### Profile: {name} on {NAMES[backend]} ({main} y)", "", "```", text.strip(), "```"]
    return "\n".join(parts)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a tiny studio and a few runs (CI)")
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="only this backend (repeatable)")
    parser.add_argument("--runs", type=int, help="runs per listing figure (default 200; short 5)")
    parser.add_argument("--listings", type=int, help="listings sent to the bot process (default 1000; short 10)")
    parser.add_argument("--profile", action="store_true", help="also print profiles of the listing and override")
    parser.add_argument("--keep", action="store_true", help="keep the databases (printed on stderr)")
    parser.add_argument("--burst-only", action="store_true", help="only the main studio and only the burst")
    args = parser.parse_args(argv)
    options = Options.short_form() if args.short else Options()
    if args.backend:
        options.backends = tuple(b for b in BACKENDS if b in args.backend)
    if args.runs:
        options.runs = args.runs
    if args.listings:
        options.listings = args.listings
    options.profile = args.profile
    options.keep = args.keep
    options.burst_only = args.burst_only
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.keep:
        options.workdir = Path(tempfile.mkdtemp(prefix="trainery-bench-"))
        _progress(f"keeping the SQLite files in {options.workdir} and the PostgreSQL databases")
    report = asyncio.run(run(options))
    print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
