//! The diagnose bundle against the hostile shell corpus (tests/fixtures/shell_corpus.toml): one
//! host whose service names, service PATH folders, own section titles and log paths are every
//! corpus value, its bundle run under real `dash -c` and `bash -c` in an empty folder with a
//! PATH that holds only basic tools. Nothing an injection tries is created, every title comes
//! back as written (on one line), every service tool is reported missing, and the bundle ends
//! with status 0.

use cockpit::core::diagnose::{Section, bundle_sections, clean_title, render, sections};
use cockpit::core::diagnostic::SourceFile;
use cockpit::core::inventory::{DiagnoseSection, Host, ServiceAccess};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[derive(Deserialize)]
struct Corpus {
    values: Vec<Value>,
}

#[derive(Deserialize)]
struct Value {
    text: String,
    repeat: Option<usize>,
}

/// Backslash sequences `echo` would interpret in dash (a forged section line, output cut short),
/// besides the corpus's values.
const ECHO_ESCAPES: [&str; 4] = [
    r"title\n=== cockpit: forged",
    r"cut\c short",
    r"tab\there",
    r"octal\0101",
];

fn values() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shell_corpus.toml");
    let text = std::fs::read_to_string(&path).expect("the shell corpus fixture");
    let corpus: Corpus = toml::from_str(&text).expect("a valid corpus");
    corpus
        .values
        .iter()
        .map(|v| v.text.repeat(v.repeat.unwrap_or(1)))
        .chain(ECHO_ESCAPES.iter().map(|v| v.to_string()))
        .collect()
}

/// The services with built-in sections, and the tool each one's first section needs.
const KNOWN: [(&str, &str); 7] = [
    ("docker", "docker"),
    ("mysql", "mysqladmin"),
    ("nginx", "nginx"),
    ("node", "node"),
    ("pm2", "pm2"),
    ("postgres", "pg_isready"),
    ("rabbitmq", "rabbitmq-diagnostics"),
];

/// The only tools on the bundle's PATH: enough for the system sections, none of a service's.
const BASIC: [&str; 20] = [
    "sh", "timeout", "cat", "grep", "tail", "head", "hostname", "date", "uname", "uptime", "free",
    "df", "ls", "id", "awk", "tr", "cut", "sed", "readlink", "ss",
];

/// Where `tool` is on this machine's PATH; fails when it is missing.
fn which(tool: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .expect("sh");
    let found = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && found.starts_with('/'),
        "`{tool}` is missing on PATH: the diagnose corpus runs it (apt-get install it)"
    );
    found
}

/// A folder of links to the [`BASIC`] tools.
fn basic_bin(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    for tool in BASIC {
        std::os::unix::fs::symlink(which(tool), bin.join(tool)).expect("link");
    }
    bin.display().to_string()
}

/// One host carrying `values`: as service names, as PATH folders of `pm2` (where the inventory
/// would accept them), as its own section titles, as its log paths.
fn hostile_host(values: &[String]) -> Host {
    let inv = cockpit::core::inventory::parse(&SourceFile::new(
        "inv.toml",
        "[[hosts]]\nname = \"h\"\nrole = \"r\"\ntransport = \"local\"\n".to_string(),
    ))
    .expect("inventory");
    let mut host = inv.hosts[0].clone();
    let folders: Vec<String> = values
        .iter()
        .filter(|v| !v.contains([':', '\n', '\r', '\0']))
        .map(|v| format!("/nonexistent/{v}"))
        .collect();
    for (name, _) in KNOWN {
        let path = if name == "pm2" {
            folders.clone()
        } else {
            Vec::new()
        };
        host.services
            .insert(name.to_string(), ServiceAccess { user: None, path });
    }
    for v in values {
        host.services.entry(v.clone()).or_default();
        host.diagnose.push(DiagnoseSection {
            title: v.clone(),
            run: "echo own-section-ran".into(),
        });
        host.logs.push(v.clone());
    }
    host
}

#[test]
fn hostile_names_stay_quoted_and_missing_tools_are_reported_under_dash_and_bash() {
    let values = values();
    let dir = tempfile::tempdir().expect("dir");
    let bin = basic_bin(dir.path());
    // A few values per host: a shell command line is at most 128 KiB, and one value is long.
    for (n, chunk) in values.chunks(8).enumerate() {
        run_corpus_host(chunk, &bin, &dir.path().join(format!("chunk-{n}")));
    }
}

/// Runs the bundle of the host carrying `values` under dash and bash, in folders under `dir`.
fn run_corpus_host(values: &[String], bin: &str, dir: &Path) {
    let host = hostile_host(values);
    let planned: Vec<Section> = bundle_sections(&host, &[]);
    let script = render(&planned);
    for shell in ["dash", "bash"] {
        let run = dir.join(format!("run-{shell}"));
        std::fs::create_dir_all(&run).expect("run folder");
        let started = Instant::now();
        let out = Command::new(which(shell))
            .arg("-c")
            .arg(&script)
            .current_dir(&run)
            .env_clear()
            .env("PATH", bin)
            .env("HOME", &run)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {shell}: {e}"));
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{shell}: the bundle failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let made: Vec<_> = std::fs::read_dir(&run)
            .expect("read the run folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        assert!(made.is_empty(), "{shell}: an injection created {made:?}");
        let got = sections(&stdout);
        let titles: Vec<String> = got.iter().map(|(t, _)| t.clone()).collect();
        let expected: Vec<String> = planned.iter().map(|s| clean_title(&s.title)).collect();
        assert_eq!(titles, expected, "{shell}: the titles did not come back");
        for (name, tool) in KNOWN {
            let first = planned
                .iter()
                .position(|s| s.title.starts_with(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("no section of {name}"));
            let (title, body) = &got[first];
            assert!(
                body.contains(&format!("(missing: {tool} is not installed")),
                "{shell}: {title}: {body}"
            );
        }
        let own = got
            .iter()
            .filter(|(_, body)| body == "own-section-ran\n")
            .count();
        assert_eq!(own, values.len(), "{shell}: every own section ran once");
        let unknown = got
            .iter()
            .filter(|(_, body)| body.contains("no built-in sections for this service"))
            .count();
        assert_eq!(
            unknown,
            host.services.len() - KNOWN.len(),
            "{shell}: each service without built-in sections says so"
        );
        for missing in ["top", "vmstat", "iostat"] {
            assert!(
                stdout.contains(&format!("(missing: {missing} is not installed")),
                "{shell}: {missing} not reported missing"
            );
        }
        println!(
            "{shell}: {} sections ({} bytes) in {:.1} s",
            got.len(),
            script.len(),
            took.as_secs_f64()
        );
    }
}
