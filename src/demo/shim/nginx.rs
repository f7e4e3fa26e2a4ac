//! `nginx -t` and `nginx -s SIGNAL` on a demo nginx machine. The test reads `/etc/nginx/nginx.conf`
//! and `/etc/nginx/conf.d/*.conf` far enough to catch what hand-editing an upstream list breaks
//! (braces, a missing `;`, an upstream left without servers) and says so as nginx does.

use super::shown;
use super::state::record;
use std::path::{Path, PathBuf};

const MAIN: &str = "etc/nginx/nginx.conf";
const CONF_D: &str = "etc/nginx/conf.d";

/// Runs `nginx ARGS` on the host whose folder is `root`.
pub(super) fn run(root: &Path, args: &[String]) -> i32 {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["-t"] | ["-t", "-q"] | ["-q", "-t"] => test(root, !args.contains(&"-q")),
        ["-s", signal] => signal_master(root, signal),
        ["-v"] | ["-V"] => {
            eprintln!("nginx version: nginx/1.24.0");
            0
        }
        _ => {
            eprintln!(
                "nginx: invalid option: \"{}\" (cockpit demo: -t, -s SIGNAL and -v)",
                args.join(" ")
            );
            1
        }
    }
}

fn test(root: &Path, verbose: bool) -> i32 {
    let main = shown(root, &root.join(MAIN));
    match check_all(root) {
        Ok(()) => {
            if verbose {
                eprintln!("nginx: the configuration file {main} syntax is ok");
                eprintln!("nginx: configuration file {main} test is successful");
            }
            0
        }
        Err(e) => {
            eprintln!("nginx: {e}");
            eprintln!("nginx: configuration file {main} test failed");
            1
        }
    }
}

/// `-s`: like nginx, reads the configuration first and refuses a broken one.
fn signal_master(root: &Path, signal: &str) -> i32 {
    let action = match signal {
        "reload" => "reloaded",
        "reopen" => "reopened",
        "stop" | "quit" => "stopped",
        _ => {
            eprintln!("nginx: invalid option: \"-s {signal}\"");
            return 1;
        }
    };
    if let Err(e) = check_all(root) {
        eprintln!("nginx: {e}");
        return 1;
    }
    match record(root, action, "nginx") {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("nginx: [alert] cannot signal the master process: {e}");
            1
        }
    }
}

/// The main file and every `conf.d/*.conf`, checked in order; the first problem, as nginx
/// words it (`[emerg] … in FILE:LINE`).
fn check_all(root: &Path) -> Result<(), String> {
    let mut files = vec![root.join(MAIN)];
    let mut included: Vec<PathBuf> = std::fs::read_dir(root.join(CONF_D))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "conf"))
                .collect()
        })
        .unwrap_or_default();
    included.sort();
    files.extend(included);
    for file in files {
        let name = shown(root, &file);
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("[emerg] open() \"{name}\" failed ({e})"))?;
        check(&text).map_err(|(problem, line)| format!("[emerg] {problem} in {name}:{line}"))?;
    }
    Ok(())
}

/// One open block while checking: whether it is an `upstream` and how many servers it has.
struct Block {
    upstream: bool,
    servers: usize,
}

/// Checks one file's structure; the problem and its line otherwise.
fn check(text: &str) -> Result<(), (String, usize)> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut directive = String::new();
    let mut line = 1;
    let mut comment = false;
    for c in text.chars() {
        match c {
            '\n' => {
                line += 1;
                comment = false;
                directive.push(' ');
            }
            _ if comment => {}
            '#' => comment = true,
            ';' => {
                let words: Vec<&str> = directive.split_whitespace().collect();
                if let (Some(block), Some(&"server")) = (blocks.last_mut(), words.first())
                    && block.upstream
                {
                    block.servers += 1;
                }
                if words.is_empty() {
                    return Err(("unexpected \";\"".into(), line));
                }
                directive.clear();
            }
            '{' => {
                let upstream = directive.split_whitespace().next() == Some("upstream");
                blocks.push(Block {
                    upstream,
                    servers: 0,
                });
                directive.clear();
            }
            '}' => {
                if !directive.trim().is_empty() {
                    return Err(("unexpected \"}\"".into(), line));
                }
                let block = blocks.pop().ok_or(("unexpected \"}\"".to_string(), line))?;
                if block.upstream && block.servers == 0 {
                    return Err(("no servers are inside upstream".into(), line));
                }
            }
            _ => directive.push(c),
        }
    }
    if !directive.trim().is_empty() {
        return Err((
            "unexpected end of file, expecting \";\" or \"}\"".into(),
            line,
        ));
    }
    if !blocks.is_empty() {
        return Err(("unexpected end of file, expecting \"}\"".into(), line));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_editing_an_upstream_breaks_is_caught_with_its_line() {
        let good = "upstream a {\n    server 10.0.0.1:80; # x;}\n}\nhttp { include x; }\n";
        assert_eq!(check(good), Ok(()));
        let empty = "upstream a {\n    # gone\n}\n";
        assert_eq!(
            check(empty),
            Err(("no servers are inside upstream".into(), 3))
        );
        let no_semicolon = "upstream a {\n    server 10.0.0.1:80\n}\n";
        assert_eq!(check(no_semicolon), Err(("unexpected \"}\"".into(), 3)));
        let unclosed = "upstream a {\n    server 10.0.0.1:80;\n";
        assert_eq!(
            check(unclosed),
            Err(("unexpected end of file, expecting \"}\"".into(), 3))
        );
        assert_eq!(check("}"), Err(("unexpected \"}\"".into(), 1)));
    }

    #[test]
    fn reload_refuses_a_broken_configuration_and_records_a_good_one() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(CONF_D)).expect("dirs");
        std::fs::write(root.join(MAIN), "events {}\nhttp { include x; }\n").expect("main");
        std::fs::write(root.join(CONF_D).join("u.conf"), "upstream a {\n}\n").expect("conf");
        let reload = ["-s".to_string(), "reload".to_string()];
        assert_eq!(run(root, &["-t".to_string()]), 1);
        assert_eq!(run(root, &reload), 1);
        assert!(!root.join(super::super::STATE_FILE).exists());
        std::fs::write(
            root.join(CONF_D).join("u.conf"),
            "upstream a { server b; }\n",
        )
        .expect("conf");
        assert_eq!(run(root, &["-t".to_string()]), 0);
        assert_eq!(run(root, &reload), 0);
        let state = std::fs::read_to_string(root.join(super::super::STATE_FILE)).expect("state");
        assert!(state.trim_end().ends_with(" reloaded nginx"), "{state}");
    }
}
