//! What only the operator can unlock: trusting a host key cockpit does not know, and typing
//! the passphrase of an encrypted key. Each is asked once in a dialog; a declined question is
//! asked again only when the operator presses the key on that host.

use super::App;
use crate::core::journal::Record;
use crate::io::ssh::HostKeyOffer;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::overlay::{Overlay, PassphrasePrompt};
use crate::ui::pane::Pane;
use crossterm::event::KeyEvent;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Questions the fleet is waiting on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessQuestions {
    /// The newest unknown key each host offered.
    pub host_keys: BTreeMap<String, HostKeyOffer>,
    /// Key files waiting for a passphrase: the hosts that need them, and whether the last
    /// passphrase given was wrong.
    pub passphrases: BTreeMap<PathBuf, (BTreeSet<String>, bool)>,
    /// Fingerprints the operator declined: not asked again unprompted.
    declined_keys: BTreeSet<String>,
    /// Key files whose passphrase the operator declined to give.
    declined_passphrases: BTreeSet<PathBuf>,
}

impl App {
    /// A host offered a key known_hosts does not hold.
    pub(super) fn on_unknown_host_key(&mut self, host: String, offer: HostKeyOffer) {
        self.access.host_keys.insert(host, offer);
        self.ask_next_access_question();
    }

    /// A host waits for the passphrase of a key file.
    pub(super) fn on_passphrase_needed(&mut self, host: String, key: PathBuf, wrong: bool) {
        let entry = self.access.passphrases.entry(key.clone()).or_default();
        entry.0.insert(host);
        if wrong && !entry.1 {
            entry.1 = true;
            self.access.declined_passphrases.remove(&key);
        }
        let hosts: Vec<String> = entry.0.iter().cloned().collect();
        if let Some(Overlay::Passphrase(open)) = &mut self.overlay
            && open.key == key
        {
            open.hosts = hosts;
            open.wrong |= wrong;
        }
        self.ask_next_access_question();
    }

    /// Opens the first question not declined, when no other dialog is open.
    pub(super) fn ask_next_access_question(&mut self) {
        // A dialog opening by itself must never take keys typed for the SQL editor, nor keys
        // typed before it and still waiting for the journal.
        if self.overlay.is_some()
            || (self.focus == Pane::Sql && self.console.editing)
            || self.held_keys() > 0
        {
            return;
        }
        let access = &self.access;
        let passphrase = access
            .passphrases
            .keys()
            .find(|k| !access.declined_passphrases.contains(*k))
            .cloned();
        if let Some(key) = passphrase {
            self.overlay = self.passphrase_dialog(&key);
            return;
        }
        let host_key = access
            .host_keys
            .iter()
            .find(|(_, offer)| !access.declined_keys.contains(&offer.fingerprint));
        if let Some((host, offer)) = host_key {
            self.overlay = Some(Overlay::TrustHostKey {
                host: host.clone(),
                offer: offer.clone(),
            });
        }
    }

    fn passphrase_dialog(&self, key: &PathBuf) -> Option<Overlay> {
        let (hosts, wrong) = self.access.passphrases.get(key)?;
        Some(Overlay::Passphrase(PassphrasePrompt {
            key: key.clone(),
            hosts: hosts.iter().cloned().collect(),
            wrong: *wrong,
            typed: Default::default(),
        }))
    }

    /// `t` on a host: ask again what it waits for, even if declined before.
    pub(super) fn answer_access(&mut self) {
        let Some(host) = self.hosts.get(self.host_cursor).map(|h| h.name.clone()) else {
            return;
        };
        let waiting_key = self
            .access
            .passphrases
            .iter()
            .find(|(_, (hosts, _))| hosts.contains(&host))
            .map(|(key, _)| key.clone());
        if let Some(key) = waiting_key {
            self.access.declined_passphrases.remove(&key);
            self.overlay = self.passphrase_dialog(&key);
        } else if let Some(offer) = self.access.host_keys.get(&host).cloned() {
            self.access.declined_keys.remove(&offer.fingerprint);
            self.overlay = Some(Overlay::TrustHostKey { host, offer });
        } else {
            self.flash(
                format!("{host} is not waiting for a host key or a passphrase"),
                false,
            );
        }
    }

    /// Keys of the trust dialog: `answer-yes` (`y`) trusts, anything else declines.
    pub(super) fn on_trust_key(
        &mut self,
        host: String,
        offer: HostKeyOffer,
        key: KeyEvent,
    ) -> Vec<Command> {
        let trust = self.keymap.dialog_action(&key, false) == Some(Action::AnswerYes);
        if trust && !self.allowed(Action::AnswerAccess) {
            // Refused (an observer): declined like any other answer, the refusal shown.
            self.access.declined_keys.insert(offer.fingerprint.clone());
            self.ask_next_access_question();
            return Vec::new();
        }
        if trust {
            // Asked no more while known_hosts is written; a failure is reported, and the
            // host offers the key again at its next attempt.
            self.access.host_keys.remove(&host);
            self.flash(format!("trusting the key of {host}…"), false);
            return vec![Command::TrustHostKey { host, offer }];
        }
        self.access.declined_keys.insert(offer.fingerprint.clone());
        self.flash(
            format!(
                "{host} stays refused; select it and press {} to review its key again",
                self.key(Action::AnswerAccess)
            ),
            false,
        );
        self.ask_next_access_question();
        Vec::new()
    }

    /// Keys of the passphrase dialog: typing (hidden), Enter hands it over, Esc declines.
    pub(super) fn on_passphrase_key(
        &mut self,
        mut prompt: PassphrasePrompt,
        key: KeyEvent,
    ) -> Vec<Command> {
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => {
                self.access.declined_passphrases.insert(prompt.key.clone());
                self.flash(
                    format!(
                        "hosts needing that key stay disconnected; press {} on one to type it",
                        self.key(Action::AnswerAccess)
                    ),
                    false,
                );
                self.ask_next_access_question();
                Vec::new()
            }
            Some(Action::Confirm) if prompt.typed.char_count() > 0 => {
                self.access.passphrases.remove(&prompt.key);
                self.flash(
                    format!(
                        "passphrase of {} kept in memory for this session; reconnecting",
                        prompt.key.display()
                    ),
                    false,
                );
                let command = Command::SupplyPassphrase {
                    key: prompt.key,
                    passphrase: prompt.typed,
                };
                self.ask_next_access_question();
                vec![command]
            }
            _ => {
                prompt.edit(&key);
                self.overlay = Some(Overlay::Passphrase(prompt));
                Vec::new()
            }
        }
    }

    /// known_hosts was written (journal it) or could not be (say why).
    pub(super) fn on_host_key_trusted(
        &mut self,
        host: String,
        offer: HostKeyOffer,
        result: Result<(), String>,
    ) -> Vec<Command> {
        match result {
            Ok(()) => {
                self.flash(
                    format!(
                        "{host}: key {} added to {}; reconnecting",
                        offer.fingerprint,
                        offer.known_hosts.display()
                    ),
                    false,
                );
                let incident = self.incident().map(|i| i.id.clone());
                vec![self.journal(Record::HostKeyTrusted {
                    incident,
                    host,
                    address: offer.pattern(),
                    algorithm: offer.algorithm,
                    fingerprint: offer.fingerprint,
                    known_hosts: offer.known_hosts.display().to_string(),
                })]
            }
            Err(reason) => {
                self.show_error(format!("{host}: key not trusted: {reason}"));
                Vec::new()
            }
        }
    }
}
