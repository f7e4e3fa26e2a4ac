//! The operator's identity: the name (from the command line, the environment, the login, or
//! asked on the terminal) and the machine name.

use crate::core::operator::{
    NameSource, NameSources, Operator, ResolvedName, must_ask_name, resolve_name, validate_name,
};
use crate::core::role::Role;
use std::io::{BufRead, Write};

/// The question asked when a shared `root` login cannot tell people apart.
pub const ASK_NAME: &str =
    "Several people may use root on this bastion. Your name (recorded with every action): ";

/// The login running this process (`$USER`/`$LOGNAME`, else the passwd entry) at the machine's
/// host name. The name on the record is [`resolve_operator`]'s; this is the account (the demo's
/// SSH user, the holder of a journal lock).
pub fn current_operator() -> Operator {
    Operator {
        user: login_name().unwrap_or_else(|| "unknown".to_string()),
        host: host_name(),
    }
}

fn login_name() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(user_from_passwd)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The operator's name from `--operator` (`flag`), `COCKPIT_OPERATOR`, `SUDO_USER` or the
/// login, in that order, checked. On a shared journal a `root` login is not a name: the
/// question [`ASK_NAME`] is asked on the terminal (stdin/stderr) until a valid name is typed;
/// end of input is an error, and nothing has been started.
pub fn resolve_operator(flag: Option<&str>, shared_journal: bool) -> Result<Operator, String> {
    let sources = NameSources {
        flag: flag.map(String::from),
        env: env_var("COCKPIT_OPERATOR"),
        sudo_user: env_var("SUDO_USER"),
        login: login_name(),
    };
    let mut resolved = resolve_name(&sources)?;
    if must_ask_name(&resolved, shared_journal) {
        let stdin = std::io::stdin();
        resolved = ask_name(&mut stdin.lock(), &mut std::io::stderr())?;
    }
    Ok(Operator {
        user: resolved.name,
        host: host_name(),
    })
}

/// The role from `--role` (`flag`), else `COCKPIT_ROLE`, else the journal's default.
pub fn resolve_role(flag: Option<&str>, shared_journal: bool) -> Result<Role, String> {
    Role::resolve(flag, env_var("COCKPIT_ROLE").as_deref(), shared_journal)
}

/// Asks [`ASK_NAME`] on `output` and reads a line from `input`, again after an invalid name
/// (saying why); end of input (Ctrl-D) or a read error is an error.
pub fn ask_name(input: &mut impl BufRead, output: &mut impl Write) -> Result<ResolvedName, String> {
    loop {
        let _ = write!(output, "{ASK_NAME}");
        let _ = output.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) => {
                let _ = writeln!(output);
                return Err(
                    "no name given: on a shared journal, root must say who is at the keyboard \
                     (or start with --operator NAME or COCKPIT_OPERATOR=NAME); nothing was started"
                        .into(),
                );
            }
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read the name from the terminal: {e}")),
        }
        let typed = line.trim_end_matches(['\n', '\r']);
        match validate_name(typed) {
            Ok(name) if name == "root" => {
                let _ = writeln!(output, "root is shared: give your own name, such as alice");
            }
            Ok(name) => {
                return Ok(ResolvedName {
                    name,
                    source: NameSource::Asked,
                });
            }
            Err(e) => {
                let _ = writeln!(output, "that name {e}");
            }
        }
    }
}

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// The login name of the process's uid, from `/etc/passwd` (when `$USER` is unset, as under
/// some service managers and in `tmux` started without a login shell).
fn user_from_passwd() -> Option<String> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() }.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_is_asked_again_until_a_valid_name_comes() {
        let mut input = std::io::Cursor::new("\nbob@laptop\nroot\n  alice \n".as_bytes());
        let mut said = Vec::new();
        let name = ask_name(&mut input, &mut said).map(|r| r.name);
        assert_eq!(name.as_deref(), Ok("alice"));
        let said = String::from_utf8_lossy(&said);
        assert_eq!(said.matches(ASK_NAME).count(), 4, "{said}");
        assert!(said.contains("that name is empty"), "{said}");
        assert!(said.contains("holds '@'"), "{said}");
        assert!(said.contains("root is shared"), "{said}");
    }

    #[test]
    fn end_of_input_is_an_error_that_says_nothing_started() {
        let mut input = std::io::Cursor::new("a\u{7}b\n".as_bytes());
        let mut said = Vec::new();
        let err = ask_name(&mut input, &mut said).unwrap_err();
        assert!(err.contains("nothing was started"), "{err}");
        assert!(String::from_utf8_lossy(&said).contains("control character"));
    }
}
