//! The redaction corpus (`tests/fixtures/redaction_corpus.txt`): secret forms, each carrying a
//! marker `zqNN` that must never show, and ordinary runbook lines, each carrying a marker `okNN`
//! that must show unchanged. Include it with
//! `#[path = "support/redaction.rs"] mod redaction;`.
#![allow(dead_code)]

use regex::Regex;

/// One line of the corpus.
#[derive(Debug, Clone)]
pub struct Case {
    /// Holds a secret (else ordinary text).
    pub secret: bool,
    /// The text (line breaks restored).
    pub text: String,
    /// Its marker, `zqNN` or `okNN`.
    pub marker: String,
}

/// Every case of the corpus; panics (failing the test) when the fixture is missing.
pub fn corpus() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/redaction_corpus.txt"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the redaction corpus {path} is needed: {e}"));
    let marker = Regex::new(r"(?i)(zq|ok)\d\d").expect("regex");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (kind, body) = l
                .split_once(": ")
                .unwrap_or_else(|| panic!("corpus line without kind: {l}"));
            let secret = match kind {
                "secret" => true,
                "plain" => false,
                other => panic!("corpus kind {other:?} is neither secret nor plain"),
            };
            let text = body.replace("\\n", "\n");
            let marker = marker
                .find(&text)
                .unwrap_or_else(|| panic!("corpus line without a marker: {l}"))
                .as_str()
                .to_ascii_lowercase();
            Case {
                secret,
                text,
                marker,
            }
        })
        .collect()
}

/// Secret markers found in `text` (any case), for the failure message.
pub fn leaked(text: &str) -> Vec<String> {
    let re = Regex::new(r"(?i)zq\d\d").expect("regex");
    let mut found: Vec<String> = re
        .find_iter(text)
        .map(|m| m.as_str().to_ascii_lowercase())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Fails when any secret marker shows in `text`.
pub fn assert_no_secret(what: &str, text: &str) {
    let found = leaked(text);
    assert!(
        found.is_empty(),
        "secrets of the corpus in {what}: {found:?}\n--- {what} ---\n{text}"
    );
}

/// Fails unless every ordinary line's marker shows in `text`.
pub fn assert_plain_kept(what: &str, text: &str, cases: &[Case]) {
    let lower = text.to_ascii_lowercase();
    let missing: Vec<&str> = cases
        .iter()
        .filter(|c| !c.secret && !lower.contains(&c.marker))
        .map(|c| c.marker.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "ordinary text masked in {what}: {missing:?}\n--- {what} ---\n{text}"
    );
}
