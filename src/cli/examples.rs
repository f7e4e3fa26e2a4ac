//! The "Examples:" block at the end of each command's `--help`, as git and ripgrep end theirs.

/// `cockpit --help`.
pub const COCKPIT: &str = "\
Examples:
  cockpit demo                 Try it on a simulated fleet; nothing to set up
  cockpit check                Validate your inventory and playbooks before an incident
  cockpit                      Open the cockpit on ~/.config/cockpit/inventory.toml
  cockpit --config ./ops --operator alice
                               Another config folder, on the record as alice
  cockpit report ~/.local/state/cockpit/journal.db > INC-20261121-2026.md
                               The post-mortem of the last incident";

/// `cockpit demo --help`.
pub const DEMO: &str = "\
Examples:
  cockpit demo                 Drill on the simulated fleet (F kills a host, ? lists the keys)
  cockpit demo --keep          Keep its folder (journal, hosts, log) after you quit
  cockpit demo --theme light   On a light terminal";

/// `cockpit check --help`.
pub const CHECK: &str = "\
Examples:
  cockpit check                Your config folder and the built-in playbooks
  cockpit check ~/.config/cockpit/playbooks/db-failover.toml
                               One playbook you are writing
  cockpit check ./ops          Every *.toml under a folder";

/// `cockpit replay --help`.
pub const REPLAY: &str = "\
Examples:
  cockpit replay               The default journal, from its start
  cockpit replay journal.db --incident INC-20261121-2026
                               One incident, from its opening
  cockpit replay postgres://ops@db.example.net/cockpit
                               A team's shared journal";

/// `cockpit report --help`.
pub const REPORT: &str = "\
Examples:
  cockpit report journal.db > INC-20261121-2026.md
                               Markdown of the last incident opened
  cockpit report journal.db --format html --output postmortem.html
                               One self-contained HTML file
  cockpit report journal.db --incident INC-20261121-2026
                               Another incident of the journal";

/// `cockpit stats --help`.
pub const STATS: &str = "\
Examples:
  cockpit stats ~/.local/state/cockpit/journal.db
                               Incidents and their MTTR by severity
  cockpit stats site-a.db site-b.db --format json
                               Several journals, for other tools";

/// `cockpit journal --help`.
pub const JOURNAL: &str = "\
Examples:
  cockpit journal verify journal.db
  cockpit journal export journal.db --format jsonl --output journal.jsonl
  cockpit journal import journal.db postgres://ops@db.example.net/cockpit";

/// `cockpit journal verify --help`.
pub const VERIFY: &str = "\
Examples:
  cockpit journal verify journal.db
                               Is the chain intact? (exit status 0, 1 or 2)
  cockpit journal verify journal.db --allowed-signers ~/.ssh/allowed_signers
                               And signed to the end by a key you trust
  cockpit journal verify journal.db --expect-head 3f9a1c0be47d2a55
                               And still holds the head printed at resolve";

/// `cockpit journal export --help`.
pub const EXPORT: &str = "\
Examples:
  cockpit journal export journal.db --format jsonl --output journal.jsonl
                               Every entry as JSON Lines, re-checkable elsewhere
  cockpit journal export journal.db --format asciicast --incident INC-20261121-2026 \\
      --output incident.cast   The replay of one incident, for asciinema play
  cockpit journal export journal.db --format asciicast --session 1 --output shell-1.cast
                               Recorded shell 1 as its terminal showed it; a wrong
                               number lists the journal's shells";

/// `cockpit journal import --help`.
pub const IMPORT: &str = "\
Examples:
  cockpit journal import ~/.local/state/cockpit/journal.db postgres://ops@db.example.net/cockpit
                               Share what this machine recorded with the team";
