//! cockpit: an incident cockpit for self-hosted fleets.
//!
//! Layers by folder, dependencies pointing one way: [`ui`] → [`io`] → [`core`].

pub mod core;
