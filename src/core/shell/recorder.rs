//! What of a shell session goes into the journal.
//!
//! Output is recorded as the host sent it, masked a line at a time so a secret split across
//! chunks is still seen whole (and a private key's body across events, by its stream's
//! [`StreamMask`]). Typing is recorded only when the host echoed it back: the
//! remote terminal's echo state cannot be seen over SSH, so a chunk that carries text waits
//! for the host's next output to begin with exactly its bytes, and is left out (counted in
//! [`ShellRecorder::unrecorded_input`]) when the output says something else first. So a
//! recorded text input is always on the recorded screen too: a password typed at a prompt
//! that does not echo is never recorded. Chunks that carry no text (arrows, Ctrl-C, Enter,
//! function keys) hold no secret and are recorded as soon as the typing before them settled.

use super::stream_mask::StreamMask;
use super::{CastCode, CastEvent, cast_seconds};
use crate::core::redact::Redactor;
use std::collections::VecDeque;

/// Held output past this many bytes without a line end is flushed anyway.
const HOLD_LIMIT: usize = 4096;

/// Turns a shell's raw input, output and resizes into the events the journal keeps.
#[derive(Debug)]
pub struct ShellRecorder {
    /// Masks secrets in the typing's events.
    input_mask: StreamMask,
    /// Masks secrets in the output's events.
    output_mask: StreamMask,
    /// Events ready to be journaled.
    ready: Vec<CastEvent>,
    /// Bytes typed and left out of the record.
    unrecorded_input: u64,
    /// Typed chunks waiting to be settled, oldest first.
    queue: VecDeque<Typed>,
    /// How many bytes of the first queued chunk the output has echoed so far.
    echoed: usize,
    /// Where in the output the first queued chunk's echo began.
    echo_start: u64,
    /// Output bytes seen so far (a position in the output).
    output_seen: u64,
    /// Input recorded and not yet emitted: one event as long as its text runs on unbroken in
    /// the output.
    input: Held,
    /// Where in the output the echo of the held input's last text ended.
    input_text_end: Option<u64>,
    /// Output not yet emitted: the bytes after its last line end.
    output: Vec<u8>,
    /// The latest time seen; events are never dated earlier.
    now_ms: u64,
    /// The time of the last event emitted.
    last_emitted_ms: u64,
}

/// A typed chunk waiting for the host.
#[derive(Debug)]
struct Typed {
    bytes: Vec<u8>,
    carries_text: bool,
}

/// Input held back, and the time of the chunk that last added to it.
#[derive(Debug, Default)]
struct Held {
    bytes: Vec<u8>,
    at_ms: u64,
}

impl ShellRecorder {
    /// A recorder masking what `redactor` masks.
    pub fn new(redactor: Redactor) -> Self {
        Self {
            input_mask: StreamMask::new(redactor.clone()),
            output_mask: StreamMask::new(redactor),
            ready: Vec::new(),
            unrecorded_input: 0,
            queue: VecDeque::new(),
            echoed: 0,
            echo_start: 0,
            output_seen: 0,
            input: Held::default(),
            input_text_end: None,
            output: Vec::new(),
            now_ms: 0,
            last_emitted_ms: 0,
        }
    }

    /// The operator typed `bytes`, `at_ms` after the shell started.
    pub fn input(&mut self, at_ms: u64, bytes: &[u8]) {
        self.tick(at_ms);
        if bytes.is_empty() {
            return;
        }
        self.queue.push_back(Typed {
            bytes: bytes.to_vec(),
            carries_text: carries_text(bytes),
        });
        self.release_settled();
    }

    /// The host sent `bytes`.
    pub fn output(&mut self, at_ms: u64, bytes: &[u8]) {
        self.tick(at_ms);
        for &byte in bytes {
            self.match_echo(byte);
            self.output_seen += 1;
        }
        self.output.extend_from_slice(bytes);
        if let Some(last_line_end) = self.output.iter().rposition(|&b| b == b'\n') {
            let rest = self.output.split_off(last_line_end + 1);
            let lines = std::mem::replace(&mut self.output, rest);
            self.emit_output(&lines);
        }
        if self.output.len() > HOLD_LIMIT {
            let cut = self.output.len() - incomplete_utf8_tail(&self.output);
            let rest = self.output.split_off(cut);
            let part = std::mem::replace(&mut self.output, rest);
            self.emit_output(&part);
        }
    }

    /// The window is now `cols`×`rows`.
    pub fn resize(&mut self, at_ms: u64, cols: u16, rows: u16) {
        self.tick(at_ms);
        self.flush_output();
        self.push(self.now_ms, CastCode::Resize, format!("{cols}x{rows}"));
    }

    /// The events ready to be journaled, taken.
    pub fn take(&mut self) -> Vec<CastEvent> {
        std::mem::take(&mut self.ready)
    }

    /// The session ended: everything still held back, then nothing more. Typing still
    /// waiting for the host (and keys queued behind it) is left out and counted.
    pub fn finish(&mut self, at_ms: u64) -> Vec<CastEvent> {
        self.tick(at_ms);
        while let Some(chunk) = self.queue.pop_front() {
            self.unrecorded_input += chunk.bytes.len() as u64;
        }
        self.echoed = 0;
        self.flush_output();
        self.take()
    }

    /// Bytes typed that are not in the record.
    pub fn unrecorded_input(&self) -> u64 {
        self.unrecorded_input
    }

    fn tick(&mut self, at_ms: u64) {
        self.now_ms = self.now_ms.max(at_ms);
    }

    /// One output byte against the typing waiting for its echo.
    fn match_echo(&mut self, byte: u8) {
        while let Some(first) = self.queue.front() {
            if first.bytes.get(self.echoed) == Some(&byte) {
                if self.echoed == 0 {
                    self.echo_start = self.output_seen;
                }
                self.echoed += 1;
                if self.echoed == first.bytes.len() {
                    self.echoed = 0;
                    if let Some(chunk) = self.queue.pop_front() {
                        self.record_input(&chunk.bytes, true);
                    }
                    self.release_settled();
                }
                return;
            }
            // The host said something else: this chunk was not echoed.
            self.echoed = 0;
            if let Some(chunk) = self.queue.pop_front() {
                self.unrecorded_input += chunk.bytes.len() as u64;
            }
            self.release_settled();
        }
    }

    /// Records the chunks without text at the head of the queue: everything before them is
    /// settled.
    fn release_settled(&mut self) {
        while self.queue.front().is_some_and(|c| !c.carries_text) {
            if let Some(chunk) = self.queue.pop_front() {
                self.record_input(&chunk.bytes, false);
            }
        }
    }

    /// Adds recorded typing to the held input event. Echoed text joins it only when its echo
    /// follows the held text's echo directly, so the event's text stays verbatim on screen.
    fn record_input(&mut self, bytes: &[u8], echoed: bool) {
        if echoed {
            let end = self.output_seen + 1;
            if self.input_text_end.is_some_and(|e| e != self.echo_start) {
                self.flush_input();
            }
            self.input_text_end = Some(end);
        }
        self.input.bytes.extend_from_slice(bytes);
        self.input.at_ms = self.now_ms;
        if self.input.bytes.len() > HOLD_LIMIT {
            self.flush_input();
        }
    }

    fn flush_input(&mut self) {
        self.input_text_end = None;
        if self.input.bytes.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.input);
        let text = self.input_mask.mask(&String::from_utf8_lossy(&held.bytes));
        self.push(held.at_ms, CastCode::Input, text);
    }

    /// Emits everything held: the input, then the output.
    fn flush_output(&mut self) {
        self.flush_input();
        let held = std::mem::take(&mut self.output);
        if !held.is_empty() {
            self.emit_output(&held);
        }
    }

    /// An output event: the input its echo confirmed goes first.
    fn emit_output(&mut self, bytes: &[u8]) {
        self.flush_input();
        let text = self.output_mask.mask(&String::from_utf8_lossy(bytes));
        self.push(self.now_ms, CastCode::Output, text);
    }

    fn push(&mut self, at_ms: u64, code: CastCode, text: String) {
        let at_ms = at_ms.max(self.last_emitted_ms);
        self.last_emitted_ms = at_ms;
        self.ready.push(CastEvent(cast_seconds(at_ms), code, text));
    }
}

/// Whether typed bytes carry text: anything left once C0 controls, DEL and escape sequences
/// (CSI `ESC [ … final`, SS3 `ESC O x`, two-byte `ESC x`) are taken out.
pub(super) fn carries_text(bytes: &[u8]) -> bool {
    const ESC: u8 = 0x1b;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == ESC {
            i += escape_length(&bytes[i..]);
        } else if b < 0x20 || b == 0x7f {
            i += 1;
        } else {
            return true;
        }
    }
    false
}

/// The length of the escape sequence at the start of `bytes` (which starts with ESC); 1 when
/// what follows is not one (the ESC alone is a control).
fn escape_length(bytes: &[u8]) -> usize {
    match bytes.get(1) {
        Some(b'[') => {
            let mut i = 2;
            while bytes.get(i).is_some_and(|b| (0x30..=0x3f).contains(b)) {
                i += 1;
            }
            while bytes.get(i).is_some_and(|b| (0x20..=0x2f).contains(b)) {
                i += 1;
            }
            match bytes.get(i) {
                Some(final_byte) if (0x40..=0x7e).contains(final_byte) => i + 1,
                _ => 1,
            }
        }
        Some(b'O') => match bytes.get(2) {
            Some(final_byte) if (0x20..=0x7e).contains(final_byte) => 3,
            _ => 2,
        },
        Some(second) if (0x20..=0x7e).contains(second) => 2,
        _ => 1,
    }
}

/// How many bytes at the end of `bytes` begin a UTF-8 character not yet complete.
fn incomplete_utf8_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0xc0 == 0x80 {
            continue;
        }
        let needed = match b {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return 0,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod tests;
