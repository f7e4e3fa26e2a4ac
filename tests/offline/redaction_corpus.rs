//! The redaction corpus through the one `Redactor`: every secret form masked, every ordinary
//! runbook line left exactly as it was.

use crate::support::redaction;

use cockpit::core::redact::Redactor;

#[test]
fn the_corpus_has_forty_secret_forms_and_ordinary_lines() {
    let cases = redaction::corpus();
    assert!(cases.iter().filter(|c| c.secret).count() >= 40);
    assert!(cases.iter().filter(|c| !c.secret).count() >= 10);
}

#[test]
fn every_secret_form_is_masked_and_ordinary_text_kept() {
    let r = Redactor::default();
    let mut failures = Vec::new();
    for case in redaction::corpus() {
        let out = r.redact(&case.text);
        if case.secret {
            if !redaction::leaked(&out).is_empty() || !out.contains("***") {
                failures.push(format!("not masked: {:?} -> {out:?}", case.text));
            }
        } else if out != case.text {
            failures.push(format!("changed: {:?} -> {out:?}", case.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn secrets_are_masked_inside_longer_text_and_together() {
    let r = Redactor::default();
    let cases = redaction::corpus();
    let all: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let joined = all.join("\n");
    let out = r.redact(&joined);
    redaction::assert_no_secret("the whole corpus as one text", &out);
    redaction::assert_plain_kept("the whole corpus as one text", &out, &cases);
    let sentence = r.redact(&format!("ran `{}` at 10:02 and it worked", all[0]));
    redaction::assert_no_secret("a sentence", &sentence);
}
