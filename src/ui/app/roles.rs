//! The one gate between a key and what it does: the person's role against what the action
//! needs ([`Action::authority`]). A refused action changes nothing and journals nothing; the
//! status line says why.

use super::App;
use crate::ui::action::Action;

impl App {
    /// Whether the person at the keyboard may do `action` now; the refusal to show otherwise.
    /// The incident's commander is whoever opened it (its `opened_by`), besides anyone started
    /// with the commander role.
    pub fn permit(&self, action: Action) -> Result<(), String> {
        let incident = self.incident();
        let me = self.operator.to_string();
        let opened_it = incident.is_some_and(|i| i.opened_by == me);
        let commander = incident.map_or("whoever opened it", |i| i.opened_by.as_str());
        self.role.permits(action.authority(), opened_it, commander)
    }

    /// Checks `action` with [`App::permit`]: true when it may go ahead, otherwise the refusal
    /// is flashed and false.
    pub(super) fn allowed(&mut self, action: Action) -> bool {
        match self.permit(action) {
            Ok(()) => true,
            Err(refusal) => {
                self.flash(refusal, true);
                false
            }
        }
    }
}
