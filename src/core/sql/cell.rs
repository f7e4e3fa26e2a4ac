//! One value of a result set, decoded from whatever the server sent, and how it reads on the
//! screen and in a CSV file. NULL is its own variant, never the text "NULL".

use super::layout::display_width;
use std::borrow::Cow;

/// A column of a result set: known only when the statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// The name the server gave it.
    pub name: String,
    /// The server's type name (`INT`, `VARCHAR`, `jsonb`, …), for the header and alignment.
    pub type_name: String,
}

/// A decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer too large for `Int` (MySQL `BIGINT UNSIGNED`).
    UInt(u64),
    /// A floating-point number.
    Float(f64),
    /// An exact decimal, as the server wrote it.
    Decimal(String),
    /// Text.
    Text(String),
    /// JSON, as text.
    Json(String),
    /// A date (`2026-11-21`).
    Date(String),
    /// A time of day or a duration (`03:12:07`, MySQL `-838:59:59`).
    Time(String),
    /// A date and time, with its offset when the server gave one.
    DateTime(String),
    /// Bytes: binary columns, and text columns whose bytes are not UTF-8.
    Bytes(Vec<u8>),
}

/// How NULL reads in the grid: a glyph no text value is confused with (styled apart too).
pub const NULL_GLYPH: &str = "∅";

/// Bytes shown of a binary value before it is cut.
const BYTES_SHOWN: usize = 64;

impl Cell {
    /// Whether the grid right-aligns it.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::UInt(_) | Cell::Float(_) | Cell::Decimal(_)
        )
    }

    /// The value as one line for the grid, at most `max_chars` characters (longer values end
    /// with `…` and their size); control characters are shown as `�` so a cell can never move
    /// the cursor.
    pub fn display(&self, max_chars: usize) -> Cow<'_, str> {
        let full: Cow<'_, str> = match self {
            Cell::Null => Cow::Borrowed(NULL_GLYPH),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Int(v) => Cow::Owned(v.to_string()),
            Cell::UInt(v) => Cow::Owned(v.to_string()),
            Cell::Float(v) => Cow::Owned(v.to_string()),
            Cell::Decimal(t)
            | Cell::Text(t)
            | Cell::Json(t)
            | Cell::Date(t)
            | Cell::Time(t)
            | Cell::DateTime(t) => Cow::Borrowed(t.as_str()),
            Cell::Bytes(b) => {
                let shown = &b[..b.len().min(BYTES_SHOWN)];
                let hex = format!("0x{}", hex::encode(shown));
                return clip(Cow::Owned(hex), max_chars, b.len(), b.len() > BYTES_SHOWN);
            }
        };
        let size = full.len();
        clip(full, max_chars, size, false)
    }

    /// Whether [`Cell::display`] with `max_chars` cuts the value (and so ends it with `…` and,
    /// given room, its size).
    pub fn is_cut(&self, max_chars: usize) -> bool {
        match self {
            Cell::Decimal(t)
            | Cell::Text(t)
            | Cell::Json(t)
            | Cell::Date(t)
            | Cell::Time(t)
            | Cell::DateTime(t) => t.chars().nth(max_chars).is_some(),
            Cell::Bytes(b) => b.len() > BYTES_SHOWN || 2 + 2 * b.len() > max_chars,
            _ => false,
        }
    }

    /// The value as a column `width` terminal columns wide shows it: [`Cell::display`] with
    /// `max_chars` when that fits; a value too long even for `max_chars` is cut to the column
    /// instead, so that its size (`… (10.0 MB)`) stays in sight. Wider text is left to the
    /// caller to cut.
    pub fn display_in(&self, width: usize, max_chars: usize) -> Cow<'_, str> {
        let full = self.display(max_chars);
        if display_width(&full) <= width || !self.is_cut(max_chars) {
            return full;
        }
        // Characters may be two columns wide: shrink until the text fits.
        let mut chars = width.min(max_chars);
        loop {
            let text = self.display(chars);
            let over = display_width(&text).saturating_sub(width);
            if over == 0 || chars <= MIN_SIZED {
                return text;
            }
            chars = chars.saturating_sub(over).max(MIN_SIZED);
        }
    }

    /// The value as a CSV field: NULL is an empty unquoted field, the empty string is `""`,
    /// bytes are `0x…` hex, everything else its full text, quoted when it must be.
    pub fn csv_field(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bytes(b) => format!("0x{}", hex::encode(b)),
            // The full text: `display` would replace a newline or tab inside it.
            Cell::Decimal(t)
            | Cell::Text(t)
            | Cell::Json(t)
            | Cell::Date(t)
            | Cell::Time(t)
            | Cell::DateTime(t) => {
                if t.is_empty() {
                    "\"\"".into()
                } else {
                    quote_csv(t)
                }
            }
            other => quote_csv(&other.display(usize::MAX)),
        }
    }
}

fn quote_csv(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A byte count as people read it.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// Characters a cut value needs for its size to be shown after it.
const MIN_SIZED: usize = 25;

/// One line of at most `max_chars` characters, control characters replaced; a value longer
/// than that (or `cut` already: bytes shown only in part) ends with `…` and, when there is
/// room, its `size` in bytes. Looks at no more than the characters it keeps (a 10 MB value
/// costs no more to draw than a short one).
fn clip(text: Cow<'_, str>, max_chars: usize, size: usize, cut: bool) -> Cow<'_, str> {
    let head = text.chars().take(max_chars.saturating_add(1));
    let (count, needs_clean) =
        head.fold((0, false), |(n, dirty), c| (n + 1, dirty || c.is_control()));
    let long = count > max_chars;
    if !needs_clean && !long && !cut {
        return text;
    }
    let clean = |n: usize| -> String {
        text.chars()
            .take(n)
            .map(|c| if c.is_control() { '�' } else { c })
            .collect()
    };
    if !long && !cut {
        return Cow::Owned(clean(count));
    }
    if max_chars < MIN_SIZED {
        let mut out = clean(max_chars.saturating_sub(1));
        out.push('…');
        return Cow::Owned(out);
    }
    let suffix = format!("… ({})", self::size(size));
    let room = max_chars.saturating_sub(suffix.chars().count());
    let mut out = clean(room.min(count));
    out.push_str(&suffix);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_the_text_null_read_differently() {
        assert_eq!(Cell::Null.display(10), NULL_GLYPH);
        assert_eq!(Cell::Text("NULL".into()).display(10), "NULL");
        assert_eq!(Cell::Null.csv_field(), "");
        assert_eq!(Cell::Text(String::new()).csv_field(), "\"\"");
        assert_eq!(Cell::Text("NULL".into()).csv_field(), "NULL");
    }

    #[test]
    fn bytes_are_hex_and_cut() {
        assert_eq!(Cell::Bytes(vec![0, 0xff]).display(80), "0x00ff");
        let big = Cell::Bytes(vec![7; 1000]);
        let shown = big.display(200).into_owned();
        assert!(shown.starts_with("0x0707"), "{shown}");
        assert!(shown.ends_with("… (1000 B)"), "{shown}");
    }

    #[test]
    fn a_huge_value_is_clipped_with_its_size() {
        let cell = Cell::Text("x".repeat(10 << 20));
        let shown = cell.display(40).into_owned();
        assert_eq!(shown.chars().count(), 40);
        assert!(shown.ends_with("… (10.0 MB)"), "{shown}");
        assert_eq!(Cell::Text("abcdef".into()).display(4), "abc…");
    }

    #[test]
    fn a_huge_value_keeps_its_size_in_a_narrow_column() {
        let cell = Cell::Text("x".repeat(10 << 20));
        let shown = cell.display_in(40, 200).into_owned();
        assert_eq!(display_width(&shown), 40);
        assert!(shown.ends_with("x… (10.0 MB)"), "{shown}");
        let wide = Cell::Text("接".repeat(1000));
        let shown = wide.display_in(40, 200).into_owned();
        assert!(display_width(&shown) <= 40, "{shown}");
        assert!(shown.ends_with("… (2.9 KB)"), "{shown}");
        // A value the grid shows whole at its widest is left for the column to cut.
        let medium = Cell::Text("y".repeat(60));
        assert_eq!(medium.display_in(40, 200), "y".repeat(60));
        assert!(!medium.is_cut(200) && medium.is_cut(59));
        // Bytes count their own size, not their hex's.
        let bytes = Cell::Bytes(vec![1; 1000]);
        let shown = bytes.display_in(30, 200).into_owned();
        assert!(
            shown.starts_with("0x0101") && shown.ends_with("… (1000 B)"),
            "{shown}"
        );
        assert_eq!(display_width(&shown), 30);
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        let shown = Cell::Text("a\x1b[2Jb\nc".into()).display(80).into_owned();
        assert_eq!(shown, "a�[2Jb�c");
    }

    #[test]
    fn csv_quotes_only_when_it_must() {
        assert_eq!(Cell::Text("a,b".into()).csv_field(), "\"a,b\"");
        assert_eq!(
            Cell::Text("say \"hi\"".into()).csv_field(),
            "\"say \"\"hi\"\"\""
        );
        assert_eq!(Cell::Int(-3).csv_field(), "-3");
        assert_eq!(Cell::Text("接口".into()).csv_field(), "接口");
        assert_eq!(
            Cell::Text("line 1\nline\t2".into()).csv_field(),
            "\"line 1\nline\t2\""
        );
    }
}
