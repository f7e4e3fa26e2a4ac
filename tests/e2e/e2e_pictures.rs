//! The README's screen, `assets/screenshot.txt` and `assets/demo.cast` are what the demo draws
//! today. This test plays the demo drill in tmux and compares the screen at the picture's moment
//! with the committed one, times, durations, latencies, temporary paths and the random log lines
//! aside. When they differ it fails; `COCKPIT_WRITE_PICTURES=1 cargo test --test e2e e2e_pictures::`
//! writes all three anew from the same run.

use crate::support::tmux;

use regex::Regex;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tmux::{REACT, Sandbox, Session};

const WIDTH: u16 = 140;
const HEIGHT: u16 = 40;

/// One move of the scripted drill.
enum Move {
    /// tmux key names.
    Keys(&'static [&'static str]),
    /// Text typed as it is.
    Type(&'static str),
    /// Wait until the screen shows this.
    WaitFor(&'static str),
    /// The moment of the screenshot.
    Picture,
}

/// The drill the pictures show: the primary app server killed, its P0 playbook opened, the
/// first two steps done with one key each and the third skipped.
const DRILL: &[Move] = &[
    Move::Keys(&["F"]),
    Move::Keys(&["j"]),
    Move::Keys(&["j"]),
    Move::Keys(&["Enter"]),
    Move::WaitFor("1 down"),
    Move::Keys(&["o"]),
    Move::WaitFor("Open an incident"),
    Move::Keys(&["Tab"]),
    Move::Keys(&["Tab"]),
    Move::Type("主应用服务器宕机 (drill)"),
    Move::Keys(&["Enter"]),
    Move::WaitFor("0/20 done"),
    Move::Keys(&["Enter"]),
    Move::WaitFor("1/20 done"),
    Move::Keys(&["Enter"]),
    Move::WaitFor("2/20 done"),
    Move::Keys(&["s"]),
    Move::Type("checked nginx by phone"),
    Move::Keys(&["Enter"]),
    Move::WaitFor("[-]  3."),
    // Messages fade after a few seconds; the picture shows the key hints under them.
    Move::WaitFor("Enter next step"),
    Move::Picture,
    Move::Keys(&["q"]),
    Move::Keys(&["y"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One frame of the cast: seconds since the start and the screen as a terminal draws it.
struct Frame(f64, String);

struct Recording {
    started: Instant,
    frames: Vec<Frame>,
    picture: Option<(String, usize)>,
}

impl Recording {
    fn snap(&mut self, session: &Session) {
        let screen = session.screen_ansi().replace('\n', "\r\n");
        let data = format!("\x1b[H\x1b[2J{screen}");
        if self.frames.last().is_none_or(|f| f.1 != data) {
            self.frames
                .push(Frame(self.started.elapsed().as_secs_f64(), data));
        }
    }
}

/// Plays the drill, snapping a frame after every move.
fn record() -> Recording {
    let sandbox = Sandbox::new("pictures");
    let session = sandbox.start_demo(WIDTH, HEIGHT);
    let mut rec = Recording {
        started: Instant::now(),
        frames: Vec::new(),
        picture: None,
    };
    session.wait_until_fleet_up();
    rec.snap(&session);
    for m in DRILL {
        match m {
            Move::Keys(keys) => session.keys(keys),
            Move::Type(text) => session.type_text(text),
            Move::WaitFor(text) => {
                session.wait_for(text, REACT, |s| s.contains(text));
            }
            Move::Picture => {
                rec.snap(&session);
                rec.picture = Some((session.screen(), rec.frames.len() - 1));
                continue;
            }
        }
        std::thread::sleep(Duration::from_millis(150));
        rec.snap(&session);
    }
    session.wait_for_exit_status();
    rec
}

/// The screen without what changes from run to run: clock times, durations, latencies, the
/// incident id's time, the operator's host, temporary paths and the Logs pane's lines.
fn normalized(screen: &str) -> String {
    let rules = [
        (r"INC-\d{8}-\d{4}", "INC-…"),
        (r"\d\d:\d\d:\d\d", "hh:mm:ss"),
        (r"\b\d+(h|m|s|ms)(\d+(m|s))?\b", "T"),
        (r"sqlite:///[^\s│┃]*", "sqlite:///…"),
        (r"\S+@\S+\s*$", "user@host"),
    ];
    let mut lines: Vec<String> = screen.lines().map(str::to_string).collect();
    // The Logs pane (top right) holds live random lines and their count: keep its borders.
    for line in lines.iter_mut().skip(2).take(13) {
        let chars: Vec<char> = line.chars().collect();
        let half = chars.len() / 2;
        if chars.len() >= 4 && matches!(chars[half], '│' | '┃') {
            let inner = chars.len() - half - 2;
            *line = format!(
                "{}{}{}{}",
                chars[..=half].iter().collect::<String>(),
                "~".repeat(inner),
                chars[chars.len() - 1],
                ""
            );
        }
    }
    let mut text = lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    for (pattern, with) in rules {
        let re = Regex::new(&format!("(?m){pattern}")).expect("rule");
        text = re.replace_all(&text, with).into_owned();
    }
    // A value of another width moves what follows it on the line.
    let spaces = Regex::new(r" {2,}").expect("spaces");
    spaces.replace_all(text.trim_end(), " ").into_owned()
}

/// The screen text shown in the README (the fenced block after the demo's introduction).
fn readme_block(readme: &str) -> Option<(usize, usize)> {
    let start = readme.find("```text\n")? + "```text\n".len();
    let len = readme[start..].find("\n```")?;
    Some((start, start + len))
}

fn strip_escapes(frame: &str) -> String {
    let re = Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("escape pattern");
    re.replace_all(frame, "").replace("\r\n", "\n")
}

#[test]
fn the_readme_screen_screenshot_and_cast_are_what_the_demo_draws() {
    let rec = record();
    let (picture, at) = rec.picture.as_ref().expect("the drill reached its picture");
    let picture = picture.trim_end().to_string();
    let assets = root().join("assets");
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let (from, to) = readme_block(&readme).expect("the README shows the demo's screen");
    if std::env::var_os("COCKPIT_WRITE_PICTURES").is_some() {
        std::fs::write(assets.join("screenshot.txt"), format!("{picture}\n")).expect("write");
        let mut cast = serde_json::json!({
            "version": 2, "width": WIDTH, "height": HEIGHT,
            "title": "cockpit demo: primary app server down drill"
        })
        .to_string();
        for Frame(t, data) in &rec.frames {
            cast.push('\n');
            cast.push_str(
                &serde_json::json!([(t * 1000.0).round() / 1000.0, "o", data]).to_string(),
            );
        }
        cast.push('\n');
        std::fs::write(assets.join("demo.cast"), cast).expect("write");
        let updated = format!("{}{}{}", &readme[..from], picture, &readme[to..]);
        std::fs::write(&readme_path, updated).expect("write README");
        eprintln!(
            "wrote assets/screenshot.txt, assets/demo.cast ({} frames) and README's screen",
            rec.frames.len()
        );
        return;
    }
    let hint = "the demo draws something else now: regenerate with \
                COCKPIT_WRITE_PICTURES=1 cargo test --test e2e e2e_pictures::";
    let committed = std::fs::read_to_string(assets.join("screenshot.txt")).expect("screenshot");
    assert_eq!(
        normalized(&committed),
        normalized(&picture),
        "assets/screenshot.txt: {hint}"
    );
    assert_eq!(
        readme[from..to].trim_end(),
        committed.trim_end(),
        "README's screen is not assets/screenshot.txt: {hint}"
    );
    // The cast holds the same screen, and plays through the same drill.
    let cast = std::fs::read_to_string(assets.join("demo.cast")).expect("demo.cast");
    let frames: Vec<String> = cast
        .lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v[2].as_str().map(strip_escapes))
        .collect();
    assert!(
        frames
            .iter()
            .any(|f| normalized(f) == normalized(&committed)),
        "assets/demo.cast never shows the screenshot's screen: {hint}"
    );
    let live = strip_escapes(&rec.frames[*at].1);
    assert_eq!(
        normalized(&live),
        normalized(&picture),
        "the recorder's own frame"
    );
}
