//! A bounded buffer of log lines: old lines drop off and are counted, never silently lost.

use std::collections::VecDeque;

/// One log line with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it arrived (unix ms).
    pub at_ms: i64,
    /// Host name.
    pub host: String,
    /// Line text (already redacted).
    pub text: String,
    /// Whether it matches the highlight patterns.
    pub highlighted: bool,
    /// A marker cockpit inserted (gap, tail ended), not a line from the host.
    pub marker: bool,
}

/// Ring buffer of lines.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    /// Lines dropped from the front because the buffer was full.
    pub dropped: u64,
}

impl LogBuffer {
    /// A buffer keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Adds a line, dropping the oldest when full.
    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Up to `count` lines ending `from_end` lines before the newest.
    pub fn window(&self, count: usize, from_end: usize) -> impl Iterator<Item = &LogLine> {
        let end = self.lines.len().saturating_sub(from_end);
        let start = end.saturating_sub(count);
        self.lines.range(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> LogLine {
        LogLine {
            at_ms: 0,
            host: "h".into(),
            text: n.to_string(),
            highlighted: false,
            marker: false,
        }
    }

    #[test]
    fn bounded_and_counts_what_it_drops() {
        let mut b = LogBuffer::new(3);
        (0..5).for_each(|n| b.push(line(n)));
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped, 2);
        let texts: Vec<_> = b.window(2, 0).map(|l| l.text.clone()).collect();
        assert_eq!(texts, ["3", "4"]);
        let older: Vec<_> = b.window(2, 1).map(|l| l.text.clone()).collect();
        assert_eq!(older, ["2", "3"]);
    }
}
