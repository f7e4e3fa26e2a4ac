//! Signed journal heads, the part that needs no I/O: the message an SSH key signs for a head,
//! the sidecar file's blocks, the allowed-signers file's lines, and what a set of checked
//! signatures says about a journal (re-sealed, cut, appended to, not covered).
//!
//! A signature over a head (journal id, sequence number, hash) vouches for every entry up to
//! that head, since each entry's hash covers the one before it. The signatures themselves are
//! made and checked in `io::head_sign` (SSH agent, `ssh-keygen -Y sign` format).

mod allowed_signers;
mod findings;

pub use allowed_signers::{AllowedSigner, parse_allowed_signers};
pub use findings::{Check, Checked, Finding, Source, judge};

/// The SSHSIG namespace of journal head signatures (`ssh-keygen -Y … -n cockpit-journal`).
pub const NAMESPACE: &str = "cockpit-journal";

/// First line of every signed message.
const MESSAGE_TITLE: &str = "cockpit journal head";

/// Armor lines of an SSH signature.
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

/// A journal head as signed: which journal, which entry, its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    /// The journal's id: the hash of its first entry.
    pub journal: String,
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's hash.
    pub hash: String,
}

impl SignedHead {
    /// The exact text the key signs (four lines, each ending in a newline).
    pub fn message(&self) -> String {
        format!(
            "{MESSAGE_TITLE}\njournal {}\nseq {}\nhash {}\n",
            self.journal, self.seq, self.hash
        )
    }

    /// The head a signed message names, if it is one.
    pub fn parse(message: &str) -> Option<SignedHead> {
        let mut lines = message.strip_suffix('\n')?.split('\n');
        if lines.next()? != MESSAGE_TITLE {
            return None;
        }
        let journal = lines.next()?.strip_prefix("journal ")?.to_string();
        let seq = lines.next()?.strip_prefix("seq ")?.parse().ok()?;
        let hash = lines.next()?.strip_prefix("hash ")?.to_string();
        let head = SignedHead { journal, seq, hash };
        (lines.next().is_none() && head.message() == message).then_some(head)
    }
}

/// One block of the sidecar file: the signed message, then its armored signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarBlock {
    /// The signed message, exactly.
    pub message: String,
    /// The signature, `-----BEGIN SSH SIGNATURE-----` to `-----END SSH SIGNATURE-----`.
    pub armored: String,
}

impl SidecarBlock {
    /// The block as appended to the sidecar file.
    pub fn text(&self) -> String {
        let armored = self.armored.trim_end();
        format!("{}{armored}\n", self.message)
    }
}

/// The blocks of a sidecar file, and a line number for each stretch that is not one.
pub fn parse_sidecar(text: &str) -> (Vec<SidecarBlock>, Vec<usize>) {
    let mut blocks = Vec::new();
    let mut bad = Vec::new();
    let mut message = String::new();
    let mut armored: Option<String> = None;
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        match &mut armored {
            Some(sig) => {
                sig.push_str(bare);
                sig.push('\n');
                if bare == END {
                    blocks.push(SidecarBlock {
                        message: std::mem::take(&mut message),
                        armored: std::mem::take(sig),
                    });
                    armored = None;
                    start = i + 2;
                }
            }
            None if bare == BEGIN => armored = Some(format!("{BEGIN}\n")),
            None => message.push_str(line),
        }
    }
    if armored.is_some() || !message.trim().is_empty() {
        bad.push(start);
    }
    (blocks, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_message_reads_back_and_nothing_else_does() {
        let head = SignedHead {
            journal: "ab".repeat(32),
            seq: 86,
            hash: "cd".repeat(32),
        };
        let text = head.message();
        assert_eq!(SignedHead::parse(&text), Some(head.clone()));
        assert_eq!(SignedHead::parse(&text.replace("seq 86", "seq 086")), None);
        assert_eq!(SignedHead::parse(&format!("{text}x\n")), None);
        assert_eq!(SignedHead::parse(text.trim_end()), None);
    }

    #[test]
    fn sidecar_blocks_split_and_stray_text_is_named() {
        let block = SidecarBlock {
            message: "cockpit journal head\njournal a\nseq 1\nhash b\n".into(),
            armored: format!("{BEGIN}\nAAAA\n{END}\n"),
        };
        let text = format!("{}{}", block.text(), block.text());
        let (blocks, bad) = parse_sidecar(&text);
        assert_eq!((blocks, bad), (vec![block.clone(), block.clone()], vec![]));
        let cut = &text[..text.len() - 10];
        let (blocks, bad) = parse_sidecar(cut);
        assert_eq!((blocks.len(), bad), (1, vec![8]));
    }
}
