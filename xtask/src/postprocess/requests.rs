//! Passes over progenitor's request building that remove per-request work which changes
//! nothing on the wire (measured by `cargo xtask bench`).

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Item, parse_quote};

/// Drops `let header_map = HeaderMap::with_capacity(n);` and its `.headers(header_map)` where
/// nothing is appended to the map (once `api-version` is gone, most operations): the empty map
/// still cost an allocation and a merge on every request.
pub struct DropEmptyHeaderMaps;

impl VisitMut for DropEmptyHeaderMaps {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        if block.stmts.iter().any(declares_header_map) && !quote!(#block).to_string().contains("header_map . append") {
            block.stmts.retain(|stmt| !declares_header_map(stmt));
            RemoveHeadersCall.visit_block_mut(block);
        }
        visit_mut::visit_block_mut(self, block);
    }
}

fn declares_header_map(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(binding) if binding.ident == "header_map"))
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

/// `.query(&progenitor_client::QueryParam::new("name", &param))` for an optional `param` →
/// `.optional_query("name", &param)` (runtime's `OptionalQuery`), which skips an absent one:
/// reqwest rewrites the URL on every `query` call, even one that adds nothing.
pub fn optional_query_params(file: &mut syn::File) {
    if let Some(items) = builder_items(file) {
        let optional: BTreeMap<String, BTreeSet<String>> = items
            .iter()
            .filter_map(|item| match item {
                Item::Struct(item) => Some((item.ident.to_string(), optional_fields(item))),
                _ => None,
            })
            .collect();
        let mut rewritten = 0;
        for item in items.iter_mut() {
            if let Item::Impl(imp) = item
                && let Some(fields) = type_name(&imp.self_ty).and_then(|name| optional.get(&name))
            {
                let mut pass = OptionalQueryCalls { fields, rewritten: 0 };
                pass.visit_item_impl_mut(imp);
                rewritten += pass.rewritten;
            }
        }
        if rewritten > 0 {
            items.insert(
                0,
                parse_quote!(
                    use ::whatsapp_sdk_runtime::OptionalQuery as _;
                ),
            );
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

struct OptionalQueryCalls<'a> {
    fields: &'a BTreeSet<String>,
    rewritten: usize,
}

impl VisitMut for OptionalQueryCalls<'_> {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        visit_mut::visit_expr_method_call_mut(self, call);
        if call.method != "query" || call.args.len() != 1 {
            return;
        }
        let Some(syn::Expr::Reference(reference)) = call.args.first() else { return };
        let syn::Expr::Call(new) = &*reference.expr else { return };
        let syn::Expr::Path(function) = &*new.func else { return };
        let names: Vec<String> = function.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if names != ["progenitor_client", "QueryParam", "new"] || new.args.len() != 2 {
            return;
        }
        let (name, value) = (&new.args[0], &new.args[1]);
        let syn::Expr::Reference(value_ref) = value else { return };
        let syn::Expr::Path(param) = &*value_ref.expr else { return };
        if param.path.get_ident().is_some_and(|ident| self.fields.contains(&ident.to_string())) {
            let (name, value) = (name.clone(), value.clone());
            call.method = parse_quote!(optional_query);
            call.args = parse_quote!(#name, #value);
            self.rewritten += 1;
        }
    }
}

/// Scopes the locals of each builder's `send` so that the request's future does not keep them
/// all to the end. An `async fn` keeps a local that was ever borrowed until its scope ends, so
/// progenitor's flat body held the parameters, body, header map, request, result and response
/// (over 1 KB for some operations) in the future while the response body was read. Now:
///
/// ```text
/// let result = {
///     let (client, mut request) = { /* parameters, URL, request building */ (client, request) };
///     let info = OperationInfo { .. };
///     client.pre(&mut request, &info).await?;
///     let result = client.exec(request, &info).await;
///     client.post(&result, &info).await?;
///     result
/// };
/// let response = result?;
/// match response.status().as_u16() { .. }
/// ```
///
/// A body that does not have exactly progenitor's shape is left as it is.
pub fn scope_send_locals(file: &mut syn::File) {
    if let Some(items) = builder_items(file) {
        for item in items.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            for member in &mut imp.items {
                if let syn::ImplItem::Fn(function) = member
                    && function.sig.ident == "send"
                    && function.sig.asyncness.is_some()
                    && let Some(scoped) = scoped_send_body(&function.block.stmts)
                {
                    function.block.stmts = scoped;
                }
            }
        }
    }
}

fn scoped_send_body(stmts: &[syn::Stmt]) -> Option<Vec<syn::Stmt>> {
    let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
    let info = stmts.iter().position(|stmt| text(stmt).starts_with("let info = OperationInfo"))?;
    let response = stmts.iter().position(|stmt| text(stmt) == "let response = result ? ;")?;
    let request = info.checked_sub(1)?;
    let builds_request = matches!(&stmts[request], syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(binding) if binding.ident == "request"));
    let exchange = &stmts[info..response];
    let ends_with_post =
        exchange.last().is_some_and(|stmt| text(stmt) == "client . post (& result , & info) . await ? ;");
    if !builds_request || !ends_with_post || !text(&stmts[0]).starts_with("let Self {") {
        return None;
    }
    let (building, tail) = (&stmts[..=request], &stmts[response..]);
    let block: syn::Block = parse_quote!({
        let result = {
            let (client, mut request) = {
                #(#building)*
                (client, request)
            };
            #(#exchange)*
            result
        };
        #(#tail)*
    });
    Some(block.stmts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_optional_parameters_and_empty_header_maps_cost_nothing() {
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
                            .query(&progenitor_client::QueryParam::new("after", &after))
                            .query(&progenitor_client::QueryParam::new("first", &first))
                            .headers(header_map)
                            .build()?;
                    }
                }
                impl<'a> Send<'a> {
                    pub async fn send(self) {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append("Idempotency-Key", value);
                        let request = client.post(url).headers(header_map).build()?;
                    }
                }
            }
        };
        DropEmptyHeaderMaps.visit_file_mut(&mut file);
        optional_query_params(&mut file);
        let text = quote!(#file).to_string();
        assert!(text.contains("use :: whatsapp_sdk_runtime :: OptionalQuery as _ ;"), "{text}");
        assert!(text.contains(". optional_query (\"after\" , & after)"), "{text}");
        assert!(text.contains(". query (& progenitor_client :: QueryParam :: new (\"first\" , & first))"), "{text}");
        // The empty map and its merge are gone; the one with a header stays.
        assert_eq!(text.matches("HeaderMap :: with_capacity").count(), 1, "{text}");
        assert_eq!(text.matches(". headers (header_map)").count(), 1, "{text}");
        assert!(text.contains("client . post (url) . headers (header_map)"), "{text}");
    }

    #[test]
    fn send_locals_are_scoped_and_other_shapes_left_alone() {
        let body: syn::Block = parse_quote!({
            let Self { client, id } = self;
            let id = id.map_err(Error::InvalidRequest)?;
            let url = format!("{}/items/{}", client.baseurl, encode_path(&id.to_string()));
            #[allow(unused_mut)]
            let mut request = client.client.get(url).build()?;
            let info = OperationInfo { operation_id: "get_item" };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ::whatsapp_sdk_runtime::decode_success(response).await,
                _ => Err(::whatsapp_sdk_runtime::unexpected_response(response).await),
            }
        });
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> GetItem<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Item>, Error<types::Problem>> #body
                }
                impl<'a> Other<'a> {
                    pub async fn send(self) -> Result<(), Error<()>> { let response = result?; Ok(()) }
                }
            }
        };
        scope_send_locals(&mut file);
        let text = quote!(#file).to_string();
        let expected = quote! {
            let result = {
                let (client, mut request) = {
                    let Self { client, id } = self;
                    let id = id.map_err(Error::InvalidRequest)?;
                    let url = format!("{}/items/{}", client.baseurl, encode_path(&id.to_string()));
                    #[allow(unused_mut)]
                    let mut request = client.client.get(url).build()?;
                    (client, request)
                };
                let info = OperationInfo { operation_id: "get_item" };
                client.pre(&mut request, &info).await?;
                let result = client.exec(request, &info).await;
                client.post(&result, &info).await?;
                result
            };
            let response = result?;
        };
        assert!(text.contains(&expected.to_string()), "{text}");
        assert!(text.contains("{ let response = result ? ; Ok (()) }"), "{text}");
    }
}
