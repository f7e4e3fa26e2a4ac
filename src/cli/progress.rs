//! A progress bar on standard error for long exports, shown only when standard error is a
//! terminal: nothing reaches a pipe, a file or a CI log.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Work counted in units of `len`; drawn at most about 15 times a second, cleared when done.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `len` units of `what` (e.g. "frames"), or none when standard error is not a
    /// terminal.
    pub fn on_stderr(len: u64, label: &str, what: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let template = format!("{{msg}} {{wide_bar}} {{pos}}/{{len}} {what} ({{eta}} left)");
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▌ ");
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(15))
            .with_style(style)
            .with_message(label.to_string());
        Progress { bar: Some(bar) }
    }

    /// `done` units are done.
    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }
}

impl Drop for Progress {
    /// The bar leaves no line behind: the export's own message follows on a clean line.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
