//! syn passes over progenitor's output, and the items the xtask adds to every generated crate.
//!
//! Each pass answers one progenitor limit (see `shared/notes/progenitor-0.15.md`):
//! - `api-version` header: progenitor sends it on every request; no provider defines it.
//! - closed enums: every unit-only string enum gets an `Unknown(String)` variant.
//! - required values checked at run time: `builders` makes operation builders typestate
//!   builders (path parameters and body as arguments), and typify's runtime-checked type
//!   builders are removed.
//! - progenitor's `Error<E>`: every operation returns the runtime's `Error<E>`, through the
//!   runtime's `respond` (empty success bodies read as `null`, non-JSON error bodies keep
//!   their status, errors name the operation).
//! - security schemes: turned into one trait per accepted credential combination.
//! - struct literals: `construction` gives every type a builder or constructor and marks it
//!   `#[non_exhaustive]`, so that an added optional field or enum value breaks no caller.
//!
//! `requests` removes per-request work from progenitor's request building.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::visit_mut::{self, VisitMut};
use syn::{Item, parse_quote};

use crate::spec::{Operation, Spec};

mod builders;
mod construction;
mod error_bodies;
mod requests;

use builders::BuilderShape;

pub fn apply(mut file: syn::File, spec: &Spec) -> Result<syn::File, String> {
    RemoveApiVersionHeader.visit_file_mut(&mut file);
    requests::HeaderMaps.visit_file_mut(&mut file);
    requests::query_in_url(&mut file);
    let mut error_bodies = Vec::new();
    for item in &mut file.items {
        if let Item::Mod(module) = item
            && module.ident == "types"
            && let Some((_, items)) = &mut module.content
        {
            remove_type_builders(items);
            let single_values = single_value_enums(items);
            tolerant_enums(items);
            construction::apply(items, &single_values);
            error_bodies = error_bodies::impls(spec, items)?;
        }
    }
    let methods = client_methods(&file);
    let index = operation_index(spec);
    let docs = argument_docs(&methods);
    // Before the builders: their docs move into bon's attribute, where no visitor sees them.
    RelinkOperationDocs::new(spec).visit_file_mut(&mut file);
    let shapes = builders::typestate_builders(&mut file, &index, &docs)?;
    remove_hooks_assertion(&mut file);
    // After the builders, which read progenitor's response handling as it was.
    runtime_types(&mut file);
    remove_inherent_operations(&mut file, &methods);
    file.items.extend(runtime_items(spec));
    file.items.extend(error_bodies);
    file.items.extend(operation_traits(spec, &methods, &shapes)?);
    export_traits_in_prelude(&mut file);
    Ok(file)
}

/// progenitor asserts that `Client` implements its `ClientHooks` (whose methods return
/// progenitor's `Error`); no operation calls the hooks once `builders` has run.
fn remove_hooks_assertion(file: &mut syn::File) {
    file.items.retain(|item| !matches!(item, Item::Const(_)) || !quote!(#item).to_string().contains("ClientHooks"));
}

/// The provider's name: the spec's file stem, as in `xtask/providers.toml` and the client
/// crate's name (`verloop-partner`). Errors, drift events and tracing all show it.
fn provider_name(spec: &Spec) -> String {
    spec.file.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default().to_string()
}

/// Each operation's position in `OPERATIONS` (sorted by id).
fn operation_index(spec: &Spec) -> BTreeMap<String, usize> {
    let mut ids: Vec<&str> = spec.operations.iter().map(|op| op.operation_id.as_str()).collect();
    ids.sort_unstable();
    ids.into_iter().enumerate().map(|(index, id)| (id.to_string(), index)).collect()
}

/// progenitor's `Error<E>` and `ResponseValue<T>` → the runtime's `Error` and `Response`, so
/// that every operation's result (and the crate's public API) is the runtime's: one error type
/// that names the operation, and a response that carries drift findings.
fn runtime_types(file: &mut syn::File) {
    struct WithoutReplaced;
    impl VisitMut for WithoutReplaced {
        fn visit_use_group_mut(&mut self, group: &mut syn::UseGroup) {
            group.items = std::mem::take(&mut group.items)
                .into_iter()
                .filter(|tree| !matches!(tree, syn::UseTree::Name(name) if name.ident == "Error" || name.ident == "ResponseValue"))
                .collect();
        }
    }
    struct Renamed;
    impl VisitMut for Renamed {
        fn visit_ident_mut(&mut self, ident: &mut syn::Ident) {
            if ident == "ResponseValue" {
                *ident = syn::Ident::new("Response", ident.span());
            }
        }
    }
    for item in &mut file.items {
        if let Item::Use(import) = item
            && quote!(#import).to_string().contains("progenitor_client")
        {
            WithoutReplaced.visit_item_use_mut(import);
        }
    }
    Renamed.visit_file_mut(file);
    file.items.insert(
        0,
        parse_quote!(
            pub use ::whatsapp_sdk_runtime::{Error, Response};
        ),
    );
}

/// typify's `types::builder` module holds a builder per struct that checks required fields when
/// it is converted, at run time; the structs themselves are what operations take.
fn remove_type_builders(items: &mut Vec<Item>) {
    let mentions_builder = |tokens: TokenStream| tokens.to_string().contains("builder ::");
    items.retain_mut(|item| match item {
        Item::Mod(module) => module.ident != "builder",
        Item::Impl(imp) if imp.trait_.is_some() => !mentions_builder(quote!(#imp)),
        Item::Impl(imp) => {
            imp.items.retain(|member| !matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
            !imp.items.is_empty()
        }
        _ => true,
    });
}

/// Each builder's parameter descriptions, from the `- `name`: description` list progenitor
/// writes into its operation's docs.
fn argument_docs(methods: &BTreeMap<String, syn::ImplItemFn>) -> BTreeMap<String, BTreeMap<String, String>> {
    methods
        .values()
        .filter_map(|method| {
            let syn::ReturnType::Type(_, ty) = &method.sig.output else { return None };
            let builder = strip_lifetime(ty).segments.last()?.ident.to_string();
            let mut arguments = BTreeMap::new();
            let mut current: Option<(String, String)> = None;
            for line in doc_text(&method.attrs).lines() {
                if line.starts_with("```") {
                    break;
                }
                if let Some(rest) = line.strip_prefix("- `")
                    && let Some((name, description)) = rest.split_once("`: ")
                {
                    arguments.extend(current.take());
                    current = Some((name.to_string(), description.trim().to_string()));
                } else if let Some((_, description)) = &mut current
                    && !line.trim().is_empty()
                {
                    description.push('\n');
                    description.push_str(line.trim());
                }
            }
            arguments.extend(current);
            Some((builder, arguments))
        })
        .collect()
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(meta) if meta.path.is_ident("doc") => match &meta.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Drops `header_map.append(HeaderName::from_static("api-version"), …)`.
struct RemoveApiVersionHeader;

impl VisitMut for RemoveApiVersionHeader {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        // A map left empty is dropped next (`requests::HeaderMaps`).
        block.stmts.retain(|stmt| {
            let text = quote!(#stmt).to_string();
            !(text.starts_with("header_map . append") && text.contains("\"api-version\""))
        });
        visit_mut::visit_block_mut(self, block);
    }
}

/// Rewrites every unit-only string enum so that values the spec does not list deserialize
/// into `Unknown(String)` and serialize back unchanged.
fn tolerant_enums(items: &mut Vec<Item>) {
    let mut tolerant = BTreeMap::new();
    for item in items.iter_mut() {
        if let Item::Enum(item_enum) = item
            && let Some(values) = string_enum_values(item_enum)
        {
            let unknown = unknown_variant_name(item_enum);
            rewrite_enum(item_enum, &unknown);
            tolerant.insert(item_enum.ident.clone(), (values, unknown));
        }
    }
    // typify's conversions assume a closed set; the ones added below replace them.
    items.retain(|item| match item {
        Item::Impl(imp) => {
            !(imp.trait_.as_ref().is_some_and(|(path, _)| {
                let name = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                ["Display", "FromStr", "TryFrom"].contains(&name.as_str())
            }) && self_ident(imp).is_some_and(|ident| tolerant.contains_key(ident)))
        }
        _ => true,
    });
    for (ident, (values, unknown)) in &tolerant {
        items.extend(tolerant_impls(ident, values, unknown));
    }
    drop_copy_from_containers(items, tolerant.keys().cloned().collect());
}

/// String enums that allow exactly one value (Verloop's `MessagingProduct`: `whatsapp`), with
/// that value's variant: a field of such a type is filled in, not asked of the caller.
fn single_value_enums(items: &[Item]) -> BTreeMap<syn::Ident, syn::Ident> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Enum(item) => match string_enum_values(item)?.as_slice() {
                [(variant, _)] => Some((item.ident.clone(), variant.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn self_ident(imp: &syn::ItemImpl) -> Option<&syn::Ident> {
    match &*imp.self_ty {
        syn::Type::Path(path) => path.path.get_ident(),
        _ => None,
    }
}

/// `(variant, wire value)` pairs when every variant is a unit variant of a serde enum.
fn string_enum_values(item: &syn::ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    let derives = derives(&item.attrs);
    if !derives.iter().any(|d| d == "Deserialize") || item.variants.is_empty() {
        return None;
    }
    if item.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    item.variants
        .iter()
        .map(|variant| {
            if !matches!(variant.fields, syn::Fields::Unit) {
                return None;
            }
            let wire = serde_rename(&variant.attrs).unwrap_or_else(|| variant.ident.to_string());
            Some((variant.ident.clone(), wire))
        })
        .collect()
}

fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).ok()
        })
        .flatten()
        .filter_map(|p| p.segments.last().map(|s| s.ident.to_string()))
        .collect()
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            }
            Ok(())
        });
    }
    rename
}

fn unknown_variant_name(item: &syn::ItemEnum) -> syn::Ident {
    let taken: BTreeSet<String> = item.variants.iter().map(|v| v.ident.to_string()).collect();
    ["Unknown", "UnknownValue", "Unlisted"]
        .into_iter()
        .find(|name| !taken.contains(*name))
        .map(|name| syn::Ident::new(name, Span::call_site()))
        .expect("an enum does not list all three fallback names")
}

fn rewrite_enum(item: &mut syn::ItemEnum, unknown: &syn::Ident) {
    remove_derives(&mut item.attrs, &["Copy", "Deserialize", "Serialize"]);
    for variant in &mut item.variants {
        variant.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    item.variants.push(parse_quote! {
        /// A value this version of the spec does not list, kept as received.
        #unknown(::std::string::String)
    });
}

fn remove_derives(attrs: &mut [syn::Attribute], names: &[&str]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept = paths.into_iter().filter(|p| {
            let name = p.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            !names.contains(&name.as_str())
        });
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn tolerant_impls(ident: &syn::Ident, values: &[(syn::Ident, String)], unknown: &syn::Ident) -> Vec<Item> {
    let name = ident.to_string();
    let variants: Vec<_> = values.iter().map(|(v, _)| v).collect();
    let wires: Vec<_> = values.iter().map(|(_, w)| w).collect();
    let file: syn::File = parse_quote! {
        impl #ident {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
            /// Whether the value is one the spec does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(_))
            }
        }
        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#wires => Self::#variants,)*
                    _ => Self::#unknown(value),
                }
            }
        }
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = ::std::string::String::deserialize(deserializer)?;
                match value.as_str() {
                    #(#wires => Ok(Self::#variants),)*
                    _ => {
                        // Spec drift: reported while a response is decoded.
                        ::whatsapp_sdk_runtime::drift::unknown_enum_value::<D::Error>(#name, &value)?;
                        Ok(Self::#unknown(value))
                    }
                }
            }
        }
    };
    file.items
}

/// A type that holds a (no longer `Copy`) tolerant enum cannot derive `Copy` either.
fn drop_copy_from_containers(items: &mut [Item], mut not_copy: BTreeSet<syn::Ident>) {
    loop {
        let mut changed = false;
        for item in items.iter_mut() {
            let body = match item {
                Item::Struct(_) | Item::Enum(_) => quote!(#item),
                _ => continue,
            };
            let (ident, attrs) = match item {
                Item::Struct(s) => (s.ident.clone(), &mut s.attrs),
                Item::Enum(e) => (e.ident.clone(), &mut e.attrs),
                _ => continue,
            };
            if not_copy.contains(&ident) || !derives(attrs).iter().any(|d| d == "Copy") {
                continue;
            }
            if mentions_any(body, &not_copy) {
                remove_derives(attrs, &["Copy"]);
                not_copy.insert(ident);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

fn mentions_any(tokens: TokenStream, idents: &BTreeSet<syn::Ident>) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => idents.contains(&ident),
        proc_macro2::TokenTree::Group(group) => mentions_any(group.stream(), idents),
        _ => false,
    })
}

/// The builder methods progenitor put on `Client`, by name.
fn client_methods(file: &syn::File) -> BTreeMap<String, syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(imp) if imp.trait_.is_none() && self_ident(imp).is_some_and(|i| i == "Client") => Some(imp),
            _ => None,
        })
        .flat_map(|imp| &imp.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) if matches!(f.sig.output, syn::ReturnType::Type(..)) && f.sig.inputs.len() == 1 => {
                Some((f.sig.ident.to_string(), f.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Operations are reachable only through the trait of a credential that the spec says the
/// operation accepts, so the generated `Client` keeps no inherent operation methods.
fn remove_inherent_operations(file: &mut syn::File, methods: &BTreeMap<String, syn::ImplItemFn>) {
    file.items.retain_mut(|item| {
        let Item::Impl(imp) = item else { return true };
        if imp.trait_.is_some() || self_ident(imp).is_none_or(|i| i != "Client") {
            return true;
        }
        imp.items.retain(|member| match member {
            syn::ImplItem::Fn(f) => !methods.contains_key(&f.sig.ident.to_string()),
            _ => true,
        });
        !imp.items.is_empty()
    });
}

/// Builder docs link to `super::Client::<operation>`, which no longer exists: point them at
/// the operation's method on the trait of its first accepted credential.
struct RelinkOperationDocs {
    targets: BTreeMap<String, String>,
}

impl RelinkOperationDocs {
    fn new(spec: &Spec) -> Self {
        let targets = spec
            .operations
            .iter()
            .map(|op| {
                let first = op.security.first().map(Vec::as_slice).unwrap_or_default();
                (op.operation_id.clone(), format!("super::operations::{}::{}", trait_name(first), op.operation_id))
            })
            .collect();
        Self { targets }
    }

    fn relink(&self, doc: &str) -> String {
        const STALE: &str = "super::Client::";
        let mut out = String::with_capacity(doc.len());
        let mut rest = doc;
        while let Some(at) = rest.find(STALE) {
            out.push_str(&rest[..at]);
            let after = &rest[at + STALE.len()..];
            let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
            match self.targets.get(&after[..end]) {
                Some(target) => out.push_str(target),
                None => out.push_str(&rest[at..at + STALE.len() + end]),
            }
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    }
}

impl VisitMut for RelinkOperationDocs {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let syn::Meta::NameValue(meta) = &mut attr.meta
            && meta.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &mut meta.value
            && text.value().contains("super::Client::")
        {
            *text = syn::LitStr::new(&self.relink(&text.value()), text.span());
        }
    }
}

fn export_traits_in_prelude(file: &mut syn::File) {
    for item in &mut file.items {
        if let Item::Mod(module) = item
            && module.ident == "prelude"
            && let Some((_, items)) = &mut module.content
        {
            items.push(parse_quote!(
                pub use super::operations::*;
            ));
        }
    }
}

/// The operation table the runtime reads (credentials, idempotency key, retries, error
/// messages) and a lookup by id.
fn runtime_items(spec: &Spec) -> Vec<Item> {
    let provider = provider_name(spec);
    let mut operations: Vec<&Operation> = spec.operations.iter().collect();
    operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    let count = operations.len();
    let mut by_length: BTreeMap<usize, Vec<(&str, usize)>> = BTreeMap::new();
    for (index, op) in operations.iter().enumerate() {
        by_length.entry(op.operation_id.len()).or_default().push((&op.operation_id, index));
    }
    let lookup_arms = by_length.iter().map(|(length, ids)| {
        let (ids, indexes): (Vec<&str>, Vec<usize>) = ids.iter().copied().unzip();
        quote!(#length => match id { #(#ids => #indexes,)* _ => return None, })
    });
    let entries = operations.iter().map(|op| {
        let id = &op.operation_id;
        let method = op.method.to_uppercase();
        let path = &op.path;
        let security = op.security.iter().map(|alternative| quote!(&[#(#alternative),*]));
        // Lower case: `HeaderName::from_static` accepts nothing else, and builds the name at
        // compile time.
        let idempotency = match idempotency_header(spec, op) {
            Some(name) => {
                let name = name.to_ascii_lowercase();
                quote!(Some(::reqwest::header::HeaderName::from_static(#name)))
            }
            None => quote!(None),
        };
        let credential_body_field = option_tokens(
            spec.document["paths"][&op.path][&op.method]
                .get("x-credential-in-body")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
        );
        let (success_type, error_type) = response_content_types(spec, op);
        let (success_type, error_type) = (option_tokens(success_type), option_tokens(error_type));
        quote! {
            ::whatsapp_sdk_runtime::OperationSpec {
                provider: #provider,
                id: #id,
                method: #method,
                path: #path,
                security: &[#(#security),*],
                idempotency_header: #idempotency,
                credential_body_field: #credential_body_field,
                success_content_type: #success_type,
                error_content_type: #error_type,
            }
        }
    });
    let file: syn::File = parse_quote! {
        /// Every operation in the spec (sorted by id), as the runtime needs to see it. Each
        /// builder's `send` hands the runtime its entry.
        pub static OPERATIONS: [::whatsapp_sdk_runtime::OperationSpec; #count] = [#(#entries),*];

        /// The operation `id` names: a jump on the id's length, then a comparison or two.
        pub fn operation(id: &str) -> Option<&'static ::whatsapp_sdk_runtime::OperationSpec> {
            let index = match id.len() {
                #(#lookup_arms)*
                _ => return None,
            };
            OPERATIONS.get(index)
        }

        impl Client {
            /// The runtime every operation runs through (credential, retries, decoding).
            pub fn runtime(&self) -> &::whatsapp_sdk_runtime::Runtime {
                &self.inner
            }
        }
    };
    file.items
}

/// The media types of an operation's documented success and error bodies (the first of each
/// kind of status that has a body).
fn response_content_types(spec: &Spec, op: &Operation) -> (Option<String>, Option<String>) {
    let responses = spec.document["paths"][&op.path][&op.method]["responses"].as_object().cloned().unwrap_or_default();
    let media_type = |success: bool| {
        responses
            .iter()
            .filter(|(status, _)| {
                let is_success = status.starts_with('2');
                if success { is_success } else { !is_success }
            })
            .filter_map(|(_, response)| {
                let response = match response.get("$ref").and_then(serde_json::Value::as_str) {
                    Some(reference) => spec.document.pointer(reference.strip_prefix('#')?)?,
                    None => response,
                };
                response.get("content")?.as_object()?.keys().next().cloned()
            })
            .next()
    };
    (media_type(true), media_type(false))
}

fn option_tokens(value: Option<String>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn idempotency_header(spec: &Spec, op: &Operation) -> Option<String> {
    let item = &spec.document["paths"][&op.path];
    [item.get("parameters"), item[&op.method].get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_array)
        .flatten()
        .filter_map(|p| match p.get("$ref").and_then(serde_json::Value::as_str) {
            Some(r) => spec.document.pointer(r.strip_prefix('#')?),
            None => Some(p),
        })
        .filter(|p| p["in"] == "header")
        .filter_map(|p| p["name"].as_str())
        .find(|name| name.eq_ignore_ascii_case("idempotency-key"))
        .map(str::to_string)
}

/// One trait per accepted credential combination, holding exactly the operations that
/// accept it: a client that holds only that credential implements only that trait. An
/// operation's path parameters and body are its arguments; its docs show the new call.
fn operation_traits(
    spec: &Spec,
    methods: &BTreeMap<String, syn::ImplItemFn>,
    shapes: &BTreeMap<String, BuilderShape>,
) -> Result<Vec<Item>, String> {
    let mut traits: BTreeMap<String, (Vec<String>, Vec<syn::TraitItemFn>)> = BTreeMap::new();
    for op in spec.operations.iter().filter(|op| !op.multipart) {
        let Some(method) = methods.get(&op.operation_id) else { continue };
        let syn::ReturnType::Type(_, builder) = &method.sig.output else { continue };
        let builder_path = strip_lifetime(builder);
        let builder_name = builder_path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let shape = shapes.get(&builder_name).ok_or_else(|| format!("no builder for `{}`", op.operation_id))?;
        let mut module = builder_path.clone();
        module.segments.pop();
        let params = &shape.params;
        let (names, types): (Vec<_>, Vec<_>) = shape.positional.iter().cloned().unzip();
        let ident = &method.sig.ident;
        let docs = operation_docs(&method.attrs, &builder_name, &op.operation_id, shape);
        let function: syn::TraitItemFn = parse_quote! {
            #(#docs)*
            fn #ident(&self, #(#names: impl ::std::convert::Into<#types>),*) -> #builder {
                #module #params::new(self.raw_client(), #(#names),*)
            }
        };
        // `security: []` is one alternative that needs no credential.
        let alternatives = if op.security.is_empty() { vec![Vec::new()] } else { op.security.clone() };
        for alternative in &alternatives {
            let name = trait_name(alternative);
            let entry = traits.entry(name).or_insert_with(|| (alternative.clone(), Vec::new()));
            entry.1.push(function.clone());
        }
    }
    let traits = traits.into_iter().map(|(name, (schemes, functions))| {
        let ident = format_ident!("{}", name);
        let doc = if schemes.is_empty() {
            " Operations that take no credential.".to_string()
        } else {
            format!(" Operations that accept the `{}` credentials.", schemes.join("` + `"))
        };
        quote! {
            #[doc = #doc]
            pub trait #ident {
                /// The generated client the operations run on. The client crate implements
                /// it; a caller has no use for it (hidden from docs and completion).
                #[doc(hidden)]
                fn raw_client(&self) -> &super::Client;
                #(#functions)*
            }
        }
    });
    let module: syn::ItemMod = parse_quote! {
        /// Operations grouped by the credentials the spec says they accept.
        pub mod operations {
            #[allow(unused_imports)]
            use super::builder;
            #[allow(unused_imports)]
            use super::types;
            #(#traits)*
        }
    };
    Ok(vec![Item::Mod(module)])
}

/// progenitor's docs of an operation with its example call in the new shape, and a line on
/// what `send` needs.
fn operation_docs(
    attrs: &[syn::Attribute],
    builder: &str,
    operation: &str,
    shape: &BuilderShape,
) -> Vec<syn::Attribute> {
    let text = doc_text(attrs);
    let prose = text.split("```").next().unwrap_or_default().trim_end();
    let mut doc = format!("{prose}\n\n");
    if !shape.required.is_empty() {
        let required: Vec<String> = shape.required.iter().map(|name| format!("`{name}`")).collect();
        doc.push_str(&format!(
            "[`send`](builder::{builder}::send) needs {} set: without {}, it does not compile.\n\n",
            required.join(", "),
            if required.len() == 1 { "it" } else { "any of them" },
        ));
    }
    doc.push_str(&format!("```ignore\n{}\n```", builders::example_call(operation, shape)));
    doc.lines().map(|line| parse_quote!(#[doc = #line])).collect()
}

fn trait_name(schemes: &[String]) -> String {
    let mut name: String = schemes.iter().map(|s| upper_camel(s)).collect();
    if name.is_empty() {
        name.push_str("Public");
    }
    name + "Operations"
}

fn upper_camel(name: &str) -> String {
    name.split(['_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// `builder::ListSessions<'_>` → `builder::ListSessions`.
fn strip_lifetime(ty: &syn::Type) -> syn::Path {
    let syn::Type::Path(path) = ty else { unreachable!("builder methods return a path type") };
    let mut path = path.path.clone();
    if let Some(last) = path.segments.last_mut() {
        last.arguments = syn::PathArguments::None;
    }
    path
}
