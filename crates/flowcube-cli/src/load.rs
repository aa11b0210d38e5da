//! The loading flags shared by `flowcube report` and `flowcube check`.

use std::path::{Path, PathBuf};

use clap::Args;
use flowcube_core::Cube;
use flowcube_iot::load::LoadOptions;
use flowcube_iot::notebook;

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
        let cube = notebook::empty_cube()?;
        let report = notebook::append_folder_with(&cube, dir, &options)?;
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
