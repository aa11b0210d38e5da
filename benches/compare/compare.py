#!/usr/bin/env python3
"""Side-by-side timing of the notebook's twelve chart queries: flowcube, DuckDB, Polars.

Every engine answers the same twelve queries on the same folder of room CSV files, with
the totals flowcube returns: a query with totals returns every depth of every hierarchy
it crosses (GROUPING SETS in DuckDB, concatenated group-bys in Polars). The peers get the
best representation we know for them: Room and MacAddress categorical (ENUM in DuckDB),
Day and Hour precomputed as small integers (Hour printed as "08" only when answers are
compared, outside the timed part), 2 threads each.

Before timing, the peers' answers are compared row by row with the reference answers of the
golden folder (tests/golden/default/expected.json, which flowcube's golden test matches),
and with flowcube's row counts and grand totals there; after timing, the three engines'
row counts and grand totals on the benchmark folder must agree too.

Usage (from the repository root):

    python3 -m venv .venv && .venv/bin/pip install -r benches/compare/requirements.txt
    cargo build --release -p flowcube-cli
    .venv/bin/python benches/compare/compare.py target/release/flowcube --data DIR

Options: --repeat N (timed runs per query, default 10), --threads N (default 2),
--golden DIR (default tests/golden/default), --json FILE (all figures),
--markdown FILE (the tables, as in benches/README.md).
"""

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Thread counts must be set before the libraries start their pools.
THREADS_DEFAULT = 2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("flowcube", help="path of the release flowcube binary")
    parser.add_argument("--data", required=True, help="folder of room CSV files to time")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query")
    parser.add_argument("--threads", type=int, default=THREADS_DEFAULT)
    parser.add_argument("--golden", default=None, help="golden folder with expected.json")
    parser.add_argument("--json", default=None, help="write all figures to this file")
    parser.add_argument("--markdown", default=None, help="write the tables to this file")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["POLARS_MAX_THREADS"] = str(ARGS.threads)

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

# ---------------------------------------------------------------------------------------
# The twelve charts, engine-neutral.
#
# A chart crosses hierarchies, each a list of level columns down to the queried depth;
# with totals, every combination of depths (0 = total) is a grouping set. Filters apply to
# the facts before grouping, totals included.
# ---------------------------------------------------------------------------------------

DEVICE = "00:17:88:CR:PU:Y7"
WORK_HOURS = list(range(8, 19))

ROOM = ["Room"]
MAC = ["MacAddress"]
DAY_HOUR = ["Day", "Hour"]
DAY = ["Day"]
HOUR = ["Hour"]

COUNT = "contributors.COUNT"
DURATION = "EventDuration.SUM"
LOCATIONS = "#LocationsFound"
DEVICES = "#DevicesFound"
PCT_TIME = "%Time"

# (id, benchmark name, hierarchies, measures, filter)
# filter kinds: ("mac_eq", mac), ("hours", [h...]), ("not_room_hours", room, [h...]),
# ("day_hours", day, [h...]), ("multi_room_devices",), ("drill", day, hour)
CHARTS = [
    ("1", "01_count_by_room", [ROOM], [COUNT], None),
    ("2", "02_count_by_day_hour", [DAY_HOUR], [COUNT], None),
    ("3", "03_drillthrough_lull", None, None, ("drill", 4, 19)),
    ("4", "04_one_device_by_room", [MAC, ROOM], [COUNT], ("mac_eq", DEVICE)),
    ("5", "05_count_by_day_hour_room", [DAY_HOUR, ROOM], [COUNT], None),
    ("6", "06_locations_by_device_day", [MAC, DAY], [LOCATIONS], None),
    ("7", "07_multi_room_devices", [MAC, DAY], [LOCATIONS], ("multi_room_devices",)),
    ("8", "08_duration_and_locations", [MAC, DAY], [DURATION, LOCATIONS], None),
    ("9", "09_work_hours_duration", [HOUR, ROOM, DAY], [DURATION], ("hours", WORK_HOURS)),
    (
        "10",
        "10_conference_rooms_duration",
        [HOUR, ROOM, DAY],
        [DURATION],
        ("not_room_hours", "bullpen", WORK_HOURS),
    ),
    ("11", "11_devices_by_hour_room", [DAY_HOUR, ROOM], [DEVICES], ("day_hours", 4, WORK_HOURS)),
    ("12", "12_pct_time", [DAY_HOUR, ROOM], [PCT_TIME], None),
]

DRILL_COLUMNS = ["Room", "FlowId", "EventTime", "MacAddress", "EventDuration"]


def grouping_sets(hierarchies):
    """Every combination of depths: the key columns of each grouping set."""
    depths = [range(len(h) + 1) for h in hierarchies]
    return [
        [col for h, d in zip(hierarchies, combo) for col in h[:d]]
        for combo in itertools.product(*depths)
    ]


def level_columns(hierarchies):
    return [col for h in hierarchies for col in h]


# ---------------------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------------------


class DuckDbEngine:
    name = "duckdb"

    def __init__(self, threads):
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET threads = {threads}")
        self.con.execute("SET preserve_insertion_order = false")

    def load(self, folder):
        """Times read_csv alone (the comparable of flowcube's load), then prepares."""
        pattern = str(Path(folder).resolve() / "*.csv").replace("'", "''")
        start = time.perf_counter()
        self.con.execute(
            f"""
            CREATE OR REPLACE TABLE raw AS
            SELECT regexp_extract(filename, '([^/]+)\\.csv$', 1) AS Room,
                   EventKey AS FlowId, EventTime, MacAddress, EventDuration
            FROM read_csv('{pattern}', header = true, filename = true,
                          columns = {{'EventKey': 'VARCHAR', 'EventTime': 'TIMESTAMP',
                                      'MacAddress': 'VARCHAR', 'EventDuration': 'BIGINT'}})
            """
        )
        load_s = time.perf_counter() - start

        start = time.perf_counter()
        self.con.execute("DROP TABLE IF EXISTS flows")
        for kind in ("room_t", "mac_t"):
            self.con.execute(f"DROP TYPE IF EXISTS {kind}")
        self.con.execute("CREATE TYPE room_t AS ENUM (SELECT DISTINCT Room FROM raw ORDER BY 1)")
        self.con.execute(
            "CREATE TYPE mac_t AS ENUM (SELECT DISTINCT MacAddress FROM raw ORDER BY 1)"
        )
        self.con.execute(
            """
            CREATE TABLE flows AS
            SELECT Room::room_t AS Room, FlowId, EventTime, MacAddress::mac_t AS MacAddress,
                   EventDuration, day(EventTime)::UTINYINT AS Day,
                   hour(EventTime)::UTINYINT AS Hour
            FROM raw
            """
        )
        self.con.execute("DROP TABLE raw")
        prep_s = time.perf_counter() - start
        return load_s, prep_s

    def rows(self):
        return self.con.execute("SELECT count(*) FROM flows").fetchone()[0]

    def memory_bytes(self):
        row = self.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
        return int(row[0] or 0)

    @staticmethod
    def where(filter_):
        if filter_ is None:
            return ""
        kind = filter_[0]
        if kind == "mac_eq":
            return f"WHERE MacAddress = '{filter_[1]}'"
        if kind == "hours":
            return f"WHERE Hour IN ({', '.join(map(str, filter_[1]))})"
        if kind == "not_room_hours":
            hours = ", ".join(map(str, filter_[2]))
            return f"WHERE Room <> '{filter_[1]}' AND Hour IN ({hours})"
        if kind == "day_hours":
            return f"WHERE Day = {filter_[1]} AND Hour IN ({', '.join(map(str, filter_[2]))})"
        if kind == "multi_room_devices":
            return (
                "WHERE MacAddress IN (SELECT MacAddress FROM flows GROUP BY MacAddress "
                "HAVING count(DISTINCT Room) > 1)"
            )
        if kind == "drill":
            return f"WHERE Day = {filter_[1]} AND Hour = {filter_[2]}"
        raise ValueError(kind)

    def sql(self, chart):
        _, _, hierarchies, measures, filter_ = chart
        where = self.where(filter_)
        if hierarchies is None:
            return f"SELECT {', '.join(DRILL_COLUMNS)} FROM flows {where}"
        columns = level_columns(hierarchies)
        sets = ", ".join("(" + ", ".join(s) + ")" for s in grouping_sets(hierarchies))
        aggregates = {
            COUNT: "count(*)",
            DURATION: "sum(EventDuration)",
            LOCATIONS: "count(DISTINCT Room)",
            DEVICES: "count(DISTINCT MacAddress)",
        }
        if measures == [PCT_TIME]:
            # %Time = duration / duration of all rooms at the same other coordinates, which
            # is the Room-total row of the same grouping of the other levels.
            others = [c for c in columns if c != "Room"]
            flags = ", ".join(f"grouping({c}) AS g_{c}" for c in columns)
            partition = ", ".join([f"g_{c}" for c in others] + others)
            return f"""
                WITH sums AS (
                    SELECT {', '.join(columns)}, sum(EventDuration) AS d, {flags}
                    FROM flows {where} GROUP BY GROUPING SETS ({sets}))
                SELECT {', '.join(columns)},
                       d / max(CASE WHEN g_Room = 1 THEN d END)
                           OVER (PARTITION BY {partition}) AS "{PCT_TIME}"
                FROM sums
            """
        selected = ", ".join(f'{aggregates[m]} AS "{m}"' for m in measures)
        return (
            f"SELECT {', '.join(columns)}, {selected} FROM flows {where} "
            f"GROUP BY GROUPING SETS ({sets})"
        )

    def run(self, chart):
        # The answer is materialised in a temporary table, columnar and inside DuckDB like
        # flowcube's record batch: a plain execute() may stream, leaving work undone, and
        # fetching Python objects would time the conversion. answer() reads it untimed.
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE answer AS {self.sql(chart)}")

    def answer(self, chart, result):
        del result
        cursor = self.con.execute("SELECT * FROM answer")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------
# Polars
# ---------------------------------------------------------------------------------------


class PolarsEngine:
    name = "polars"

    def __init__(self, threads):
        self.threads = threads
        self.df = None

    def load(self, folder):
        """Times read_csv of every room file into one frame, then prepares."""
        files = sorted(p for p in Path(folder).glob("*.csv") if not p.name.startswith("."))
        schema = {
            "EventKey": pl.String,
            "EventTime": pl.Datetime("ns"),
            "MacAddress": pl.Categorical,
            "EventDuration": pl.Int64,
        }
        start = time.perf_counter()
        frames = [
            pl.read_csv(path, schema_overrides=schema).with_columns(
                pl.lit(path.stem).cast(pl.Categorical).alias("Room")
            )
            for path in files
        ]
        raw = pl.concat(frames, rechunk=True)
        load_s = time.perf_counter() - start

        start = time.perf_counter()
        self.df = raw.select(
            pl.col("Room"),
            pl.col("EventKey").alias("FlowId"),
            pl.col("EventTime"),
            pl.col("MacAddress"),
            pl.col("EventDuration"),
            pl.col("EventTime").dt.day().cast(pl.UInt8).alias("Day"),
            pl.col("EventTime").dt.hour().cast(pl.UInt8).alias("Hour"),
        ).rechunk()
        prep_s = time.perf_counter() - start
        return load_s, prep_s

    def rows(self):
        return self.df.height

    def memory_bytes(self):
        return int(self.df.estimated_size())

    def facts(self, filter_):
        lf = self.df.lazy()
        if filter_ is None:
            return lf
        kind = filter_[0]
        if kind == "mac_eq":
            return lf.filter(pl.col("MacAddress") == filter_[1])
        if kind == "hours":
            return lf.filter(pl.col("Hour").is_in(filter_[1]))
        if kind == "not_room_hours":
            return lf.filter((pl.col("Room") != filter_[1]) & pl.col("Hour").is_in(filter_[2]))
        if kind == "day_hours":
            return lf.filter((pl.col("Day") == filter_[1]) & pl.col("Hour").is_in(filter_[2]))
        if kind == "multi_room_devices":
            devices = (
                lf.group_by("MacAddress")
                .agg(pl.col("Room").n_unique().alias("rooms"))
                .filter(pl.col("rooms") > 1)
                .select("MacAddress")
            )
            return lf.join(devices, on="MacAddress", how="semi")
        if kind == "drill":
            return lf.filter((pl.col("Day") == filter_[1]) & (pl.col("Hour") == filter_[2]))
        raise ValueError(kind)

    def grouped(self, lf, keys, aggregates, columns):
        """One grouping set, its missing level columns null, in the chart's column order."""
        frame = lf.group_by(keys).agg(aggregates) if keys else lf.select(aggregates)
        schema = self.df.schema
        return frame.select(
            [pl.col(c) if c in keys else pl.lit(None, dtype=schema[c]).alias(c) for c in columns]
            + [a.meta.output_name() for a in aggregates]
        )

    def plan(self, chart):
        _, _, hierarchies, measures, filter_ = chart
        lf = self.facts(filter_)
        if hierarchies is None:
            return lf.select(DRILL_COLUMNS)
        columns = level_columns(hierarchies)
        sets = grouping_sets(hierarchies)
        aggregates = {
            COUNT: pl.len().cast(pl.Int64).alias(COUNT),
            DURATION: pl.col("EventDuration").sum().alias(DURATION),
            LOCATIONS: pl.col("Room").n_unique().cast(pl.Int64).alias(LOCATIONS),
            DEVICES: pl.col("MacAddress").n_unique().cast(pl.Int64).alias(DEVICES),
        }
        if measures == [PCT_TIME]:
            # Sum per grouping set, divided by the sum of the same set without Room.
            lf = lf.cache()
            duration = [pl.col("EventDuration").sum().alias("d")]
            parts = []
            for keys in sets:
                sums = self.grouped(lf, keys, duration, columns)
                if "Room" not in keys:
                    parts.append(sums.with_columns((pl.col("d") / pl.col("d")).alias(PCT_TIME)))
                    continue
                others = [k for k in keys if k != "Room"]
                totals = lf.group_by(others).agg(duration) if others else lf.select(duration)
                totals = totals.rename({"d": "total"})
                joined = (
                    sums.join(totals, on=others, how="left", nulls_equal=True)
                    if others
                    else sums.join(totals, how="cross")
                )
                parts.append(
                    joined.with_columns((pl.col("d") / pl.col("total")).alias(PCT_TIME))
                )
            return pl.concat([p.select(columns + [PCT_TIME]) for p in parts])
        if len(sets) > 1:
            lf = lf.cache()
        chosen = [aggregates[m] for m in measures]
        return pl.concat([self.grouped(lf, keys, chosen, columns) for keys in sets])

    def run(self, chart):
        return self.plan(chart).collect()

    def answer(self, chart, result):
        return result.to_dicts()


# ---------------------------------------------------------------------------------------
# Answers: normalised to the format of expected.json, and compared.
# ---------------------------------------------------------------------------------------


def normalise(rows):
    out = []
    for row in rows:
        cells = {}
        for key, value in row.items():
            if key == "Hour" and value is not None:
                value = f"{int(value):02d}"
            elif key == "Day" and value is not None:
                value = int(value)
            elif key == "EventTime" and value is not None:
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            elif hasattr(value, "item"):
                value = value.item()
            cells[key] = value
        out.append(cells)
    return out


def sort_key(row, columns):
    return tuple((row.get(c) is not None, str(row.get(c))) for c in columns)


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if isinstance(a, str) or isinstance(b, str):
            return str(a) == str(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
    return a == b


def differences(actual, expected, columns, limit=5):
    """Row-by-row differences of two answers compared as multisets."""
    problems = []
    if len(actual) != len(expected):
        problems.append(f"expected {len(expected)} rows, got {len(actual)}")
    actual = sorted(actual, key=lambda r: sort_key(r, columns))
    expected = sorted(expected, key=lambda r: sort_key(r, columns))
    for a, e in zip(actual, expected):
        if len(problems) >= limit:
            break
        if not all(same_value(a.get(c), e.get(c)) for c in columns):
            problems.append(f"expected {e}, got {a}")
    return problems


def fingerprint(chart, rows):
    """Row count and first measure on the grand total row, as flowcube bench reports."""
    _, _, hierarchies, measures, _ = chart
    if hierarchies is None:
        return len(rows), None
    columns = level_columns(hierarchies)
    grand = [r for r in rows if all(r.get(c) is None for c in columns)]
    value = grand[0][measures[0]] if len(grand) == 1 else None
    return len(rows), (float(value) if value is not None else None)


def same_fingerprint(a, b):
    rows_a, total_a = a
    rows_b, total_b = b
    if rows_a != rows_b:
        return False
    if total_a is None or total_b is None:
        return total_a is None and total_b is None
    return abs(total_a - total_b) <= 1e-9 * max(abs(total_a), 1.0)


# ---------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------


def run_flowcube(binary, folder, repeat, threads):
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "bench.json"
        subprocess.run(
            [
                binary,
                "bench",
                "--data",
                str(folder),
                "--repeat",
                str(repeat),
                "--threads",
                str(threads),
                "--json",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


def time_engine(engine, folder, repeat):
    load_s, prep_s = engine.load(folder)
    figures = {
        "load_ms": load_s * 1e3,
        "prep_ms": prep_s * 1e3,
        "rows": engine.rows(),
        "memory_bytes": engine.memory_bytes(),
        "queries": {},
    }
    for chart in CHARTS:
        answer = engine.answer(chart, engine.run(chart))  # warm-up
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = engine.run(chart)
            runs.append((time.perf_counter() - start) * 1e3)
            del result
        figures["queries"][chart[1]] = {
            "median_ms": statistics.median(runs),
            "min_ms": min(runs),
            "runs_ms": runs,
            "fingerprint": fingerprint(chart, normalise(answer)),
        }
    return figures


def verify_on_golden(golden, binary, threads):
    """The peers against expected.json row by row; flowcube by row counts and totals."""
    expected = json.loads((Path(golden) / "expected.json").read_text())["charts"]
    flowcube = run_flowcube(binary, golden, 1, threads)
    flowcube_prints = {
        q["name"]: (q["rows"], q["grand_total"]) for q in flowcube["queries"]
    }
    failures = []
    for engine in (DuckDbEngine(threads), PolarsEngine(threads)):
        engine.load(golden)
        for chart in CHARTS:
            spec = expected[chart[0]]
            answer = normalise(engine.answer(chart, engine.run(chart)))
            for problem in differences(answer, spec["rows"], spec["columns"]):
                failures.append(f"{engine.name} chart {chart[0]}: {problem}")
            if not same_fingerprint(fingerprint(chart, answer), flowcube_prints[chart[1]]):
                failures.append(
                    f"{engine.name} chart {chart[0]}: {fingerprint(chart, answer)} "
                    f"but flowcube {flowcube_prints[chart[1]]}"
                )
    return failures


def tables(flowcube, peers, threads, repeat):
    """The report as markdown: queries, load, memory."""
    lines = [
        f"{flowcube['facts']:,} facts, {threads} threads, median of {repeat} runs "
        "after one warm-up (ms)",
        "",
        "| query | flowcube | DuckDB | Polars | flowcube / best peer | ≤ 1/5? |",
        "|---|---:|---:|---:|---:|:-:|",
    ]
    met = 0
    for q in flowcube["queries"]:
        ours = q["median_ms"]
        theirs = {name: figures["queries"][q["name"]]["median_ms"] for name, figures in peers}
        best = min(theirs.values())
        ratio = ours / best if best > 0 else float("inf")
        met += ratio <= 0.2
        lines.append(
            f"| {q['name']} | {ours:.2f} | {theirs['duckdb']:.2f} | {theirs['polars']:.2f} "
            f"| {ratio:.2f} | {'yes' if ratio <= 0.2 else 'no'} |"
        )
    lines += [
        "",
        f"{met} of {len(flowcube['queries'])} charts at or under 1/5 of the best peer.",
        "",
        "| load | ms |",
        "|---|---:|",
        f"| flowcube load (read {flowcube['load']['read_ms']:.0f} + commit "
        f"{flowcube['load']['commit_ms']:.0f}) | {flowcube['load']['total_ms']:.0f} |",
    ]
    for name, figures in peers:
        label = "DuckDB read_csv" if name == "duckdb" else "Polars read_csv + concat"
        lines.append(
            f"| {label} (then ENUM/categorical, Day, Hour: {figures['prep_ms']:.0f}) "
            f"| {figures['load_ms']:.0f} |"
        )
    memory = flowcube["memory"]
    facts = flowcube["facts"]
    lines += [
        "",
        "| memory | bytes per fact |",
        "|---|---:|",
        f"| flowcube table (`Table::memory_size`) | {memory['table_bytes_per_fact']:.1f} |",
    ]
    if memory.get("rss_bytes_per_fact") is not None:
        lines.append(
            f"| flowcube resident added by the load (VmRSS) | {memory['rss_bytes_per_fact']:.1f} |"
        )
    if memory.get("peak_rss_bytes") is not None:
        lines.append(
            f"| flowcube peak resident (VmHWM) / facts | {memory['peak_rss_bytes'] / facts:.1f} |"
        )
    for name, figures in peers:
        label = (
            "DuckDB (`duckdb_memory()`)" if name == "duckdb" else "Polars (`estimated_size`)"
        )
        lines.append(f"| {label} | {figures['memory_bytes'] / figures['rows']:.1f} |")
    return "\n".join(lines)


def main():
    args = ARGS
    repo = Path(__file__).resolve().parents[2]
    golden = Path(args.golden) if args.golden else repo / "tests" / "golden" / "default"
    binary = str(Path(args.flowcube).resolve())
    print(
        f"duckdb {duckdb.__version__}, polars {pl.__version__}, {args.threads} threads",
        file=sys.stderr,
    )

    failures = verify_on_golden(golden, binary, args.threads)
    if failures:
        print("the engines disagree on the golden folder:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        return 1
    print(f"golden folder: DuckDB and Polars agree with {golden}/expected.json", file=sys.stderr)

    flowcube = run_flowcube(binary, args.data, args.repeat, args.threads)
    peers = []
    for engine in (DuckDbEngine(args.threads), PolarsEngine(args.threads)):
        print(f"timing {engine.name} ...", file=sys.stderr)
        peers.append((engine.name, time_engine(engine, args.data, args.repeat)))
        del engine

    disagreements = []
    for q in flowcube["queries"]:
        ours = (q["rows"], q["grand_total"])
        for name, figures in peers:
            theirs = tuple(figures["queries"][q["name"]]["fingerprint"])
            if not same_fingerprint(ours, theirs):
                disagreements.append(f"{q['name']}: flowcube {ours}, {name} {theirs}")
    for name, figures in peers:
        if figures["rows"] != flowcube["facts"]:
            disagreements.append(f"{name} loaded {figures['rows']} facts, flowcube {flowcube['facts']}")

    report = tables(flowcube, peers, args.threads, args.repeat)
    print(report)
    if args.markdown:
        Path(args.markdown).write_text(report + "\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "versions": {"duckdb": duckdb.__version__, "polars": pl.__version__},
                    "threads": args.threads,
                    "flowcube": flowcube,
                    **dict(peers),
                },
                indent=2,
            )
        )
    if disagreements:
        print("answers differ on the benchmark folder:", file=sys.stderr)
        for line in disagreements:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
