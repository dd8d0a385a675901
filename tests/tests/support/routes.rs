//! A matcher that maps a concrete request (method + path) to the `operationId` of an OpenAPI
//! document: the contract tests' way from an upstream request to the spec's operation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// The operations of an OpenAPI document, by method and path template.
#[derive(Debug, Clone)]
pub struct SpecRoutes {
    routes: Vec<Route>,
}

#[derive(Debug, Clone)]
struct Route {
    method: String,
    template: String,
    segments: Vec<Segment>,
    operation_id: String,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// The operation a concrete request reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// The path template (`/v1/things/{thingId}`).
    pub template: String,
    /// The template's parameters with their values from the concrete path.
    pub params: BTreeMap<String, String>,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl SpecRoutes {
    /// Reads an OpenAPI document (YAML or JSON).
    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let document: Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        Self::from_document(&document)
    }

    /// The operations of a parsed OpenAPI document. An operation without `operationId` panics.
    pub fn from_document(document: &Value) -> Self {
        let mut routes = Vec::new();
        let paths = document.get("paths").and_then(Value::as_object).expect("the document has `paths`");
        for (template, item) in paths {
            for method in METHODS {
                let Some(operation) = item.get(method) else { continue };
                let operation_id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{} {template} has no operationId", method.to_uppercase()));
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    })
                    .collect();
                routes.push(Route {
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments,
                    operation_id: operation_id.to_string(),
                });
            }
        }
        Self { routes }
    }

    /// Every `operationId` of the document.
    pub fn operation_ids(&self) -> BTreeSet<String> {
        self.routes.iter().map(|r| r.operation_id.clone()).collect()
    }

    /// The method and path template of an operation.
    pub fn route_of(&self, operation_id: &str) -> Option<(&str, &str)> {
        self.routes.iter().find(|r| r.operation_id == operation_id).map(|r| (r.method.as_str(), r.template.as_str()))
    }

    /// The operation `method` + `path` (unencoded, `/a/b`) reaches. Among several matching
    /// templates the one with the most literal segments wins (`/groups/invite/accept` over
    /// `/groups/{id}/accept`); a tie, or no match, is an error naming the candidates.
    pub fn match_request(&self, method: &str, path: &str) -> Result<RouteMatch, String> {
        let method = method.to_ascii_uppercase();
        let concrete: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut candidates: Vec<(usize, RouteMatch)> = self
            .routes
            .iter()
            .filter(|r| r.method == method)
            .filter_map(|r| Some((literal_count(r), RouteMatch::new(r, &concrete)?)))
            .collect();
        candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
        match candidates.as_slice() {
            [] => Err(format!("no operation in the spec matches {method} {path}")),
            [(best, _), (next, _), ..] if best == next => Err(format!(
                "{method} {path} matches several operations equally: {}",
                candidates
                    .iter()
                    .filter(|c| c.0 == *best)
                    .map(|c| c.1.operation_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            [(_, found), ..] => Ok(found.clone()),
        }
    }

    /// The path parameters of `path` read through `operation_id`'s template, or `None` when the
    /// path does not fit the template (or the operation is unknown).
    pub fn path_params(&self, operation_id: &str, path: &str) -> Option<BTreeMap<String, String>> {
        let route = self.routes.iter().find(|r| r.operation_id == operation_id)?;
        let concrete: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        RouteMatch::new(route, &concrete).map(|m| m.params)
    }
}

fn literal_count(route: &Route) -> usize {
    route.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()
}

impl RouteMatch {
    fn new(route: &Route, concrete: &[&str]) -> Option<Self> {
        if route.segments.len() != concrete.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (segment, value) in route.segments.iter().zip(concrete) {
            match segment {
                Segment::Literal(literal) if literal == value => {}
                Segment::Param(name) if !value.is_empty() => {
                    params.insert(name.clone(), (*value).to_string());
                }
                _ => return None,
            }
        }
        Some(Self { operation_id: route.operation_id.clone(), template: route.template.clone(), params })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prefers_literal_segments_and_reports_ties() {
        let spec = json!({"paths": {
            "/g/{id}/accept": {"post": {"operationId": "by_id"}},
            "/g/invite/accept": {"post": {"operationId": "accept"}},
            "/h/{a}": {"get": {"operationId": "one"}},
            "/t/{a}/x": {"get": {"operationId": "left"}},
            "/t/y/{b}": {"get": {"operationId": "right"}}
        }});
        let routes = SpecRoutes::from_document(&spec);
        assert_eq!(routes.match_request("POST", "/g/invite/accept").unwrap().operation_id, "accept");
        let by_id = routes.match_request("post", "/g/7/accept").unwrap();
        assert_eq!((by_id.operation_id.as_str(), by_id.params["id"].as_str()), ("by_id", "7"));
        assert!(routes.match_request("GET", "/g/7/accept").is_err());
        assert_eq!(routes.path_params("one", "/h/x").unwrap()["a"], "x");
        assert!(routes.path_params("one", "/h/x/y").is_none());
        let tie = routes.match_request("GET", "/t/y/x").unwrap_err();
        assert!(tie.contains("left") && tie.contains("right"), "{tie}");
    }
}
