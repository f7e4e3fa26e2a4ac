//! SSH to the fleet with russh: one connection per host, channels multiplexed on it, strict
//! host-key checking against known_hosts, hard timeouts on connect, auth and every command.

mod aliases;
mod config;
mod error;
mod hostkeys;
mod lines;
mod session;
mod shell;

pub use aliases::host_patterns;
pub use config::{Hop, MAX_HOPS, expand_home, home, load_ssh_config, parse_hop, resolve};
pub use error::SshError;
pub use hostkeys::{HostKeyOffer, HostKeyVerdict, fingerprint, known_hosts_pattern, trust};
pub use lines::{LineBatch, LineSplitter, MAX_LINE};
pub use session::{
    ExecOutput, JumpHost, LineStream, MAX_OUTPUT, Progress, SshSession, SshTarget, Timeouts,
    remote_command,
};
pub use shell::{ShellMessage, SshShell};
