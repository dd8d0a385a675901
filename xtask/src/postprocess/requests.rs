//! Passes over progenitor's request building that remove per-request work which changes
//! nothing on the wire (measured by `cargo xtask bench`).

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Item, parse_quote};

/// Drops `let header_map = HeaderMap::with_capacity(n);` and its `.headers(header_map)` where
/// nothing is appended to the map (once `api-version` is gone, most operations): the empty map
/// still cost an allocation and a merge on every request. A map that is kept starts as
/// `HeaderMap::new()`, which allocates on the first append: its headers are mostly optional.
pub struct HeaderMaps;

impl VisitMut for HeaderMaps {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        if block.stmts.iter().any(declares_header_map) {
            if quote!(#block).to_string().contains("header_map . append") {
                for stmt in block.stmts.iter_mut() {
                    if let syn::Stmt::Local(local) = stmt
                        && local_binds(local, "header_map")
                        && let Some(init) = local.init.as_mut()
                    {
                        *init.expr = parse_quote!(::reqwest::header::HeaderMap::new());
                    }
                }
            } else {
                block.stmts.retain(|stmt| !declares_header_map(stmt));
                RemoveHeadersCall.visit_block_mut(block);
            }
        }
        visit_mut::visit_block_mut(self, block);
    }
}

fn declares_header_map(stmt: &syn::Stmt) -> bool {
    binds(stmt, "header_map")
}

/// `let [mut] <name> = …;`
fn binds(stmt: &syn::Stmt, name: &str) -> bool {
    matches!(stmt, syn::Stmt::Local(local) if local_binds(local, name))
}

fn local_binds(local: &syn::Local, name: &str) -> bool {
    matches!(&local.pat, syn::Pat::Ident(binding) if binding.ident == name)
}

/// `receiver.headers(header_map)` → `receiver`.
struct RemoveHeadersCall;

impl VisitMut for RemoveHeadersCall {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && matches!(call.args.first(), Some(syn::Expr::Path(arg)) if arg.path.is_ident("header_map"))
        {
            *expr = (*call.receiver).clone();
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// Takes progenitor's `.query(&progenitor_client::QueryParam::new("name", &param))` calls out
/// of each `send`'s request-building chain and writes them into the built request's URL in one
/// pass (runtime's `QueryWriter`): every call in the chain moved the whole `RequestBuilder`,
/// and reqwest rewrote the URL even for an absent parameter. A parameter of type
/// `Option<_>` is written with `optional`, which skips it when absent. `build_request` borrows
/// its parameters (a retry builds the request again), so each is passed as it is.
///
/// A chain with a `query` call of another shape is left as it is.
pub fn query_in_url(file: &mut syn::File) {
    if let Some(items) = builder_items(file) {
        let optional: BTreeMap<String, BTreeSet<String>> = items
            .iter()
            .filter_map(|item| match item {
                Item::Struct(item) => Some((item.ident.to_string(), optional_fields(item))),
                _ => None,
            })
            .collect();
        let no_fields = BTreeSet::new();
        for item in items.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let fields = type_name(&imp.self_ty).and_then(|name| optional.get(&name)).unwrap_or(&no_fields);
            for member in &mut imp.items {
                if let syn::ImplItem::Fn(function) = member
                    && function.sig.ident == "send"
                {
                    QueryCalls { optional: fields }.visit_block_mut(&mut function.block);
                }
            }
        }
    }
}

/// The items of progenitor's `mod builder`.
fn builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(module) if module.ident == "builder" => module.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// A builder's fields of type `Result<Option<T>, String>`: its optional parameters.
fn optional_fields(item: &syn::ItemStruct) -> BTreeSet<String> {
    item.fields
        .iter()
        .filter(|field| {
            let syn::Type::Path(path) = &field.ty else { return false };
            let Some(result) = path.path.segments.last().filter(|s| s.ident == "Result") else { return false };
            let syn::PathArguments::AngleBracketed(arguments) = &result.arguments else { return false };
            matches!(arguments.args.first(), Some(syn::GenericArgument::Type(syn::Type::Path(inner)))
                if inner.path.segments.last().is_some_and(|s| s.ident == "Option"))
        })
        .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
        .collect()
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

struct QueryCalls<'a> {
    optional: &'a BTreeSet<String>,
}

impl VisitMut for QueryCalls<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        let Some(index) = block.stmts.iter().position(|stmt| binds(stmt, "request")) else { return };
        let syn::Stmt::Local(local) = &mut block.stmts[index] else { return };
        let Some(init) = local.init.as_mut() else { return };
        let syn::Expr::Try(built) = &mut *init.expr else { return };
        let syn::Expr::MethodCall(build) = &mut *built.expr else { return };
        let mut chain = (*build.receiver).clone();
        let mut params = Vec::new();
        if build.method != "build" || take_query_calls(&mut chain, &mut params).is_none() || params.is_empty() {
            return;
        }
        *build.receiver = chain;
        if let syn::Pat::Ident(binding) = &mut local.pat {
            binding.mutability = Some(Default::default());
        }
        let writes = params.iter().map(|(name, param)| {
            let write = if self.optional.contains(&param.to_string()) { quote!(optional) } else { quote!(required) };
            quote!(query.#write(#name, #param);)
        });
        let written: syn::Stmt = parse_quote!({
            let mut query = ::whatsapp_sdk_runtime::QueryWriter::new(request.url_mut());
            #(#writes)*
            query.finish().map_err(Error::InvalidRequest)?;
        });
        block.stmts.insert(index + 1, written);
    }
}

/// Removes the `query` calls from a method-call chain, collecting `(name, param)` in chain
/// order; `None` when one of them is not `.query(&progenitor_client::QueryParam::new(name, &param))`.
fn take_query_calls(expr: &mut syn::Expr, params: &mut Vec<(syn::Expr, syn::Ident)>) -> Option<()> {
    let syn::Expr::MethodCall(call) = expr else { return Some(()) };
    take_query_calls(&mut call.receiver, params)?;
    if call.method != "query" {
        return Some(());
    }
    params.push(query_param(call)?);
    *expr = std::mem::replace(&mut *call.receiver, syn::Expr::Verbatim(Default::default()));
    Some(())
}

fn query_param(call: &syn::ExprMethodCall) -> Option<(syn::Expr, syn::Ident)> {
    let [syn::Expr::Reference(reference)] = call.args.iter().collect::<Vec<_>>()[..] else { return None };
    let syn::Expr::Call(new) = &*reference.expr else { return None };
    let syn::Expr::Path(function) = &*new.func else { return None };
    let names: Vec<String> = function.path.segments.iter().map(|s| s.ident.to_string()).collect();
    if names != ["progenitor_client", "QueryParam", "new"] || new.args.len() != 2 {
        return None;
    }
    let syn::Expr::Reference(value) = &new.args[1] else { return None };
    let syn::Expr::Path(param) = &*value.expr else { return None };
    Some((new.args[0].clone(), param.path.get_ident()?.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_written_into_the_url_and_empty_header_maps_dropped() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct List<'a> {
                    client: &'a super::Client,
                    after: Result<Option<::std::string::String>, String>,
                    first: Result<i64, String>,
                }
                impl<'a> List<'a> {
                    pub async fn send(self) {
                        let header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        let request = client
                            .get(url)
                            .header(ACCEPT, json)
                            .query(&progenitor_client::QueryParam::new("after", &after))
                            .query(&progenitor_client::QueryParam::new("first", &first))
                            .headers(header_map)
                            .build()?;
                        let info = OperationInfo { operation_id: "list" };
                    }
                }
                impl<'a> Send<'a> {
                    pub async fn send(self) {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append("Idempotency-Key", value);
                        let request = client.post(url).query(&odd_shape).headers(header_map).build()?;
                    }
                }
            }
        };
        HeaderMaps.visit_file_mut(&mut file);
        query_in_url(&mut file);
        let text = quote!(#file).to_string();
        let expected = quote! {
            let mut request = client.get(url).header(ACCEPT, json).build()?;
            {
                let mut query = ::whatsapp_sdk_runtime::QueryWriter::new(request.url_mut());
                query.optional("after", after);
                query.required("first", first);
                query.finish().map_err(Error::InvalidRequest)?;
            }
            let info = OperationInfo { operation_id: "list" };
        };
        assert!(text.contains(&expected.to_string()), "{text}");
        // A `query` call of another shape leaves its chain alone.
        assert!(
            text.contains("client . post (url) . query (& odd_shape) . headers (header_map) . build () ?"),
            "{text}"
        );
        // The empty map and its merge are gone; the one with a header stays, unallocated.
        assert_eq!(text.matches("HeaderMap :: with_capacity").count(), 0, "{text}");
        assert!(text.contains("let mut header_map = :: reqwest :: header :: HeaderMap :: new () ;"), "{text}");
        assert_eq!(text.matches(". headers (header_map)").count(), 1, "{text}");
    }
}
