//! The comparisons: each documented thing becomes a [`Finding`] in one [`Category`], with the
//! gaps found for it (none when the spec agrees).

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{Credential, Example, ExampleBody, Param, Upstream, UpstreamOperation, credentials_string};
use super::schema::{self, Issue};
use super::spec_model::{SpecModel, SpecOperation, json_schema};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Operations,
    Parameters,
    BodyFields,
    Examples,
    Auth,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Operations, Category::Parameters, Category::BodyFields, Category::Examples, Category::Auth];

    pub fn title(self) -> &'static str {
        match self {
            Category::Operations => "operations",
            Category::Parameters => "parameters",
            Category::BodyFields => "body fields",
            Category::Examples => "examples",
            Category::Auth => "auth",
        }
    }
}

/// A departure of the spec from the upstream document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Stable identifier, what the allowlist names.
    pub id: String,
    pub message: String,
    /// Where in the spec to look (a JSON pointer), when there is a place.
    pub pointer: Option<String>,
}

/// One documented thing and what differs about it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub category: Category,
    pub gaps: Vec<Gap>,
}

fn gap(id: String, message: String, pointer: Option<String>) -> Gap {
    Gap { id, message, pointer }
}

/// Compares a spec with its upstream document.
pub fn compare(spec: &SpecModel, upstream: &Upstream) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut matched = BTreeSet::new();
    for documented in &upstream.operations {
        let Some(operation) = spec.find(&documented.method, &documented.path) else {
            findings.push(Finding {
                category: Category::Operations,
                gaps: vec![gap(
                    format!("operation:{}", documented.route()),
                    format!("`{}` ({}) has no operation in the spec", documented.route(), documented.label),
                    None,
                )],
            });
            continue;
        };
        matched.insert(operation.pointer());
        findings.push(Finding { category: Category::Operations, gaps: Vec::new() });
        OperationComparison { spec, operation, documented, findings: &mut findings }.run();
    }
    for operation in spec.operations.iter().filter(|op| !matched.contains(&op.pointer())) {
        findings.push(Finding {
            category: Category::Operations,
            gaps: vec![gap(
                format!("extra-operation:{}", operation.operation_id),
                format!("`{}` is not in the upstream document", operation.operation_id),
                Some(operation.pointer()),
            )],
        });
    }
    if !upstream.webhook_examples.is_empty() {
        let schema = spec.webhook_schema();
        for example in &upstream.webhook_examples {
            let gaps = match &schema {
                Some(schema) => example_gaps(spec, "webhook", example, Some(schema), "webhook".into(), None),
                None => vec![gap(
                    format!("webhook-schema:{}", example.name),
                    "the upstream documents webhook examples but the spec's `x-webhook-examples` name no one schema"
                        .into(),
                    None,
                )],
            };
            findings.push(Finding { category: Category::Examples, gaps });
        }
    }
    findings
}

struct OperationComparison<'a> {
    spec: &'a SpecModel,
    operation: &'a SpecOperation,
    documented: &'a UpstreamOperation,
    findings: &'a mut Vec<Finding>,
}

impl OperationComparison<'_> {
    fn id(&self) -> &str {
        &self.operation.operation_id
    }

    fn push(&mut self, category: Category, gaps: Vec<Gap>) {
        self.findings.push(Finding { category, gaps });
    }

    fn run(mut self) {
        let credentials: BTreeSet<_> = self.spec.security(self.operation).into_iter().flatten().collect();
        let credential_names: BTreeSet<String> = credentials
            .iter()
            .map(|c| match c {
                Credential::Bearer => "Authorization".to_string(),
                Credential::Header(n) | Credential::Query(n) | Credential::BodyField(n) => n.clone(),
            })
            .collect();
        for location in ["query", "header"] {
            let documented = if location == "query" { &self.documented.query } else { &self.documented.headers };
            self.parameters(location, documented, &credential_names);
        }
        self.body(&credential_names);
        self.binary();
        self.auth();
        for example in &self.documented.examples {
            let gaps = self.example(example);
            self.push(Category::Examples, gaps);
        }
    }

    fn parameters(&mut self, location: &str, documented: &[Param], credential_names: &BTreeSet<String>) {
        let declared = self.spec.parameters(self.operation, location);
        for param in documented {
            if credential_names.iter().any(|name| name.eq_ignore_ascii_case(&param.name)) {
                self.push(Category::Parameters, Vec::new());
                continue;
            }
            let gaps = match declared.iter().find(|p| p.name == param.name) {
                None => vec![gap(
                    format!("{location}:{}:{}", self.id(), param.name),
                    format!("{location} parameter `{}` is documented but not in the spec", param.name),
                    Some(self.operation.pointer()),
                )],
                Some(spec) => match param.required {
                    Some(required) if required != spec.required => vec![gap(
                        format!("required:{}:{location}:{}", self.id(), param.name),
                        format!(
                            "{location} parameter `{}` is documented as required: {required}, the spec says {}",
                            param.name, spec.required
                        ),
                        Some(spec.pointer.clone()),
                    )],
                    _ => Vec::new(),
                },
            };
            self.push(Category::Parameters, gaps);
        }
        for spec in declared.iter().filter(|p| !documented.iter().any(|d| d.name == p.name)) {
            let gaps = vec![gap(
                format!("extra-{location}:{}:{}", self.id(), spec.name),
                format!("{location} parameter `{}` is in the spec but not documented", spec.name),
                Some(spec.pointer.clone()),
            )];
            self.push(Category::Parameters, gaps);
        }
    }

    fn body(&mut self, credential_names: &BTreeSet<String>) {
        let body = self.spec.request_body(self.operation);
        let multipart = body.as_ref().is_some_and(|(media_type, _)| media_type == "multipart/form-data");
        let pointer = Some(format!("{}/requestBody", self.operation.pointer()));
        let schema = body.as_ref().map_or(&Value::Null, |(_, schema)| *schema);
        for field in &self.documented.body_fields {
            let covered = credential_names.contains(field)
                || (!multipart && body.is_some() && schema::has_field(&self.spec.document, schema, field));
            let gaps = if covered {
                Vec::new()
            } else {
                vec![gap(
                    format!("body-field:{}:{field}", self.id()),
                    format!("JSON body field `{field}` is documented but not in the spec's request body"),
                    pointer.clone(),
                )]
            };
            self.push(Category::BodyFields, gaps);
        }
        if body.is_some() && !multipart {
            for field in
                undocumented_fields(&schema::field_paths(&self.spec.document, schema), &self.documented.body_fields)
            {
                let gaps = vec![gap(
                    format!("extra-body-field:{}:{field}", self.id()),
                    format!("JSON body field `{field}` is in the spec but not in the upstream document's body"),
                    pointer.clone(),
                )];
                self.push(Category::BodyFields, gaps);
            }
        }
        let parts: BTreeSet<String> =
            if multipart { schema::field_paths(&self.spec.document, schema) } else { BTreeSet::new() };
        for part in &self.documented.multipart_parts {
            let gaps = if parts.contains(part) {
                Vec::new()
            } else {
                vec![gap(
                    format!("multipart-part:{}:{part}", self.id()),
                    format!("multipart part `{part}` is documented but not in the spec's multipart body"),
                    pointer.clone(),
                )]
            };
            self.push(Category::BodyFields, gaps);
        }
        for part in parts.iter().filter(|p| !self.documented.multipart_parts.contains(*p)) {
            let gaps = vec![gap(
                format!("extra-multipart-part:{}:{part}", self.id()),
                format!("multipart part `{part}` is in the spec but not documented"),
                pointer.clone(),
            )];
            self.push(Category::BodyFields, gaps);
        }
    }

    fn binary(&mut self) {
        let in_spec = self.spec.binary_success(self.operation);
        if in_spec == self.documented.binary_response {
            return;
        }
        let message = if in_spec {
            "the spec's success response is binary, the upstream document does not say so"
        } else {
            "the upstream document returns a file's bytes, the spec's success response is not binary"
        };
        let gaps = vec![gap(
            format!("binary:{}", self.id()),
            message.into(),
            Some(format!("{}/responses", self.operation.pointer())),
        )];
        self.push(Category::Operations, gaps);
    }

    fn auth(&mut self) {
        let Some(documented) = &self.documented.auth else { return };
        let accepted = self.spec.security(self.operation);
        let gaps = if accepted.contains(documented) {
            Vec::new()
        } else {
            let listed: Vec<String> = accepted.iter().map(credentials_string).collect();
            vec![gap(
                format!("auth:{}", self.id()),
                format!(
                    "the upstream document sends {}, the spec accepts {}",
                    credentials_string(documented),
                    listed.join(" | ")
                ),
                Some(format!("{}/security", self.operation.pointer())),
            )]
        };
        self.push(Category::Auth, gaps);
    }

    fn example(&self, example: &Example) -> Vec<Gap> {
        let Some(status) = example.status.or_else(|| self.spec.success_status(self.operation)) else {
            return vec![gap(
                format!("example-status:{}:{}", self.id(), example.name),
                format!("example `{}` has no status and the spec declares no success response", example.name),
                Some(self.operation.pointer()),
            )];
        };
        let Some((code, response)) = self.spec.response(self.operation, status) else {
            return vec![gap(
                format!("example-status:{}:{status}", self.id()),
                format!("example `{}` is a {status} response, which the spec does not declare", example.name),
                Some(format!("{}/responses", self.operation.pointer())),
            )];
        };
        let pointer = format!("{}/responses/{}", self.operation.pointer(), crate::spec::escape_token(&code));
        let schema = json_schema(response).map(|(_, schema)| schema.clone());
        if matches!(example.body, ExampleBody::Json { .. }) && schema.is_none() {
            return vec![gap(
                format!("example-body:{}:{status}", self.id()),
                format!("example `{}` has a JSON body, the spec's {code} response has no JSON body", example.name),
                Some(pointer),
            )];
        }
        example_gaps(self.spec, self.id(), example, schema.as_ref(), status.to_string(), Some(pointer))
    }
}

/// The spec's body fields the upstream document does not show, outermost only: a field below
/// one that is already reported is not reported again. A field counts as shown when the document
/// names it or something below it.
fn undocumented_fields(spec: &BTreeSet<String>, documented: &BTreeSet<String>) -> Vec<String> {
    let shown = |field: &str| {
        documented.iter().any(|d| {
            d.strip_prefix(field).is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with("[]"))
        })
    };
    spec.iter().filter(|field| !shown(field) && parent(field).is_none_or(shown)).cloned().collect()
}

/// The field holding `field` (`a` for `a.b` and `a[].b`); `None` at the top level.
fn parent(field: &str) -> Option<&str> {
    field.rsplit_once('.').map(|(parent, _)| parent.trim_end_matches("[]"))
}

/// The gaps of one example against a schema: unreadable text, wrong types, values outside an
/// enum, members the schema does not have. Array indices in ids are `*`, so one id covers all items.
fn example_gaps(
    spec: &SpecModel,
    subject: &str,
    example: &Example,
    schema: Option<&Value>,
    status: String,
    pointer: Option<String>,
) -> Vec<Gap> {
    let (value, placeholders) = match &example.body {
        ExampleBody::Empty => return Vec::new(),
        ExampleBody::Unreadable(reason) => {
            return vec![gap(
                format!("example-unreadable:{subject}:{}", example.name),
                format!("example `{}` cannot be read even tolerantly: {reason}", example.name),
                pointer,
            )];
        }
        ExampleBody::Json { value, placeholders } => (value, placeholders),
    };
    let Some(schema) = schema else { return Vec::new() };
    let mut gaps: Vec<Gap> = Vec::new();
    for issue in schema::check_example(&spec.document, schema, value, placeholders) {
        let at = wildcard_indices(issue.pointer());
        let (kind, message) = match &issue {
            Issue::Type { expected, found, .. } => {
                ("example-type", format!("{found} where the schema expects {expected}"))
            }
            Issue::Enum { value, .. } => ("example-enum", format!("{value} is not among the schema's enum values")),
            Issue::UnknownField { .. } => ("example-field", "a member the schema does not declare".to_string()),
        };
        let id = format!("{kind}:{subject}:{status}:{at}");
        if gaps.iter().all(|g| g.id != id) {
            let message = format!("example `{}` at {}: {message}", example.name, issue.pointer());
            gaps.push(gap(id, message, pointer.clone()));
        }
    }
    gaps
}

fn wildcard_indices(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|t| if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) { "*" } else { t })
        .collect::<Vec<_>>()
        .join("/")
}
