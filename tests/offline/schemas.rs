//! The JSON Schemas of the inventory, playbook and theme files against the parsers and the
//! reference docs: the committed schemas are what the types generate; every field and every
//! word of the schemas is documented; the shipped files validate; hostile files are refused by
//! both the parser and the schema; and every word the schema offers, the parser accepts.

use cockpit::core::diagnostic::SourceFile;
use cockpit::core::schema::SchemaKind;
use cockpit::core::{inventory, playbook};
use cockpit::ui::theme::{Theme, theme_schema_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The kinds of file that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum File {
    Inventory,
    Playbook,
    Theme,
}

impl File {
    const ALL: [File; 3] = [File::Inventory, File::Playbook, File::Theme];

    fn name(self) -> &'static str {
        match self {
            File::Inventory => "inventory",
            File::Playbook => "playbook",
            File::Theme => "theme",
        }
    }

    fn json(self) -> String {
        match self {
            File::Inventory => SchemaKind::Inventory.json(),
            File::Playbook => SchemaKind::Playbook.json(),
            File::Theme => theme_schema_json(),
        }
    }

    fn committed_path(self) -> String {
        format!("docs/{}.schema.json", self.name())
    }

    /// The reference doc the schema's fields must appear in.
    fn doc(self) -> PathBuf {
        root().join(match self {
            File::Inventory => "docs/inventory.md",
            File::Playbook => "docs/playbooks.md",
            File::Theme => "docs/themes.md",
        })
    }

    /// The folder of the shipped files of this kind and the `#:schema` line they start with.
    fn shipped(self) -> (Vec<PathBuf>, &'static str) {
        let listed = |dir: &str| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
                .unwrap_or_else(|e| panic!("{dir}: {e}"))
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            files
        };
        match self {
            File::Inventory => (
                vec![root().join("docs/inventory.example.toml")],
                "#:schema ./inventory.schema.json",
            ),
            File::Playbook => (listed("playbooks"), "#:schema ../docs/playbook.schema.json"),
            File::Theme => (listed("themes"), "#:schema ../docs/theme.schema.json"),
        }
    }

    /// The parser's verdict on a file: `Ok` or the diagnostics as text.
    fn parse(self, name: &str, text: &str) -> Result<(), String> {
        let src = SourceFile::new(name, text);
        match self {
            File::Inventory => inventory::parse(&src).map(drop),
            File::Playbook => playbook::parse(&src, None).map(drop),
            File::Theme => Theme::parse(&src, None).map(drop),
        }
        .map_err(|d| d.to_string())
    }

    fn schema(self) -> Value {
        serde_json::from_str(&self.json()).unwrap_or_else(|e| panic!("{} schema: {e}", self.name()))
    }

    fn validator(self) -> jsonschema::Validator {
        let schema = self.schema();
        jsonschema::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{} schema is not a valid JSON Schema: {e}", self.name()));
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A TOML file as the JSON a schema validates.
fn toml_as_json(text: &str, what: &str) -> Value {
    let value: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    serde_json::to_value(value).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The schema's complaints about a file, one per line; empty when it validates.
fn schema_errors(validator: &jsonschema::Validator, text: &str, what: &str) -> Vec<String> {
    let instance = toml_as_json(text, what);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schemas_are_what_the_types_generate() {
    for kind in File::ALL {
        let path = root().join(kind.committed_path());
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == kind.json(),
            "{} is not the schema the types generate (a field or doc comment changed).\n\
             Regenerate it with:\n    cargo run -- schema {} > {}",
            kind.committed_path(),
            kind.name(),
            kind.committed_path()
        );
    }
}

/// Every property name of a schema, through its definitions, with where it was found.
fn field_names(schema: &Value) -> BTreeSet<(String, String)> {
    fn walk(node: &Value, at: &str, out: &mut BTreeSet<(String, String)>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, sub) in props {
                        out.insert((name.clone(), at.to_string()));
                        walk(sub, &format!("{at}.{name}"), out);
                    }
                }
                for (key, sub) in map {
                    if key != "properties" {
                        walk(sub, &format!("{at}/{key}"), out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, at, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(schema, "#", &mut out);
    out
}

/// Every word of the schema's closed sets (`const` and `enum` values), with its definition.
fn words(schema: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let defs = schema["definitions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (def, body) in defs {
        let branches = body["oneOf"]
            .as_array()
            .into_iter()
            .chain(body["anyOf"].as_array())
            .flatten();
        for branch in branches {
            if let Some(word) = branch["const"].as_str() {
                out.insert((def.clone(), word.to_string()));
            }
            for word in branch["enum"].as_array().into_iter().flatten() {
                if let Some(word) = word.as_str() {
                    out.insert((def.clone(), word.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn every_field_and_word_of_the_schemas_is_in_the_reference_docs() {
    let mut missing = Vec::new();
    for kind in File::ALL {
        let schema = kind.schema();
        let doc_path = kind.doc();
        let doc = read(&doc_path);
        let fields = field_names(&schema);
        assert!(fields.len() > 2, "{}: too few fields found", kind.name());
        for (name, at) in fields {
            if !doc.contains(&format!("`{name}`")) {
                missing.push(format!(
                    "{}: field `{name}` (at {at}) is not in {}",
                    kind.name(),
                    doc_path.display()
                ));
            }
        }
        for (def, word) in words(&schema) {
            let quoted = [format!("`{word}`"), format!("`\"{word}\"`")];
            if !quoted.iter().any(|q| doc.contains(q.as_str())) {
                missing.push(format!(
                    "{}: `{word}` (a {def}) is not in {}",
                    kind.name(),
                    doc_path.display()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "document these (as a backticked name, e.g. in a field table):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_shipped_files_validate_against_the_schemas_and_name_them() {
    for kind in File::ALL {
        let (files, schema_line) = kind.shipped();
        assert!(!files.is_empty(), "no shipped {} files found", kind.name());
        let validator = kind.validator();
        for path in files {
            let text = read(&path);
            let name = path.display().to_string();
            let first = text.lines().next().unwrap_or_default();
            assert_eq!(
                first, schema_line,
                "{name}: the first line names the schema"
            );
            let errors = schema_errors(&validator, &text, &name);
            assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
            if let Err(e) = kind.parse(&name, &text) {
                panic!("{name} does not parse: {e}");
            }
        }
    }
}

#[test]
fn hostile_files_are_refused_by_both_the_parser_and_the_schema() {
    let dir = root().join("tests/fixtures/schema_hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/schema_hostile")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the hostile corpus is missing files");
    let validators = File::ALL.map(|k| (k, k.validator()));
    let mut wrong = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let kind = File::ALL
            .into_iter()
            .find(|k| file.starts_with(&format!("{}-", k.name())))
            .unwrap_or_else(|| panic!("{file}: name it inventory-…, playbook-… or theme-…"));
        let text = read(&path);
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{file}: first line must be `# expect: MESSAGE`"));
        match kind.parse(&file, &text) {
            Ok(()) => wrong.push(format!("{file}: the parser accepts it")),
            Err(e) if !e.contains(expect) => {
                wrong.push(format!("{file}: the parser says {e:?}, not {expect:?}"))
            }
            Err(_) => {}
        }
        let (_, v) = validators
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("validator");
        // A file TOML itself refuses has no JSON to validate; the parser's verdict is enough.
        if toml::from_str::<toml::Value>(&text).is_ok() && schema_errors(v, &text, &file).is_empty()
        {
            wrong.push(format!("{file}: the schema accepts it"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A file with `WORD` in the one place a word of `definition` goes, otherwise valid.
fn file_with_word(definition: &str, word: &str) -> Option<(File, String)> {
    const PLAYBOOK: &str = "id = \"p\"\ntitle = \"P\"\nseverity = \"P2\"\n";
    const STEP: &str = "[[steps]]\nid = \"s\"\ntitle = \"S\"\n";
    const HOST: &str = "[[hosts]]\nname = \"h\"\naddress = \"10.0.0.5\"\nrole = \"r\"\n";
    const WEBHOOK: &str = "[[notify]]\nname = \"n\"\nkind = \"webhook\"\nurl_env = \"U\"\n";
    let playbook = |body: String| Some((File::Playbook, body));
    let inventory = |body: String| Some((File::Inventory, body));
    match definition {
        "StepKind" => {
            let fields = match word {
                "check" => "role = \"r\"\n",
                "command" => "role = \"r\"\nrun = \"uptime\"\n",
                "sql" => "database = \"d\"\nsql = \"select 1\"\n",
                _ => "",
            };
            playbook(format!("{PLAYBOOK}{STEP}kind = \"{word}\"\n{fields}"))
        }
        "Confirm" => playbook(format!(
            "{PLAYBOOK}{STEP}kind = \"manual\"\nconfirm = \"{word}\"\n"
        )),
        "OnFailure" => playbook(format!(
            "{PLAYBOOK}{STEP}kind = \"manual\"\non_failure = \"{word}\"\n"
        )),
        "VariableFrom" => playbook(format!(
            "{PLAYBOOK}[[variables]]\nname = \"v\"\nfrom = \"{word}\"\nfact = \"ip\"\n{STEP}kind = \"manual\"\n"
        )),
        "HostCount" => playbook(format!(
            "{PLAYBOOK}[trigger]\nrole = \"r\"\nstate = \"down\"\nhosts = \"{word}\"\n{STEP}kind = \"manual\"\n"
        )),
        "Symptom" => playbook(format!(
            "{PLAYBOOK}[trigger]\nrole = \"r\"\nsymptom = \"{word}\"\n{STEP}kind = \"manual\"\n"
        )),
        "StepTarget" => playbook(format!(
            "{PLAYBOOK}{STEP}kind = \"check\"\ntarget = \"{word}\"\n"
        )),
        "Privilege" => inventory(format!("[settings]\nprivilege = \"{word}\"\n{HOST}")),
        "HostState" => playbook(format!(
            "{PLAYBOOK}[trigger]\nrole = \"r\"\nstate = \"{word}\"\n{STEP}kind = \"manual\"\n"
        )),
        "Failure" => playbook(format!(
            "{PLAYBOOK}{STEP}kind = \"check\"\nrole = \"r\"\nfailure_hint_for = [\"{word}\"]\n"
        )),
        "PressureLevel" => playbook(format!(
            "{PLAYBOOK}{STEP}kind = \"check\"\nrole = \"r\"\nfail_on_pressure = \"{word}\"\n"
        )),
        "Severity" => playbook(format!(
            "id = \"p\"\ntitle = \"P\"\nseverity = \"{word}\"\n{STEP}kind = \"manual\"\n"
        )),
        "Transport" => inventory(format!("{HOST}transport = \"{word}\"\n")),
        "CheckKind" => inventory(format!(
            "{HOST}checks = [{{ kind = \"{word}\", port = 1, url = \"http://10.0.0.5/\" }}]\n"
        )),
        "Driver" => {
            let url = match word {
                "mysql" | "mariadb" => "mysql://ops@db/x",
                "postgres" | "postgresql" => "postgres://ops@db/x",
                _ => "sqlite:///tmp/x.db",
            };
            inventory(format!(
                "[[databases]]\nname = \"d\"\ndriver = \"{word}\"\nurl = \"{url}\"\n"
            ))
        }
        "NotifyKind" => {
            let fields = match word {
                "email" => "server = \"relay\"\nfrom = \"a@b.c\"\nto = [\"d@e.f\"]\n",
                _ => "url_env = \"COCKPIT_URL\"\n",
            };
            inventory(format!(
                "[[notify]]\nname = \"n\"\nkind = \"{word}\"\n{fields}"
            ))
        }
        "NotifyEvent" => inventory(format!("{WEBHOOK}events = [\"{word}\"]\n")),
        "NotifyDrill" => inventory(format!("{WEBHOOK}drill = \"{word}\"\n")),
        "SmtpTls" => inventory(format!(
            "[[notify]]\nname = \"n\"\nkind = \"email\"\nserver = \"relay\"\nfrom = \"a@b.c\"\nto = [\"d@e.f\"]\ntls = \"{word}\"\n"
        )),
        _ => None,
    }
}

#[test]
fn every_word_the_schemas_offer_the_parser_accepts() {
    let mut wrong = Vec::new();
    let validators = File::ALL.map(|k| (k, k.validator()));
    for kind in File::ALL {
        let mut offered = words(&kind.schema());
        if kind == File::Playbook {
            // The severity pattern allows any case and surrounding blanks.
            offered.insert(("Severity".into(), " p1 ".into()));
        }
        for (def, word) in offered {
            let Some((file_kind, text)) = file_with_word(&def, &word) else {
                wrong.push(format!(
                    "no test file for words of `{def}` (add one to file_with_word)"
                ));
                continue;
            };
            let what = format!("{def} `{word}`");
            if let Err(e) = file_kind.parse(&what, &text) {
                wrong.push(format!("{what}: the parser refuses it: {e}"));
            }
            let (_, v) = validators
                .iter()
                .find(|(k, _)| *k == file_kind)
                .expect("validator");
            let errors = schema_errors(v, &text, &what);
            if !errors.is_empty() {
                wrong.push(format!(
                    "{what}: the schema refuses it: {}",
                    errors.join("; ")
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
