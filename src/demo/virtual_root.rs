//! Each demo host's folder is its virtual root for the few absolute paths seed 001's procedure
//! names: before a command runs, `/shell`, `/wwwroot`, `/etc/nginx` and `/var/log` are rewritten
//! to the host's folder, and its output says `/…` again where it said `<host folder>/…`. So an
//! operator (and a playbook capture) sees the seed's paths, and what one step prints another
//! can use. Every other absolute path is left alone and means the real machine's.

use std::path::Path;

/// The absolute folders a demo host keeps in its own folder: exactly those the seed's
/// procedure touches (SQL backups and shell tasks, the Go services, nginx, logs).
pub const MAPPED_PREFIXES: [&str; 4] = ["/shell", "/wwwroot", "/etc/nginx", "/var/log"];

/// Whether `b` can be part of a path word, so that a prefix next to it is not a path of its
/// own (`/hosts/x/shell`, `$HOME/shell`, `/shellx`, `/etc/nginx.conf`).
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-.~$}+@".contains(&b) || b == b'/'
}

/// Whether `host_dir` can be spliced into a shell command as it is (no quoting needed).
fn is_shell_safe(host_dir: &str) -> bool {
    !host_dir.is_empty()
        && host_dir
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

/// `command` with each [`MAPPED_PREFIXES`] path moved under `host_dir`: `/shell/x` becomes
/// `<host_dir>/shell/x`, wherever it stands as a path of its own (after a space, a quote,
/// `=`, `<`, `(`…). A folder that would need shell quoting is not spliced in: the command
/// is returned unchanged.
pub fn map_command(command: &str, host_dir: &Path) -> String {
    let Some(dir) = host_dir.to_str().filter(|d| is_shell_safe(d)) else {
        return command.to_string();
    };
    let dir = dir.trim_end_matches('/');
    let bytes = command.as_bytes();
    let mut out = String::with_capacity(command.len() + 64);
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_path_byte(bytes[i - 1]);
        let matched = (bytes[i] == b'/' && starts_word)
            .then(|| {
                MAPPED_PREFIXES.iter().find(|p| {
                    bytes[i..].starts_with(p.as_bytes())
                        && bytes
                            .get(i + p.len())
                            .is_none_or(|&next| next == b'/' || !is_path_byte(next))
                })
            })
            .flatten();
        match matched {
            Some(prefix) => {
                out.push_str(&command[last..i]);
                out.push_str(dir);
                out.push_str(prefix);
                i += prefix.len();
                last = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&command[last..]);
    out
}

/// Rewrites a command's output stream, `<host folder>/` → `/`, across chunk boundaries: the
/// end of a chunk that could be the start of the folder's path is held back until the next
/// chunk (or the end of the stream) tells.
pub struct OutputMapper {
    needle: Vec<u8>,
    held: Vec<u8>,
}

impl OutputMapper {
    /// A mapper for the host folder `host_dir`.
    pub fn new(host_dir: &Path) -> Self {
        let mut needle = host_dir.as_os_str().as_encoded_bytes().to_vec();
        while needle.last() == Some(&b'/') {
            needle.pop();
        }
        needle.push(b'/');
        Self {
            needle,
            held: Vec::new(),
        }
    }

    /// The bytes to send for `chunk`: the held-back bytes and the chunk, mapped, less a new
    /// tail that might be an unfinished folder path.
    pub fn map(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i..].starts_with(&self.needle) {
                out.push(b'/');
                i += self.needle.len();
            } else if self.needle.starts_with(&data[i..]) {
                self.held = data[i..].to_vec();
                return out;
            } else {
                out.push(data[i]);
                i += 1;
            }
        }
        out
    }

    /// What is still held back, at the end of the stream.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "/tmp/cockpit-demo-x/hosts/app-backup";

    fn mapped(command: &str) -> String {
        map_command(command, Path::new(HOST))
    }

    #[test]
    fn maps_the_seed_paths_wherever_they_stand_as_paths() {
        assert_eq!(
            mapped("ls -1t /shell/sql_backup/speed-*.sql | head -n 1"),
            format!("ls -1t {HOST}/shell/sql_backup/speed-*.sql | head -n 1")
        );
        assert_eq!(
            mapped("mysql < /shell/sql_backup/speed-1.sql"),
            format!("mysql < {HOST}/shell/sql_backup/speed-1.sql")
        );
        assert_eq!(
            mapped("f=/wwwroot/go/go-api/config.yaml && cp -p $f $f.bak"),
            format!("f={HOST}/wwwroot/go/go-api/config.yaml && cp -p $f $f.bak")
        );
        assert_eq!(
            mapped("grep -rn x /etc/nginx/"),
            format!("grep -rn x {HOST}/etc/nginx/")
        );
        assert_eq!(mapped("ls /etc/nginx"), format!("ls {HOST}/etc/nginx"));
        assert_eq!(
            mapped("exec sh -c 'cat \"/wwwroot/a\" /var/log/x'"),
            format!("exec sh -c 'cat \"{HOST}/wwwroot/a\" {HOST}/var/log/x'")
        );
        assert_eq!(mapped("(cd /shell;ls)"), format!("(cd {HOST}/shell;ls)"));
    }

    #[test]
    fn leaves_other_paths_and_lookalikes_alone() {
        for command in [
            "ls /etc/nginxfoo /shellx /wwwroot2",
            "cat /etc/nginx.conf /etc/passwd /usr/shell/x /var/logs",
            "tail -F /tmp/cockpit-demo-x/hosts/app-primary/wwwroot/go/go-api/logs/go-api.log",
            "ls $HOME/shell ~/wwwroot ./shell shell/x",
            "echo hello",
        ] {
            assert_eq!(mapped(command), command);
        }
    }

    #[test]
    fn a_folder_needing_quotes_is_not_spliced_in() {
        let command = "ls /shell/";
        assert_eq!(map_command(command, Path::new("/tmp/a b/host")), command);
    }

    #[test]
    fn output_says_the_seed_paths_again_even_across_chunks() {
        let mut m = OutputMapper::new(Path::new(HOST));
        let text = format!("{HOST}/shell/sql_backup/speed-2.sql\n{HOST}\nend {HOST}/x");
        assert_eq!(
            String::from_utf8_lossy(&m.map(text.as_bytes())),
            format!("/shell/sql_backup/speed-2.sql\n{HOST}\nend /x")
        );
        assert!(m.finish().is_empty());

        let mut m = OutputMapper::new(Path::new(HOST));
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(7) {
            out.extend(m.map(chunk));
        }
        out.extend(m.finish());
        assert_eq!(
            String::from_utf8_lossy(&out),
            format!("/shell/sql_backup/speed-2.sql\n{HOST}\nend /x")
        );
    }

    #[test]
    fn a_held_back_tail_that_was_not_the_folder_is_sent_as_it_was() {
        let mut m = OutputMapper::new(Path::new(HOST));
        assert_eq!(m.map(b"a /tm"), b"a ");
        assert_eq!(m.map(b"p/other\n"), b"/tmp/other\n");
        assert_eq!(m.map(b"/tmp/cock"), b"");
        assert_eq!(m.finish(), b"/tmp/cock");
    }
}
