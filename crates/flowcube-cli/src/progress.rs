//! Progress on standard error for work that takes a while: nothing for the first second,
//! then a bar or a spinner; never anything when standard error is not a terminal
//! (indicatif's stderr target hides itself then).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its progress is shown: shorter work would only flicker.
const QUIET_PERIOD: Duration = Duration::from_secs(1);

/// A progress bar, shown once the work has taken a second; any thread may move it.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    is_visible: AtomicBool,
}

impl Progress {
    /// A bar of `steps` steps, labelled `message`.
    pub fn new(steps: u64, message: &'static str) -> Self {
        Self::with_template(
            steps,
            message,
            "{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})",
        )
    }

    /// A bar of `total` bytes, labelled `message`.
    pub fn bytes(total: u64, message: &'static str) -> Self {
        Self::with_template(
            total,
            message,
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} ({eta} left)",
        )
    }

    fn with_template(length: u64, message: &'static str, template: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(message);
        Progress {
            bar,
            started: Instant::now(),
            is_visible: AtomicBool::new(false),
        }
    }

    /// Shows the bar once the quiet period is over.
    fn show_when_due(&self) {
        if !self.is_visible.load(Ordering::Relaxed)
            && self.started.elapsed() >= QUIET_PERIOD
            && !self.is_visible.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Moves the bar to `done` of its steps, or to its new length `total`.
    pub fn set(&self, done: u64, total: u64) {
        self.show_when_due();
        self.bar.set_length(total);
        self.bar.set_position(done);
    }

    /// Moves the bar `steps` further, up to its end.
    pub fn advance(&self, steps: u64) {
        self.show_when_due();
        let length = self.bar.length().unwrap_or(u64::MAX);
        self.bar
            .set_position(self.bar.position().saturating_add(steps).min(length));
    }

    /// Removes the bar.
    pub fn finish(&self) {
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
