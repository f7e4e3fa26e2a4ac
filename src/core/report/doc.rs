//! A small document model the report is composed into once, then written out as Markdown or
//! HTML by renderers that know nothing about incidents. Text borrows from the report where it
//! can (outputs, commands, statements), so a large report is not copied to be written.

use std::borrow::Cow;

/// A piece of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline<'a> {
    /// Plain text (the renderer escapes it).
    Text(Cow<'a, str>),
    /// Code, an identifier, a command: shown verbatim in a monospace font.
    Code(Cow<'a, str>),
    /// Emphasised text.
    Strong(Cow<'a, str>),
}

/// A line of running text.
pub type Line<'a> = Vec<Inline<'a>>;

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    /// A heading, level 1–4.
    Heading(u8, String),
    /// A paragraph.
    Para(Line<'a>),
    /// Labelled values, one a line.
    Fields(Vec<(String, Line<'a>)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Line<'a>>>,
    },
    /// Preformatted text (command, output, statement).
    Code(Cow<'a, str>),
    /// A bulleted list.
    List(Vec<Line<'a>>),
    /// A checklist of open items.
    Checklist(Vec<Line<'a>>),
    /// A notice set apart; `alarm` for integrity warnings.
    Notice {
        /// Red and loud rather than informative.
        alarm: bool,
        /// The text.
        text: Line<'a>,
    },
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc<'a> {
    /// The title (also the first heading).
    pub title: String,
    /// The blocks after the title.
    pub blocks: Vec<Block<'a>>,
}

impl Doc<'_> {
    /// The bytes of text the document holds (titles, cells, code), what a renderer writes
    /// before its markup: to size its output once.
    pub fn text_len(&self) -> usize {
        let line = |l: &Line| l.iter().map(Inline::text_len).sum::<usize>();
        let lines = |ls: &[Line]| ls.iter().map(line).sum::<usize>();
        self.title.len()
            + self
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Heading(_, t) => t.len(),
                    Block::Para(l) | Block::Notice { text: l, .. } => line(l),
                    Block::Fields(fs) => fs.iter().map(|(k, v)| k.len() + line(v)).sum(),
                    Block::Table { head, rows } => {
                        head.iter().map(String::len).sum::<usize>()
                            + rows.iter().map(|r| lines(r)).sum::<usize>()
                    }
                    Block::Code(c) => c.len(),
                    Block::List(ls) | Block::Checklist(ls) => lines(ls),
                })
                .sum::<usize>()
    }
}

impl Inline<'_> {
    /// The bytes of its text.
    pub fn text_len(&self) -> usize {
        match self {
            Inline::Text(t) | Inline::Code(t) | Inline::Strong(t) => t.len(),
        }
    }
}

/// Plain text.
pub fn text<'a>(s: impl Into<Cow<'a, str>>) -> Inline<'a> {
    Inline::Text(s.into())
}

/// Code.
pub fn code<'a>(s: impl Into<Cow<'a, str>>) -> Inline<'a> {
    Inline::Code(s.into())
}

/// Emphasis.
pub fn strong<'a>(s: impl Into<Cow<'a, str>>) -> Inline<'a> {
    Inline::Strong(s.into())
}

/// The longest run of the ASCII character `ch` in `s`.
pub fn longest_run(s: &str, ch: u8) -> usize {
    let (mut best, mut run) = (0, 0);
    for b in s.bytes() {
        run = if b == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}
