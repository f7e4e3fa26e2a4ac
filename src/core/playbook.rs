//! Playbooks: the procedure for one kind of fault, as ordered steps (TOML, one file each).
//!
//! `model` is what a playbook is once read, `raw` the file as written, and `parse` reads one
//! into the other, checking it. The model's types and `parse` are also found here, at the
//! paths the rest of the crate uses.

mod model;
mod parse;
mod raw;

pub use model::{
    Capture, Confirm, DEFAULT_HINT_FOR, Expectation, Gate, HostCount, OnFailure, Playbook,
    Resource, Step, StepAction, Symptom, Target, Trigger, Variable, VariableSource,
};
pub use parse::{parse, parse_row_range};
pub(crate) use raw::RawPlaybook;
