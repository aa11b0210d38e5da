//! `flowcube report` and `flowcube simulate`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use arrow::array::RecordBatch;
use clap::Args;
use flowcube_core::Cube;
use flowcube_iot::notebook;
use flowcube_iot::simulator::{write_room_folder_with_progress, SimulatorConfig};
use flowcube_iot::spec::{batch_to_rows, ChartSpec, ExpectedFile};

use crate::load::LoadArgs;
use crate::progress::{with_spinner, Progress};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The folder of room CSV files (`bullpen.csv`, `conference1.csv`, ...). Without it,
    /// the built-in sample is simulated into a temporary folder and loaded from there.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Also writes every chart's answer to this file, in the format of `expected.json`.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The most rows printed per chart (0: all).
    #[arg(long, default_value_t = 30)]
    rows: usize,
    /// Also writes every chart's picture (`chart-01.html`, `chart-02.svg`, ...) and the
    /// dashboard (`index.html`) into this folder, made if missing.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The folder to write the room files into.
    #[arg(long)]
    out: PathBuf,
    /// About how many flow events to write, at least 1 (default: the built-in sample).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    events: Option<u64>,
    /// The random seed.
    #[arg(long)]
    seed: Option<u64>,
}

pub fn simulate(args: &SimulateArgs) -> anyhow::Result<()> {
    let mut config = match args.events {
        Some(n) => SimulatorConfig::with_target_events(n),
        None => SimulatorConfig::sample(),
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let progress = Progress::new(0, "days");
    let summary = write_room_folder_with_progress(&config, &args.out, |done, days| {
        progress.set(done as u64, days as u64);
    })
    .with_context(|| format!("writing room files into {}", args.out.display()))?;
    progress.finish();
    println!(
        "wrote {} events of {} devices into {}",
        summary.events,
        summary.devices,
        args.out.display()
    );
    for (room, events) in &summary.events_per_room {
        println!("  {room:<12} {events:>12}");
    }
    Ok(())
}

pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let cube = match &args.data {
        Some(dir) => args.load.load_cube(dir)?,
        None => with_spinner("simulating and loading the sample", notebook::sample_cube)?,
    };
    let source = match &args.data {
        Some(dir) => dir.display().to_string(),
        None => "the built-in sample".to_owned(),
    };
    println!(
        "Network Traffic Location: {} flow event(s) from {source}\n",
        cube.num_rows()
    );
    if let Some(warning) = month_warning(&cube)? {
        println!("warning: {warning}\n");
    }

    let mut charts = std::collections::BTreeMap::new();
    let mut answers = Vec::new();
    // A chart that cannot be answered (a sum past 64 bits) is reported, and the others
    // still printed; nothing is written then, since the files would lack it.
    let mut failed = Vec::new();
    for chart in notebook::charts() {
        let result = match chart.query.run(&cube) {
            Ok(result) => result,
            Err(error) => {
                println!("== Chart {}: {} ==", chart.id, chart.title);
                println!("(no answer: {error})\n");
                failed.push(format!("chart {} ({}): {error}", chart.id, chart.title));
                continue;
            }
        };
        let levels = flowcube_viz::level_columns(&chart, &result);
        print_chart(chart.id, chart.title, &result, levels, args.rows)?;
        charts.insert(
            chart.id.to_owned(),
            ChartSpec {
                title: chart.title.to_owned(),
                query: chart.query.clone(),
                columns: result
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect(),
                rows: batch_to_rows(&result),
            },
        );
        answers.push((chart, result));
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} chart(s) could not be answered: {}",
            failed.len(),
            failed.join("; ")
        );
    }
    if let Some(path) = &args.json {
        let file = ExpectedFile {
            meta: serde_json::json!({ "rows": cube.num_rows(), "source": source }),
            charts,
        };
        std::fs::write(path, serde_json::to_vec_pretty(&file)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if let Some(dir) = &args.out {
        write_pictures(&cube, &answers, dir)?;
    }
    Ok(())
}

/// Writes every chart's picture and the dashboard into `dir`.
fn write_pictures(
    cube: &Cube,
    answers: &[(notebook::Chart, RecordBatch)],
    dir: &Path,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };

    // The dashboard's pictures are counted once it says how many it draws.
    let charts = answers.len() as u64;
    let progress = Progress::new(charts, "pictures");
    for (done, (chart, answer)) in answers.iter().enumerate() {
        let picture = flowcube_viz::render(chart, answer)
            .with_context(|| format!("drawing chart {} ({})", chart.id, chart.title))?;
        write(&picture.file_name(chart.id), &picture.document())?;
        progress.set(done as u64 + 1, charts);
    }
    let index = flowcube_viz::dashboard_with_progress(cube, |done, total| {
        progress.set(charts + done as u64, charts + total as u64);
    })
    .context("drawing the dashboard")?;
    write("index.html", &index)?;
    progress.finish();
    tracing::info!(dir = %dir.display(), charts, "wrote the pictures and the dashboard");
    println!(
        "wrote {charts} pictures and index.html ({}) into {}",
        flowcube_viz::DASHBOARD_TITLE,
        dir.display()
    );
    Ok(())
}

fn print_chart(
    id: &str,
    title: &str,
    result: &RecordBatch,
    levels: usize,
    max_rows: usize,
) -> anyhow::Result<()> {
    println!("== Chart {id}: {title} ==");
    if result.num_rows() == 0 {
        // The notebook's charts 3, 4, 7, 9 to 11 filter on members of its own data (a day,
        // a device, hours, rooms, devices seen in several rooms) that other data may lack.
        println!("(no row: nothing passes this chart's filters)\n");
        return Ok(());
    }
    println!("{}", flowcube_viz::answer_table(result, levels, max_rows)?);
    let shown = if max_rows == 0 {
        result.num_rows()
    } else {
        max_rows.min(result.num_rows())
    };
    if shown < result.num_rows() {
        println!(
            "... {} more row(s) ({} in all; --rows 0 prints every row)",
            result.num_rows() - shown,
            result.num_rows()
        );
    }
    println!();
    Ok(())
}

/// The notebook's `Day` level is the day of the month: say so when the data spans more
/// than one month, since days of different months then share a member.
fn month_warning(cube: &Cube) -> anyhow::Result<Option<String>> {
    let months = flowcube_core::Query::new()
        .measures(["contributors.COUNT"])
        .levels(["Month/Month"])
        .execute(&month_cube(cube)?)?;
    Ok((months.num_rows() > 1).then(|| {
        format!(
            "the data spans {} months; the Day level is the day of the month, so the same \
             day of different months falls in one member, as in the notebook",
            months.num_rows()
        )
    }))
}

fn month_cube(cube: &Cube) -> anyhow::Result<Cube> {
    let scratch = Cube::from_table(cube.snapshot().table().clone());
    scratch.create_date_hierarchy("Month", "EventTime", &[("Month", "yyyy-MM")])?;
    Ok(scratch)
}
