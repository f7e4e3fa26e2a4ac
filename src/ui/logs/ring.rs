//! One host's bounded log buffer: old lines drop off and are counted, never silently lost.

use std::collections::VecDeque;

/// One log line as the Logs pane keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Arrival number across every host: the merged view interleaves by it.
    pub seq: u64,
    /// When it arrived (unix ms).
    pub at_ms: i64,
    /// Line text (already redacted).
    pub text: String,
    /// Whether it matches the highlight patterns.
    pub highlighted: bool,
    /// A marker cockpit inserted (gap, tail ended), not a line from the host.
    pub marker: bool,
}

/// One host's lines, oldest first, bounded; plus the arrival numbers of the held lines that
/// pass the active filter, so a filtered view never re-reads the whole buffer.
#[derive(Debug, Clone)]
pub struct HostLog {
    /// Host name.
    pub name: String,
    lines: VecDeque<LogLine>,
    capacity: usize,
    /// Lines dropped from the front because the buffer was full.
    pub dropped: u64,
    matching: VecDeque<u64>,
}

impl HostLog {
    /// An empty buffer keeping at most `capacity` lines.
    pub fn new(name: impl Into<String>, capacity: usize) -> Self {
        Self {
            name: name.into(),
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
            matching: VecDeque::new(),
        }
    }

    /// Adds a line (its `seq` must be above every held one), dropping and counting the oldest
    /// when full; `passes` says whether it belongs in the filtered index.
    pub fn push(&mut self, line: LogLine, passes: bool) {
        if self.lines.len() == self.capacity
            && let Some(old) = self.lines.pop_front()
        {
            self.dropped += 1;
            if self.matching.front() == Some(&old.seq) {
                self.matching.pop_front();
            }
        }
        if passes {
            self.matching.push_back(line.seq);
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

    /// Whether the host ever sent anything (held or dropped).
    pub fn has_received(&self) -> bool {
        !self.lines.is_empty() || self.dropped > 0
    }

    /// Held lines that pass the filter the index was last built for.
    pub fn matching_len(&self) -> usize {
        self.matching.len()
    }

    /// Rebuilds the filtered index with `passes` over every held line.
    pub fn reindex(&mut self, passes: impl Fn(&LogLine) -> bool) {
        self.matching = self
            .lines
            .iter()
            .filter(|l| passes(l))
            .map(|l| l.seq)
            .collect();
    }

    /// The lines a view walks: all of them, or only those in the filtered index.
    pub fn source(&self, filtered: bool) -> Source<'_> {
        Source {
            lines: &self.lines,
            matching: filtered.then_some(&self.matching),
        }
    }
}

/// A host's lines in arrival order, whole or filtered, addressed by position.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    lines: &'a VecDeque<LogLine>,
    matching: Option<&'a VecDeque<u64>>,
}

impl<'a> Source<'a> {
    /// Lines in the source.
    pub fn len(&self) -> usize {
        self.matching.map_or(self.lines.len(), VecDeque::len)
    }

    /// Whether the source is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The arrival number of the line at `index`.
    pub fn seq_at(&self, index: usize) -> Option<u64> {
        match self.matching {
            Some(m) => m.get(index).copied(),
            None => self.lines.get(index).map(|l| l.seq),
        }
    }

    /// The line at `index`.
    pub fn line_at(&self, index: usize) -> Option<&'a LogLine> {
        match self.matching {
            Some(m) => {
                let seq = *m.get(index)?;
                let at = self.lines.binary_search_by_key(&seq, |l| l.seq).ok()?;
                self.lines.get(at)
            }
            None => self.lines.get(index),
        }
    }

    /// How many lines of the source arrived at or before `seq` (binary search).
    pub fn count_through(&self, seq: u64) -> usize {
        match self.matching {
            Some(m) => m.partition_point(|s| *s <= seq),
            None => self.lines.partition_point(|l| l.seq <= seq),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64) -> LogLine {
        LogLine {
            seq,
            at_ms: 0,
            text: seq.to_string(),
            highlighted: false,
            marker: false,
        }
    }

    #[test]
    fn bounded_and_counts_what_it_drops() {
        let mut h = HostLog::new("h", 3);
        (0..5).for_each(|n| h.push(line(n * 10), true));
        assert_eq!(h.len(), 3);
        assert_eq!(h.dropped, 2);
        let all = h.source(false);
        assert_eq!(all.seq_at(0), Some(20));
        assert_eq!(all.count_through(25), 1);
        assert_eq!(all.count_through(40), 3);
        assert_eq!(all.count_through(5), 0);
    }

    #[test]
    fn filtered_index_follows_the_ring() {
        let mut h = HostLog::new("h", 3);
        for n in 0..6u64 {
            h.push(line(n), n % 2 == 0);
        }
        // Held: 3, 4, 5; of those only 4 passes (0 and 2 were dropped with their lines).
        assert_eq!(h.matching_len(), 1);
        let filtered = h.source(true);
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered.line_at(0).map(|l| l.seq), Some(4));
        h.reindex(|l| l.seq != 4);
        assert_eq!(h.source(true).seq_at(1), Some(5));
    }
}
