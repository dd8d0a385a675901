//! Comparing operations matched by method and path: name, parameters, bodies, responses, security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::{Document, Operation};
use super::report::{Change, ChangeKind, Severity};
use super::schema::{Flow, SchemaDiff};

/// A set of credentials that must all be present; an operation accepts any one of its sets.
pub type Alternative = BTreeSet<String>;

pub struct OperationDiff<'a> {
    pub old: &'a Document,
    pub new: &'a Document,
    pub changes: &'a mut Vec<Change>,
}

impl OperationDiff<'_> {
    pub fn compare_all(&mut self) {
        let old_operations = self.old.operations();
        let new_operations = self.new.operations();
        for (key, old_operation) in &old_operations {
            match new_operations.get(key) {
                Some(new_operation) => self.compare(old_operation, new_operation),
                None => self.operation_level(Severity::Breaking, ChangeKind::OperationRemoved, old_operation, ""),
            }
        }
        for (_, added) in new_operations.iter().filter(|(key, _)| !old_operations.contains_key(*key)) {
            self.operation_level(Severity::NonBreaking, ChangeKind::OperationAdded, added, "");
        }
    }

    fn operation_level(&mut self, severity: Severity, kind: ChangeKind, operation: &Operation, detail: &str) {
        self.changes.push(Change {
            severity,
            kind,
            target: operation.label(),
            detail: detail.to_string(),
            operations: Vec::new(),
        });
    }

    fn within(&mut self, severity: Severity, kind: ChangeKind, operation: &Operation, target: &str, detail: &str) {
        self.changes.push(Change {
            severity,
            kind,
            target: target.to_string(),
            detail: detail.to_string(),
            operations: vec![operation.label()],
        });
    }

    fn schemas(&mut self, flow: Flow, operation: &Operation) -> SchemaDiff<'_> {
        SchemaDiff { old: self.old, new: self.new, flow, operations: vec![operation.label()], changes: self.changes }
    }

    fn compare(&mut self, old: &Operation, new: &Operation) {
        if old.id != new.id {
            let detail = format!("was `{}`: the Rust method name changes", old.id.unwrap_or("none"));
            self.operation_level(Severity::Breaking, ChangeKind::OperationRenamed, new, &detail);
        }
        self.compare_parameters(old, new);
        self.compare_request_body(old, new);
        for success in [true, false] {
            self.compare_response_body(old, new, success);
        }
        self.compare_statuses(old, new);
        self.compare_security(old, new);
    }

    fn compare_parameters(&mut self, old: &Operation, new: &Operation) {
        let old_parameters = parameters(self.old, old);
        let new_parameters = parameters(self.new, new);
        for (target, old_parameter) in &old_parameters {
            let Some(new_parameter) = new_parameters.get(target) else {
                self.within(Severity::Breaking, ChangeKind::ParameterRemoved, new, target, "");
                continue;
            };
            match (is_required(old_parameter), is_required(new_parameter)) {
                (false, true) => self.within(Severity::Breaking, ChangeKind::ParameterRequired, new, target, ""),
                (true, false) => self.within(Severity::NonBreaking, ChangeKind::ParameterOptional, new, target, ""),
                _ => {}
            }
            let (old_schema, new_schema) = (schema_of(old_parameter), schema_of(new_parameter));
            self.schemas(Flow::REQUEST, new).compare(old_schema, new_schema, target);
        }
        for (target, added) in new_parameters.iter().filter(|(target, _)| !old_parameters.contains_key(*target)) {
            if is_required(added) {
                self.within(Severity::Breaking, ChangeKind::ParameterAdded, new, target, "required");
            } else {
                self.within(Severity::NonBreaking, ChangeKind::ParameterAdded, new, target, "optional");
            }
        }
    }

    fn compare_request_body(&mut self, old: &Operation, new: &Operation) {
        let body = |document: &Document, operation: &Operation| {
            operation.node.get("requestBody").and_then(|body| document.resolve(body)).cloned()
        };
        let (old_body, new_body) = match (body(self.old, old), body(self.new, new)) {
            (None, None) => return,
            (Some(_), None) => {
                return self.operation_level(Severity::Breaking, ChangeKind::RequestBodyRemoved, new, "");
            }
            (None, Some(added)) if is_required(&added) => {
                return self.operation_level(Severity::Breaking, ChangeKind::RequestBodyAdded, new, "required");
            }
            (None, Some(_)) => {
                return self.operation_level(Severity::NonBreaking, ChangeKind::RequestBodyAdded, new, "optional");
            }
            (Some(old_body), Some(new_body)) => (old_body, new_body),
        };
        match (is_required(&old_body), is_required(&new_body)) {
            (false, true) => self.operation_level(Severity::Breaking, ChangeKind::RequestBodyRequired, new, ""),
            (true, false) => self.operation_level(Severity::NonBreaking, ChangeKind::RequestBodyOptional, new, ""),
            _ => {}
        }
        self.compare_content(new, Flow::REQUEST, &old_body, &new_body, "body");
    }

    /// Compares the bodies of one media-type map; `role` (`body`, `response`, `error`) roots their field paths.
    fn compare_content(&mut self, new: &Operation, flow: Flow, old_node: &Value, new_node: &Value, role: &str) {
        let content = |node: &Value| node.get("content").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_content, new_content) = (content(old_node), content(new_node));
        let media_types = |content: &serde_json::Map<String, Value>| content.keys().cloned().collect::<Vec<_>>();
        if media_types(&old_content) != media_types(&new_content) {
            let detail =
                format!("{role}: {} → {}", media_types(&old_content).join(", "), media_types(&new_content).join(", "));
            self.operation_level(Severity::Breaking, ChangeKind::MediaTypeChanged, new, &detail);
        }
        let single = old_content.len() == 1 && new_content.len() == 1;
        for (media_type, old_media) in &old_content {
            let new_media = match new_content.get(media_type) {
                Some(new_media) => new_media,
                None if single => new_content.values().next().expect("one media type"),
                None => continue,
            };
            let root = if single { role.to_string() } else { format!("{role}[{media_type}]") };
            self.schemas(flow, new).compare(schema_of(old_media), schema_of(new_media), &root);
        }
    }

    /// The body of the first success (or first error) response: the Rust type the call returns.
    fn compare_response_body(&mut self, old: &Operation, new: &Operation, success: bool) {
        let role = if success { "response" } else { "error" };
        match (response_with_body(self.old, old, success), response_with_body(self.new, new, success)) {
            (None, None) => {}
            (Some(_), None) => self.operation_level(Severity::Breaking, ChangeKind::ResponseBodyRemoved, new, role),
            (None, Some(_)) => self.operation_level(Severity::NonBreaking, ChangeKind::ResponseBodyAdded, new, role),
            (Some(old_response), Some(new_response)) => {
                self.compare_content(new, Flow::RESPONSE, &old_response, &new_response, role)
            }
        }
    }

    /// Documented statuses: informative only, the Rust types follow the bodies compared above.
    fn compare_statuses(&mut self, old: &Operation, new: &Operation) {
        let statuses = |operation: &Operation| -> BTreeSet<String> {
            operation
                .node
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (old_statuses, new_statuses) = (statuses(old), statuses(new));
        let listed = |statuses: Vec<&String>| statuses.into_iter().cloned().collect::<Vec<_>>().join(", ");
        let removed = listed(old_statuses.difference(&new_statuses).collect());
        if !removed.is_empty() {
            self.operation_level(Severity::NonBreaking, ChangeKind::ResponseRemoved, new, &removed);
        }
        let added = listed(new_statuses.difference(&old_statuses).collect());
        if !added.is_empty() {
            self.operation_level(Severity::NonBreaking, ChangeKind::ResponseAdded, new, &added);
        }
    }

    fn compare_security(&mut self, old: &Operation, new: &Operation) {
        let (old_accepted, new_accepted) = (alternatives(self.old, old), alternatives(self.new, new));
        for removed in old_accepted.difference(&new_accepted) {
            let detail = describe_alternative(removed);
            self.operation_level(Severity::Breaking, ChangeKind::SecurityRemoved, new, &detail);
        }
        for added in new_accepted.difference(&old_accepted) {
            let detail = describe_alternative(added);
            self.operation_level(Severity::NonBreaking, ChangeKind::SecurityAdded, new, &detail);
        }
        let in_body = |node: &'_ Value| node.get("x-credential-in-body").and_then(Value::as_str).map(str::to_string);
        let (old_field, new_field) = (in_body(old.node), in_body(new.node));
        if old_field != new_field {
            let shown = |field: &Option<String>| {
                field.as_ref().map_or("not in the body".into(), |f| format!("body field `{f}`"))
            };
            let detail = format!("{} → {}", shown(&old_field), shown(&new_field));
            self.operation_level(Severity::Breaking, ChangeKind::CredentialPlacementChanged, new, &detail);
        }
    }
}

/// Parameters by `<in>.<name>` (`query.limit`): path-level ones first, then the operation's own.
fn parameters(document: &Document, operation: &Operation) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for list in [operation.item.get("parameters"), operation.node.get("parameters")].into_iter().flatten() {
        for parameter in list.as_array().into_iter().flatten().filter_map(|p| document.resolve(p)) {
            let field = |name: &str| parameter.get(name).and_then(Value::as_str).unwrap_or("?");
            found.insert(format!("{}.{}", field("in"), field("name")), parameter.clone());
        }
    }
    found
}

fn is_required(node: &Value) -> bool {
    node.get("required").and_then(Value::as_bool).unwrap_or(false)
}

fn schema_of(node: &Value) -> &Value {
    node.get("schema").unwrap_or(&Value::Null)
}

/// The first response with a body among the successes (2xx) or the errors (the rest), resolved.
fn response_with_body(document: &Document, operation: &Operation, success: bool) -> Option<Value> {
    let responses = operation.node.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2') == success)
        .filter_map(|(_, response)| document.resolve(response))
        .find(|response| response.get("content").and_then(Value::as_object).is_some_and(|content| !content.is_empty()))
        .cloned()
}

/// The credential sets an operation accepts (its own `security`, or the document's). No
/// requirement at all (`security: []`) is anonymous access: the one set that is empty.
pub fn alternatives(document: &Document, operation: &Operation) -> BTreeSet<Alternative> {
    let requirements = operation.node.get("security").or(document.default_security());
    let accepted: BTreeSet<Alternative> = requirements
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|requirement| requirement.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default())
        .collect();
    if accepted.is_empty() { BTreeSet::from([Alternative::new()]) } else { accepted }
}

fn describe_alternative(alternative: &Alternative) -> String {
    if alternative.is_empty() {
        return "anonymous access".to_string();
    }
    alternative.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" + ")
}
