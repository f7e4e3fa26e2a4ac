//! What `cockpit demo` borrows from the operator's own inventory: their keys and mouse
//! setting, and how they tell people (the `[[notify]]` channels, the escalation path with its
//! channels and contacts, the status checkpoints), so a drill can go to a drill channel. The
//! hosts, databases and other settings are not read: the demo runs its own fleet, and a
//! mistake there does not stop a drill.

use super::notify::{RawChannel, channels_from};
use super::{Checker, RawKeys, Settings, remaps_from};
use crate::core::diagnostic::{Collector, Diagnostics, SourceFile};
use crate::core::keys::KeysConfig;
use crate::core::notify::Channel;
use crate::core::settings::{
    EscalationLevel, RawEscalationLevel, checkpoints_from, escalation_from,
};
use crate::core::severity::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The operator's keys and notification settings, read for the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoBorrowings {
    /// `[keys]` and `[settings] mouse`.
    pub keys: KeysConfig,
    /// The `[[notify]]` channels.
    pub notify: Vec<Channel>,
    /// `[settings] escalation` (the default path when the operator set none).
    pub escalation: Vec<EscalationLevel>,
    /// `[settings] checkpoint_minutes`.
    pub checkpoint_minutes: Vec<u32>,
    /// `[settings] checkpoint_severities`.
    pub checkpoint_severities: Vec<Severity>,
}

impl DemoBorrowings {
    /// Puts what was borrowed into the demo's own inventory.
    pub fn lend_to(self, inventory: &mut super::Inventory) {
        inventory.keys = self.keys;
        inventory.notify = self.notify;
        inventory.settings.escalation = self.escalation;
        inventory.settings.checkpoint_minutes = self.checkpoint_minutes;
        inventory.settings.checkpoint_severities = self.checkpoint_severities;
    }
}

impl Default for DemoBorrowings {
    fn default() -> Self {
        let settings = Settings::default();
        Self {
            keys: KeysConfig::default(),
            notify: Vec::new(),
            escalation: settings.escalation,
            checkpoint_minutes: settings.checkpoint_minutes,
            checkpoint_severities: settings.checkpoint_severities,
        }
    }
}

#[derive(Deserialize)]
struct DemoOnly {
    #[serde(default)]
    settings: Option<DemoSettings>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<RawKeys>>,
    #[serde(default)]
    notify: Vec<Spanned<RawChannel>>,
}

#[derive(Deserialize)]
struct DemoSettings {
    mouse: Option<bool>,
    escalation: Option<Vec<RawEscalationLevel>>,
    checkpoint_minutes: Option<Vec<Spanned<u32>>>,
    checkpoint_severities: Option<Vec<Spanned<String>>>,
}

/// Reads the keys and notification settings of an inventory for `cockpit demo`, checked as
/// `cockpit check` checks them; every problem in them is reported, located.
pub fn parse_for_demo(src: &SourceFile) -> Result<DemoBorrowings, Diagnostics> {
    let raw: DemoOnly = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
    let mut checker: Checker<'_> = Collector::new(src);
    let (notify, names) = channels_from(raw.notify, &mut checker);
    let mut borrowed = DemoBorrowings {
        keys: KeysConfig {
            remaps: remaps_from(src, raw.keys, &mut checker),
            mouse: true,
        },
        notify,
        ..DemoBorrowings::default()
    };
    if let Some(settings) = raw.settings {
        borrowed.keys.mouse = settings.mouse.unwrap_or(true);
        if let Some(levels) = settings.escalation {
            borrowed.escalation = escalation_from(levels, &names, &mut checker);
        }
        (borrowed.checkpoint_minutes, borrowed.checkpoint_severities) = checkpoints_from(
            settings.checkpoint_minutes,
            settings.checkpoint_severities,
            (
                borrowed.checkpoint_minutes.clone(),
                borrowed.checkpoint_severities.clone(),
            ),
            &mut checker,
        );
    }
    checker.finish(borrowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::notify::DrillRoute;

    fn borrowed(text: &str) -> Result<DemoBorrowings, String> {
        parse_for_demo(&SourceFile::new("inv.toml", text)).map_err(|e| e.to_string())
    }

    #[test]
    fn a_drill_channel_and_the_escalation_path_come_along_and_the_fleet_stays_home() {
        let text = "[settings]\nmouse = false\ndown_after = 0\ncheckpoint_minutes = [1, 2]\nescalation = [{ who = \"lead\", after_minutes = 1, notify = [\"drills\"], contacts = [\"lead@example.com\"] }]\n\n[[hosts]]\nname = \"\"\n\n[[notify]]\nname = \"drills\"\nkind = \"webhook\"\nurl_env = \"DRILL_URL\"\ndrill = \"only\"\n\n[keys]\nrun-step = \"F5\"\n";
        let got = borrowed(text).unwrap();
        assert!(!got.keys.mouse);
        assert_eq!(got.keys.remaps[0].action, "run-step");
        assert_eq!(got.notify[0].name, "drills");
        assert_eq!(got.notify[0].drill, DrillRoute::Only);
        assert_eq!(got.escalation[0].notify, ["drills"]);
        assert_eq!(got.escalation[0].contacts, ["lead@example.com"]);
        assert_eq!(got.checkpoint_minutes, [1, 2]);

        let mut inventory = super::super::Inventory::default();
        got.lend_to(&mut inventory);
        assert_eq!(inventory.notify[0].name, "drills");
        assert_eq!(inventory.settings.checkpoint_minutes, [1, 2]);
        assert_eq!(inventory.settings.escalation[0].who, "lead");
        assert_eq!(inventory.settings.down_after, 3);
    }

    #[test]
    fn nothing_set_borrows_the_defaults() {
        assert_eq!(borrowed("").unwrap(), DemoBorrowings::default());
        let got = borrowed("[settings]\nmouse = true\n").unwrap();
        assert_eq!(got.escalation, Settings::default().escalation);
    }

    #[test]
    fn a_broken_channel_or_reference_stops_the_demo_saying_where() {
        let err = borrowed(
            "[[notify]]\nname = \"chat\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/services/T0/B0/hunter2\"\n[settings]\nescalation = [{ who = \"x\", after_minutes = 0, notify = [\"nope\"] }]\ncheckpoint_minutes = [0]\n",
        )
        .err()
        .unwrap_or_default();
        assert!(err.contains("inv.toml:4:7"), "{err}");
        assert!(err.contains("`url` is written into the inventory"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(
            err.contains("`nope`, which is not a `[[notify]]` channel"),
            "{err}"
        );
        assert!(err.contains("a status checkpoint at 0 min"), "{err}");
        let err = borrowed("[keys]\nrun-step = \"ctrl-\"\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("inv.toml:2:"), "{err}");
    }
}
