//! Criterion benchmarks of the notebook workload: loading a folder of room CSV files into
//! the notebook's cube (`load`) and each of its twelve chart queries
//! (`chart/01_count_by_room` … `chart/12_pct_time`).
//!
//! The data is simulated (seeded) once into `target/bench-data/<events>` and reused by later
//! runs: 10^6 facts by default, or as many as `FLOWCUBE_BENCH_EVENTS` says
//! (`FLOWCUBE_BENCH_EVENTS=10000000 cargo bench --bench notebook`). Every timed run checks
//! its answer against totals computed from the facts, so a bench cannot time a wrong or
//! empty answer.

use std::path::PathBuf;
use std::sync::OnceLock;

use criterion::{criterion_main, Criterion, Throughput};
use flowcube::iot::notebook;
use flowcube::iot::workload::{bench_charts, cached_room_folder, check_answer, FactTotals};
use flowcube::Cube;

/// Facts simulated when `FLOWCUBE_BENCH_EVENTS` is not set.
const DEFAULT_EVENTS: u64 = 1_000_000;

/// From this many facts on, a query takes long enough that criterion's minimum of 10
/// samples gives a stable figure within a reasonable time.
const LARGE_EVENTS: u64 = 5_000_000;

fn events() -> u64 {
    match std::env::var("FLOWCUBE_BENCH_EVENTS") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("FLOWCUBE_BENCH_EVENTS={text:?} is not a number")),
        Err(_) => DEFAULT_EVENTS,
    }
}

/// `target/bench-data`, or the same under `CARGO_TARGET_DIR` when it is set.
fn data_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data")
}

/// What every benchmark needs, made once outside the timed parts.
struct Setup {
    /// The cached folder of room files.
    dir: PathBuf,
    /// The folder loaded into the notebook's cube.
    cube: Cube,
    /// Totals of its facts, to check answers against.
    totals: FactTotals,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let events = events();
        let dir = cached_room_folder(&data_root(), events)
            .unwrap_or_else(|e| panic!("simulating {events} events: {e}"));
        let cube = notebook::load_cube(&dir).expect("loading the benchmark folder");
        let totals = FactTotals::of(&cube).expect("totals of the benchmark facts");
        Setup { dir, cube, totals }
    })
}

fn load(c: &mut Criterion) {
    let Setup { dir, totals, .. } = setup();
    c.bench_function("load", |b| {
        b.iter(|| {
            let cube = notebook::load_cube(dir).expect("loading the benchmark folder");
            assert_eq!(cube.num_rows() as u64, totals.rows);
            cube
        });
    });
}

fn chart(c: &mut Criterion) {
    let Setup { cube, totals, .. } = setup();
    let mut group = c.benchmark_group("chart");
    group.throughput(Throughput::Elements(totals.rows));
    if events() >= LARGE_EVENTS {
        group.sample_size(10);
    }
    for bench in bench_charts() {
        let chart = bench.chart;
        let first = chart.query.run(cube).expect("a chart query");
        let expected = check_answer(&chart, &first, totals).expect("a right answer");
        group.bench_function(bench.name, |b| {
            b.iter(|| {
                let answer = chart.query.run(cube).expect("a chart query");
                assert_eq!(check_answer(&chart, &answer, totals).unwrap(), expected);
                answer
            });
        });
    }
    group.finish();
}

/// The groups that `criterion_main!` runs.
mod groups {
    #![allow(
        missing_docs,
        reason = "criterion_group! writes public functions without docs"
    )]

    use criterion::{criterion_group, Criterion};

    criterion_group! {
        name = load;
        // Loading takes seconds at 10^7 facts: the fewest samples criterion allows.
        config = Criterion::default().sample_size(10);
        targets = super::load
    }
    criterion_group!(chart, super::chart);
}

criterion_main!(groups::load, groups::chart);
