//! The real binary in tmux with the operator's `[keys]` table: the remapped keys work and the
//! old ones do not, the hint line and help show the new keys, a click focuses a pane and
//! selects the host under it, and the mouse is released on the way out (or never captured with
//! `mouse = false`).

use crate::support::tmux;

use tmux::{REACT, Sandbox};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// Writes the operator's inventory (the demo takes its `[keys]` and `[settings] mouse`).
fn write_config(sb: &Sandbox, text: &str) {
    let dir = sb.root.join("home/.config/cockpit");
    std::fs::create_dir_all(&dir).expect("config folder");
    std::fs::write(dir.join("inventory.toml"), text).expect("write inventory");
}

/// The character that opens the border line holding `title` (`┏` when its pane has focus).
fn corner_before(screen: &str, title: &str) -> Option<char> {
    let line = screen.lines().find(|l| l.contains(title))?;
    let at = line.find(title)?;
    line[..at].chars().next_back()
}

fn focused(screen: &str, title: &str) -> bool {
    corner_before(screen, title) == Some('┏')
}

/// Where `host`'s row of the Hosts grid is (column, row), once the grid shows it. Only the
/// columns left of the Logs pane are searched: the log lines name hosts too, and a click on
/// one of them would land in the Logs pane.
fn grid_row(s: &tmux::Session, host: &str) -> (u16, u16) {
    let find = |screen: &str| -> Option<(u16, u16)> {
        let title = screen.lines().find(|l| l.contains(" 2 Logs"))?;
        let logs_x = title[..title.find(" 2 Logs")?]
            .chars()
            .count()
            .checked_sub(1)?;
        screen.lines().enumerate().find_map(|(y, line)| {
            let hosts: String = line.chars().take(logs_x).collect();
            let at = hosts.find(host)?;
            Some((hosts[..at].chars().count() as u16, y as u16))
        })
    };
    let screen = s.wait_for(&format!("{host} in the Hosts grid"), REACT, |sc| {
        find(sc).is_some()
    });
    find(&screen).unwrap_or_else(|| panic!("{host} is not in the Hosts grid:\n{screen}"))
}

#[test]
fn remapped_keys_and_mouse_clicks_in_the_real_terminal() {
    let sb = Sandbox::new("keys");
    write_config(&sb, "[keys]\nfocus-hosts = \"F2\"\ntoggle-help = \"F1\"\n");
    let s = sb.start_demo(WIDTH, HEIGHT);
    let screen = s.wait_until_fleet_up();
    assert!(focused(&screen, " 1 Hosts"), "{screen}");
    s.wait_for("the hint line naming F1 for help", REACT, |sc| {
        sc.lines().last().is_some_and(|l| l.contains("F1 help"))
    });
    assert_eq!(
        s.pane_format("#{mouse_sgr_flag}"),
        "1",
        "mouse not captured"
    );

    // `2` still focuses the Logs; `1` no longer focuses the Hosts, F2 does.
    s.keys(&["2"]);
    s.wait_for("the Logs pane focused", REACT, |sc| focused(sc, " 2 Logs"));
    s.keys(&["1"]);
    s.keys(&["F1"]);
    let help = s.wait_for("the help overlay", REACT, |sc| sc.contains("this help"));
    assert!(
        help.lines()
            .any(|l| l.contains("F1") && l.contains("this help")),
        "{help}"
    );
    assert!(
        help.lines()
            .any(|l| l.contains("F2") && l.contains("focus Hosts")),
        "{help}"
    );
    s.keys(&["F1"]);
    let after = s.wait_for("the help closed", REACT, |sc| !sc.contains("this help"));
    assert!(focused(&after, " 2 Logs"), "`1` moved the focus:\n{after}");
    s.keys(&["F2"]);
    s.wait_for("the Hosts pane focused by F2", REACT, |sc| {
        focused(sc, " 1 Hosts")
    });

    // A click on the Logs pane focuses it.
    let screen = s.wait_for("the Logs pane title", REACT, |sc| sc.contains(" 2 Logs"));
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" 2 Logs"))
        .expect("the Logs pane title");
    let x = line[..line.find(" 2 Logs").unwrap_or(0)].chars().count() + 4;
    s.click(x as u16, y as u16 + 3);
    s.wait_for("the Logs pane focused by a click", REACT, |sc| {
        focused(sc, " 2 Logs")
    });

    // A click on app-primary's row focuses the Hosts and selects it: Enter shows its details.
    let (x, y) = grid_row(&s, "app-primary");
    s.click(x, y);
    s.wait_for("the Hosts pane focused by a click", REACT, |sc| {
        focused(sc, " 1 Hosts")
    });
    s.keys(&["Enter"]);
    s.wait_for("the details of the host clicked", REACT, |sc| {
        sc.contains("Host app-primary")
    });
    s.keys(&["Escape"]);
    s.wait_for("the details closed", REACT, |sc| {
        !sc.contains("Host app-primary")
    });

    // Quitting releases the mouse: the shell after cockpit gets no mouse reports.
    s.keys(&["q"]);
    let (status, _) = s.wait_for_exit_status();
    assert_eq!(status, 0);
    assert_eq!(
        s.pane_format("#{mouse_sgr_flag}"),
        "0",
        "mouse left captured"
    );
    assert_eq!(
        s.pane_format("#{mouse_any_flag}"),
        "0",
        "mouse left captured"
    );
}

#[test]
fn mouse_off_leaves_the_terminal_its_selection() {
    let sb = Sandbox::new("nomouse");
    write_config(&sb, "[settings]\nmouse = false\n");
    let s = sb.start_demo(WIDTH, HEIGHT);
    s.wait_until_fleet_up();
    assert_eq!(s.pane_format("#{mouse_sgr_flag}"), "0");
    assert_eq!(s.pane_format("#{mouse_standard_flag}"), "0");
    // A click arriving anyway (a terminal that sends them regardless) changes nothing.
    s.keys(&["2"]);
    s.wait_for("the Logs pane focused", REACT, |sc| focused(sc, " 2 Logs"));
    let (x, y) = grid_row(&s, "app-primary");
    s.click(x, y);
    // Zooming after the click shows which pane has focus once the click was read.
    s.keys(&["z"]);
    let zoomed = s.wait_for("one pane zoomed", REACT, |sc| {
        !(sc.contains(" 1 Hosts") && sc.contains(" 2 Logs"))
    });
    assert!(
        focused(&zoomed, " 2 Logs"),
        "the click moved the focus:\n{zoomed}"
    );
    s.keys(&["q"]);
    let (status, _) = s.wait_for_exit_status();
    assert_eq!(status, 0);
}
