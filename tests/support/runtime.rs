//! Tokio runtimes for plain `#[test]` functions that drive async code with `block_on`.
#![allow(dead_code)]

use tokio::runtime::{Builder, Runtime};

/// A runtime with two worker threads, as the cockpit runs: SSH and SQL sessions spawn tasks
/// that must make progress while the test waits on them.
pub fn rt() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A single-threaded runtime for one block of async work (journal files, reports).
pub fn current_thread_rt() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
