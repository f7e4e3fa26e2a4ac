//! Writes a [`Doc`] as GitHub-flavoured Markdown. Journal text is escaped so it reads as text:
//! a note cannot open a code block, a table cell, a link or raw HTML.

use crate::core::report::doc::{Block, Doc, Inline, Line, longest_run};
use std::fmt::Write;

/// The document as Markdown.
pub fn render(doc: &Doc) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = writeln!(out, "# {}", escape(&doc.title, Place::Flow, false));
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
            let hashes = "#".repeat(usize::from((*level).clamp(1, 6)));
            let _ = writeln!(out, "{hashes} {}", escape(title, Place::Flow, false));
        }
        Block::Para(line) => {
            let _ = writeln!(out, "{}", line_text(line, Place::Flow, ""));
        }
        Block::Fields(fields) => {
            for (label, value) in fields {
                let _ = writeln!(
                    out,
                    "- **{}:** {}",
                    escape(label, Place::Flow, false),
                    line_text(value, Place::Flow, "  ")
                );
            }
        }
        Block::Table { head, rows } => {
            let cells: Vec<String> = head.iter().map(|h| escape(h, Place::Cell, false)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
            let _ = writeln!(out, "|{}", " --- |".repeat(head.len()));
            for row in rows {
                let cells: Vec<String> =
                    row.iter().map(|c| line_text(c, Place::Cell, "")).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
        Block::Code(text) => {
            let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
            let _ = writeln!(out, "{fence}text");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "{fence}");
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(out, "- {}", line_text(item, Place::Flow, "  "));
            }
        }
        Block::Checklist(items) => {
            for item in items {
                let _ = writeln!(out, "- [ ] {}", line_text(item, Place::Flow, "  "));
            }
        }
        Block::Notice { text, .. } => {
            let _ = writeln!(out, "> {}", line_text(text, Place::Flow, "> "));
        }
    }
}

/// A line of inlines; `indent` continues a hard-broken line inside a list item or quote.
fn line_text(line: &Line, place: Place, indent: &str) -> String {
    let mut s = String::new();
    for inline in line {
        let at_start = s.is_empty();
        match inline {
            Inline::Text(t) => s.push_str(&escape(t, place, at_start)),
            Inline::Strong(t) if t.trim().is_empty() => s.push_str(&escape(t, place, at_start)),
            Inline::Strong(t) => {
                let _ = write!(s, "**{}**", escape(t, place, false));
            }
            Inline::Code(c) => s.push_str(&code_span(c, place)),
        }
    }
    match place {
        Place::Flow => s.replace('\n', &format!("  \n{indent}")),
        Place::Cell => s.replace('\n', "<br>"),
    }
}

/// A code span that holds any text: a fence longer than any backtick run inside, one line.
fn code_span(c: &str, place: Place) -> String {
    let mut body = c.replace(['\n', '\r'], " ");
    if place == Place::Cell {
        body = body.replace('|', "\\|");
    }
    if body.trim().is_empty() {
        return escape(c, place, false);
    }
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Backslash-escapes Markdown's punctuation so the text shows as written. Where the text
/// starts a line (`at_start`, or after a line break in flowing text), a character that would
/// open a heading, list, quote or rule is escaped too.
fn escape(text: &str, place: Place, at_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = at_start;
    let mut escape_next_delimiter = false;
    for (i, &c) in chars.iter().enumerate() {
        if line_start && place == Place::Flow && opens_block(&chars[i..]) {
            if c.is_ascii_digit() {
                // `1.` is escaped at its delimiter: a backslash before a digit is literal.
                escape_next_delimiter = true;
            } else {
                out.push('\\');
            }
        }
        if escape_next_delimiter && matches!(c, '.' | ')') {
            out.push('\\');
            escape_next_delimiter = false;
        }
        let entity = c == '&'
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '#');
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' | '|') || entity {
            out.push('\\');
        }
        if c != '\r' {
            out.push(c);
        }
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Whether a line starting with `rest` would be read as a block opener: `# h`, `> q`, `- x`,
/// `+ x`, `1. x`, `2) x`, `---`, `===`.
fn opens_block(rest: &[char]) -> bool {
    let spaced = |c: Option<&char>| c.is_none_or(|c| c.is_whitespace());
    match rest.first() {
        Some('>') => true,
        Some(c @ ('#' | '-' | '+' | '=')) => spaced(rest.get(1)) || rest.get(1) == Some(c),
        Some(c) if c.is_ascii_digit() => {
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            matches!(rest.get(digits), Some('.' | ')')) && spaced(rest.get(digits + 1))
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
