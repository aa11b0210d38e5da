//! `flowcube check`: answers compared with an expected file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use flowcube_iot::spec::{compare, ExpectedFile};

use crate::load::LoadArgs;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The folder of room CSV files.
    #[arg(long)]
    data: PathBuf,
    /// The expected answers (`expected.json`).
    #[arg(long)]
    expected: PathBuf,
    /// The most differences to print per chart.
    #[arg(long, default_value_t = 10)]
    max_diffs: usize,
    #[command(flatten)]
    load: LoadArgs,
}

/// Runs every chart; `Ok(false)` when any answer differs.
pub fn run(args: &CheckArgs) -> anyhow::Result<bool> {
    let text = std::fs::read(&args.expected)
        .with_context(|| format!("reading {}", args.expected.display()))?;
    let expected: ExpectedFile = serde_json::from_slice(&text)
        .with_context(|| format!("parsing {}", args.expected.display()))?;
    if expected.charts.is_empty() {
        anyhow::bail!("{} holds no chart to check", args.expected.display());
    }
    let cube = args.load.load_cube(&args.data)?;
    // Answers of other data cannot match: say so once, rather than only chart by chart.
    if let Some(rows) = expected.meta.get("rows").and_then(|rows| rows.as_u64()) {
        if rows != cube.num_rows() as u64 {
            eprintln!(
                "warning: {} was computed on {rows} facts; {} holds {}",
                args.expected.display(),
                args.data.display(),
                cube.num_rows()
            );
        }
    }

    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    for (id, chart) in expected.charts_in_order() {
        let problems = match chart.query.run(&cube) {
            Ok(result) => compare(
                &result,
                &chart.columns,
                &chart.query.measures,
                &chart.rows,
                args.max_diffs,
            ),
            Err(error) => {
                broken += 1;
                vec![format!("query failed: {error}")]
            }
        };
        if problems.is_empty() {
            passed += 1;
            println!("ok      {id:>4}  {}", chart.title);
        } else {
            failed += 1;
            println!("FAILED  {id:>4}  {}", chart.title);
            for problem in problems {
                println!("        {problem}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if broken > 0 {
        // A query that cannot run is a bad expected file, not a wrong answer.
        anyhow::bail!(
            "{broken} of the queries in {} could not run",
            args.expected.display()
        );
    }
    Ok(failed == 0)
}
