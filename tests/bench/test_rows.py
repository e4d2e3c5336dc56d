"""The bench's rows say "met" only for what they measured (issue 17.3): a query count equal at 10 and
100 rows proves nothing when the list held no rows. No database: the worker's answer is given."""

from __future__ import annotations

import pytest

from bench import common, run


@pytest.mark.parametrize(
    ("counts", "met", "note"),
    [
        ({"10": 7, "100": 7, "rows10": 10, "rows100": 100}, True, False),
        ({"10": 7, "100": 9, "rows10": 10, "rows100": 100}, False, False),
        ({"10": 5, "100": 5, "rows10": 0, "rows100": 0}, False, True),  # the same count, but of nothing
        ({"10": 5, "100": 5, "rows10": 10, "rows100": 40}, False, True),  # not 100 rows to show
    ],
)
def test_query_count_rows_are_met_only_on_full_pages(monkeypatch, counts, met, note):
    monkeypatch.setattr(
        common, "run_worker", lambda name, url, payload: {"pages": {"admin quiz.Attempt": counts}}
    )

    rows, notes = run.bench_queries("postgres://bench")

    assert [(row.benchmark, row.met) for row in rows] == [("queries: admin quiz.Attempt", met)]
    assert bool([n for n in notes if n.startswith("admin quiz.Attempt: not met for want of data")]) is note
