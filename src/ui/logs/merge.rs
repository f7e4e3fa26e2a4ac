//! Walking several hosts' lines as one stream in arrival order, from any point, older or
//! newer: a k-way merge over per-host sources, so a window costs O(hosts × rows), never
//! O(lines held).

use crate::ui::logs::ring::{LogLine, Source};

/// Which way a walk goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards older lines.
    Older,
    /// Towards newer lines.
    Newer,
}

struct Head<'a> {
    host: usize,
    source: Source<'a>,
    /// Older: lines still to yield are `..pos`; newer: `pos..`.
    pos: usize,
}

/// An iterator over `(host index, line)` in arrival order.
pub struct Walk<'a> {
    heads: Vec<Head<'a>>,
    direction: Direction,
}

impl<'a> Walk<'a> {
    /// Starts at `seq`: older walks begin with the newest line at or before it (None = the
    /// newest line of all), newer walks with the oldest line after it.
    pub fn new(sources: Vec<(usize, Source<'a>)>, from: Option<u64>, direction: Direction) -> Self {
        let heads = sources
            .into_iter()
            .map(|(host, source)| Head {
                host,
                source,
                pos: from.map_or(source.len(), |seq| source.count_through(seq)),
            })
            .collect();
        Self { heads, direction }
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = (usize, &'a LogLine);

    fn next(&mut self) -> Option<Self::Item> {
        let direction = self.direction;
        let candidate = |h: &Head<'a>| match direction {
            Direction::Older => h.pos.checked_sub(1).and_then(|i| h.source.seq_at(i)),
            Direction::Newer => h.source.seq_at(h.pos),
        };
        let best = self
            .heads
            .iter_mut()
            .filter_map(|h| candidate(h).map(|seq| (seq, h)))
            .reduce(|a, b| match (direction, b.0 > a.0) {
                (Direction::Older, true) | (Direction::Newer, false) => b,
                _ => a,
            })?;
        let head = best.1;
        let index = match direction {
            Direction::Older => {
                head.pos -= 1;
                head.pos
            }
            Direction::Newer => {
                head.pos += 1;
                head.pos - 1
            }
        };
        Some((head.host, head.source.line_at(index)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::logs::ring::HostLog;

    fn host(seqs: &[u64]) -> HostLog {
        let mut h = HostLog::new("h", 100);
        for s in seqs {
            h.push(
                LogLine {
                    seq: *s,
                    at_ms: 0,
                    text: String::new(),
                    highlighted: false,
                    marker: false,
                },
                s % 2 == 0,
            );
        }
        h
    }

    fn seqs<'a>(walk: impl Iterator<Item = (usize, &'a LogLine)>) -> Vec<(usize, u64)> {
        walk.map(|(h, l)| (h, l.seq)).collect()
    }

    #[test]
    fn interleaves_by_arrival_both_ways() {
        let (a, b) = (host(&[1, 2, 5, 8]), host(&[3, 4, 6, 7]));
        let sources = || vec![(0, a.source(false)), (1, b.source(false))];
        let older = seqs(Walk::new(sources(), None, Direction::Older));
        assert_eq!(
            older,
            [
                (0, 8),
                (1, 7),
                (1, 6),
                (0, 5),
                (1, 4),
                (1, 3),
                (0, 2),
                (0, 1)
            ]
        );
        let from_5 = seqs(Walk::new(sources(), Some(5), Direction::Older).take(2));
        assert_eq!(from_5, [(0, 5), (1, 4)]);
        let after_5 = seqs(Walk::new(sources(), Some(5), Direction::Newer));
        assert_eq!(after_5, [(1, 6), (1, 7), (0, 8)]);
    }

    #[test]
    fn walks_the_filtered_index() {
        let (a, b) = (host(&[1, 2, 5, 8]), host(&[3, 4, 6, 7]));
        let sources = vec![(0, a.source(true)), (1, b.source(true))];
        let even = seqs(Walk::new(sources, Some(7), Direction::Older));
        assert_eq!(even, [(1, 6), (1, 4), (0, 2)]);
    }
}
