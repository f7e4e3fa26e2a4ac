//! Splitting a command's output into lines as it arrives in pieces of any size.
//!
//! A line may arrive split over many pieces (and a multi-byte character with it), and a piece
//! may hold many lines. Lines are decoded only once they are whole, so a character cut
//! between two pieces is not mangled; bytes that are not UTF-8 become U+FFFD. A line longer
//! than [`MAX_LINE`] bytes is cut there and says so; the rest of it is dropped.
//!
//! This is the log tails' hot path: the whole lines of a piece are checked for UTF-8 once,
//! copied into one [`LineBatch`] in one piece and found with one newline search, so a line
//! costs a few nanoseconds and no allocation of its own. Only a piece with a bad byte or an
//! over-long line takes the line-by-line path.

use std::fmt;

/// Longest line kept, in bytes; the rest of a longer line is dropped and said so.
pub const MAX_LINE: usize = 64 * 1024;

/// Lines that arrived together (one SSH packet's worth, say), in one buffer: the unit the
/// log tails report in, so a packet of a hundred lines is one event and one allocation, not
/// a hundred.
#[derive(Clone, Default)]
pub struct LineBatch {
    /// The lines' text. Lines copied from output in one piece keep what lay between them
    /// (their newlines and carriage returns), which no span covers.
    text: String,
    /// Where each line starts and ends in `text`.
    spans: Vec<(usize, usize)>,
}

impl LineBatch {
    /// A batch of these lines.
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let mut batch = Self::default();
        for line in lines {
            batch.push(line);
        }
        batch
    }

    /// Appends a line (its text as is: no newline expected).
    pub fn push(&mut self, line: &str) {
        let start = self.text.len();
        self.text.push_str(line);
        self.spans.push((start, self.text.len()));
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether it holds no line.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes of text over every line (newlines not counted).
    pub fn text_len(&self) -> usize {
        self.spans.iter().map(|(start, end)| end - start).sum()
    }

    /// The line at `index`.
    pub fn get(&self, index: usize) -> Option<&str> {
        let &(start, end) = self.spans.get(index)?;
        self.text.get(start..end)
    }

    /// The lines, oldest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.spans
            .iter()
            .map(move |&(start, end)| &self.text[start..end])
    }

    /// Removes every line, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// Appends the lines of `whole`, output that ends with a newline: checked for UTF-8 and
    /// copied in one piece when it is valid and holds no line over [`MAX_LINE`], line by line
    /// otherwise.
    fn extend_from_output(&mut self, whole: &[u8]) {
        if whole.is_empty() {
            return;
        }
        let Ok(text) = std::str::from_utf8(whole) else {
            return self.extend_line_by_line(whole);
        };
        let (base, spans) = (self.text.len(), self.spans.len());
        self.text.push_str(text);
        // Room for lines of 64 bytes on average: log lines seldom grow it again.
        self.spans.reserve(whole.len() / 64 + 1);
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', whole) {
            let line = &whole[start..newline];
            if line.len() > MAX_LINE {
                self.text.truncate(base);
                self.spans.truncate(spans);
                return self.extend_line_by_line(whole);
            }
            self.spans.push((
                base + start,
                base + start + without_carriage_returns(line).len(),
            ));
            start = newline + 1;
        }
    }

    /// The slow path of [`LineBatch::extend_from_output`]: each line decoded on its own.
    fn extend_line_by_line(&mut self, whole: &[u8]) {
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', whole) {
            let line = &whole[start..newline];
            let cut = line.len() > MAX_LINE;
            decode_into(&line[..line.len().min(MAX_LINE)], cut, self);
            start = newline + 1;
        }
    }
}

/// Two batches are equal when they hold the same lines, however their text is laid out.
impl PartialEq for LineBatch {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for LineBatch {}

impl fmt::Debug for LineBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

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
    pub fn push(&mut self, data: &[u8], out: &mut LineBatch) {
        let mut rest = data;
        if !self.pending.is_empty() || self.cutting {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.keep(rest);
                return;
            };
            self.keep(&rest[..end]);
            self.finish(out);
            rest = &rest[end + 1..];
        }
        let whole = memchr::memrchr(b'\n', rest).map_or(0, |last| last + 1);
        out.extend_from_output(&rest[..whole]);
        self.keep(&rest[whole..]);
    }

    /// Appends the unfinished last line, if there is one, once the output has ended; returns
    /// whether there was one.
    pub fn finish(&mut self, out: &mut LineBatch) -> bool {
        if self.pending.is_empty() && !self.cutting {
            return false;
        }
        decode_into(&self.pending, self.cutting, out);
        self.pending.clear();
        self.cutting = false;
        true
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

/// A line without the carriage returns it ends with (a `\r\n` line ending).
fn without_carriage_returns(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|b| *b != b'\r').map_or(0, |i| i + 1);
    &line[..end]
}

/// Appends a line's text to `out`: trailing `\r`s dropped, lossily decoded, and marked when
/// it was cut.
fn decode_into(bytes: &[u8], cut: bool, out: &mut LineBatch) {
    let bytes = without_carriage_returns(bytes);
    let start = out.text.len();
    match std::str::from_utf8(bytes) {
        Ok(text) => out.text.push_str(text),
        Err(_) => out.text.push_str(&String::from_utf8_lossy(bytes)),
    }
    if cut {
        out.text
            .push_str(&format!(" …[line cut at {MAX_LINE} bytes]"));
    }
    out.spans.push((start, out.text.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `pieces` in order and returns every line, the unfinished one last.
    fn split(pieces: &[&[u8]]) -> Vec<String> {
        let mut splitter = LineSplitter::default();
        let mut out = LineBatch::default();
        for piece in pieces {
            splitter.push(piece, &mut out);
        }
        splitter.finish(&mut out);
        out.iter().map(str::to_owned).collect()
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
        let mut out = LineBatch::default();
        let piece = vec![b'z'; 32 * 1024];
        for _ in 0..64 {
            splitter.push(&piece, &mut out);
        }
        assert!(out.is_empty());
        assert!(splitter.pending.capacity() <= 2 * MAX_LINE);
        assert!(splitter.finish(&mut out));
        let last = out.get(0).unwrap_or_default();
        assert!(last.ends_with(&format!(" …[line cut at {MAX_LINE} bytes]")));
        assert!(!splitter.finish(&mut out));
        assert_eq!(out.len(), 1);
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

    #[test]
    fn batches_with_the_same_lines_are_equal_however_they_were_filled() {
        let mut from_output = LineBatch::default();
        LineSplitter::default().push(b"one\r\ntwo\n", &mut from_output);
        assert_eq!(from_output, LineBatch::of(["one", "two"]));
        assert_ne!(from_output, LineBatch::of(["one", "two", ""]));
        assert_eq!(format!("{from_output:?}"), r#"["one", "two"]"#);
    }

    #[test]
    fn a_batch_holds_its_lines_in_order_and_reuses_its_buffers() {
        let mut batch = LineBatch::of(["one", "", "二"]);
        assert_eq!(batch.len(), 3);
        assert_eq!(batch.iter().collect::<Vec<_>>(), ["one", "", "二"]);
        assert_eq!(
            (batch.get(1), batch.get(2), batch.get(3)),
            (Some(""), Some("二"), None)
        );
        assert_eq!(batch.text_len(), "one二".len());
        let capacity = batch.text.capacity();
        batch.clear();
        assert!(batch.is_empty());
        assert_eq!(batch.iter().count(), 0);
        assert_eq!(batch.text.capacity(), capacity);
    }
}
