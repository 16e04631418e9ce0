"""`python -m bench.scale`: is a collective with a million transfers as fast as a new one? (issue 15)

For each size N (default 1,000 and 1,000,000; `--small` for 1,000 and 20,000): a fresh PostgreSQL database
`scale_bench_<N>`, migrated, the demo seeded, one collective grown to N transfers by set-based SQL
(`grow.py`), cached totals (and rollups, when the ledger has them) recomputed, `check-ledger` clean,
VACUUM ANALYZE. Then it is served by gunicorn (one sync worker) and each endpoint of the issue's table
is requested 30 times warm; the median is printed at both sizes with their ratio. The exports are
downloaded whole, their rows/s printed beside what `COPY (the same query) TO STDOUT` reaches on the same
database, with the peak memory (VmHWM) of the worker that streamed them.
"""
