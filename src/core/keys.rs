//! Key strings of the `[keys]` table (`"q"`, `"ctrl-e"`, `"F5"`, `"shift-tab"`), read as plain
//! text: which key and which modifiers. The UI turns a [`KeyChord`] into its terminal's events.

use std::fmt;

/// Longest key string read; anything longer is refused without being echoed in full.
const MAX_KEY_TEXT: usize = 40;

/// A key, without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyName {
    /// A printable character (`' '` is the space bar; upper case means Shift is held).
    Char(char),
    /// A function key, `F1` to `F24`.
    F(u8),
    /// Enter (Return).
    Enter,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Escape.
    Esc,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Insert.
    Insert,
    /// Home.
    Home,
    /// End.
    End,
    /// Page Up.
    PageUp,
    /// Page Down.
    PageDown,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
}

/// The named keys and how the `[keys]` table writes them (first name canonical).
const NAMED: &[(&[&str], KeyName)] = &[
    (&["enter", "return"], KeyName::Enter),
    (&["tab"], KeyName::Tab),
    (&["backtab"], KeyName::BackTab),
    (&["esc", "escape"], KeyName::Esc),
    (&["space"], KeyName::Char(' ')),
    (&["backspace"], KeyName::Backspace),
    (&["delete", "del"], KeyName::Delete),
    (&["insert", "ins"], KeyName::Insert),
    (&["home"], KeyName::Home),
    (&["end"], KeyName::End),
    (&["pageup", "pgup"], KeyName::PageUp),
    (&["pagedown", "pgdn"], KeyName::PageDown),
    (&["up"], KeyName::Up),
    (&["down"], KeyName::Down),
    (&["left"], KeyName::Left),
    (&["right"], KeyName::Right),
];

/// A key with its modifiers, as the `[keys]` table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    /// The key (Shift is folded into it: `R`, `BackTab`).
    pub key: KeyName,
    /// Ctrl is held.
    pub ctrl: bool,
    /// Alt (Meta) is held.
    pub alt: bool,
}

impl KeyChord {
    /// A key without modifiers.
    pub fn plain(key: KeyName) -> Self {
        Self {
            key,
            ctrl: false,
            alt: false,
        }
    }
}

impl fmt::Display for KeyChord {
    /// The canonical spelling, which [`parse_key`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.key {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "F{n}"),
            KeyName::BackTab => f.write_str("shift-tab"),
            named => {
                let name = NAMED
                    .iter()
                    .find(|(_, k)| *k == named)
                    .map_or("?", |(names, _)| names[0]);
                f.write_str(name)
            }
        }
    }
}

/// Why a key string was refused, and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    /// What is wrong.
    pub message: String,
    /// What would be accepted.
    pub expected: &'static str,
}

/// What every refusal offers instead.
pub const KEY_SYNTAX: &str = "a key such as \"q\", \"?\", \"G\", \"ctrl-e\", \"alt-x\", \"F5\", \"enter\", \"tab\", \"shift-tab\", \"space\", \"esc\", \"pageup\" (see docs/keys.md)";

/// A key string as a message may quote it: printable, and cut when long.
pub fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(MAX_KEY_TEXT).collect();
    let cut = if text.chars().count() > MAX_KEY_TEXT {
        "…"
    } else {
        ""
    };
    format!("\"{}{cut}\"", shown.escape_debug())
}

fn refuse(message: String) -> KeyError {
    KeyError {
        message,
        expected: KEY_SYNTAX,
    }
}

/// Reads a key string: modifiers `ctrl-`, `alt-`, `shift-` (any case, each at most once), then
/// one printable character or a key name (`enter`, `F5`, `pageup`…, any case).
pub fn parse_key(text: &str) -> Result<KeyChord, KeyError> {
    if text.chars().count() > MAX_KEY_TEXT {
        return Err(refuse(format!("key {} is too long", quoted(text))));
    }
    if text.is_empty() {
        return Err(refuse("empty key string".to_string()));
    }
    if text.chars().any(invisible) {
        return Err(refuse(format!(
            "key {} holds a control or invisible character; write its name (\"ctrl-x\", \"tab\", \"esc\")",
            quoted(text)
        )));
    }
    let (mut ctrl, mut alt, mut shift) = (false, false, false);
    let mut rest = text;
    while let Some((head, tail)) = rest.split_once('-') {
        let flag = match head.to_ascii_lowercase().as_str() {
            "ctrl" | "control" => &mut ctrl,
            "alt" | "meta" => &mut alt,
            "shift" => &mut shift,
            _ => break,
        };
        if tail.is_empty() {
            return Err(refuse(format!(
                "key {} names a modifier but no key after it",
                quoted(text)
            )));
        }
        if *flag {
            return Err(refuse(format!("key {} names `{head}` twice", quoted(text))));
        }
        *flag = true;
        rest = tail;
    }
    let key = base_key(rest).ok_or_else(|| {
        refuse(format!(
            "unknown key {} (a single character or a key name)",
            quoted(text)
        ))
    })?;
    let key = apply_shift(key, shift, text)?;
    let chord = KeyChord { key, ctrl, alt };
    reachable(chord, text)?;
    Ok(chord)
}

/// Characters a terminal acts on or does not show: controls, bidirectional marks and
/// overrides, zero-width characters. None of them is a key an operator can read.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

fn base_key(rest: &str) -> Option<KeyName> {
    let mut chars = rest.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyName::Char(c));
    }
    let lower = rest.to_ascii_lowercase();
    if let Some((_, key)) = NAMED
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
    {
        return Some(*key);
    }
    let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=24).contains(&n).then_some(KeyName::F(n))
}

/// `shift-` folds into the key: `shift-r` is `R`, `shift-tab` is BackTab. A terminal does not
/// tell Shift with other keys apart, so it is refused there.
fn apply_shift(key: KeyName, shift: bool, text: &str) -> Result<KeyName, KeyError> {
    if !shift {
        return Ok(key);
    }
    match key {
        KeyName::Char(c) if c.is_alphabetic() && c.to_uppercase().count() == 1 => {
            Ok(KeyName::Char(c.to_uppercase().next().unwrap_or(c)))
        }
        KeyName::Tab | KeyName::BackTab => Ok(KeyName::BackTab),
        _ => Err(refuse(format!(
            "key {}: shift- goes with a letter or tab only; write the character Shift gives (\"?\", \"G\")",
            quoted(text)
        ))),
    }
}

/// Refuses what a terminal cannot send as its own key.
fn reachable(chord: KeyChord, text: &str) -> Result<(), KeyError> {
    if !chord.ctrl {
        return Ok(());
    }
    let same = match chord.key {
        KeyName::Char(c) => match c.to_ascii_lowercase() {
            'i' => Some("tab"),
            'm' | 'j' => Some("enter"),
            'h' => Some("backspace"),
            '[' => Some("esc"),
            _ => None,
        },
        _ => None,
    };
    if let Some(same) = same {
        return Err(refuse(format!(
            "key {}: a terminal sends it as {same}, so it cannot be bound on its own",
            quoted(text)
        )));
    }
    match chord.key {
        KeyName::Char(c) if c.is_ascii_alphabetic() || c == ' ' => Ok(()),
        KeyName::Char(_) => Err(refuse(format!(
            "key {}: terminals send ctrl- only with a letter, space or a named key",
            quoted(text)
        ))),
        _ => Ok(()),
    }
}

/// Ctrl with a letter is the same key whatever Shift does: `ctrl-E` is `ctrl-e`.
pub fn normalised(chord: KeyChord) -> KeyChord {
    match chord.key {
        KeyName::Char(c) if chord.ctrl => KeyChord {
            key: KeyName::Char(c.to_ascii_lowercase()),
            ..chord
        },
        _ => chord,
    }
}

/// One line of the `[keys]` table: an action's name and the keys it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRemap {
    /// The action's name as written (`run-step`).
    pub action: String,
    /// The file it is in.
    pub path: String,
    /// Where the action's name is (1-based line and column).
    pub at: (usize, usize),
    /// The keys, each as written and as read, in the order written (none: unbound).
    pub keys: Vec<(String, KeyChord)>,
    /// Key strings of this line that could not be read (reported on their own).
    pub refused: usize,
}

/// What the inventory sets for keys and mouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysConfig {
    /// The `[keys]` table, in file order.
    pub remaps: Vec<KeyRemap>,
    /// The mouse is captured (clicks and the wheel reach cockpit); off leaves the terminal's
    /// own text selection.
    pub mouse: bool,
}

impl Default for KeysConfig {
    fn default() -> Self {
        Self {
            remaps: Vec::new(),
            mouse: true,
        }
    }
}

/// The closest of `names` to `typed` (edit distance at most a third of its length, at least
/// 2), to suggest for a misspelled name; none for a text far longer than any name.
pub fn closest<'a>(typed: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = typed.chars().count();
    if length > 64 {
        return None;
    }
    let limit = (length / 3).max(2);
    names
        .into_iter()
        .map(|n| (edit_distance(typed, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> KeyChord {
        match parse_key(text) {
            Ok(k) => k,
            Err(e) => panic!("{text:?}: {}", e.message),
        }
    }

    fn err(text: &str) -> String {
        match parse_key(text) {
            Ok(k) => panic!("{text:?} was read as {k:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn the_usual_spellings_read_and_print_back() {
        for (text, canonical) in [
            ("q", "q"),
            ("?", "?"),
            ("G", "G"),
            ("shift-g", "G"),
            ("ctrl-e", "ctrl-e"),
            ("Ctrl-E", "ctrl-e"),
            ("alt-x", "alt-x"),
            ("F5", "F5"),
            ("f12", "F12"),
            ("enter", "enter"),
            ("Return", "enter"),
            ("tab", "tab"),
            ("shift-tab", "shift-tab"),
            ("backtab", "shift-tab"),
            ("pageup", "pageup"),
            ("PgDn", "pagedown"),
            ("space", "space"),
            (" ", "space"),
            ("esc", "esc"),
            ("-", "-"),
            ("ctrl-space", "ctrl-space"),
            ("alt--", "alt--"),
            ("ctrl-alt-x", "ctrl-alt-x"),
            ("ctrl-up", "ctrl-up"),
            ("主", "主"),
        ] {
            let chord = normalised(ok(text));
            assert_eq!(chord.to_string(), canonical, "{text:?}");
            assert_eq!(normalised(ok(&chord.to_string())), chord, "{text:?}");
        }
    }

    #[test]
    fn hostile_key_strings_are_refused_with_a_reason() {
        assert!(err("").contains("empty"));
        assert!(err("ctrl-").contains("no key after"));
        assert!(err("ctrl-ctrl-x").contains("twice"));
        assert!(err("shift-shift-tab").contains("twice"));
        assert!(err("ctrl-i").contains("tab"));
        assert!(err("ctrl-m").contains("enter"));
        assert!(err("ctrl-1").contains("letter"));
        assert!(err("ctrl--").contains("letter"));
        assert!(err("shift-1").contains("letter or tab"));
        assert!(err("F0").contains("unknown key"));
        assert!(err("F25").contains("unknown key"));
        assert!(err("hyper-x").contains("unknown key"));
        assert!(err("qq").contains("unknown key"));
        assert!(err("主应用").contains("unknown key"));
        let control = err("\u{1b}[31m");
        assert!(control.contains("control or invisible"));
        assert!(!control.contains('\u{1b}'), "{control:?}");
        assert!(err("\u{7}").contains("control or invisible"));
        assert!(err("\n").contains("control or invisible"));
        let huge = "x".repeat(100_000);
        let said = err(&huge);
        assert!(said.contains("too long") && said.len() < 200, "{said}");
        let cjk_huge = "主".repeat(10_000);
        assert!(err(&cjk_huge).len() < 300);
        assert!(err("\u{202E}").contains("invisible"));
        assert!(err("ctrl-\u{200B}").contains("invisible"));
    }

    #[test]
    fn misspelled_names_find_their_closest() {
        let names = ["run-step", "quit", "focus-hosts", "toggle-help"];
        assert_eq!(closest("run-stpe", names), Some("run-step"));
        assert_eq!(closest("qiut", names), Some("quit"));
        assert_eq!(closest("focus-host", names), Some("focus-hosts"));
        assert_eq!(closest("xyzzy", names), None);
        assert_eq!(closest(&"z".repeat(100_000), names), None);
    }
}
