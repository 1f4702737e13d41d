"""The benchmarks' short form (bench/): a tiny studio, a few runs, both databases.
It keeps the benchmark code working; it asserts rows and invariants, never speed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bench import generate
from bench.run import Options, render, run
from storage.database import create_engine
from storage.models import Base
from tests.conftest import POSTGRES_URL


async def test_the_generator_keeps_the_invariants_and_inserts_every_row(tmp_path: Path) -> None:
    studio = generate.build_studio(2, generate.TINY_SCALE)
    assert generate.check_original_starts(studio) == 0
    url = f"sqlite+aiosqlite:///{tmp_path / 'tiny.sqlite3'}"
    await generate.load(url, studio)

    engine = create_engine(url)
    async with engine.connect() as connection:
        stored = {
            table.name: (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in Base.metadata.sorted_tables
        }
    await engine.dispose()
    assert stored == {name: studio.counts.get(name, 0) for name in stored}
    assert studio.counts["bookings"] > 1_000 and studio.counts["occurrences"] > 100
    assert len(studio.big_keys) == 2 and len(studio.bootcamp_passes) == generate.TINY_SCALE.big_bookings
    assert all(value == 0 for value in (await generate.check(url)).values())


async def test_the_same_seed_gives_the_same_studio_and_the_current_weeks_do_not_depend_on_history() -> None:
    one, again = generate.build_studio(1, generate.TINY_SCALE), generate.build_studio(1, generate.TINY_SCALE)
    assert one.rows == again.rows

    def upcoming(studio: generate.Studio) -> list[tuple[object, ...]]:
        return sorted(
            (row["schedule_id"], row["original_start"], row["start"], row["capacity"], row["cancelled_at"])
            for row in studio.rows["occurrences"]
            if row["original_start"] >= generate.WEEK_START
        )

    assert upcoming(one) == upcoming(generate.build_studio(3, generate.TINY_SCALE))


async def test_the_short_form_runs_on_both_databases_and_prints_the_table() -> None:
    options = Options.short_form(runs=3, listings=5, postgres_url=POSTGRES_URL)
    report = await run(options)

    for backend in ("sqlite", "postgresql"):
        section = report.backends[backend]
        assert section.listing is not None and section.listing.occurrences > 0
        assert section.listing.raw is not None and section.listing.rows > 0
        assert len(section.listing.round_trip.seconds) == 3
        assert section.changes is not None and section.changes.override and section.changes.cancel
        assert section.changes.rows_inserted == 3 * generate.TINY_SCALE.big_bookings
        assert section.memory is not None and section.memory.after_listings_mb > 0
        assert all(value == 0 for value in section.invariants.values()), section.invariants
        assert section.listing.cold is not None and len(section.listing.cold.seconds) == 3
        burst = section.burst  # issue 15: counts and invariants only, never times
        assert burst is not None and (burst.members, burst.trainers, burst.pairs) == (60, 3, 10)
        for run_ in (burst.serial, burst.concurrent):
            assert run_.updates == 73 and len(run_.to_reply.seconds) == 73, "every update was answered"
            assert (run_.unanswered, run_.extra, run_.out_of_order, run_.trouble) == (0, 0, 0, [])
            assert run_.cpu_seconds > 0, "the bot's CPU over the burst was read"
        assert (burst.serial.concurrency, burst.concurrent.concurrency) == (1, 32)
        assert burst.host_seconds > 0
    text = render(report)
    assert "| figure | SQLite | PostgreSQL | target |" in text and "round trip ÷ floor" in text
    assert "burst throughput" in text and "CPU per update" in text and "host speed" in text


async def test_the_persistence_bench_runs_and_stores_steps(tmp_path: Path) -> None:
    from bench.persistence import measure

    figures = await measure(f"sqlite+aiosqlite:///{tmp_path / 'persist.sqlite3'}", steps=8)
    assert set(figures) == {"baseline", "stored", "baseline2", "stored2", "write", "idle"}
