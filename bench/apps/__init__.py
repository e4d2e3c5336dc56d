"""Each app's benchmarks: ``bench/apps/<app>.py`` with ``section(ctx) -> (rows, notes)`` and the
worker functions it runs through ``common.run_worker("<app>:<function>", url, payload)``.
``bench/run.py`` discovers the modules here; ``make bench BENCH_ARGS="--only <app>"`` runs one."""
