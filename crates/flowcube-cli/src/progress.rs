//! Progress on standard error for work that takes a while: nothing for the first second,
//! then a bar or a spinner; never anything when standard error is not a terminal
//! (indicatif's stderr target hides itself then).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its progress is shown: shorter work would only flicker.
const QUIET_PERIOD: Duration = Duration::from_secs(1);

/// A progress bar over a known number of steps, shown once the work has taken a second.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    is_visible: bool,
}

impl Progress {
    /// A bar of `steps` steps, labelled `message`.
    pub fn new(steps: u64, message: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(message);
        Progress {
            bar,
            started: Instant::now(),
            is_visible: false,
        }
    }

    /// Moves the bar to `done` of its steps, or to its new length `total`.
    pub fn set(&mut self, done: u64, total: u64) {
        if !self.is_visible && self.started.elapsed() >= QUIET_PERIOD {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.is_visible = true;
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
    }

    /// Removes the bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `work`, with a spinner labelled `message` from its second second on.
pub fn with_spinner<T: Send>(message: &'static str, work: impl FnOnce() -> T + Send) -> T {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // Only a timeout means the work is still running; a message or the sender
            // dropped means it is over.
            if finished.recv_timeout(QUIET_PERIOD) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            spinner.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("the template is valid"),
            );
            spinner.set_message(message);
            spinner.enable_steady_tick(Duration::from_millis(100));
            let _ = finished.recv();
            spinner.finish_and_clear();
        });
        let result = work();
        let _ = done.send(());
        result
    })
}
