//! Where byte `at` of a TOML string's value is in the file, escapes and all, so an error about
//! a place inside a string (a placeholder in `run = "cat <<EOF\n{{x}}\nEOF"`) is located at
//! the right line and column.

/// The file offset of byte `at` of the value of the string literal starting at `start` in
/// `text` (its opening quote). Basic strings (`"…"`, `"""…"""`) are decoded escape by escape;
/// literal strings (`'…'`, `'''…'''`) have none. A newline right after `"""`/`'''` is skipped,
/// as TOML does.
pub fn value_offset(text: &str, start: usize, at: usize) -> usize {
    let rest = text.get(start..).unwrap_or_default();
    let (open, basic, multiline) = if rest.starts_with("\"\"\"") {
        (3, true, true)
    } else if rest.starts_with("'''") {
        (3, false, true)
    } else {
        (1, rest.starts_with('"'), false)
    };
    let mut raw = start + open;
    if multiline {
        let after = text.get(raw..).unwrap_or_default();
        raw += if after.starts_with("\r\n") {
            2
        } else if after.starts_with('\n') {
            1
        } else {
            0
        };
    }
    if !basic {
        return raw + at;
    }
    let bytes = text.as_bytes();
    let mut decoded = 0;
    while decoded < at && raw < bytes.len() {
        if bytes[raw] != b'\\' {
            raw += 1;
            decoded += 1;
            continue;
        }
        match bytes.get(raw + 1) {
            Some(b'u') => {
                decoded += escaped_len(text.get(raw + 2..raw + 6));
                raw += 6;
            }
            Some(b'U') => {
                decoded += escaped_len(text.get(raw + 2..raw + 10));
                raw += 10;
            }
            Some(b'x') => {
                decoded += escaped_len(text.get(raw + 2..raw + 4));
                raw += 4;
            }
            Some(b' ' | b'\t' | b'\r' | b'\n') if multiline => {
                raw += 1;
                while bytes.get(raw).is_some_and(|b| b" \t\r\n".contains(b)) {
                    raw += 1;
                }
            }
            _ => {
                raw += 2;
                decoded += 1;
            }
        }
    }
    raw
}

/// The UTF-8 length of the character a `\u`/`\U`/`\x` escape's hex digits stand for.
fn escaped_len(hex: Option<&str>) -> usize {
    hex.and_then(|h| u32::from_str_radix(h, 16).ok())
        .and_then(char::from_u32)
        .map_or(1, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset found for each byte of the decoded value points at that character's source.
    fn check(toml_text: &str) {
        let start = toml_text.find(['"', '\'']).unwrap_or_default();
        let value: toml::Table = toml::from_str(toml_text).expect("valid");
        let decoded = value["v"].as_str().expect("string").to_string();
        let at = decoded.find("{{").expect("a placeholder");
        let offset = value_offset(toml_text, start, at);
        assert!(
            toml_text[offset..].starts_with("{{"),
            "{toml_text:?}: offset {offset} is at {:?}",
            &toml_text[offset..]
        );
    }

    #[test]
    fn offsets_survive_escapes_and_quotes() {
        check(r#"v = "cat <<EOF\nval={{x}}\nEOF""#);
        check(r#"v = "\u00e9\U0001F600\t\"\\ {{x}}""#);
        check("v = 'literal \\n {{x}}'");
        check("v = '''\nline\n{{x}}'''");
        check("v = \"\"\"\ncat <<EOF\n\\n {{x}}\"\"\"");
        check("v = \"\"\"\na \\\n    b {{x}}\"\"\"");
    }
}
