//! The loading flags shared by `flowcube report` and `flowcube check`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use flowcube_core::Cube;
use flowcube_iot::load::{room_files, LoadOptions, ReadProgress};
use flowcube_iot::notebook;

use crate::progress::Progress;

/// Rejected rows printed on standard error, at most; `--rejects` writes them all.
const SHOWN_REJECTS: usize = 10;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Leave out the rows that cannot be read instead of failing on the first one; they are
    /// summarised on standard error. A file without a valid header still fails.
    #[arg(long)]
    lenient: bool,
    /// With --lenient: also write every rejected row to this file, as CSV
    /// (file,line,column,value,reason).
    #[arg(long, value_name = "FILE", requires = "lenient")]
    rejects: Option<PathBuf>,
}

impl LoadArgs {
    /// Loads the room files of `dir` into the notebook cube as the flags ask, telling on
    /// standard error what a lenient load left out.
    pub fn load_cube(&self, dir: &Path) -> anyhow::Result<Cube> {
        let mut options = if self.lenient {
            LoadOptions::lenient()
        } else {
            LoadOptions::strict()
        };
        options.rejects.clone_from(&self.rejects);
        // A bar over the bytes of the room files; a folder that cannot be listed fails the
        // load just after, with its own error.
        let total = room_files(dir).map_or(0, |rooms| {
            rooms
                .iter()
                .filter_map(|(_, path)| std::fs::metadata(path).ok())
                .map(|meta| meta.len())
                .sum()
        });
        let progress = Arc::new(Progress::bytes(total, "loading"));
        let reading = Arc::clone(&progress);
        let options = options.with_progress(ReadProgress::new(move |bytes| reading.advance(bytes)));
        let cube = notebook::empty_cube()?;
        let loaded = notebook::append_folder_with(&cube, dir, &options);
        progress.finish();
        let report = loaded?;
        // The load has freed the batches it read; give that memory back to the system.
        crate::system::release_free_memory();
        if self.lenient {
            if report.num_rejected() == 0 {
                eprintln!("rejected no row, loaded {} fact(s)", report.rows());
            } else {
                eprint!("{}", report.summary(SHOWN_REJECTS));
            }
            if let Some(path) = &self.rejects {
                eprintln!("rejected rows written to {}", path.display());
            }
        }
        Ok(cube)
    }
}
