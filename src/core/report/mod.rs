//! The post-mortem report and cross-incident statistics, computed from a journal's verified
//! entries alone (no IO here: `cockpit report` and `cockpit stats` read the journal).
//!
//! [`build`] turns entries into a [`Report`] (data); [`compose`](compose::compose) turns that
//! into one [`Doc`](doc::Doc), which [`markdown`] and [`html`] write out, so both formats say
//! the same thing.

mod build;
pub mod compose;
pub mod doc;
pub mod format;
pub mod html;
pub mod markdown;
pub mod model;
#[cfg(test)]
mod notification_tests;
mod notifications;
pub mod phases;
pub mod scope;
pub mod stats;
#[cfg(test)]
mod tests;

pub use build::{ReportError, build};
pub use model::Report;

/// The report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    markdown::render(&compose::compose(report))
}

/// The report as one self-contained HTML page.
pub fn to_html(report: &Report) -> String {
    html::render(&compose::compose(report))
}
