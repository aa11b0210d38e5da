//! `flowcube bench`: loads a folder of room files, times every chart query, and reports
//! the times and the memory held, as a table and optionally as JSON.
//!
//! Each query runs once to warm up (its answer is checked against totals of the facts, see
//! `flowcube_iot::workload`), then `--repeat` timed runs follow; every timed answer must have
//! the warm-up's row count and grand total, checked after its time is taken.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use flowcube_iot::load::{read_room_folder_into, LoadOptions};
use flowcube_iot::notebook;
use flowcube_iot::workload::{bench_charts, check_answer, FactTotals};
use serde_json::json;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The folder of room CSV files.
    #[arg(long)]
    data: PathBuf,
    /// Timed runs of each query, after one warm-up run.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Also writes the figures to this file as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Worker threads for loading and queries (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Only these charts, by id or name prefix, comma-separated (`3,10_conf`): for
    /// profiling one query at a time.
    #[arg(long, value_delimiter = ',')]
    charts: Vec<String>,
}

impl BenchArgs {
    /// Whether the chart of `id` and benchmark `name` is to be run.
    fn wants(&self, id: &str, name: &str) -> bool {
        self.charts.is_empty()
            || self
                .charts
                .iter()
                .any(|c| c == id || name.starts_with(c.as_str()))
    }
}

/// The times of one chart query.
struct QueryTimes {
    id: &'static str,
    name: &'static str,
    title: &'static str,
    rows: usize,
    grand_total: Option<f64>,
    runs: Vec<Duration>,
}

impl QueryTimes {
    fn median(&self) -> Duration {
        let mut runs = self.runs.clone();
        runs.sort_unstable();
        let middle = runs.len() / 2;
        if runs.len() % 2 == 0 {
            (runs[middle - 1] + runs[middle]) / 2
        } else {
            runs[middle]
        }
    }

    fn min(&self) -> Duration {
        self.runs.iter().copied().min().unwrap_or_default()
    }
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("setting up the thread pool")?;
    }
    let threads = rayon::current_num_threads();

    // Load: read the CSV files, each batch converted into the cube's rows as soon as it is
    // read, then commit the rows to the cube (dictionaries joined, aggregates folded).
    let cube = notebook::empty_cube()?;
    let rss_before_load = memory_status("VmRSS");
    let start = Instant::now();
    let (staged, _) = read_room_folder_into(&args.data, &LoadOptions::strict(), &|batch| {
        cube.stage(&batch)
    })?;
    let read = start.elapsed();
    cube.append_staged(staged)?;
    // Handing the memory freed by the load back to the system is part of the load.
    crate::system::release_free_memory();
    let loaded = start.elapsed();
    let rss_after_load = memory_status("VmRSS");
    let peak_after_load = memory_status("VmHWM");
    let facts = cube.num_rows();
    let table_bytes = cube.snapshot().table().memory_size();
    let totals = FactTotals::of(&cube)?;

    let mut results = Vec::new();
    for bench in bench_charts() {
        let chart = &bench.chart;
        if !args.wants(chart.id, bench.name) {
            continue;
        }
        let warm = chart
            .query
            .run(&cube)
            .with_context(|| format!("chart {} ({})", chart.id, chart.title))?;
        let expected = check_answer(chart, &warm, &totals)?;
        drop(warm);
        let mut runs = Vec::with_capacity(args.repeat as usize);
        for _ in 0..args.repeat {
            let start = Instant::now();
            let answer = chart.query.run(&cube)?;
            runs.push(start.elapsed());
            anyhow::ensure!(
                check_answer(chart, &answer, &totals)? == expected,
                "chart {}: a timed run answered differently from the warm-up",
                chart.id
            );
        }
        results.push(QueryTimes {
            id: chart.id,
            name: bench.name,
            title: chart.title,
            rows: expected.rows,
            grand_total: expected.grand_total,
            runs,
        });
    }
    let peak = memory_status("VmHWM");

    let memory = Memory {
        facts,
        table_bytes,
        rss_before_load,
        rss_after_load,
        peak_after_load,
        peak,
    };
    print_report(&args.data, facts, threads, read, loaded, &results, &memory);
    if let Some(path) = &args.json {
        let report = json!({
            "data": args.data.display().to_string(),
            "facts": facts,
            "threads": threads,
            "repeat": args.repeat,
            "load": {
                "total_ms": millis(loaded),
                "read_ms": millis(read),
                "commit_ms": millis(loaded - read),
            },
            "memory": memory.to_json(),
            "queries": results.iter().map(|q| json!({
                "id": q.id,
                "name": q.name,
                "title": q.title,
                "rows": q.rows,
                "grand_total": q.grand_total,
                "median_ms": millis(q.median()),
                "min_ms": millis(q.min()),
                "runs_ms": q.runs.iter().map(|d| millis(*d)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// What the process holds, in bytes; the figures from `/proc/self/status` are `None` where
/// it does not exist (outside Linux).
struct Memory {
    facts: usize,
    table_bytes: usize,
    rss_before_load: Option<u64>,
    rss_after_load: Option<u64>,
    peak_after_load: Option<u64>,
    peak: Option<u64>,
}

impl Memory {
    /// Resident bytes the load added, per fact.
    fn rss_per_fact(&self) -> Option<f64> {
        let added = self.rss_after_load?.saturating_sub(self.rss_before_load?);
        Some(added as f64 / self.facts.max(1) as f64)
    }

    fn table_per_fact(&self) -> f64 {
        self.table_bytes as f64 / self.facts.max(1) as f64
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "table_bytes": self.table_bytes,
            "table_bytes_per_fact": self.table_per_fact(),
            "rss_before_load_bytes": self.rss_before_load,
            "rss_after_load_bytes": self.rss_after_load,
            "rss_bytes_per_fact": self.rss_per_fact(),
            "peak_rss_after_load_bytes": self.peak_after_load,
            "peak_rss_bytes": self.peak,
        })
    }
}

fn print_report(
    data: &Path,
    facts: usize,
    threads: usize,
    read: Duration,
    loaded: Duration,
    results: &[QueryTimes],
    memory: &Memory,
) {
    let repeat = results.first().map_or(0, |q| q.runs.len());
    println!(
        "flowcube bench: {facts} facts from {}, {threads} threads, {repeat} timed runs per query\n",
        data.display()
    );
    println!(
        "load            {:>10.1} ms  (read {:.1} ms, commit {:.1} ms)",
        millis(loaded),
        millis(read),
        millis(loaded - read)
    );
    println!();
    println!(
        "{:<36} {:>8} {:>12} {:>12}",
        "query", "rows", "median ms", "min ms"
    );
    for q in results {
        println!(
            "{:<36} {:>8} {:>12.3} {:>12.3}",
            format!("chart/{}", q.name),
            q.rows,
            millis(q.median()),
            millis(q.min())
        );
    }
    println!();
    let mib = |bytes: Option<u64>| {
        bytes.map_or("n/a".to_owned(), |b| {
            format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
        })
    };
    println!(
        "table           {} ({:.1} bytes per fact)",
        mib(Some(memory.table_bytes as u64)),
        memory.table_per_fact()
    );
    println!(
        "resident        {} after load, {} added by it ({} bytes per fact)",
        mib(memory.rss_after_load),
        mib(memory
            .rss_after_load
            .zip(memory.rss_before_load)
            .map(|(a, b)| a.saturating_sub(b))),
        memory
            .rss_per_fact()
            .map_or("n/a".to_owned(), |b| format!("{b:.1}"))
    );
    println!(
        "peak resident   {} during load, {} overall",
        mib(memory.peak_after_load),
        mib(memory.peak)
    );
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`), in bytes.
fn memory_status(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&status, key).map(|kib| kib * 1024)
}

fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bench_of_the_golden_folder_writes_every_query() {
        let out = tempfile::tempdir().unwrap();
        let json = out.path().join("bench.json");
        let args = BenchArgs {
            data: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/default"),
            repeat: 2,
            json: Some(json.clone()),
            threads: None,
            charts: Vec::new(),
        };
        run(&args).unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(report["facts"], 47_894);
        let queries = report["queries"].as_array().unwrap();
        assert_eq!(queries.len(), 12);
        assert_eq!(queries[0]["name"], "01_count_by_room");
        assert_eq!(queries[0]["rows"], 6);
        assert!(queries
            .iter()
            .all(|q| q["runs_ms"].as_array().unwrap().len() == 2));
        assert!(report["memory"]["table_bytes_per_fact"].as_f64().unwrap() > 0.0);
    }

    #[test]
    fn charts_are_chosen_by_id_or_name_prefix() {
        let args = BenchArgs {
            data: PathBuf::new(),
            repeat: 1,
            json: None,
            threads: None,
            charts: vec!["3".to_owned(), "10_conf".to_owned()],
        };
        assert!(args.wants("3", "03_drillthrough_lull"));
        assert!(args.wants("10", "10_conference_rooms_duration"));
        assert!(!args.wants("1", "01_count_by_room"));
        assert!(!args.wants("12", "12_pct_time"));
    }

    #[test]
    fn status_lines_are_read_in_kib() {
        let status = "Name:\tflowcube\nVmHWM:\t  123456 kB\nVmRSS:\t    2048 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(123_456));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(2_048));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let times = |ms: &[u64]| QueryTimes {
            id: "1",
            name: "01",
            title: "",
            rows: 0,
            grand_total: None,
            runs: ms.iter().map(|&m| Duration::from_millis(m)).collect(),
        };
        assert_eq!(times(&[4, 1, 3, 2]).median(), Duration::from_micros(2_500));
        assert_eq!(times(&[5, 1, 3]).median(), Duration::from_millis(3));
        assert_eq!(times(&[5, 1, 3]).min(), Duration::from_millis(1));
    }
}
