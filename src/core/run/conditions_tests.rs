//! Triggers with symptoms and host counts, "the incident's host", and how commands run
//! (`privileged`, `service`): what the files say, what `cockpit check` refuses, and what a plan
//! runs.

use crate::core::diagnostic::SourceFile;
use crate::core::health::HostState;
use crate::core::inventory::Privilege;
use crate::core::metrics::Level;
use crate::core::playbook::{HostCount, Playbook, Resource, Symptom, Target, parse};
use crate::core::run::targets::tests::{fleet, inventory};
use crate::core::run::{Plan, PlanError, VariableStore, Work};

fn parsed(text: &str) -> Result<Playbook, String> {
    parse(&SourceFile::new("pb.toml", text), Some(&inventory())).map_err(|e| e.to_string())
}

const HEAD: &str = "id = \"p\"\ntitle = \"t\"\nseverity = \"P1\"\n";
const STEP: &str = "[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"note\"\n";

#[test]
fn a_trigger_names_its_symptom_and_how_many_hosts() {
    let p = parsed(&format!(
        "{HEAD}[trigger]\nrole = \"nginx\"\nstate = \"degraded\"\nhosts = \"any\"\nsymptom = \"service\"\ncheck = \"tcp:443\"\n{STEP}"
    ))
    .unwrap();
    let t = p.trigger.unwrap();
    assert_eq!(t.target, Target::Role("nginx".into()));
    assert_eq!(t.state, Some(HostState::Degraded));
    assert_eq!(t.hosts, HostCount::AtLeast(1));
    assert_eq!(
        t.symptom,
        Some(Symptom::Service {
            check: Some("tcp:443".into())
        })
    );
    let p = parsed(&format!(
        "{HEAD}[trigger]\nrole = \"nginx\"\nat_least = 2\nsymptom = \"disk\"\nlevel = \"critical\"\n{STEP}"
    ))
    .unwrap();
    let t = p.trigger.unwrap();
    assert_eq!((t.state, t.hosts), (None, HostCount::AtLeast(2)));
    assert_eq!(
        t.symptom,
        Some(Symptom::Pressure {
            resource: Resource::Disk,
            level: Level::Critical
        })
    );
}

#[test]
fn wrong_triggers_are_refused_where_they_are_written() {
    let cases = [
        (
            "[trigger]\nrole = \"nginx\"\n",
            "trigger says neither a state nor a symptom",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nsymptom = \"fire\"\n",
            "unknown symptom `fire`",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nsymptom = \"disk\"\ncheck = \"ssh\"\n",
            "`check` names the failing check of a `service` symptom",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nstate = \"down\"\nlevel = \"warning\"\n",
            "`level` applies to a `disk`, `memory` or `cpu` symptom",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nstate = \"down\"\nhosts = \"some\"\n",
            "unknown host count `some`",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nstate = \"down\"\nhosts = \"any\"\nat_least = 2\n",
            "`hosts` and `at_least` both say how many hosts",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nstate = \"down\"\nat_least = 0\n",
            "`at_least` must be 1 or more",
        ),
        (
            "[trigger]\nhost = \"nginx-1\"\nstate = \"down\"\nhosts = \"any\"\n",
            "a host count only applies to a role",
        ),
        (
            "[trigger]\nrole = \"nginx\"\nstate = \"down\"\ntarget = \"incident\"\n",
            "unknown field `target`",
        ),
    ];
    for (trigger, expected) in cases {
        let err = parsed(&format!("{HEAD}{trigger}{STEP}")).unwrap_err();
        assert!(err.contains(expected), "{trigger}: {err}");
        assert!(err.contains("pb.toml:"), "{err}");
    }
}

#[test]
fn steps_and_gates_may_name_the_incidents_host() {
    let p = parsed(&format!(
        "{HEAD}[[steps]]\nid = \"restart\"\ntitle = \"r\"\nkind = \"command\"\ntarget = \"incident\"\nrun = \"systemctl restart x\"\nprivileged = true\nwhen = [{{ target = \"incident\", state = \"degraded\" }}]\n"
    ))
    .unwrap();
    let step = &p.steps[0];
    assert!(step.uses_incident_host());
    assert!(step.privileged);
    assert_eq!(step.bound_to_incident(None), None);
    let bound = step.bound_to_incident(Some("nginx-2")).unwrap();
    assert_eq!(bound.when[0].target, Target::Host("nginx-2".into()));
    let inv = inventory();
    let store = VariableStore::resume(&p.variables, &Default::default());
    let f = fleet(&[("nginx-2", HostState::Degraded)]);
    let plan = Plan::new(&bound, &store, &f, &inv).unwrap();
    assert!(plan.gate.is_open());
    match &plan.work {
        Work::Exec { commands, .. } => {
            assert_eq!(commands.len(), 1);
            assert_eq!(commands[0].host, "nginx-2");
        }
        other => panic!("{other:?}"),
    }
    let unbound = Plan::new(step, &store, &f, &inv).unwrap_err();
    assert!(
        unbound
            .to_string()
            .contains("no host matched the playbook's trigger and none of its hosts was hurt"),
        "{unbound}"
    );
    for (bad, expected) in [
        ("target = \"elsewhere\"\n", "unknown target `elsewhere`"),
        (
            "target = \"incident\"\nrole = \"nginx\"\n",
            "names the incident's host and a host or role",
        ),
    ] {
        let err = parsed(&format!(
            "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrun = \"true\"\n{bad}"
        ))
        .unwrap_err();
        assert!(err.contains(expected), "{bad}: {err}");
    }
}

#[test]
fn a_service_step_runs_as_the_inventorys_user_and_an_undeclared_one_is_refused() {
    let err = parsed(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrole = \"nginx\"\nrun = \"pm2 list\"\nservice = \"pm2\"\n"
    ))
    .unwrap_err();
    assert!(
        err.contains("the inventory declares no service `pm2`"),
        "{err}"
    );
    let err = parsed(&format!(
        "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"manual\"\nservice = \"pm2\"\nprivileged = true\n"
    ))
    .unwrap_err();
    assert!(
        err.contains("`service` does not apply to a manual step"),
        "{err}"
    );
    assert!(
        err.contains("`privileged` does not apply to a manual step"),
        "{err}"
    );

    let playbook = parse(
        &SourceFile::new(
            "pb.toml",
            format!(
                "{HEAD}[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\nrole = \"nginx\"\nrun = \"pm2 restart api\"\nservice = \"pm2\"\n"
            ),
        ),
        None,
    )
    .unwrap();
    let mut inv = inventory();
    inv.hosts[0].services.insert(
        "pm2".into(),
        crate::core::inventory::ServiceAccess {
            user: Some("deploy".into()),
            path: vec!["/opt/nvm/bin".into()],
        },
    );
    inv.hosts[1].privilege = Privilege::Sudo;
    inv.hosts[1].user = "ops".into();
    let store = VariableStore::resume(&playbook.variables, &Default::default());
    let err = Plan::new(&playbook.steps[0], &store, &fleet(&[]), &inv).unwrap_err();
    assert!(matches!(err, PlanError::ExecAs(_)), "{err}");
    assert!(
        err.to_string()
            .contains("host `nginx-2` does not declare service `pm2`")
    );
    inv.hosts[1].services.insert(
        "pm2".into(),
        crate::core::inventory::ServiceAccess {
            user: Some("deploy".into()),
            path: Vec::new(),
        },
    );
    let plan = Plan::new(&playbook.steps[0], &store, &fleet(&[]), &inv).unwrap();
    let Work::Exec { commands, .. } = &plan.work else {
        panic!("{:?}", plan.work)
    };
    assert_eq!(
        commands[0].command,
        r#"runuser -s /bin/sh -c 'cd "$HOME" 2>/dev/null || cd /; PATH=/opt/nvm/bin:"$PATH"; export PATH; pm2 restart api' deploy"#
    );
    assert_eq!(
        commands[1].command,
        r#"sudo -n -H -u deploy -- sh -c 'cd "$HOME" 2>/dev/null || cd /; pm2 restart api'"#
    );
    assert_eq!(commands[1].display, commands[1].command);
}

#[test]
fn a_fleet_that_does_not_declare_a_steps_service_is_told_so() {
    let playbook = parse(
        &SourceFile::new(
            "pb.toml",
            format!(
                "{HEAD}[trigger]\nrole = \"nginx\"\nstate = \"down\"\n[[steps]]\nid = \"s\"\ntitle = \"s\"\nkind = \"command\"\ntarget = \"incident\"\nrun = \"pm2 list\"\nservice = \"pm2\"\n"
            ),
        ),
        None,
    )
    .unwrap();
    let mut inv = inventory();
    assert_eq!(
        playbook.missing_references(&inv),
        ["no host of role `nginx` declares service `pm2`"]
    );
    inv.hosts[2]
        .services
        .insert("pm2".into(), Default::default());
    assert_eq!(
        playbook.missing_references(&inv),
        ["no host of role `nginx` declares service `pm2`"],
        "app-primary's pm2 is not nginx's"
    );
    inv.hosts[1]
        .services
        .insert("pm2".into(), Default::default());
    assert!(playbook.missing_references(&inv).is_empty());
}
