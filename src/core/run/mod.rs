//! The playbook-execution core: it decides, the runtime performs. Pure: no I/O, no clock reads.

pub mod settings;
