//! Writes a [`Doc`] as one self-contained HTML file: inline CSS, no scripts, no external
//! assets, every piece of journal text escaped.

use crate::core::report::doc::{Block, Doc, Inline, Line};
use std::fmt::Write;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC',
  'PingFang SC', 'Microsoft YaHei', sans-serif; max-width: 72rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; color: #1f2328; background: #fff; }
h1 { border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Noto Sans Mono CJK SC',
  monospace; font-size: .88rem; }
code { background: #f6f8fa; padding: .05rem .25rem; border-radius: 4px; }
pre { background: #f6f8fa; padding: .6rem .8rem; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; }
pre code { background: none; padding: 0; }
ul.fields { list-style: none; padding-left: 0; }
ul.checklist { list-style: none; padding-left: .5rem; }
ul.checklist li::before { content: '\\2610\\00a0'; }
.notice { border-left: 4px solid #0969da; background: #ddf4ff; padding: .5rem .8rem; margin: 1rem 0; }
.notice.alarm { border-left-color: #cf222e; background: #ffebe9; color: #82071e; font-weight: 600; }
@media print { body { max-width: none; } pre { white-space: pre-wrap; } }
";

/// The document as a complete HTML page.
pub fn render(doc: &Doc) -> String {
    let mut out = String::with_capacity(96 * 1024);
    let title = escape(&doc.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for block in &doc.blocks {
        block_into(&mut out, block);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn block_into(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, title) => {
            let l = (*level).clamp(1, 6);
            let _ = writeln!(out, "<h{l}>{}</h{l}>", escape(title));
        }
        Block::Para(line) => {
            let _ = writeln!(out, "<p>{}</p>", line_html(line));
        }
        Block::Fields(fields) => {
            out.push_str("<ul class=\"fields\">\n");
            for (label, value) in fields {
                let _ = writeln!(
                    out,
                    "<li><strong>{}:</strong> {}</li>",
                    escape(label),
                    line_html(value)
                );
            }
            out.push_str("</ul>\n");
        }
        Block::Table { head, rows } => {
            out.push_str("<table>\n<thead><tr>");
            for h in head {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    out.push_str("<td>");
                    line_into(out, cell);
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Code(text) => {
            out.push_str("<pre><code>");
            escape_into(out, text, false);
            out.push_str("</code></pre>\n");
        }
        Block::List(items) => list_into(out, "", items),
        Block::Checklist(items) => list_into(out, " class=\"checklist\"", items),
        Block::Notice { alarm, text } => {
            let class = if *alarm { "notice alarm" } else { "notice" };
            let _ = writeln!(out, "<div class=\"{class}\">{}</div>", line_html(text));
        }
    }
}

fn list_into(out: &mut String, class: &str, items: &[Line]) {
    let _ = writeln!(out, "<ul{class}>");
    for item in items {
        let _ = writeln!(out, "<li>{}</li>", line_html(item));
    }
    out.push_str("</ul>\n");
}

fn line_html(line: &Line) -> String {
    let mut s = String::new();
    line_into(&mut s, line);
    s
}

fn line_into(s: &mut String, line: &Line) {
    for inline in line {
        match inline {
            Inline::Text(t) => escape_into(s, t, true),
            Inline::Strong(t) => {
                s.push_str("<strong>");
                escape_into(s, t, true);
                s.push_str("</strong>");
            }
            Inline::Code(c) => {
                s.push_str("<code>");
                escape_into(s, c, false);
                s.push_str("</code>");
            }
        }
    }
}

/// Escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text, false);
    out
}

/// Appends `text` escaped; `breaks` turns line breaks into `<br>`. The characters replaced are
/// ASCII, so the text is copied in slices between them.
fn escape_into(out: &mut String, text: &str, breaks: bool) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\n' if breaks => "<br>\n",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::report::doc::{code, text};

    #[test]
    fn every_piece_of_text_is_escaped() {
        let html = render(&Doc {
            title: "<b>t</b>".into(),
            blocks: vec![
                Block::Para(vec![text("<script>alert('x')</script> & more")]),
                Block::Code("</code></pre><script>".into()),
                Block::Table {
                    head: vec!["<h>".into()],
                    rows: vec![vec![vec![code("a<b")]]],
                },
            ],
        });
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;</code></pre>"));
        assert!(html.contains("<th>&lt;h&gt;</th>") && html.contains("<code>a&lt;b</code>"));
    }

    #[test]
    fn the_page_needs_nothing_from_outside() {
        let html = render(&Doc::default());
        for outside in ["<link", "<script", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(outside), "{outside} in {html}");
        }
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"));
    }
}
