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
/// `Option<_>` is written with `optional`, which skips it when absent.
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

/// progenitor's builders hold each parameter as `Result<T, String>`, and start a required one
/// at `Err("x was not initialized".to_string())`: an allocation and a free per required
/// parameter on every request, for a message read only when the caller forgot the parameter.
/// The error becomes a `Cow<'static, str>`: placeholders are borrowed, conversion failures
/// stay owned, and `send` hands `Error::InvalidRequest` the same `String` as before.
pub fn borrowed_builder_errors(file: &mut syn::File) {
    if let Some(items) = builder_items(file) {
        for item in items.iter_mut() {
            match item {
                Item::Struct(item) => {
                    for field in item.fields.iter_mut() {
                        if let Some(error) = string_error(&mut field.ty) {
                            *error = parse_quote!(::std::borrow::Cow<'static, str>);
                        }
                    }
                }
                Item::Impl(imp) => BorrowedErrors.visit_item_impl_mut(imp),
                _ => {}
            }
        }
    }
}

/// The `String` of a `Result<T, String>`.
fn string_error(ty: &mut syn::Type) -> Option<&mut syn::Type> {
    result_error(ty).filter(|error| quote!(#error).to_string() == "String")
}

/// The `E` of `Result<T, E>`.
fn result_error(ty: &mut syn::Type) -> Option<&mut syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let result = path.path.segments.last_mut().filter(|s| s.ident == "Result")?;
    let syn::PathArguments::AngleBracketed(arguments) = &mut result.arguments else { return None };
    match arguments.args.iter_mut().nth(1) {
        Some(syn::GenericArgument::Type(error)) => Some(error),
        _ => None,
    }
}

struct BorrowedErrors;

impl VisitMut for BorrowedErrors {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        match expr {
            // `Err("…".to_string())` → `Err(Cow::Borrowed("…"))`
            syn::Expr::Call(call) if matches!(&*call.func, syn::Expr::Path(f) if f.path.is_ident("Err")) => {
                if let Some(syn::Expr::MethodCall(to_string)) = call.args.first()
                    && to_string.method == "to_string"
                    && let syn::Expr::Lit(literal) = &*to_string.receiver
                    && matches!(literal.lit, syn::Lit::Str(_))
                {
                    let literal = literal.clone();
                    *expr = parse_quote!(Err(::std::borrow::Cow::Borrowed(#literal)));
                }
            }
            syn::Expr::MethodCall(call) if call.method == "map_err" && call.args.len() == 1 => {
                match &mut call.args[0] {
                    syn::Expr::Path(path) if quote!(#path).to_string() == "Error :: InvalidRequest" => {
                        call.args[0] = parse_quote!(|e| Error::InvalidRequest(e.into()));
                    }
                    // A conversion failure's message, formatted when it happens.
                    syn::Expr::Closure(closure) => {
                        let body = &closure.body;
                        *closure.body = parse_quote!(::std::borrow::Cow::Owned(#body));
                    }
                    _ => {}
                }
            }
            _ => {}
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
            quote!(query.#write(#name, &#param);)
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

/// Splits each builder's `async fn send` into a `build_request` that checks the parameters and
/// builds the request, and a plain `send` that returns the runtime's `respond` future:
///
/// ```text
/// pub fn send(self) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a {
///     ::whatsapp_sdk_runtime::respond(
///         move || self.build_request().and_then(|(client, request)| client.exchange(request, "op_id")),
///         |status| match status {
///             200u16 => ::whatsapp_sdk_runtime::Reply::Success,
///             400u16..=499u16 => ::whatsapp_sdk_runtime::Reply::Error,
///             _ => ::whatsapp_sdk_runtime::Reply::Unexpected,
///         },
///     )
/// }
/// ```
///
/// progenitor's `async fn` kept the builder (its argument) in its future to the end, beside the
/// request, the response and the body being read: 1.6 KB for WOZTELL's `list_templates`, copied
/// at every move. Only a `send` whose responses are all JSON success, empty success, JSON error
/// or unexpected is split; others (a byte stream) keep their shape.
pub fn split_send(file: &mut syn::File) {
    if let Some(items) = builder_items(file) {
        for item in items.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let Some(lifetime) = imp.generics.lifetimes().next().map(|param| param.lifetime.clone()) else { continue };
            let taken = |name: &str| {
                imp.items.iter().any(|member| matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == name))
            };
            if taken("build_request") {
                continue;
            }
            let split = imp.items.iter().enumerate().find_map(|(index, member)| match member {
                syn::ImplItem::Fn(function) if function.sig.ident == "send" && function.sig.asyncness.is_some() => {
                    split_send_fn(function, &lifetime).map(|split| (index, split))
                }
                _ => None,
            });
            if let Some((index, (send, build_request))) = split {
                imp.items[index] = syn::ImplItem::Fn(send);
                imp.items.insert(index + 1, syn::ImplItem::Fn(build_request));
            }
        }
    }
}

fn split_send_fn(function: &syn::ImplItemFn, lifetime: &syn::Lifetime) -> Option<(syn::ImplItemFn, syn::ImplItemFn)> {
    let stmts = &function.block.stmts;
    let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
    let info = stmts.iter().position(|stmt| text(stmt).starts_with("let info = OperationInfo"))?;
    let operation_id = operation_id(&stmts[info])?;
    let exchange: Vec<String> = stmts[info + 1..].iter().map(text).collect();
    let expected = [
        "client . pre (& mut request , & info) . await ? ;",
        "let result = client . exec (request , & info) . await ;",
        "client . post (& result , & info) . await ? ;",
        "let response = result ? ;",
    ];
    if exchange.len() != expected.len() + 1 || exchange[..expected.len()] != expected {
        return None;
    }
    let Some(syn::Stmt::Expr(syn::Expr::Match(responses), None)) = stmts.last() else { return None };
    let scrutinee = &responses.expr;
    if quote!(#scrutinee).to_string() != "response . status () . as_u16 ()" {
        return None;
    }
    let arms = responses
        .arms
        .iter()
        .map(|arm| {
            let reply = reply(&arm.body)?;
            let pattern = &arm.pat;
            Some(quote!(#pattern => ::whatsapp_sdk_runtime::Reply::#reply,))
        })
        .collect::<Option<Vec<_>>>()?;
    let syn::ReturnType::Type(_, output) = &function.sig.output else { return None };
    let error = result_error(&mut output.as_ref().clone())?.clone();
    let attributes = &function.attrs;
    let building = &stmts[..info];
    let send: syn::ImplItemFn = parse_quote! {
        #(#attributes)*
        pub fn send(self) -> impl ::std::future::Future<Output = #output> + #lifetime {
            ::whatsapp_sdk_runtime::respond(
                move || self.build_request().and_then(|(client, request)| client.exchange(request, #operation_id)),
                |status| match status {
                    #(#arms)*
                },
            )
        }
    };
    let build_request: syn::ImplItemFn = parse_quote! {
        /// The request `send` sends: parameters checked, then URL, query, headers and body.
        fn build_request(self) -> Result<(&#lifetime super::Client, reqwest::Request), #error> {
            #(#building)*
            Ok((client, request))
        }
    };
    Some((send, build_request))
}

/// The `"id"` of `let info = OperationInfo { operation_id: "id" };`.
fn operation_id(stmt: &syn::Stmt) -> Option<syn::LitStr> {
    let syn::Stmt::Local(local) = stmt else { return None };
    let syn::Expr::Struct(info) = &*local.init.as_ref()?.expr else { return None };
    info.fields.iter().find_map(|field| match (&field.member, &field.expr) {
        (syn::Member::Named(name), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(id), .. }))
            if name == "operation_id" =>
        {
            Some(id.clone())
        }
        _ => None,
    })
}

/// What a match arm of progenitor's response handling does, as a `Reply` variant.
fn reply(body: &syn::Expr) -> Option<syn::Ident> {
    let body = match body {
        syn::Expr::Block(block) if block.block.stmts.len() == 1 => match &block.block.stmts[0] {
            syn::Stmt::Expr(expr, None) => expr,
            _ => return None,
        },
        body => body,
    };
    let reply = match quote!(#body).to_string().as_str() {
        ":: whatsapp_sdk_runtime :: decode_success (response) . await" => "Success",
        "Ok (ResponseValue :: empty (response))" => "Empty",
        "Err (Error :: ErrorResponse (:: whatsapp_sdk_runtime :: decode_error (response) . await ?))" => "Error",
        "Err (:: whatsapp_sdk_runtime :: unexpected_response (response) . await)" => "Unexpected",
        _ => return None,
    };
    Some(syn::Ident::new(reply, proc_macro2::Span::call_site()))
}

/// Scopes the locals of each builder's `send` that `split_send` leaves (a byte stream) so that
/// the request's future does not keep them all to the end. An `async fn` keeps a local that was ever borrowed until its scope ends, so
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
    let builds_request = binds(&stmts[request], "request");
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
                query.optional("after", &after);
                query.required("first", &first);
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

    #[test]
    fn builder_placeholders_are_borrowed_and_send_still_reports_strings() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct Get<'a> {
                    client: &'a super::Client,
                    id: Result<::std::string::String, String>,
                    body: Result<types::builder::Item, String>,
                }
                impl<'a> Get<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client, id: Err("id was not initialized".to_string()), body: Ok(Default::default()) }
                    }
                    pub fn id<V: TryInto<String>>(mut self, value: V) -> Self {
                        self.id = value.try_into().map_err(|_| "conversion to `String` for id failed".to_string());
                        self
                    }
                    pub async fn send(self) {
                        let id = id.map_err(Error::InvalidRequest)?;
                        let body = body
                            .and_then(|v| types::Item::try_from(v).map_err(|e| e.to_string()))
                            .map_err(Error::InvalidRequest)?;
                    }
                }
            }
            pub mod types { pub struct Kept { pub name: Result<String, String> } }
        };
        borrowed_builder_errors(&mut file);
        let text = quote!(#file).to_string();
        let cow = "Result < :: std :: string :: String , :: std :: borrow :: Cow < 'static , str > >";
        assert!(text.contains(&format!("id : {cow}")), "{text}");
        assert!(text.contains("Err (:: std :: borrow :: Cow :: Borrowed (\"id was not initialized\"))"), "{text}");
        assert!(text.contains("map_err (| _ | :: std :: borrow :: Cow :: Owned (\"conversion to `String` for id failed\" . to_string ()))"), "{text}");
        assert!(text.contains("map_err (| e | :: std :: borrow :: Cow :: Owned (e . to_string ()))"), "{text}");
        assert_eq!(text.matches("map_err (| e | Error :: InvalidRequest (e . into ()))").count(), 2, "{text}");
        // Only progenitor's builders change.
        assert!(text.contains("pub name : Result < String , String >"), "{text}");
    }

    #[test]
    fn send_is_split_into_build_request_and_respond() {
        let tail = quote! {
            let info = OperationInfo { operation_id: "get_item" };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
        };
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> GetItem<'a> {
                    ///Sends a `GET` request to `/items/{id}`
                    pub async fn send(self) -> Result<ResponseValue<types::Item>, Error<types::Problem>> {
                        let Self { client, id } = self;
                        let mut request = client.client.get(url).build()?;
                        #tail
                        match response.status().as_u16() {
                            200u16 => ::whatsapp_sdk_runtime::decode_success(response).await,
                            404u16 => Err(Error::ErrorResponse(::whatsapp_sdk_runtime::decode_error(response).await?)),
                            _ => Err(::whatsapp_sdk_runtime::unexpected_response(response).await),
                        }
                    }
                }
                impl<'a> DeleteItem<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let Self { client, id } = self;
                        let mut request = client.client.delete(url).build()?;
                        #tail
                        match response.status().as_u16() {
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(::whatsapp_sdk_runtime::unexpected_response(response).await),
                        }
                    }
                }
                impl<'a> Download<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<()>> {
                        let Self { client, id } = self;
                        let mut request = client.client.get(url).build()?;
                        #tail
                        match response.status().as_u16() {
                            200u16 => Ok(ResponseValue::stream(response)),
                            _ => Err(::whatsapp_sdk_runtime::unexpected_response(response).await),
                        }
                    }
                }
            }
        };
        split_send(&mut file);
        let text = quote!(#file).to_string();
        let expected: syn::ItemImpl = parse_quote! {
            impl<'a> GetItem<'a> {
                ///Sends a `GET` request to `/items/{id}`
                pub fn send(self) -> impl ::std::future::Future<Output = Result<ResponseValue<types::Item>, Error<types::Problem>>> + 'a {
                    ::whatsapp_sdk_runtime::respond(
                        move || self.build_request().and_then(|(client, request)| client.exchange(request, "get_item")),
                        |status| match status {
                            200u16 => ::whatsapp_sdk_runtime::Reply::Success,
                            404u16 => ::whatsapp_sdk_runtime::Reply::Error,
                            _ => ::whatsapp_sdk_runtime::Reply::Unexpected,
                        },
                    )
                }
                /// The request `send` sends: parameters checked, then URL, query, headers and body.
                fn build_request(self) -> Result<(&'a super::Client, reqwest::Request), Error<types::Problem>> {
                    let Self { client, id } = self;
                    let mut request = client.client.get(url).build()?;
                    Ok((client, request))
                }
            }
        };
        assert!(text.contains(&quote!(#expected).to_string()), "{text}");
        assert!(text.contains("204u16 => :: whatsapp_sdk_runtime :: Reply :: Empty"), "{text}");
        // A byte stream is not a `Reply`: that `send` keeps progenitor's shape.
        assert!(text.contains("impl < 'a > Download < 'a > { pub async fn send"), "{text}");
        assert_eq!(text.matches("fn build_request").count(), 2, "{text}");
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
