//! Splitting a command's output into lines as it arrives in pieces of any size.
//!
//! A line may arrive split over many pieces (and a multi-byte character with it), and a piece
//! may hold many lines. Lines are decoded only once they are whole, so a character cut
//! between two pieces is not mangled; bytes that are not UTF-8 become U+FFFD. A line longer
//! than [`MAX_LINE`] bytes is cut there and says so; the rest of it is dropped.
//!
//! This is the log tails' hot path: a line that arrives whole costs one search for its
//! newline and one allocation (its `String`), and is never copied into the carry buffer.

use std::collections::VecDeque;

/// Longest line kept, in bytes; the rest of a longer line is dropped and said so.
pub const MAX_LINE: usize = 64 * 1024;

/// Carries an unfinished line from one piece of output to the next.
#[derive(Debug, Default)]
pub struct LineSplitter {
    /// The start of the current line, up to [`MAX_LINE`] bytes (its capacity is kept).
    pending: Vec<u8>,
    /// The current line went past [`MAX_LINE`]: its rest is being dropped.
    cutting: bool,
}

impl LineSplitter {
    /// Appends every line that `data` completes to `out` (without its `\n` or trailing `\r`s).
    pub fn push(&mut self, data: &[u8], out: &mut VecDeque<String>) {
        let mut rest = data;
        while let Some(end) = memchr::memchr(b'\n', rest) {
            let body = &rest[..end];
            rest = &rest[end + 1..];
            if self.pending.is_empty() && !self.cutting && body.len() <= MAX_LINE {
                out.push_back(decode(body, false));
                continue;
            }
            self.keep(body);
            out.push_back(decode(&self.pending, self.cutting));
            self.pending.clear();
            self.cutting = false;
        }
        self.keep(rest);
    }

    /// The unfinished last line once the output has ended, if there is one.
    pub fn finish(&mut self) -> Option<String> {
        if self.pending.is_empty() && !self.cutting {
            return None;
        }
        let line = decode(&self.pending, self.cutting);
        self.pending.clear();
        self.cutting = false;
        Some(line)
    }

    /// Keeps what fits of a piece of the current line.
    fn keep(&mut self, piece: &[u8]) {
        if self.cutting || piece.is_empty() {
            return;
        }
        let room = MAX_LINE - self.pending.len();
        if piece.len() > room {
            self.cutting = true;
        }
        self.pending
            .extend_from_slice(&piece[..room.min(piece.len())]);
    }
}

/// A line's text: trailing `\r`s dropped, lossily decoded, and marked when it was cut.
fn decode(bytes: &[u8], cut: bool) -> String {
    let end = bytes.iter().rposition(|b| *b != b'\r').map_or(0, |i| i + 1);
    let bytes = &bytes[..end];
    let mut line = match std::str::from_utf8(bytes) {
        Ok(text) if !cut => return text.to_owned(),
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    if cut {
        line.push_str(&format!(" …[line cut at {MAX_LINE} bytes]"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `pieces` in order and returns every line, the unfinished one last.
    fn split(pieces: &[&[u8]]) -> Vec<String> {
        let mut splitter = LineSplitter::default();
        let mut out = VecDeque::new();
        for piece in pieces {
            splitter.push(piece, &mut out);
        }
        out.extend(splitter.finish());
        out.into()
    }

    /// Every way of cutting `data` into two pieces gives the same lines as one piece.
    fn same_at_every_cut(data: &[u8]) -> Vec<String> {
        let whole = split(&[data]);
        for at in 0..=data.len() {
            assert_eq!(split(&[&data[..at], &data[at..]]), whole, "cut at {at}");
        }
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(split(&bytes), whole, "byte by byte");
        whole
    }

    #[test]
    fn lines_in_one_piece_and_across_pieces() {
        assert_eq!(
            same_at_every_cut(b"one\ntwo\n\nthree"),
            ["one", "two", "", "three"]
        );
        assert!(split(&[b""]).is_empty());
        assert_eq!(split(&[b"\n"]), [""]);
    }

    #[test]
    fn carriage_returns_before_the_newline_are_dropped() {
        assert_eq!(
            same_at_every_cut(b"dos\r\nmany\r\r\n\r\nmid\rdle\n"),
            ["dos", "many", "", "mid\rdle"]
        );
    }

    #[test]
    fn cjk_split_between_pieces_is_kept_whole() {
        let text = "数据库 连接 失败\nログ\n";
        assert_eq!(
            same_at_every_cut(text.as_bytes()),
            ["数据库 连接 失败", "ログ"]
        );
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(
            same_at_every_cut(b"ok \xff\xfe end\n\xe6\x95\n\xc3\x28\n"),
            ["ok \u{fffd}\u{fffd} end", "\u{fffd}", "\u{fffd}("]
        );
    }

    #[test]
    fn a_line_too_long_is_cut_and_says_so_however_it_arrives() {
        let mut data = vec![b'x'; MAX_LINE + 10];
        data.extend_from_slice(b"\nnext\n");
        let note = format!(" …[line cut at {MAX_LINE} bytes]");
        let expected = [format!("{}{note}", "x".repeat(MAX_LINE)), "next".into()];
        assert_eq!(split(&[&data]), expected);
        let (a, b) = data.split_at(MAX_LINE - 3);
        assert_eq!(split(&[a, b]), expected);
        let pieces: Vec<&[u8]> = data.chunks(4096).collect();
        assert_eq!(split(&pieces), expected);
        // Exactly MAX_LINE bytes is not cut.
        let mut exact = vec![b'y'; MAX_LINE];
        exact.push(b'\n');
        assert_eq!(split(&[&exact]), ["y".repeat(MAX_LINE)]);
        assert_eq!(
            split(&[&exact[..100], &exact[100..]]),
            ["y".repeat(MAX_LINE)]
        );
    }

    #[test]
    fn an_endless_line_keeps_memory_bounded() {
        let mut splitter = LineSplitter::default();
        let mut out = VecDeque::new();
        let piece = vec![b'z'; 32 * 1024];
        for _ in 0..64 {
            splitter.push(&piece, &mut out);
        }
        assert!(out.is_empty());
        assert!(splitter.pending.capacity() <= 2 * MAX_LINE);
        let last = splitter.finish().unwrap_or_default();
        assert!(last.ends_with(&format!(" …[line cut at {MAX_LINE} bytes]")));
        assert_eq!(splitter.finish(), None);
    }

    #[test]
    fn a_multibyte_character_cut_at_the_limit_is_replaced_not_split() {
        let mut data = vec![b'a'; MAX_LINE - 1];
        data.extend_from_slice("数\n".as_bytes());
        let lines = split(&[&data]);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with(&"a".repeat(MAX_LINE - 1)));
        assert!(lines[0].contains('\u{fffd}'));
    }
}
