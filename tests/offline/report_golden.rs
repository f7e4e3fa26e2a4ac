//! Golden post-mortems of a real demo drill (tests/fixtures/journals/drill-seed001.db, recorded
//! by scripts/record-drill-journal.sh): the Markdown and the HTML report, byte for byte. The
//! journal's times are real unix milliseconds, so the output is stable; review a diff here as a
//! change to what post-mortems say.

use cockpit::core::report::{build, to_html, to_markdown};
use cockpit::io::journal_store::read_for_review;
use std::path::PathBuf;

/// The report of the fixture, read from a copy (reading a WAL journal creates files beside it).
fn fixture_report() -> cockpit::core::report::Report {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("drill-seed001.db");
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journals/drill-seed001.db");
    std::fs::copy(fixture, &path).expect("copy fixture");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let assessed = runtime
        .block_on(read_for_review(&path, false))
        .expect("the fixture verifies");
    build(&assessed, "drill-seed001.db", None).expect("the fixture holds an incident")
}

#[test]
fn markdown_post_mortem_of_the_drill() {
    let report = fixture_report();
    assert_eq!(report.incident.id, "INC-20261121-2026");
    insta::assert_snapshot!("drill_seed001_report_md", to_markdown(&report));
}

#[test]
fn html_post_mortem_of_the_drill() {
    insta::assert_snapshot!("drill_seed001_report_html", to_html(&fixture_report()));
}
