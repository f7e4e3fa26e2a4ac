//! Text as a terminal would print it: what tools and shells write for a terminal (colours,
//! cursor moves, window titles) left out, for reports and quotes that are read as plain text.

/// What a terminal would print of `text`: escape sequences (CSI such as colours, OSC such as a
/// window title, character-set choices `ESC ( B`, and other two-character ones) and control
/// characters other than line breaks and tabs dropped.
pub fn without_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC (a window title): up to BEL or ST.
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                // A character set for G0 or G1: one more character.
                Some('(' | ')') => {
                    chars.next();
                }
                _ => {}
            },
            '\n' | '\r' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_sequences_are_left_out_of_the_report() {
        assert_eq!(
            without_escapes("\u{1b}[1mRuntime\u{1b}[0m\nOS PID: 1\u{1b}[38;5;2m ok\u{1b}(B\u{1b}"),
            "Runtime\nOS PID: 1 ok"
        );
        assert_eq!(without_escapes("plain [1m text"), "plain [1m text");
    }
}
