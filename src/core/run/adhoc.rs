//! Off-script (ad-hoc) commands: what the operator types at `!` in the Hosts pane, run on the
//! selected host or on every host of a role or tag, outside the playbook. Built from the parts
//! a step's command uses: targets resolved as steps' are, the dangerous patterns and their
//! typed confirmation, the read-only rule `parallel` steps are held to (`cockpit check`),
//! [`Effect`]s carried out in order and [`Outcome`]s fed back. Only the records differ: an
//! off-script run is journaled as `adhoc_*`, never as a step.
//!
//! The command is sent exactly as typed (no `{{placeholder}}` is filled in); the journal and
//! the screen get it with secrets masked by the [`Redactor`].

use crate::core::inventory::{Host, Inventory};
use crate::core::journal::Record;
use crate::core::playbook::Target;
use crate::core::redact::Redactor;
use crate::core::run::guard::Guard;
use crate::core::run::output::{journal_output, last_bytes};
use crate::core::run::plan::{
    Authorization, DEFAULT_STEP_TIMEOUT, Refusal, answer_guard, refusal_words,
};
use crate::core::run::step_run::{Effect, ExecResult, Outcome};
use crate::core::run::targets::{TargetError, resolve, resolve_tag};
use crate::core::settings::{dangerous_matches, not_read_only};
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::time::Duration;

/// Bytes of a host's output looked at for the journal: its end, from a line start, redacted
/// before it is cut to what the journal keeps (so a cut never leaves half a secret unmasked).
const LOOKED_AT: usize = 64 * 1024;

/// Where an off-script command runs, as the operator asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdhocTarget {
    /// One host: the selected one, or `host:NAME`.
    Host(String),
    /// Every host of a role: `role:NAME`.
    Role(String),
    /// Every host carrying a tag: `tag:NAME`.
    Tag(String),
}

impl fmt::Display for AdhocTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdhocTarget::Host(h) => write!(f, "host {h}"),
            AdhocTarget::Role(r) => write!(f, "role {r}"),
            AdhocTarget::Tag(t) => write!(f, "tag {t}"),
        }
    }
}

impl AdhocTarget {
    /// The hosts it means, in inventory order: a host and a role as a step's target, a tag by
    /// the hosts' `tags`.
    pub fn resolve<'a>(&self, inventory: &'a Inventory) -> Result<Vec<&'a Host>, TargetError> {
        match self {
            AdhocTarget::Host(h) => resolve(&Target::Host(h.clone()), inventory),
            AdhocTarget::Role(r) => resolve(&Target::Role(r.clone()), inventory),
            AdhocTarget::Tag(t) => resolve_tag(t, inventory),
        }
    }
}

/// Why an off-script command cannot run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdhocError {
    /// Nothing to run.
    #[error("no command typed")]
    Empty,
    /// No target prefix and no host selected.
    #[error("no host selected: select one in the Hosts pane, or start with role:NAME or tag:NAME")]
    NoHost,
    /// `role:` (or `tag:`, `host:`) without a name.
    #[error("`{0}:` names nothing: write {0}:NAME, a space, then the command")]
    NoName(String),
    /// The target names nothing in the inventory.
    #[error(transparent)]
    Target(#[from] TargetError),
}

/// The first words that aim an off-script command elsewhere than the selected host.
const TARGET_KINDS: [&str; 3] = ["role", "tag", "host"];

/// Where an off-script command can be aimed, as its first word is written: each role, each
/// tag, each host of `inventory`, once, in that order.
pub fn target_words(inventory: &Inventory) -> Vec<String> {
    let [role, tag, host] = TARGET_KINDS;
    let hosts = &inventory.hosts;
    let roles = hosts
        .iter()
        .filter(|h| !h.role.is_empty())
        .map(|h| (role, &h.role));
    let tags = hosts
        .iter()
        .flat_map(|h| h.tags.iter().map(move |t| (tag, t)));
    let names = hosts.iter().map(|h| (host, &h.name));
    let mut out: Vec<String> = Vec::new();
    for (kind, name) in roles.chain(tags).chain(names) {
        let word = format!("{kind}:{name}");
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Splits a typed line into its target and its command. A first word `role:NAME`, `tag:NAME`
/// or `host:NAME` names the target; without one the command runs on `selected`.
pub fn parse_request(
    line: &str,
    selected: Option<&str>,
) -> Result<(AdhocTarget, String), AdhocError> {
    let line = line.trim();
    let (first, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(a, b)| (a, b.trim_start()));
    let prefixed = TARGET_KINDS
        .into_iter()
        .find_map(|kind| Some((kind, first.strip_prefix(kind)?.strip_prefix(':')?)));
    let (target, command) = match prefixed {
        Some((kind, "")) => return Err(AdhocError::NoName(kind.to_string())),
        Some(("role", name)) => (AdhocTarget::Role(name.to_string()), rest),
        Some(("tag", name)) => (AdhocTarget::Tag(name.to_string()), rest),
        Some((_, name)) => (AdhocTarget::Host(name.to_string()), rest),
        None => {
            let host = selected.ok_or(AdhocError::NoHost)?;
            (AdhocTarget::Host(host.to_string()), line)
        }
    };
    if command.trim().is_empty() {
        return Err(AdhocError::Empty);
    }
    Ok((target, command.to_string()))
}

/// An off-script command ready to run once its guard is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdhocPlan {
    /// Where the operator asked it to run.
    pub target: AdhocTarget,
    /// The hosts, in inventory order.
    pub hosts: Vec<String>,
    /// What runs on each (under `sh -c`), exactly as typed.
    pub command: String,
    /// The same with secrets masked, for the journal and the screen.
    pub display: String,
    /// The confirmation it needs: the target's name typed when it matches a dangerous pattern.
    pub guard: Guard,
    /// Every host at once (a read-only command on several hosts), else one after another.
    pub parallel: bool,
    /// Time limit on each host.
    pub timeout: Duration,
}

impl AdhocPlan {
    /// Plans what the operator typed, `selected` being the host selected in the Hosts pane.
    pub fn new(
        line: &str,
        selected: Option<&str>,
        inventory: &Inventory,
        redactor: &Redactor,
    ) -> Result<AdhocPlan, AdhocError> {
        let (target, command) = parse_request(line, selected)?;
        let hosts: Vec<String> = target
            .resolve(inventory)?
            .iter()
            .map(|h| h.name.clone())
            .collect();
        let patterns = &inventory.settings.dangerous_patterns;
        let reasons: Vec<String> = dangerous_matches(&command, patterns)
            .into_iter()
            .map(|hit| format!("contains `{hit}`"))
            .collect();
        let guard = if reasons.is_empty() {
            Guard::None
        } else {
            Guard::Typed {
                expected: confirmation_name(&target, &hosts),
                reasons,
            }
        };
        let read_only = not_read_only(false, Some(&command), patterns).is_none();
        Ok(AdhocPlan {
            display: redactor.redact(&command),
            parallel: read_only && hosts.len() > 1,
            target,
            hosts,
            command,
            guard,
            timeout: DEFAULT_STEP_TIMEOUT,
        })
    }

    /// Checks the operator's answer to the guard (None: not asked), as a step's is checked.
    pub fn authorize(&self, answer: Option<&str>) -> Result<Authorization, Refusal> {
        answer_guard(&self.guard, answer)
    }

    /// Why the command is guarded, in words.
    pub fn guard_reasons(&self) -> Vec<String> {
        match &self.guard {
            Guard::Typed { reasons, .. } => reasons.clone(),
            Guard::None | Guard::Yes => Vec::new(),
        }
    }

    /// The journal record of a refused confirmation: a wrong name typed, or the operator
    /// cancelling (`refusal` None). Nothing when the command needed no confirmation.
    pub fn refusal_record(
        &self,
        incident: Option<&str>,
        refusal: Option<&Refusal>,
    ) -> Option<Record> {
        Some(Record::AdhocRefused {
            incident: incident.map(str::to_string),
            refusal: refusal_words(&self.guard, refusal)?,
            command: self.display.clone(),
            targets: self.hosts.clone(),
            reasons: self.guard_reasons(),
        })
    }
}

/// The name typed to confirm a dangerous off-script command: its one host, else the role or
/// tag (as a step's confirmation names its host, or its role on several hosts).
fn confirmation_name(target: &AdhocTarget, hosts: &[String]) -> String {
    match (target, hosts) {
        (_, [only]) => only.clone(),
        (AdhocTarget::Host(name) | AdhocTarget::Role(name) | AdhocTarget::Tag(name), _) => {
            name.clone()
        }
    }
}

/// One run of an off-script command: it says what to journal and what to execute, takes back
/// each host's end, and is over once every host answered. It performs nothing.
#[derive(Debug, Clone)]
pub struct AdhocRun {
    incident: Option<String>,
    run: u64,
    plan: AdhocPlan,
    redactor: Redactor,
    /// Hosts not sent yet (one after another).
    queue: VecDeque<String>,
    /// Hosts sent and not answered yet.
    awaiting: BTreeSet<String>,
    /// Hosts where it failed, with why.
    failures: Vec<String>,
}

impl AdhocRun {
    /// Starts an authorized plan as run `run` of the incident's off-script commands (or of
    /// those run with no incident open): `adhoc_started` first, then the first command (every
    /// host's at once when it runs in parallel).
    pub fn start(
        plan: AdhocPlan,
        authorization: Authorization,
        incident: Option<&str>,
        run: u64,
        redactor: &Redactor,
    ) -> (AdhocRun, Vec<Effect>) {
        let mut effects = vec![Effect::Journal(Record::AdhocStarted {
            incident: incident.map(str::to_string),
            run,
            target: plan.target.to_string(),
            targets: plan.hosts.clone(),
            command: plan.display.clone(),
            parallel: plan.parallel,
            confirmation: authorization.answer,
        })];
        let mut adhoc = AdhocRun {
            incident: incident.map(str::to_string),
            run,
            queue: plan.hosts.iter().cloned().collect(),
            awaiting: BTreeSet::new(),
            failures: Vec::new(),
            redactor: redactor.clone(),
            plan,
        };
        let batch = if adhoc.plan.parallel {
            adhoc.queue.len()
        } else {
            1
        };
        for _ in 0..batch {
            effects.extend(adhoc.send_next());
        }
        (adhoc, effects)
    }

    /// The plan it carries out.
    pub fn plan(&self) -> &AdhocPlan {
        &self.plan
    }

    /// Its number among the incident's off-script runs.
    pub fn number(&self) -> u64 {
        self.run
    }

    /// Hosts working now (sent, not answered).
    pub fn running_on(&self) -> Vec<&str> {
        self.awaiting.iter().map(String::as_str).collect()
    }

    /// Every host answered (or was given up).
    pub fn is_finished(&self) -> bool {
        self.awaiting.is_empty() && self.queue.is_empty()
    }

    /// Hosts where it failed (an exit status other than 0, a timeout, a lost host), with why.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    /// Takes a host's end; returns what to do next: its `adhoc_output` record, then the next
    /// host's command. A dangerous command that failed on a host is not sent to the hosts
    /// after it (each gets a record saying so). Outcomes of hosts not awaited change nothing.
    pub fn on_outcome(&mut self, outcome: Outcome) -> Vec<Effect> {
        let Outcome::Exec { host, result } = outcome else {
            return Vec::new();
        };
        if !self.awaiting.remove(&host) {
            return Vec::new();
        }
        let (exit, output, reason) = match result {
            ExecResult::Exited {
                exit,
                stdout,
                stderr,
            } => {
                let output = journal_output(
                    &self.redacted_end(&stdout),
                    &self.redacted_end(&stderr),
                    &[],
                );
                let reason = exit.is_none().then(|| "killed by a signal".to_string());
                (exit, output, reason)
            }
            ExecResult::TimedOut => (
                None,
                String::new(),
                Some(format!("timed out after {} s", self.plan.timeout.as_secs())),
            ),
            ExecResult::Lost { reason } => (
                None,
                String::new(),
                Some(format!("host lost: {}", self.redactor.redact(&reason))),
            ),
        };
        let failed = match (exit, &reason) {
            (Some(0), _) => None,
            (Some(code), _) => Some(format!("exit {code}")),
            (None, Some(r)) => Some(r.clone()),
            (None, None) => Some("failed".to_string()),
        };
        let mut effects = vec![Effect::Journal(self.output(&host, exit, output, reason))];
        if let Some(why) = failed {
            self.failures.push(format!("{host}: {why}"));
            if self.plan.guard.is_dangerous() {
                let reason = format!("not run: the command failed on {host}");
                for skipped in std::mem::take(&mut self.queue) {
                    effects.push(Effect::Journal(self.output(
                        &skipped,
                        None,
                        String::new(),
                        Some(reason.clone()),
                    )));
                }
            }
        }
        if self.awaiting.is_empty() {
            effects.extend(self.send_next());
        }
        effects
    }

    /// Ends the run before every host answered (cockpit is quitting): each host still working
    /// or not sent yet gets a record saying `reason`.
    pub fn abandon(&mut self, reason: &str) -> Vec<Effect> {
        let hosts: Vec<String> = std::mem::take(&mut self.awaiting)
            .into_iter()
            .chain(std::mem::take(&mut self.queue))
            .collect();
        hosts
            .into_iter()
            .map(|h| {
                Effect::Journal(self.output(&h, None, String::new(), Some(reason.to_string())))
            })
            .collect()
    }

    fn send_next(&mut self) -> Option<Effect> {
        let host = self.queue.pop_front()?;
        self.awaiting.insert(host.clone());
        Some(Effect::Exec {
            host,
            command: self.plan.command.clone(),
            timeout: self.plan.timeout,
        })
    }

    fn output(
        &self,
        host: &str,
        exit: Option<i32>,
        output: String,
        reason: Option<String>,
    ) -> Record {
        Record::AdhocOutput {
            incident: self.incident.clone(),
            run: self.run,
            host: host.to_string(),
            exit,
            output,
            reason,
        }
    }

    /// The end of `text` from a line start, secrets masked.
    fn redacted_end(&self, text: &str) -> String {
        if text.len() <= LOOKED_AT {
            return self.redactor.redact(text);
        }
        let end = last_bytes(text, LOOKED_AT);
        // The cut line goes whole: half a line could hold half a secret no rule recognises.
        let from_line = end.find('\n').map_or(end, |n| &end[n + 1..]);
        self.redactor.redact(from_line)
    }
}

#[cfg(test)]
#[path = "adhoc_tests.rs"]
mod tests;
