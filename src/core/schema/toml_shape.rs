//! Makes a generated schema say what TOML can hold: TOML has no null, so the `null` that an
//! optional field adds to its schema (`"type": ["integer", "null"]`, `anyOf [T, null]`,
//! `"default": null`) is taken out, leaving "absent or a T". Descriptions, from doc comments
//! wrapped at 100 columns, are unwrapped into paragraphs for editors' hover text.

use schemars::Schema;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Map, Value};

/// Removes `null` from every subschema and unwraps descriptions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::String(text)) = obj.get_mut("description") {
            *text = unwrap_lines(text);
        }
        if obj.get("default").is_some_and(Value::is_null) {
            obj.remove("default");
        }
        if let Some(Value::Array(types)) = obj.get_mut("type") {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let only = types.remove(0);
                obj.insert("type".into(), only);
            }
        }
        for key in ["anyOf", "oneOf"] {
            collapse_null_branch(obj, key);
        }
    }
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").is_some_and(|t| t == "null") && v.as_object().is_some_and(|o| o.len() == 1)
        || v.get("const").is_some_and(Value::is_null)
}

/// `anyOf [T, null]` becomes T: merged into the parent, or `allOf [T]` when T is a `$ref`
/// (draft 7 ignores a `$ref`'s siblings, such as the field's description).
fn collapse_null_branch(obj: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(branches)) = obj.get_mut(key) else {
        return;
    };
    let before = branches.len();
    branches.retain(|b| !is_null_schema(b));
    if branches.len() == before || branches.len() != 1 {
        return;
    }
    let only = branches.remove(0);
    obj.remove(key);
    match only {
        Value::Object(inner) if inner.contains_key("$ref") => {
            obj.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
        }
        Value::Object(inner) => {
            for (k, v) in inner {
                obj.entry(k).or_insert(v);
            }
        }
        other => {
            obj.insert("allOf".into(), Value::Array(vec![other]));
        }
    }
}

/// Joins the lines of each paragraph with spaces; paragraphs stay apart.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|para| {
            para.split('\n')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::json_schema;

    #[test]
    fn null_is_taken_out_and_descriptions_unwrapped() {
        let mut schema = json_schema!({
            "properties": {
                "a": { "type": ["integer", "null"], "default": null },
                "b": { "description": "one\nline\n\nnext", "anyOf": [{ "$ref": "#/definitions/B" }, { "type": "null" }] },
                "c": { "anyOf": [{ "type": "string", "minLength": 1 }, { "type": "null" }] },
                "d": { "anyOf": [{ "type": "string" }, { "type": "array" }] }
            }
        });
        NoNull.transform(&mut schema);
        let text = serde_json::to_string(&schema).unwrap_or_default();
        assert!(!text.contains("null"), "{text}");
        let props = &schema.as_value()["properties"];
        assert_eq!(props["a"], serde_json::json!({ "type": "integer" }));
        assert_eq!(
            props["b"],
            serde_json::json!({ "description": "one line\n\nnext", "allOf": [{ "$ref": "#/definitions/B" }] })
        );
        assert_eq!(
            props["c"],
            serde_json::json!({ "type": "string", "minLength": 1 })
        );
        assert_eq!(props["d"]["anyOf"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn the_file_schemas_mention_no_null() {
        for kind in crate::core::schema::SchemaKind::ALL {
            assert!(!kind.json().contains("null"), "{}", kind.name());
        }
    }
}
