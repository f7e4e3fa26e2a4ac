//! Where a `{{placeholder}}` sits in a shell command (bare, in '…' or in "…"), so its value
//! can be spliced in as exactly one literal word whatever the quoting around it.

use crate::core::template::{Placeholder, placeholders, shell_quote};

/// The quoting a placeholder is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellQuoting {
    /// Outside any quotes: `mysql < {{file}}`.
    Bare,
    /// Inside single quotes: `grep -F '{{ip}}'`.
    Single,
    /// Inside double quotes: `echo "{{ip}}"`.
    Double,
}

/// Every placeholder of a command with the quoting it is written in, in order.
pub fn shell_placeholders(command: &str) -> Vec<(Placeholder, ShellQuoting)> {
    let found = placeholders(command);
    let mut out = Vec::with_capacity(found.len());
    let mut quoting = ShellQuoting::Bare;
    let mut pos = 0;
    let bytes = command.as_bytes();
    for p in found {
        quoting = scan(bytes, pos, p.range.start, quoting);
        pos = p.range.end;
        out.push((p, quoting));
    }
    out
}

/// The quoting in force at `to`, starting from `quoting` at `from`.
fn scan(bytes: &[u8], from: usize, to: usize, mut quoting: ShellQuoting) -> ShellQuoting {
    let mut i = from;
    while i < to {
        let b = bytes[i];
        match (quoting, b) {
            (ShellQuoting::Bare | ShellQuoting::Double, b'\\') => i += 1,
            (ShellQuoting::Bare, b'\'') => quoting = ShellQuoting::Single,
            (ShellQuoting::Bare, b'"') => quoting = ShellQuoting::Double,
            (ShellQuoting::Single, b'\'') | (ShellQuoting::Double, b'"') => {
                quoting = ShellQuoting::Bare
            }
            _ => {}
        }
        i += 1;
    }
    quoting
}

/// A value as it must be spliced in where the quoting is `quoting`, so the shell reads it as
/// the literal value: quoted when bare; inside quotes, a value of only safe characters goes in
/// as it is, any other closes the quotes around itself and reopens them (`'…'value'…'`).
pub fn splice(value: &str, quoting: ShellQuoting) -> String {
    let quoted = shell_quote(value);
    match quoting {
        ShellQuoting::Bare => quoted,
        _ if quoted == value => quoted,
        ShellQuoting::Single => format!("'{quoted}'"),
        ShellQuoting::Double => format!("\"{quoted}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotings(command: &str) -> Vec<ShellQuoting> {
        shell_placeholders(command)
            .into_iter()
            .map(|(_, q)| q)
            .collect()
    }

    #[test]
    fn finds_the_quoting_of_each_placeholder() {
        use ShellQuoting::*;
        assert_eq!(quotings("mysql < {{file}}"), [Bare]);
        assert_eq!(
            quotings("grep -F '{{ip}}' x && sed -i 's/{{ip}}/localhost/g' f"),
            [Single, Single]
        );
        assert_eq!(
            quotings(r#"echo "it's {{a}}" '{{b}}' {{c}}"#),
            [Double, Single, Bare]
        );
        assert_eq!(quotings(r#"echo \' {{a}} "\" {{b}}""#), [Bare, Double]);
    }

    #[test]
    fn splicing_closes_and_reopens_the_quotes() {
        assert_eq!(splice("x;id", ShellQuoting::Bare), "'x;id'");
        assert_eq!(splice("x;id", ShellQuoting::Single), "''x;id''");
        assert_eq!(splice("x;id", ShellQuoting::Double), "\"'x;id'\"");
        assert_eq!(splice("10.0.0.1", ShellQuoting::Single), "10.0.0.1");
        assert_eq!(splice("", ShellQuoting::Single), "''''");
    }
}
