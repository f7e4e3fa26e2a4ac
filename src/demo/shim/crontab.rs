//! `crontab` on a demo host: root's crontab, kept in the host's folder where Debian keeps it.

use crate::demo::world::CRONTAB;
use std::io::Read as _;
use std::path::Path;

/// Runs `crontab ARGS` for root on the host whose folder is `root`: `-l` lists, `-r` removes,
/// `FILE` or `-` (standard input) installs.
pub(super) fn run(root: &Path, args: &[String]) -> i32 {
    let path = root.join(CRONTAB);
    let mut words = args.iter().map(String::as_str);
    let mut chosen = None;
    while let Some(word) = words.next() {
        match word {
            "-u" => {
                words.next();
            }
            _ => chosen = Some(word),
        }
    }
    match chosen {
        Some("-l") => match std::fs::read_to_string(&path) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(_) => {
                eprintln!("no crontab for root");
                1
            }
        },
        Some("-r") => match std::fs::remove_file(&path) {
            Ok(()) => 0,
            Err(_) => {
                eprintln!("no crontab for root");
                1
            }
        },
        Some("-e") => {
            eprintln!("crontab: -e needs a terminal; install a file with `crontab FILE` instead");
            1
        }
        Some(source) => install(&path, source),
        None => {
            eprintln!("usage:\tcrontab [-u user] file\n\tcrontab [-u user] {{ -l | -r | -e }}");
            1
        }
    }
}

fn install(path: &Path, source: &str) -> i32 {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map(|_| text)
    } else {
        std::fs::read_to_string(source)
    };
    let written = text.and_then(|text| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    });
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("crontab: {source}: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crontab_is_installed_listed_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        let arg = |s: &str| vec![s.to_string()];
        assert_eq!(run(root, &arg("-l")), 1);
        let file = root.join("new.cron");
        std::fs::write(&file, "* * * * * true\n").expect("file");
        assert_eq!(run(root, &arg(&file.display().to_string())), 0);
        assert_eq!(
            std::fs::read_to_string(root.join(CRONTAB)).expect("installed"),
            "* * * * * true\n"
        );
        assert_eq!(run(root, &arg("-l")), 0);
        assert_eq!(run(root, &arg("-r")), 0);
        assert_eq!(run(root, &arg("-l")), 1);
        assert_eq!(run(root, &[]), 1);
    }
}
