//! cockpit: an incident cockpit for self-hosted fleets.
//!
//! Layers by folder, dependencies pointing one way: [`ui`] → [`io`] → [`core`].

pub mod cli;
pub mod core;
pub mod demo;
pub mod embedded;
pub mod io;
pub mod ui;
