//! What of a shell session goes into the journal. (Skeleton: replaced by the real recorder.)

use super::CastEvent;
use crate::core::redact::Redactor;

/// Turns a shell's raw input, output and resizes into the events the journal keeps.
#[derive(Debug)]
pub struct ShellRecorder {
    redactor: Redactor,
    ready: Vec<CastEvent>,
    unrecorded_input: u64,
}

impl ShellRecorder {
    /// A recorder masking what `redactor` masks.
    pub fn new(redactor: Redactor) -> Self {
        Self {
            redactor,
            ready: Vec::new(),
            unrecorded_input: 0,
        }
    }

    /// The operator typed `bytes`, `at_ms` after the shell started.
    pub fn input(&mut self, at_ms: u64, bytes: &[u8]) {
        let _ = (at_ms, &self.redactor);
        self.unrecorded_input += bytes.len() as u64;
    }

    /// The host sent `bytes`.
    pub fn output(&mut self, at_ms: u64, bytes: &[u8]) {
        let text = self.redactor.redact(&String::from_utf8_lossy(bytes));
        self.ready.push(CastEvent(
            super::cast_seconds(at_ms),
            super::CastCode::Output,
            text,
        ));
    }

    /// The window is now `cols`×`rows`.
    pub fn resize(&mut self, at_ms: u64, cols: u16, rows: u16) {
        self.ready.push(CastEvent(
            super::cast_seconds(at_ms),
            super::CastCode::Resize,
            format!("{cols}x{rows}"),
        ));
    }

    /// The events ready to be journaled, taken.
    pub fn take(&mut self) -> Vec<CastEvent> {
        std::mem::take(&mut self.ready)
    }

    /// The session ended: everything still held back, then nothing more.
    pub fn finish(&mut self, at_ms: u64) -> Vec<CastEvent> {
        let _ = at_ms;
        self.take()
    }

    /// Bytes typed that are not in the record.
    pub fn unrecorded_input(&self) -> u64 {
        self.unrecorded_input
    }
}
