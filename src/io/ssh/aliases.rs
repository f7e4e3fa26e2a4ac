//! The `Host` patterns an ssh config declares, for `cockpit init` to offer as hosts.

use ssh2_config::SshConfig;

/// Every `Host` pattern of an ssh config in file order (included files in place), with
/// whether it is negated (`!pattern`); the parser's own catch-all `*` for options written
/// before the first `Host` line included.
pub fn host_patterns(config: &SshConfig) -> Vec<(String, bool)> {
    config
        .get_hosts()
        .iter()
        .flat_map(|h| &h.pattern)
        .map(|clause| (clause.pattern.clone(), clause.negated))
        .collect()
}
