//! Where each recorded shell lies on a timeline: the entry that opened it, its output batches
//! and the entry that ended it, so a replay standing anywhere knows which shell's screen to
//! show and which batches made it.

use crate::core::journal::{Entry, Record};

/// A recorded shell as the timeline holds it. Positions are those right after an entry (as
/// [`super::Timeline`] counts them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellSpan {
    /// The journal's number for the shell.
    pub session: u64,
    /// The host it ran on.
    pub host: String,
    /// Its width in columns when it opened.
    pub cols: u16,
    /// Its height in rows when it opened.
    pub rows: u16,
    /// Journal time of the entry that opened it (unix ms, as the timeline orders it).
    pub opened_ms: i64,
    /// The position right after its `shell_started`.
    pub started: usize,
    /// The positions right after each of its `shell_output` entries, in order.
    pub outputs: Vec<usize>,
    /// The position right after its `shell_ended`, when the journal has it.
    pub ended: Option<usize>,
}

impl ShellSpan {
    /// Whether the replay standing at `position` is inside the shell: opened, and not yet
    /// past the entry that ended it (that entry shows the shell's last screen).
    pub fn covers(&self, position: usize) -> bool {
        self.started <= position && self.ended.is_none_or(|end| position <= end)
    }

    /// How many of its output batches have happened at `position`.
    pub fn outputs_at(&self, position: usize) -> usize {
        self.outputs.partition_point(|p| *p <= position)
    }
}

/// The shells of `entries`, in the order they opened; `times` are the entries' times as the
/// timeline orders them. A batch or an end whose shell never opened (or already ended) is
/// left out: it has no screen to belong to.
pub(super) fn shell_spans(entries: &[Entry], times: &[i64]) -> Vec<ShellSpan> {
    let mut spans: Vec<ShellSpan> = Vec::new();
    let open = |spans: &mut Vec<ShellSpan>, session: u64| -> Option<usize> {
        spans
            .iter()
            .rposition(|s| s.session == session && s.ended.is_none())
    };
    for (i, e) in entries.iter().enumerate() {
        let position = i + 1;
        match &e.record {
            Record::ShellStarted {
                session,
                host,
                cols,
                rows,
                ..
            } => spans.push(ShellSpan {
                session: *session,
                host: host.clone(),
                cols: *cols,
                rows: *rows,
                opened_ms: times.get(i).copied().unwrap_or(e.at_ms),
                started: position,
                outputs: Vec::new(),
                ended: None,
            }),
            Record::ShellOutput { session, .. } => {
                if let Some(n) = open(&mut spans, *session) {
                    spans[n].outputs.push(position);
                }
            }
            Record::ShellEnded { session, .. } => {
                if let Some(n) = open(&mut spans, *session) {
                    spans[n].ended = Some(position);
                }
            }
            _ => {}
        }
    }
    spans
}

/// The session a shell record is about.
pub(super) fn shell_session(record: &Record) -> Option<u64> {
    match record {
        Record::ShellStarted { session, .. }
        | Record::ShellOutput { session, .. }
        | Record::ShellEnded { session, .. } => Some(*session),
        _ => None,
    }
}
