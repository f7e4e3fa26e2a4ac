//! One value of a result set, decoded from whatever the server sent, and how it reads on the
//! screen and in a CSV file. NULL is its own variant, never the text "NULL".

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
                let mut hex = format!("0x{}", hex::encode(shown));
                if b.len() > BYTES_SHOWN {
                    hex.push_str(&format!("… ({})", size(b.len())));
                }
                return clip(Cow::Owned(hex), max_chars);
            }
        };
        clip(full, max_chars)
    }

    /// The value as a CSV field: NULL is an empty unquoted field, the empty string is `""`,
    /// bytes are `0x…` hex, everything else its full text, quoted when it must be.
    pub fn csv_field(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bytes(b) => format!("0x{}", hex::encode(b)),
            Cell::Text(t) | Cell::Json(t) | Cell::Decimal(t) if t.is_empty() => "\"\"".into(),
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

/// One line of at most `max_chars` characters, control characters replaced.
fn clip(text: Cow<'_, str>, max_chars: usize) -> Cow<'_, str> {
    let needs_clean = text.chars().any(char::is_control);
    let count = text.chars().count();
    if !needs_clean && count <= max_chars {
        return text;
    }
    let keep = if count > max_chars {
        max_chars.saturating_sub(1)
    } else {
        count
    };
    let mut out: String = text
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '�' } else { c })
        .collect();
    if count > max_chars {
        out.push('…');
        if max_chars > 24 {
            out.truncate(out.len() - '…'.len_utf8());
            let suffix = format!("… ({})", size(text.len()));
            let room = max_chars.saturating_sub(suffix.chars().count());
            out = out.chars().take(room).collect();
            out.push_str(&suffix);
        }
    }
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
    }
}
