//! A small document model the report is composed into once, then written out as Markdown or
//! HTML by renderers that know nothing about incidents.

/// A piece of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text (the renderer escapes it).
    Text(String),
    /// Code, an identifier, a command: shown verbatim in a monospace font.
    Code(String),
    /// Emphasised text.
    Strong(String),
}

/// A line of running text.
pub type Line = Vec<Inline>;

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading, level 1–4.
    Heading(u8, String),
    /// A paragraph.
    Para(Line),
    /// Labelled values, one a line.
    Fields(Vec<(String, Line)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Line>>,
    },
    /// Preformatted text (command, output, statement).
    Code(String),
    /// A bulleted list.
    List(Vec<Line>),
    /// A checklist of open items.
    Checklist(Vec<Line>),
    /// A notice set apart; `alarm` for integrity warnings.
    Notice {
        /// Red and loud rather than informative.
        alarm: bool,
        /// The text.
        text: Line,
    },
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// The title (also the first heading).
    pub title: String,
    /// The blocks after the title.
    pub blocks: Vec<Block>,
}

/// Plain text.
pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Code.
pub fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// Emphasis.
pub fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

/// The longest run of `ch` in `s`.
pub fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}
