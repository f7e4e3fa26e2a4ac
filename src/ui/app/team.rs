//! Working as a team on a shared journal: a step is claimed before it runs (so two operators
//! never run it twice), its claim is renewed while it runs and given back at its end, and the
//! status line says who else is on the incident. Without a shared journal none of this
//! happens: steps run as they always did.

use super::App;
use crate::core::incident::StepStatus;
use crate::core::run::{Authorization, Plan};
use crate::core::team::{Claim, Present, describe_others, others_on};
use crate::ui::command::Command;
use crate::ui::text::{printable, truncate};

/// Columns the status line gives to who else is on the incident.
pub const OTHERS_COLUMNS: usize = 48;
/// Columns a claim's holder takes in a message (the rest of the message must stay readable).
pub const HOLDER_COLUMNS: usize = 40;

/// How often the running step's claim is renewed (its lease is three times as long).
pub const RENEW_EVERY_MS: i64 = 5_000;

/// What this cockpit knows of the team.
#[derive(Debug, Default)]
pub struct Team {
    /// This cockpit's session id on the shared journal; `None`: not in shared mode.
    session: Option<String>,
    /// Sessions present on the shared store (this one included), as last heard.
    pub present: Vec<Present>,
    /// A step waiting for the answer to its claim, to run once granted.
    pending: Option<PendingClaim>,
    /// The claim held by the running step.
    held: Option<HeldClaim>,
    /// The running step that could not be claimed (the store was offline): its end says so.
    unclaimed: Option<String>,
}

/// A run waiting for its claim.
#[derive(Debug)]
struct PendingClaim {
    incident: String,
    plan: Plan,
    authorization: Authorization,
    /// The step's status when it was asked for.
    status: StepStatus,
}

/// A claim this cockpit holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeldClaim {
    incident: String,
    step: String,
    renewed_at_ms: i64,
}

impl Team {
    /// Shared mode, as session `session`: steps are claimed before they run.
    pub fn shared(session: impl Into<String>) -> Self {
        Self {
            session: Some(session.into()),
            ..Self::default()
        }
    }

    /// This cockpit's session id, in shared mode.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The step waiting for its claim, if any.
    pub fn claiming(&self) -> Option<&str> {
        self.pending.as_ref().map(|p| p.plan.step.id.as_str())
    }

    /// The step whose claim this cockpit holds, if any: (incident, step).
    pub fn holding(&self) -> Option<(&str, &str)> {
        self.held
            .as_ref()
            .map(|h| (h.incident.as_str(), h.step.as_str()))
    }

    /// Whether the run of `step` ending now was not claimed (said with its end); forgets it.
    pub(super) fn take_unclaimed(&mut self, step: &str) -> bool {
        self.unclaimed.take_if(|s| s == step).is_some()
    }

    /// The others on `incident`, as the status line says them: `bob@bastion-2 (operator), …`,
    /// printable and at most [`OTHERS_COLUMNS`] wide (the names come from the shared store,
    /// which anyone with write access can fill: the rest of the status line must stay).
    pub fn others_text(&self, incident: &str) -> Option<String> {
        let me = self.session.as_deref()?;
        let others = others_on(&self.present, incident, me);
        (!others.is_empty()).then(|| {
            let text = printable(&describe_others(&others));
            truncate(&text, OTHERS_COLUMNS)
        })
    }

    /// Who is on `incident` (this session included), for the incident picker.
    pub fn on(&self, incident: &str) -> Vec<&Present> {
        others_on(&self.present, incident, "")
    }
}

impl App {
    /// A run is authorized: in shared mode it is claimed first (the answer comes back as
    /// [`crate::ui::event::Event::Claimed`]); otherwise it starts now.
    pub(super) fn start(&mut self, plan: Plan, authorization: Authorization) -> Vec<Command> {
        if self.team.session.is_none() {
            return self.start_now(plan, authorization, None);
        }
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        if let Some(step) = self.team.claiming() {
            let text = format!("step `{step}` is being claimed: wait for the answer");
            self.show_error(text);
            return Vec::new();
        }
        let step = plan.step.id.clone();
        let status = self
            .incident()
            .map_or(StepStatus::Pending, |i| i.status(&step).clone());
        self.team.pending = Some(PendingClaim {
            incident: incident.clone(),
            plan,
            authorization,
            status,
        });
        vec![Command::ClaimStep { incident, step }]
    }

    /// The answer to a claim: granted runs the step, held by another runs nothing, and an
    /// offline store runs it with a warning that it was not claimed.
    pub(super) fn on_claimed(
        &mut self,
        incident: String,
        step: String,
        result: Result<Claim, String>,
    ) -> Vec<Command> {
        let ours = self
            .team
            .pending
            .as_ref()
            .is_some_and(|p| p.incident == incident && p.plan.step.id == step);
        let Some(pending) = self.team.pending.take().filter(|_| ours) else {
            // Not asked for (any more): a grant is given back at once.
            return match result {
                Ok(Claim::Granted) => vec![Command::ReleaseClaim { incident, step }],
                _ => Vec::new(),
            };
        };
        match result {
            Ok(Claim::Granted) if self.changed_by_another(&pending) => {
                // Someone ran, ticked or skipped it while the claim was on its way: the
                // operator sees that before anything runs twice.
                let by = self
                    .incident()
                    .map(|i| i.status(&step).clone())
                    .and_then(|s| StepStatus::by(&s).map(str::to_string))
                    .unwrap_or_default();
                let again = self.key(crate::ui::action::Action::RunStep);
                self.show_error(format!(
                    "step {} was just done by {}: nothing ran ({again} runs it again)",
                    pending.plan.step.title,
                    truncate(&printable(&by), HOLDER_COLUMNS)
                ));
                vec![Command::ReleaseClaim { incident, step }]
            }
            Ok(Claim::Granted) => {
                self.team.held = Some(HeldClaim {
                    incident,
                    step,
                    renewed_at_ms: self.now_ms,
                });
                self.start_now(pending.plan, pending.authorization, None)
            }
            Ok(Claim::HeldBy { holder, for_secs }) => {
                self.show_error(format!(
                    "step {} is running by {} for {for_secs} s",
                    pending.plan.step.title,
                    truncate(&printable(&holder), HOLDER_COLUMNS)
                ));
                Vec::new()
            }
            Err(reason) => {
                tracing::warn!("step {step} not claimed: {reason}");
                let warning = "shared journal offline: step not claimed".to_string();
                self.show_error(warning.clone());
                self.team.unclaimed = Some(step);
                self.start_now(pending.plan, pending.authorization, Some(warning))
            }
        }
    }

    /// Whether another operator changed the step's status since its claim was asked for.
    fn changed_by_another(&self, pending: &PendingClaim) -> bool {
        let me = self.operator.to_string();
        self.incident()
            .filter(|i| i.id == pending.incident)
            .map(|i| i.status(&pending.plan.step.id))
            .is_some_and(|now| {
                *now != pending.status && StepStatus::by(now).is_some_and(|by| by != me)
            })
    }

    /// The running step's claim is renewed every [`RENEW_EVERY_MS`] (on the clock's tick).
    pub(super) fn renew_claim(&mut self) -> Vec<Command> {
        let now = self.now_ms;
        let Some(held) = self
            .team
            .held
            .as_mut()
            .filter(|h| now - h.renewed_at_ms >= RENEW_EVERY_MS)
        else {
            return Vec::new();
        };
        held.renewed_at_ms = now;
        vec![Command::RenewClaim {
            incident: held.incident.clone(),
            step: held.step.clone(),
        }]
    }

    /// A renewal's answer: a claim lost (its lease ended while the store was away and someone
    /// else took the step) is said; an offline store is not (the step goes on).
    pub(super) fn on_claim_renewed(&mut self, step: &str, result: Result<bool, String>) {
        match result {
            Ok(true) => {}
            Ok(false) => self.show_error(format!(
                "the claim on step `{step}` ran out and another operator took it: check before going on"
            )),
            Err(reason) => tracing::warn!("claim on step {step} not renewed: {reason}"),
        }
    }

    /// Once the run of a claimed step is over (its end journaled, or stopped), the claim is
    /// given back.
    pub(super) fn release_finished_claim(&mut self) -> Vec<Command> {
        let running = self.steps.running_step();
        let over = self
            .team
            .held
            .as_ref()
            .is_some_and(|h| running != Some(h.step.as_str()));
        match self.team.held.take_if(|_| over) {
            Some(held) => vec![Command::ReleaseClaim {
                incident: held.incident,
                step: held.step,
            }],
            None => Vec::new(),
        }
    }

    /// Who is on the shared store now (heard every heartbeat).
    pub(super) fn on_presence(&mut self, present: Vec<Present>) {
        self.team.present = present;
    }
}
