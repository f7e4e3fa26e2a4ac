//! The allowed-signers file of `ssh-keygen -Y verify`: who may sign journal heads.

/// One usable line of an allowed-signers file (`principals [options] keytype base64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The line number, for messages.
    pub line: usize,
    /// Who the key is (the first field, comma-separated).
    pub principals: String,
    /// The namespaces the key may sign for (`namespaces="…"`); None: any.
    pub namespaces: Option<Vec<String>>,
    /// The key, `keytype base64`.
    pub key: String,
}

/// The signers of an allowed-signers file (the `ssh-keygen` ALLOWED SIGNERS format), and a
/// note for each line left out (certificate authorities, time limits, unreadable lines).
pub fn parse_allowed_signers(text: &str) -> (Vec<AllowedSigner>, Vec<String>) {
    let mut signers = Vec::new();
    let mut notes = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields = split_fields(trimmed);
        let (principals, options, key) = match fields.as_slice() {
            [p, t, k, ..] if is_key_type(t) => (p, None, format!("{t} {k}")),
            [p, o, t, k, ..] if is_key_type(t) => (p, Some(o.as_str()), format!("{t} {k}")),
            _ => {
                notes.push(format!("line {line}: not a principal and a key; left out"));
                continue;
            }
        };
        let mut namespaces = None;
        let mut skip = None;
        for option in options.map(split_options).unwrap_or_default() {
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => {
                    let list = value.trim_matches('"');
                    namespaces = Some(list.split(',').map(|n| n.trim().to_string()).collect());
                }
                "cert-authority" => skip = Some("certificate authorities are not supported"),
                "valid-after" | "valid-before" => {
                    skip = Some("time-limited keys are not supported")
                }
                _ => skip = Some("unknown option"),
            }
        }
        if let Some(why) = skip {
            notes.push(format!("line {line}: {why}; left out"));
            continue;
        }
        signers.push(AllowedSigner {
            line,
            principals: principals.clone(),
            namespaces,
            key,
        });
    }
    (signers, notes)
}

fn is_key_type(field: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| field.starts_with(p))
}

/// Fields split on whitespace, double-quoted stretches kept whole.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    fields.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        fields.push(current);
    }
    fields
}

/// Options split on commas outside double quotes.
fn split_options(options: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in options.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_signers_lines_with_and_without_options() {
        let text = "# team\nalice@example.com ssh-ed25519 AAAAC3 alice\n\
                    bob@example.com,ops namespaces=\"git,cockpit-journal\" ssh-rsa AAAAB3\n\
                    ca cert-authority ssh-ed25519 AAAAC4\nbroken\n";
        let (signers, notes) = parse_allowed_signers(text);
        assert_eq!(signers.len(), 2, "{signers:?}");
        assert_eq!(signers[0].key, "ssh-ed25519 AAAAC3");
        assert_eq!(signers[0].namespaces, None);
        assert_eq!(signers[1].principals, "bob@example.com,ops");
        assert_eq!(
            signers[1].namespaces,
            Some(vec!["git".to_string(), "cockpit-journal".to_string()])
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("line 4: certificate"), "{notes:?}");
    }
}
