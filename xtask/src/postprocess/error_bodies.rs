//! The runtime's `ErrorBody` for every documented error schema: which members hold the
//! provider's code and human-readable message, as the schema names them (`x-error-code`,
//! `x-error-message`), so that an error's `Display` carries the provider's own words whatever
//! member they come in.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Item, parse_quote};

use crate::spec::Spec;

/// How a member's text is read from its Rust field.
enum Text {
    /// `String`.
    Plain,
    /// A string enum (the generated tolerant enums have `as_str`).
    Enum,
    /// An untyped member (`serde_json::Value`): text only when it holds a string.
    Untyped,
}

/// One `impl ErrorBody` per schema a documented error response uses.
pub fn impls(spec: &Spec, types: &[Item]) -> Result<Vec<Item>, String> {
    error_schemas(&spec.document)
        .into_iter()
        .map(|name| {
            let schema = &spec.document["components"]["schemas"][&name];
            let at = format!("{}#/components/schemas/{name}", spec.file.display());
            let fields = struct_fields(types, &name).ok_or_else(|| format!("{at}: no generated struct `{name}`"))?;
            let code = match schema.get("x-error-code") {
                None => quote!(None),
                Some(Value::String(member)) => accessor(spec, schema, fields, member, &at)?,
                Some(_) => return Err(format!("{at}: `x-error-code` names one property")),
            };
            let members: Vec<&str> = match schema.get("x-error-message") {
                Some(Value::String(member)) => vec![member.as_str()],
                Some(Value::Array(members)) if !members.is_empty() => members
                    .iter()
                    .map(Value::as_str)
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("{at}: `x-error-message` is a property name or a list of them"))?,
                _ => {
                    return Err(format!(
                        "{at}: an error schema names its human-readable member(s): add `x-error-message: <property>` \
                         (and `x-error-code: <property>` when it has a code)"
                    ));
                }
            };
            let readers = members
                .iter()
                .map(|member| accessor(spec, schema, fields, member, &at))
                .collect::<Result<Vec<_>, _>>()?;
            let (first, rest) = readers.split_first().expect("at least one member");
            let ident = format_ident!("{name}");
            Ok(parse_quote! {
                /// The code and message members the spec names for this error body.
                impl ::whatsapp_sdk_runtime::ErrorBody for types::#ident {
                    fn code(&self) -> ::std::option::Option<&str> {
                        #code
                    }
                    fn message(&self) -> ::std::option::Option<&str> {
                        #first #(.or_else(|| #rest))*
                    }
                }
            })
        })
        .collect()
}

/// The `$ref` names of the JSON schemas of every non-2xx response (a `$ref` to a shared
/// response followed).
fn error_schemas(document: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let operations = document["paths"].as_object().into_iter().flat_map(|paths| paths.values());
    for operation in operations.filter_map(Value::as_object).flat_map(|methods| methods.values()) {
        let Some(responses) = operation["responses"].as_object() else { continue };
        for response in responses.iter().filter(|(status, _)| !status.starts_with('2')).map(|(_, response)| response) {
            let response = match response["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/responses/")) {
                Some(shared) => &document["components"]["responses"][shared],
                None => response,
            };
            let content = response["content"].as_object().into_iter().flatten();
            for body in content.filter(|(media_type, _)| media_type.contains("json")).map(|(_, body)| body) {
                if let Some(name) =
                    body["schema"]["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

fn struct_fields<'a>(types: &'a [Item], name: &str) -> Option<&'a syn::Fields> {
    types.iter().find_map(|item| match item {
        Item::Struct(item) if item.ident == name => Some(&item.fields),
        _ => None,
    })
}

/// `Option<&str>` of one member, empty text left out.
fn accessor(spec: &Spec, schema: &Value, fields: &syn::Fields, member: &str, at: &str) -> Result<TokenStream, String> {
    let property = schema["properties"]
        .get(member)
        .ok_or_else(|| format!("{at}: `{member}` (x-error-code/x-error-message) is not a property of the schema"))?;
    let resolved = match property["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(target) => &spec.document["components"]["schemas"][target],
        None => property,
    };
    let text = match (resolved.get("type").and_then(Value::as_str), resolved.get("enum")) {
        (Some("string"), Some(_)) => Text::Enum,
        (Some("string"), None) => Text::Plain,
        (None, None)
            if ["properties", "items", "oneOf", "anyOf", "allOf"].iter().all(|k| resolved.get(k).is_none()) =>
        {
            Text::Untyped
        }
        _ => return Err(format!("{at}: `{member}` (x-error-code/x-error-message) is not a string property")),
    };
    let field = fields
        .iter()
        .find(|field| {
            super::serde_rename(&field.attrs).as_deref() == Some(member)
                || field.ident.as_ref().is_some_and(|ident| ident.to_string().trim_start_matches("r#") == member)
        })
        .ok_or_else(|| format!("{at}: no field of the generated struct holds `{member}`"))?;
    let ident = field.ident.as_ref().expect("named fields");
    let optional =
        matches!(&field.ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"));
    let read = match (text, optional) {
        (Text::Plain, true) => quote!(self.#ident.as_deref()),
        (Text::Plain, false) => quote!(Some(self.#ident.as_str())),
        (Text::Enum, true) => quote!(self.#ident.as_ref().map(|value| value.as_str())),
        (Text::Enum, false) => quote!(Some(self.#ident.as_str())),
        (Text::Untyped, true) => quote!(self.#ident.as_ref().and_then(::serde_json::Value::as_str)),
        (Text::Untyped, false) => quote!(self.#ident.as_str()),
    };
    Ok(quote!(#read.filter(|text| !text.trim().is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(error_schema: Value) -> Spec {
        let document = json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"description": "ok"},
                "4XX": {"$ref": "#/components/responses/Failed"},
            }}}},
            "components": {
                "responses": {"Failed": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}}},
                "schemas": {"Failure": error_schema, "Code": {"type": "string", "enum": ["a", "b"]}},
            },
        });
        Spec { file: "specs/demo.yaml".into(), document, operations: Vec::new() }
    }

    fn types() -> Vec<Item> {
        vec![parse_quote! {
            pub struct Failure {
                pub code: ::std::option::Option<Code>,
                #[serde(rename = "Message")]
                pub message: ::std::string::String,
                pub detail: ::std::option::Option<::serde_json::Value>,
                pub count: i64,
            }
        }]
    }

    fn properties() -> Value {
        json!({"code": {"$ref": "#/components/schemas/Code"}, "Message": {"type": "string"}, "detail": {}, "count": {"type": "integer"}})
    }

    #[test]
    fn reads_the_named_members_by_their_rust_type() {
        let schema = json!({"type": "object", "x-error-code": "code", "x-error-message": ["detail", "Message"], "properties": properties()});
        let items = impls(&spec(schema), &types()).unwrap();
        let text = quote!(#(#items)*).to_string();
        assert!(text.contains("ErrorBody for types :: Failure"), "{text}");
        assert!(text.contains("self . code . as_ref () . map (| value | value . as_str ())"), "{text}");
        assert!(text.contains("self . detail . as_ref () . and_then (:: serde_json :: Value :: as_str)"), "{text}");
        assert!(text.contains("or_else (| | Some (self . message . as_str ())"), "{text}");
    }

    #[test]
    fn an_error_schema_must_name_its_message_as_a_string_property() {
        let missing = json!({"type": "object", "properties": properties()});
        let error = impls(&spec(missing), &types()).unwrap_err();
        assert!(
            error.contains("specs/demo.yaml#/components/schemas/Failure") && error.contains("x-error-message"),
            "{error}"
        );
        let not_text = json!({"type": "object", "x-error-message": "count", "properties": properties()});
        let error = impls(&spec(not_text), &types()).unwrap_err();
        assert!(error.contains("`count`") && error.contains("not a string property"), "{error}");
        let absent = json!({"type": "object", "x-error-message": "nope", "properties": properties()});
        let error = impls(&spec(absent), &types()).unwrap_err();
        assert!(error.contains("`nope`") && error.contains("not a property"), "{error}");
    }
}
