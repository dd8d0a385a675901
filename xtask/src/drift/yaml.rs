//! Applying one [`Change`] to a spec's YAML text with yaml-edit, leaving every other byte as
//! it was: nodes are found by JSON pointer in yaml-edit's lossless tree and new entries are
//! spliced in, in the style of their surroundings (block or flow, the indentation of their
//! siblings, the quoting of sibling status codes and of the copied `$ref`).

use std::str::FromStr;

use serde_json::Value;
use yaml_edit::{Mapping, MappingBuilder, Sequence, YamlFile, YamlNode};

use super::edits::{Change, PropertySchema};
use super::event::JsonType;
use super::pointer;
use super::resolve::{Body, same_value};

/// The `description` of a response added for an undocumented status.
pub const RESPONSE_DESCRIPTION: &str =
    "Not documented by the provider; observed in live traffic (cargo xtask drift), no example.";

/// `text` with `change` applied. `Err` when the node it names is not where the spec says.
pub fn apply(text: &str, change: &Change) -> Result<String, String> {
    let file = YamlFile::from_str(text).map_err(|e| format!("yaml-edit cannot parse the spec: {e}"))?;
    if file.to_string() != text {
        return Err("yaml-edit does not reproduce the spec byte for byte; not editing it".into());
    }
    let root = file.document().and_then(|d| d.as_mapping()).ok_or("the spec is not a YAML mapping")?;
    match change {
        Change::Property { object, member, schema } => add_property(&mapping_at(&root, object)?, member, *schema)?,
        Change::EnumValues { schema, values } => add_enum_values(&mapping_at(&root, schema)?, values)?,
        Change::Response { responses, status, body } => {
            add_response(&root, &mapping_at(&root, responses)?, *status, body.as_ref())?
        }
    }
    Ok(file.to_string())
}

fn add_property(object: &Mapping, member: &str, schema: PropertySchema) -> Result<(), String> {
    let property = property_builder(schema);
    match entry_value(object, "properties") {
        Some(YamlNode::Mapping(properties)) => {
            if entry_value(&properties, member).is_none() {
                let built = property.build_document();
                properties.set(member, built.as_mapping().ok_or("built property is not a mapping")?);
            }
        }
        Some(_) => return Err("`properties` is not a mapping".into()),
        None => {
            let built = MappingBuilder::new().insert_mapping(member, property).build_document();
            object.set("properties", built.as_mapping().ok_or("built properties are not a mapping")?);
        }
    }
    Ok(())
}

/// `type` (with `items: {}` for an array), `nullable`, `x-observed: true`.
fn property_builder(schema: PropertySchema) -> MappingBuilder {
    let mut builder = MappingBuilder::new();
    if let Some(ty) = schema.ty {
        builder = builder.pair("type", ty.as_str());
        if ty == JsonType::Array {
            builder = builder.mapping("items", |items| items);
        }
    }
    if schema.nullable {
        builder = builder.pair("nullable", true);
    }
    builder.pair("x-observed", true)
}

fn add_enum_values(schema: &Mapping, values: &[Value]) -> Result<(), String> {
    let Some(YamlNode::Sequence(list)) = entry_value(schema, "enum") else {
        return Err("the schema has no `enum` list".into());
    };
    push_new(&list, values)?;
    match entry_value(schema, "x-observed-values") {
        Some(YamlNode::Sequence(observed)) => push_new(&observed, values)?,
        Some(_) => return Err("`x-observed-values` is not a list".into()),
        None => {
            let observed = Sequence::new_flow();
            push_new(&observed, values)?;
            if !schema.insert_after("enum", "x-observed-values", observed) {
                return Err("no `enum` key to put `x-observed-values` after".into());
            }
        }
    }
    Ok(())
}

/// Appends each of `values` the sequence does not hold yet.
fn push_new(list: &Sequence, values: &[Value]) -> Result<(), String> {
    for value in values {
        let present = list.values().any(|item| scalar_matches(&item, value));
        if present {
            continue;
        }
        match value {
            Value::String(text) => list.push(text.as_str()),
            Value::Bool(flag) => list.push(*flag),
            Value::Number(number) => match (number.as_i64(), number.as_f64()) {
                (Some(integer), _) => list.push(integer),
                (None, Some(float)) => list.push(float),
                _ => return Err(format!("cannot write the number {number}")),
            },
            other => return Err(format!("cannot write {other} as an enum value")),
        }
    }
    Ok(())
}

fn scalar_matches(item: &YamlNode, value: &Value) -> bool {
    item.as_scalar().is_some_and(|scalar| same_value(value, &scalar.as_string()))
}

fn add_response(root: &Mapping, responses: &Mapping, status: u16, body: Option<&Body>) -> Result<(), String> {
    let code = status.to_string();
    if entry_value(responses, &code).is_some() {
        return Ok(());
    }
    let mut builder = MappingBuilder::new().pair("description", RESPONSE_DESCRIPTION).pair("x-observed", true);
    if let Some(body) = body {
        let schema = node_at(root, &body.schema)?;
        let media_type = body.media_type.clone();
        builder =
            builder.mapping("content", move |content| content.mapping(media_type, move |m| m.pair("schema", schema)));
    }
    let response = builder.build_document();
    let response = response.as_mapping().ok_or("built response is not a mapping")?;
    let key = status_key(responses, &code)?;
    // Before the first code that sorts after it (`404` < `4XX` < `500` < `default`).
    let next =
        responses.entries().filter_map(|e| e.key_node()).find(|k| k.as_scalar().is_some_and(|s| s.as_string() > code));
    match next {
        Some(next) => {
            if !responses.insert_before(next, key, response) {
                return Err("could not place the new response".into());
            }
        }
        None => responses.set(key, response),
    }
    Ok(())
}

/// The status code as a key quoted like its siblings (`'200'` or `"200"`), so it stays a
/// string.
fn status_key(responses: &Mapping, code: &str) -> Result<YamlNode, String> {
    let quote = responses
        .entries()
        .filter_map(|e| e.key_node()?.as_scalar().map(|s| s.value()))
        .find_map(|raw| raw.chars().next().filter(|c| *c == '"' || *c == '\''))
        .unwrap_or('\'');
    let parsed = YamlFile::from_str(&format!("{quote}{code}{quote}: ~\n")).map_err(|e| e.to_string())?;
    let mapping = parsed.document().and_then(|d| d.as_mapping()).ok_or("status key did not parse")?;
    let key = mapping.keys().next().ok_or("status key did not parse")?;
    Ok(key)
}

/// The node at a JSON pointer into the spec.
fn node_at(root: &Mapping, at: &str) -> Result<YamlNode, String> {
    let mut node = YamlNode::Mapping(root.clone());
    for token in pointer::tokens(at)? {
        let next = match &node {
            YamlNode::Mapping(mapping) => entry_value(mapping, &token),
            YamlNode::Sequence(list) => token.parse().ok().and_then(|index| list.get(index)),
            _ => None,
        };
        node = next.ok_or_else(|| format!("{at}: no YAML node `{token}` (an alias or merge key?)"))?;
    }
    Ok(node)
}

fn mapping_at(root: &Mapping, at: &str) -> Result<Mapping, String> {
    match node_at(root, at)? {
        YamlNode::Mapping(mapping) => Ok(mapping),
        _ => Err(format!("{at} is not a YAML mapping")),
    }
}

/// The value of the entry whose key reads `key` (quoted or not).
fn entry_value(mapping: &Mapping, key: &str) -> Option<YamlNode> {
    mapping
        .entries()
        .find(|entry| entry.key_node().and_then(|k| k.as_scalar().map(|s| s.as_string())).as_deref() == Some(key))
        .and_then(|entry| entry.value_node())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: &str = "\
# a comment that stays
paths:
  /a:
    get:
      responses:
        \"200\":
          description: ok
          content:
            application/json:
              schema:
                $ref: \"#/components/schemas/A\"
        \"500\":
          description: error
components:
  schemas:
    A:
      type: object
      properties:
        x:   {type: string}   # odd spacing kept
      # trailing comment kept
    Kind:
      type: string
      enum: [a, b]
";

    #[test]
    fn each_change_touches_only_its_place() {
        let property = Change::Property {
            object: "/components/schemas/A".into(),
            member: "y".into(),
            schema: PropertySchema { ty: Some(JsonType::String), nullable: true },
        };
        let edited = apply(SPEC, &property).unwrap();
        let at = SPEC.find("      # trailing").unwrap();
        let added = "        y:\n          type: string\n          nullable: true\n          x-observed: true\n";
        assert_eq!(edited, format!("{}{added}{}", &SPEC[..at], &SPEC[at..]));

        let values =
            Change::EnumValues { schema: "/components/schemas/Kind".into(), values: vec![json!("true"), json!("c")] };
        let edited = apply(SPEC, &values).unwrap();
        assert_eq!(
            edited,
            SPEC.replace("enum: [a, b]\n", "enum: [a, b, 'true', c]\n      x-observed-values: ['true', c]\n")
        );

        let response = Change::Response {
            responses: "/paths/~1a/get/responses".into(),
            status: 404,
            body: Some(Body {
                media_type: "application/json".into(),
                schema: "/paths/~1a/get/responses/200/content/application~1json/schema".into(),
            }),
        };
        let edited = apply(SPEC, &response).unwrap();
        let added = format!(
            "        \"404\":\n          description: {RESPONSE_DESCRIPTION}\n          x-observed: true\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/A\"\n"
        );
        let at = SPEC.find("        \"500\"").unwrap();
        assert_eq!(edited, format!("{}{added}{}", &SPEC[..at], &SPEC[at..]));
    }
}
