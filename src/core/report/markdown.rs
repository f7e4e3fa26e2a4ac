//! Writes a [`Doc`] as GitHub-flavoured Markdown. Journal text is escaped so it reads as text:
//! a note cannot open a code block, a table cell, a link or raw HTML.

use crate::core::report::doc::{Block, Doc, Inline, Line, longest_run};

/// The document as Markdown.
pub fn render(doc: &Doc) -> String {
    // Sized once for the whole text: a large report would otherwise be copied at every
    // doubling of the buffer (a 100,000-entry incident writes some 30 MB).
    let text = doc.text_len();
    let mut out = String::with_capacity(text + text / 4 + 64 * 1024);
    out.push_str("# ");
    escape_into(&mut out, &doc.title, Place::Flow, false, "");
    out.push('\n');
    for block in &doc.blocks {
        out.push('\n');
        block_into(&mut out, block);
    }
    out
}

/// Where inline text goes: line breaks and pipes mean different things in each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A paragraph, list item or quote: a line break becomes a hard break.
    Flow,
    /// A table cell: one physical line, pipes escaped.
    Cell,
}

fn block_into(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, title) => {
            push_run(out, '#', usize::from((*level).clamp(1, 6)));
            out.push(' ');
            escape_into(out, title, Place::Flow, false, "");
            out.push('\n');
        }
        Block::Para(line) => line_into(out, "", line, Place::Flow, ""),
        Block::Fields(fields) => {
            for (label, value) in fields {
                out.push_str("- **");
                escape_into(out, label, Place::Flow, false, "");
                out.push_str(":** ");
                line_into(out, "", value, Place::Flow, "  ");
            }
        }
        Block::Table { head, rows } => {
            out.push('|');
            for h in head {
                out.push(' ');
                escape_into(out, h, Place::Cell, false, "");
                out.push_str(" |");
            }
            out.push_str("\n|");
            for _ in head {
                out.push_str(" --- |");
            }
            out.push('\n');
            for row in rows {
                out.push('|');
                for cell in row {
                    out.push(' ');
                    inlines_into(out, cell, Place::Cell, "");
                    out.push_str(" |");
                }
                out.push('\n');
            }
        }
        Block::Code(text) => {
            let fence = longest_run(text, b'`').max(2) + 1;
            push_run(out, '`', fence);
            out.push_str("text\n");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            push_run(out, '`', fence);
            out.push('\n');
        }
        Block::List(items) => {
            for item in items {
                line_into(out, "- ", item, Place::Flow, "  ");
            }
        }
        Block::Checklist(items) => {
            for item in items {
                line_into(out, "- [ ] ", item, Place::Flow, "  ");
            }
        }
        Block::Notice { text, .. } => line_into(out, "> ", text, Place::Flow, "> "),
    }
}

/// `prefix`, the line, a newline.
fn line_into(out: &mut String, prefix: &str, line: &Line, place: Place, indent: &str) {
    out.push_str(prefix);
    inlines_into(out, line, place, indent);
    out.push('\n');
}

/// A line of inlines; `indent` continues a hard-broken line inside a list item or quote.
fn inlines_into(out: &mut String, line: &Line, place: Place, indent: &str) {
    for (i, inline) in line.iter().enumerate() {
        match inline {
            Inline::Text(t) => escape_into(out, t, place, i == 0, indent),
            Inline::Strong(t) if t.trim().is_empty() => escape_into(out, t, place, i == 0, indent),
            Inline::Strong(t) => {
                out.push_str("**");
                escape_into(out, t, place, false, indent);
                out.push_str("**");
            }
            Inline::Code(c) => code_span_into(out, c, place, indent),
        }
    }
}

/// A code span that holds any text: a fence longer than any backtick run inside, one line.
fn code_span_into(out: &mut String, c: &str, place: Place, indent: &str) {
    if c.trim().is_empty() {
        return escape_into(out, c, place, false, indent);
    }
    let fence = longest_run(c, b'`') + 1;
    let pad = if c.starts_with('`') || c.ends_with('`') {
        " "
    } else {
        ""
    };
    push_run(out, '`', fence);
    out.push_str(pad);
    // Copied in slices between the (ASCII) characters that change.
    let mut last = 0;
    for (i, b) in c.bytes().enumerate() {
        let with = match b {
            b'\n' | b'\r' => " ",
            b'|' if place == Place::Cell => "\\|",
            _ => continue,
        };
        out.push_str(&c[last..i]);
        out.push_str(with);
        last = i + 1;
    }
    out.push_str(&c[last..]);
    out.push_str(pad);
    push_run(out, '`', fence);
}

/// `n` times `ch`.
fn push_run(out: &mut String, ch: char, n: usize) {
    out.extend(std::iter::repeat_n(ch, n));
}

/// Backslash-escapes Markdown's punctuation so the text shows as written. Where the text
/// starts a line (`at_start`, or after a line break in flowing text), a character that would
/// open a heading, list, quote or rule is escaped too. A line break becomes a hard break
/// followed by `indent` in flowing text, `<br>` in a table cell. Everything escaped is ASCII,
/// so the text is copied in slices between escapes.
fn escape_into(out: &mut String, text: &str, place: Place, at_start: bool, indent: &str) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut line_start = at_start && place == Place::Flow;
    for (i, &b) in bytes.iter().enumerate() {
        if line_start && b != b' ' {
            line_start = false;
            if opens_block(&text[i..]) {
                // `1.` is escaped at its delimiter: a backslash before a digit is literal.
                let at = i + text[i..].bytes().take_while(u8::is_ascii_digit).count();
                out.push_str(&text[last..at]);
                out.push('\\');
                last = at;
            }
        }
        let entity = b == b'&'
            && bytes
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'#');
        match b {
            b'\\' | b'`' | b'*' | b'_' | b'[' | b']' | b'<' | b'~' | b'|' => {
                out.push_str(&text[last..i]);
                out.push('\\');
                last = i;
            }
            b'&' if entity => {
                out.push_str(&text[last..i]);
                out.push('\\');
                last = i;
            }
            b'\r' => {
                out.push_str(&text[last..i]);
                last = i + 1;
            }
            b'\n' => {
                out.push_str(&text[last..i]);
                if place == Place::Cell {
                    out.push_str("<br>");
                } else {
                    out.push_str("  \n");
                    out.push_str(indent);
                    line_start = true;
                }
                last = i + 1;
            }
            _ => {}
        }
    }
    out.push_str(&text[last..]);
}

/// Whether a line starting with `rest` would be read as a block opener: `# h`, `> q`, `- x`,
/// `+ x`, `1. x`, `2) x`, `---`, `===`.
fn opens_block(rest: &str) -> bool {
    let mut chars = rest.chars();
    let spaced = |c: Option<char>| c.is_none_or(char::is_whitespace);
    match chars.next() {
        Some('>') => true,
        Some(c @ ('#' | '-' | '+' | '=')) => {
            let next = chars.next();
            spaced(next) || next == Some(c)
        }
        Some(c) if c.is_ascii_digit() => {
            let after = rest.trim_start_matches(|d: char| d.is_ascii_digit());
            let mut tail = after.chars();
            matches!(tail.next(), Some('.' | ')')) && spaced(tail.next())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::report::doc::{code, text};

    fn one(block: Block) -> String {
        render(&Doc {
            title: "T".into(),
            blocks: vec![block],
        })
    }

    #[test]
    fn text_is_escaped_so_it_reads_as_written() {
        let md = one(Block::Para(vec![text(
            "<script>alert(1)</script> *x* [a](b) `c` & b &amp;",
        )]));
        assert!(
            md.contains(r"\<script>alert(1)\</script> \*x\* \[a\](b) \`c\` & b \&amp;"),
            "{md}"
        );
        assert!(one(Block::Para(vec![text("# not a heading")])).contains(r"\# not"));
        assert!(one(Block::Para(vec![text("1. not a list")])).contains(r"1\. not"));
        assert!(one(Block::Para(vec![text("> not a quote")])).contains(r"\> not"));
        assert!(one(Block::Para(vec![text("a\n- b")])).contains("a  \n\\- b"));
        let plain = one(Block::Para(vec![text("7.1 s, -00:02, #5, 2026-11-21")]));
        assert!(
            plain.contains("\n7.1 s, -00:02, #5, 2026-11-21\n"),
            "{plain}"
        );
    }

    #[test]
    fn code_with_backticks_gets_a_longer_fence() {
        let md = one(Block::Code("a ``` b\n````".into()));
        assert!(md.contains("\n`````text\na ``` b\n````\n`````\n"), "{md}");
        let span = one(Block::Para(vec![code("`x`")]));
        assert!(span.contains("`` `x` ``"), "{span}");
    }

    #[test]
    fn table_cells_stay_on_one_line_and_escape_pipes() {
        let md = one(Block::Table {
            head: vec!["a".into(), "b".into()],
            rows: vec![vec![vec![text("x | y\nz")], vec![code("p|q")]]],
        });
        assert!(md.contains("| a | b |\n| --- | --- |\n"), "{md}");
        assert!(md.contains(r"| x \| y<br>z | `p\|q` |"), "{md}");
    }

    #[test]
    fn cjk_passes_through() {
        let md = one(Block::List(vec![vec![text("主库无法连接；DBA 已呼叫")]]));
        assert!(md.contains("- 主库无法连接；DBA 已呼叫\n"), "{md}");
    }
}
