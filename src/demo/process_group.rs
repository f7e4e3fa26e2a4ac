//! The process groups of the commands a demo SSH server runs, so that a command and everything
//! it started (`tail`, `sleep`, a pipeline…) die together when its channel or its host does.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The process groups one demo host's commands are running in. Cheap to clone: clones share
/// the same set.
#[derive(Clone, Default)]
pub(crate) struct ProcessGroups(Arc<Mutex<BTreeSet<i32>>>);

impl ProcessGroups {
    /// Records the group `pgid` (a command started with `process_group(0)` leads a group whose
    /// id is its pid). Dropping the guard kills the group, unless [`ProcessGroups::kill_all`]
    /// already did.
    pub fn register(&self, pgid: i32) -> GroupGuard {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(pgid);
        GroupGuard {
            pgid,
            groups: self.clone(),
        }
    }

    /// Kills every recorded group now and forgets them: the host is being killed.
    pub fn kill_all(&self) {
        let groups = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for pgid in groups {
            kill_group(pgid);
        }
    }

    /// Forgets `pgid`; true when it was still recorded (nobody killed it yet).
    fn forget(&self, pgid: i32) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&pgid)
    }
}

/// Kills its process group when dropped: the command's channel ended one way or another.
pub(crate) struct GroupGuard {
    pgid: i32,
    groups: ProcessGroups,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.groups.forget(self.pgid) {
            kill_group(self.pgid);
        }
    }
}

/// SIGKILL to every process of group `pgid`. Group ids 0 and 1 are refused: `killpg(0)` would
/// hit cockpit's own group.
fn kill_group(pgid: i32) {
    if pgid > 1 {
        // SAFETY: killpg has no memory-safety preconditions; a group that already ended
        // makes it fail with ESRCH, which is ignored.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
