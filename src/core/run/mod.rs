//! The playbook-execution core: it decides, the runtime performs. Variables and their
//! rendering, captures, guards, gates, the incident clock, and the state machine of one step
//! run. Pure: no I/O, no clock reads.
//!
//! Driving a command step: [`StepRun::plan`] → show [`Plan::gate`] reasons while it waits →
//! ask for the [`Plan::guard`] answer → [`Plan::authorize`] → [`StepRun::start`] → carry out
//! each [`Effect`] in order → feed each [`Outcome`] to [`StepRun::on_outcome`] until
//! [`StepRun::verdict`] is set.

pub mod adhoc;
pub mod capture;
pub mod clock;
pub mod exec_as;
pub mod gate;
pub mod guard;
pub mod output;
pub mod plan;
pub mod step_run;
pub mod targets;
pub mod trigger;
pub mod vars;

pub use adhoc::{AdhocError, AdhocPlan, AdhocRun, AdhocTarget};
pub use capture::{CaptureError, capture};
pub use clock::{ClockTargets, Deadlines, Milestone, Upcoming};
pub use gate::{GateVerdict, evaluate};
pub use guard::{Guard, guard};
pub use plan::{Authorization, HostCommand, Plan, PlanError, Refusal, Work};
pub use step_run::{Effect, ExecResult, FailureKind, Outcome, SqlResult, StepRun, Verdict};
pub use targets::{FleetPicture, TargetError};
pub use trigger::{Firing, HostSignals, fires, opening_host};
pub use vars::{BoundSql, Provenance, RenderError, VariableError, VariableStore, VariableValue};

#[cfg(test)]
mod conditions_tests;
#[cfg(test)]
mod validation_tests;
