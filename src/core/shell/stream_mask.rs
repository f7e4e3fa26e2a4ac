//! Masking a stream of text cut into events. The redactor sees one event at a time, and most
//! secrets fit in a line, which an event never cuts. A private key does not: when a key's
//! BEGIN line ends one event, the base64 lines of its body in the next ones have nothing
//! around them to be known by. So a stream remembers an open key block and masks its body
//! lines until the END line (or a line that cannot be part of a key).

use crate::core::redact::{MASK, Redactor};

/// What opens a PEM block.
const BEGIN: &str = "-----BEGIN ";
/// What closes one.
const END: &str = "-----END ";

/// The masking of one stream (the output, or the typing).
#[derive(Debug, Clone)]
pub(super) struct StreamMask {
    redactor: Redactor,
    /// A private key's BEGIN line was in an earlier event and its END line not yet.
    key_open: bool,
}

impl StreamMask {
    /// A stream masking what `redactor` masks.
    pub(super) fn new(redactor: Redactor) -> Self {
        Self {
            redactor,
            key_open: false,
        }
    }

    /// The next event's text, masked.
    pub(super) fn mask(&mut self, text: &str) -> String {
        let mut masked = String::with_capacity(text.len());
        let mut rest = text;
        while self.key_open && !rest.is_empty() {
            let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let (line, after) = rest.split_at(line_len);
            if let Some(end) = line.find(END) {
                if !line[..end].trim().is_empty() {
                    masked.push_str(MASK);
                }
                self.key_open = false;
                rest = &rest[end..];
                break;
            }
            let content = line.trim_end_matches(['\r', '\n']);
            if !may_be_key_body(content) {
                self.key_open = false;
                break;
            }
            if !content.trim().is_empty() {
                masked.push_str(MASK);
            }
            masked.push_str(&line[content.len()..]);
            rest = after;
        }
        masked.push_str(&self.redactor.redact(rest));
        self.key_open = self.key_open || leaves_private_key_open(rest);
        masked
    }
}

/// Whether a line can be inside a PEM private key: base64, or a header (`Proc-Type: …`).
fn may_be_key_body(line: &str) -> bool {
    let line = line.trim();
    line.contains(':')
        || line
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
}

/// Whether `text` opens a private key block it does not close.
fn leaves_private_key_open(text: &str) -> bool {
    let Some(begin) = text.rfind(BEGIN) else {
        return false;
    };
    let after = &text[begin + BEGIN.len()..];
    let Some(label_end) = after.find("-----") else {
        return false;
    };
    let label = &after[..label_end];
    (label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK"))
        && !after[label_end..].contains(END)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\r\n\
        b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\r\n\
        QyNTUxOQAAACDxq8Y0wTQJ0ZhJkR2cMH7d5rM4wq1h0vE7xQyS9m2Z4QAAAJg+Yl5aPmJe\r\n\
        Wg==\r\n\
        -----END OPENSSH PRIVATE KEY-----\r\n";

    const BODY: [&str; 3] = [
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDxq8Y0wTQJ0ZhJkR2cMH7d5rM4wq1h0vE7xQyS9m2Z4QAAAJg+Yl5aPmJe",
        "Wg==",
    ];

    /// `text` cut into events after each of `cuts` lines.
    fn masked_in_events(text: &str, cuts: &[usize]) -> String {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut stream = StreamMask::new(Redactor::default());
        let mut out = String::new();
        let mut from = 0;
        for &cut in cuts.iter().chain([lines.len()].iter()) {
            out.push_str(&stream.mask(&lines[from..cut].concat()));
            from = cut;
        }
        out
    }

    #[test]
    fn a_private_key_cut_between_events_at_any_line_is_masked_whole() {
        let text = format!("$ cat id_ed25519\r\n{KEY}$ echo done\r\ndone\r\n");
        let lines = text.split_inclusive('\n').count();
        for a in 0..=lines {
            for b in a..=lines {
                let out = masked_in_events(&text, &[a, b]);
                for body in BODY {
                    assert!(!out.contains(body), "cut at {a},{b}: {out}");
                }
                assert!(out.contains("$ cat id_ed25519\r\n"), "{out}");
                assert!(out.contains("-----BEGIN OPENSSH PRIVATE KEY-----"), "{out}");
                assert!(out.ends_with("$ echo done\r\ndone\r\n"), "{a},{b}: {out}");
            }
        }
    }

    #[test]
    fn a_key_block_left_open_stops_at_a_line_that_is_not_base64() {
        let mut stream = StreamMask::new(Redactor::default());
        stream.mask("-----BEGIN RSA PRIVATE KEY-----\n");
        assert_eq!(
            stream.mask("Proc-Type: 4,ENCRYPTED\nMIIEow==\n"),
            "***\n***\n"
        );
        assert_eq!(stream.mask("\n"), "\n");
        assert_eq!(stream.mask("ls: cannot open\nMIIEow\n"), "***\n***\n");
        assert_eq!(
            stream.mask("$ echo after the key\nMIIEow\n"),
            "$ echo after the key\nMIIEow\n"
        );
    }

    #[test]
    fn public_keys_and_closed_blocks_leave_the_stream_alone() {
        let mut stream = StreamMask::new(Redactor::default());
        stream.mask("-----BEGIN PUBLIC KEY-----\n");
        assert_eq!(stream.mask("MIIBIjANBg\n"), "MIIBIjANBg\n");
        stream.mask("-----BEGIN CERTIFICATE-----\n");
        assert_eq!(stream.mask("MIIBIjANBg\n"), "MIIBIjANBg\n");
        let whole = stream.mask(KEY);
        assert!(!whole.contains(BODY[0]), "{whole}");
        assert_eq!(stream.mask("MIIBIjANBg\n"), "MIIBIjANBg\n");
    }
}
