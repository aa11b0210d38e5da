//! The `flowcube` command: the notebook report, golden checks, the office simulator, and
//! the benchmark of the chart queries.

#![deny(unsafe_code)]

mod bench;
mod check;
mod load;
mod progress;
mod report;
mod system;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Where are the people in an office, hour by hour, judged from the network traffic of
/// their devices: an OLAP cube over room gateway logs.
#[derive(Debug, Parser)]
#[command(name = "flowcube", version, about)]
struct Cli {
    /// More log output (-v: debug, -vv: trace); logs go to standard error.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the notebook's twelve charts and prints each as a titled table; with --out,
    /// also writes their pictures and the dashboard.
    Report(report::ReportArgs),
    /// Runs every query of an expected file and compares the answers.
    Check(check::CheckArgs),
    /// Writes a simulated office's room files into a folder.
    Simulate(report::SimulateArgs),
    /// Loads a folder and times every chart query; prints times and memory held.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    system::exit_quietly_on_closed_pipe();
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let outcome = match cli.command {
        Command::Report(args) => report::run(&args).map(|()| true),
        Command::Check(args) => check::run(&args),
        Command::Simulate(args) => report::simulate(&args).map(|()| true),
        Command::Bench(args) => bench::run(&args).map(|()| true),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {}", error_text(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the message
/// already holds (errors that show their source, such as I/O errors naming a file).
fn error_text(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
