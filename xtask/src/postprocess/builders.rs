//! Operation builders whose required values the compiler checks.
//!
//! progenitor holds every parameter of an operation's builder as `Result<T, String>` and
//! reports a forgotten one when the request is sent ("x was not initialized"). This pass turns
//! each builder into a [bon](https://bon-rs.com) typestate builder over a parameter struct:
//!
//! - path parameters and the body are arguments of the operation (`client.get_session("s1")`);
//! - required query and header parameters are named setters that `send` needs: leaving one out
//!   does not compile (`send` needs bon's `IsComplete`, a bound on the method so that the
//!   compiler names the missing member: ``the member `Unset<first>` was not set``);
//! - optional parameters are named setters (`after(x)`, or `maybe_after(Option<_>)`).
//!
//! `send` runs the whole exchange through the runtime (`Runtime::respond`), so every error is
//! the runtime's `Error`, attributed to the operation. The parameter struct's
//! `build_request` is progenitor's request building, minus its checks of the `Result`s.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::visit_mut::{self, VisitMut};
use syn::{Item, parse_quote};

/// What the operation traits need to know about one rewritten builder.
#[derive(Debug, Clone)]
pub struct BuilderShape {
    /// The parameter struct whose `new` starts the builder.
    pub params: syn::Ident,
    /// Arguments of the operation method, in order: path parameters (in path order), then the body.
    pub positional: Vec<(syn::Ident, syn::Type)>,
    /// Named setters `send` needs.
    pub required: Vec<syn::Ident>,
    /// Named setters that may be left out.
    pub optional: Vec<syn::Ident>,
}

/// One parameter of progenitor's builder.
struct Field {
    ident: syn::Ident,
    /// The value's type: `T` for a required parameter, `Option<T>` for an optional one.
    ty: syn::Type,
    role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Path,
    Body,
    Required,
    Optional,
}

/// Rewrites every builder of progenitor's `mod builder`; `operation_index` gives each
/// operation's position in the generated `OPERATIONS` table, `argument_docs` each builder's
/// parameter descriptions (from the operation's docs). Returns the shapes by builder name.
pub fn typestate_builders(
    file: &mut syn::File,
    operation_index: &BTreeMap<String, usize>,
    argument_docs: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<String, BuilderShape>, String> {
    let Some(items) = builder_items(file) else { return Ok(BTreeMap::new()) };
    let mut shapes = BTreeMap::new();
    let mut rewritten = Vec::with_capacity(items.len());
    let mut sends: BTreeMap<String, syn::ImplItemFn> = BTreeMap::new();
    for item in items.iter() {
        if let Item::Impl(imp) = item
            && let Some(name) = self_name(imp)
            && let Some(send) = imp.items.iter().find_map(|member| match member {
                syn::ImplItem::Fn(function) if function.sig.ident == "send" => Some(function.clone()),
                _ => None,
            })
        {
            sends.insert(name, send);
        }
    }
    for item in items.drain(..) {
        match item {
            Item::Struct(builder) => {
                let name = builder.ident.to_string();
                let send = sends.get(&name).ok_or_else(|| format!("builder `{name}` has no `send`"))?;
                let no_docs = BTreeMap::new();
                let docs = argument_docs.get(&name).unwrap_or(&no_docs);
                let (shape, items) = rewrite(&builder, send, operation_index, docs)
                    .map_err(|message| format!("builder `{name}`: {message}"))?;
                shapes.insert(name, shape);
                rewritten.extend(items);
            }
            // progenitor's `impl` of each builder (setters, `send`) is replaced whole.
            Item::Impl(imp) if self_name(&imp).is_some_and(|name| sends.contains_key(&name)) => {}
            other => rewritten.push(other),
        }
    }
    *items = rewritten;
    Ok(shapes)
}

fn rewrite(
    builder: &syn::ItemStruct,
    send: &syn::ImplItemFn,
    operation_index: &BTreeMap<String, usize>,
    docs: &BTreeMap<String, String>,
) -> Result<(BuilderShape, Vec<Item>), String> {
    let stmts = &send.block.stmts;
    let text = |stmt: &syn::Stmt| quote!(#stmt).to_string();
    let info = stmts
        .iter()
        .position(|stmt| text(stmt).starts_with("let info = OperationInfo"))
        .ok_or("`send` does not name its operation")?;
    let operation_id = operation_id(&stmts[info]).ok_or("`send` does not name its operation")?;
    let index = *operation_index
        .get(&operation_id.value())
        .ok_or_else(|| format!("operation `{}` is not in the operation table", operation_id.value()))?;
    let exchange: Vec<String> = stmts[info + 1..].iter().map(text).collect();
    let expected = [
        "client . pre (& mut request , & info) . await ? ;",
        "let result = client . exec (request , & info) . await ;",
        "client . post (& result , & info) . await ? ;",
        "let response = result ? ;",
    ];
    if exchange.len() != expected.len() + 1 || exchange[..expected.len()] != expected {
        return Err("`send` is not progenitor's pre/exec/post exchange".into());
    }
    let Some(syn::Stmt::Expr(syn::Expr::Match(responses), None)) = stmts.last() else {
        return Err("`send` does not end in a match on the status".into());
    };
    let mut stream = false;
    let arms = responses
        .arms
        .iter()
        .map(|arm| {
            let (reply, streams) =
                reply(&arm.body).ok_or_else(|| format!("unknown response arm `{}`", quote!(#arm)))?;
            stream |= streams;
            let pattern = &arm.pat;
            Ok(quote!(#pattern => ::whatsapp_sdk_runtime::Reply::#reply,))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let syn::ReturnType::Type(_, output) = &send.sig.output else { return Err("`send` returns nothing".into()) };
    let error = result_error(output).ok_or("`send` does not return a `Result`")?;

    let path_order = path_parameters(stmts);
    let fields = fields(builder, &path_order)?;
    let field_idents: Vec<_> = fields.iter().map(|field| &field.ident).collect();
    let building = building(&stmts[..info], &field_idents)?;

    let name = &builder.ident;
    let params = format_ident!("{}Params", name);
    let state = format_ident!("{}_state", snake(&name.to_string()));
    let builder_docs = builder.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let members = fields.iter().map(|field| {
        let (ident, ty) = (&field.ident, &field.ty);
        let doc = docs.get(&ident.to_string()).map(|doc| quote!(#[doc = #doc]));
        let start = matches!(field.role, Role::Path | Role::Body).then(|| quote!(start_fn,));
        quote!(#doc #[builder(#start into)] #ident: #ty,)
    });
    let respond = if stream { quote!(respond_stream) } else { quote!(respond) };
    let send_docs = send.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let lifetime = syn::Lifetime::new("'a", Span::call_site());
    let file: syn::File = parse_quote! {
        #[derive(::bon::Builder)]
        #[builder(
            builder_type(name = #name, vis = "pub", doc { #(#builder_docs)* }),
            derive(Debug, Clone),
            start_fn(name = new, vis = "pub"),
            finish_fn(name = into_params, vis = ""),
            state_mod(name = #state, vis = "pub"),
        )]
        // Public for the client crates, which start builders without an operation trait.
        #[doc(hidden)]
        pub struct #params<#lifetime> {
            #[builder(start_fn)]
            client: &#lifetime super::Client,
            #(#members)*
        }

        // The bound on the method, not the impl: a missing value is then bon's own diagnostic
        // naming the member (`the member `Unset<first>` was not set`), not "method not found".
        impl<#lifetime, S: #state::State> #name<#lifetime, S> {
            #(#send_docs)*
            ///
            /// Compiles once every required query and header value is set; a missing one is
            /// named by the compiler (``the member `Unset<name>` was not set``): add `.name(…)`.
            pub fn send(self) -> impl ::std::future::Future<Output = #output> + #lifetime
            where
                S: #state::IsComplete,
            {
                let params = self.into_params();
                let client = params.client;
                client.inner.#respond(
                    &client.client,
                    &super::OPERATIONS[#index],
                    move || params.build_request(),
                    |status| match status {
                        #(#arms)*
                    },
                )
            }
        }

        impl<#lifetime> #params<#lifetime> {
            /// The request `send` sends: URL, query, headers and body.
            fn build_request(&self) -> ::std::result::Result<reqwest::Request, #error> {
                let Self { client, #(#field_idents),* } = self;
                #(#building)*
                Ok(request)
            }
        }
    };
    let shape = BuilderShape {
        params,
        positional: fields
            .iter()
            .filter(|field| matches!(field.role, Role::Path | Role::Body))
            .map(|field| (field.ident.clone(), field.ty.clone()))
            .collect(),
        required: fields.iter().filter(|f| f.role == Role::Required).map(|f| f.ident.clone()).collect(),
        optional: fields.iter().filter(|f| f.role == Role::Optional).map(|f| f.ident.clone()).collect(),
    };
    Ok((shape, file.items))
}

/// The builder's parameters, ordered as the operation takes them: path parameters in path
/// order, the body, then the named ones in progenitor's (alphabetical) order.
fn fields(builder: &syn::ItemStruct, path_order: &[syn::Ident]) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    for field in builder.fields.iter() {
        let ident = field.ident.clone().ok_or("a builder field has no name")?;
        if ident == "client" {
            continue;
        }
        let value = result_ok(&field.ty).ok_or_else(|| format!("`{ident}` is not a `Result`"))?;
        let role = if path_order.contains(&ident) {
            Role::Path
        } else if ident == "body" {
            Role::Body
        } else if is_option(&value) {
            Role::Optional
        } else {
            Role::Required
        };
        // The body is the type itself, not typify's runtime-checked builder of it.
        let ty = if role == Role::Body { without_builder_module(value) } else { value };
        fields.push(Field { ident, ty, role });
    }
    let rank = |field: &Field| match field.role {
        Role::Path => path_order.iter().position(|p| *p == field.ident).unwrap_or(0),
        Role::Body => path_order.len(),
        Role::Required | Role::Optional => path_order.len() + 1,
    };
    fields.sort_by_key(rank);
    Ok(fields)
}

/// progenitor's statements before `let info = …`, without the destructuring of `self` and the
/// checks of each parameter's `Result`, with its errors made the runtime's.
fn building(stmts: &[syn::Stmt], fields: &[&syn::Ident]) -> Result<Vec<syn::Stmt>, String> {
    let Some((first, rest)) = stmts.split_first() else { return Err("`send` builds no request".into()) };
    if !quote!(#first).to_string().starts_with("let Self {") {
        return Err("`send` does not start by taking its fields".into());
    }
    let mut kept: Vec<syn::Stmt> = rest.iter().filter(|stmt| !checks_parameter(stmt, fields)).cloned().collect();
    for stmt in &mut kept {
        RuntimeErrors.visit_stmt_mut(stmt);
    }
    if !kept.iter().any(|stmt| matches!(stmt, syn::Stmt::Local(local) if local_binds(local, "request"))) {
        return Err("`send` builds no `request`".into());
    }
    Ok(kept)
}

/// `let x = x.map_err(…)?;` (or `x.and_then(…).map_err(…)?`) for a parameter `x`.
fn checks_parameter(stmt: &syn::Stmt, fields: &[&syn::Ident]) -> bool {
    let syn::Stmt::Local(local) = stmt else { return false };
    let syn::Pat::Ident(binding) = &local.pat else { return false };
    if !fields.contains(&&binding.ident) {
        return false;
    }
    let Some(init) = &local.init else { return false };
    let syn::Expr::Try(checked) = &*init.expr else { return false };
    let mut receiver = &*checked.expr;
    while let syn::Expr::MethodCall(call) = receiver {
        receiver = &call.receiver;
    }
    matches!(receiver, syn::Expr::Path(path) if path.path.is_ident(&binding.ident))
}

/// Errors of request building become the runtime's: `Error::InvalidRequest(x)` →
/// `Error::invalid_request(x)`, reqwest's `.build()?` keeps no URL, and a header value that
/// cannot be one (`value.try_into()?`) is an invalid request.
struct RuntimeErrors;

impl VisitMut for RuntimeErrors {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        match expr {
            syn::Expr::Path(path) if quote!(#path).to_string() == "Error :: InvalidRequest" => {
                *expr = parse_quote!(Error::invalid_request);
            }
            syn::Expr::Try(tried) => {
                if let syn::Expr::MethodCall(call) = &*tried.expr
                    && call.args.is_empty()
                {
                    let call = call.clone();
                    if call.method == "build" {
                        *expr = parse_quote!(#call.map_err(Error::unbuildable)?);
                    } else if call.method == "try_into" {
                        *expr = parse_quote!(#call.map_err(Error::invalid_header)?);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Path parameters in path order: the `encode_path(&x.to_string())` arguments of `format!`.
fn path_parameters(stmts: &[syn::Stmt]) -> Vec<syn::Ident> {
    let mut found = Vec::new();
    for stmt in stmts {
        let syn::Stmt::Local(local) = stmt else { continue };
        if !local_binds(local, "url") {
            continue;
        }
        let Some(init) = &local.init else { continue };
        let syn::Expr::Macro(mac) = &*init.expr else { continue };
        let Ok(args) =
            mac.mac.parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        for arg in args {
            if let syn::Expr::Call(call) = &arg
                && matches!(&*call.func, syn::Expr::Path(f) if f.path.is_ident("encode_path"))
                && let Some(syn::Expr::Reference(reference)) = call.args.first()
                && let syn::Expr::MethodCall(to_string) = &*reference.expr
                && let syn::Expr::Path(param) = &*to_string.receiver
                && let Some(ident) = param.path.get_ident()
            {
                found.push(ident.clone());
            }
        }
    }
    found
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

/// What a match arm of progenitor's response handling does, as a `Reply` variant, and whether
/// the success is a byte stream.
fn reply(body: &syn::Expr) -> Option<(syn::Ident, bool)> {
    let body = match body {
        syn::Expr::Block(block) if block.block.stmts.len() == 1 => match &block.block.stmts[0] {
            syn::Stmt::Expr(expr, None) => expr,
            _ => return None,
        },
        body => body,
    };
    let (reply, stream) = match quote!(#body).to_string().as_str() {
        "ResponseValue :: from_response (response) . await" => ("Success", false),
        "Ok (ResponseValue :: empty (response))" => ("Empty", false),
        "Ok (ResponseValue :: stream (response))" => ("Success", true),
        "Err (Error :: ErrorResponse (ResponseValue :: from_response (response) . await ?))" => ("Error", false),
        "Err (Error :: UnexpectedResponse (response))" => ("Unexpected", false),
        _ => return None,
    };
    Some((syn::Ident::new(reply, Span::call_site()), stream))
}

fn builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(module) if module.ident == "builder" => module.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn local_binds(local: &syn::Local, name: &str) -> bool {
    matches!(&local.pat, syn::Pat::Ident(binding) if binding.ident == name)
}

/// The `T` of `Result<T, E>`.
fn result_ok(ty: &syn::Type) -> Option<syn::Type> {
    generic_argument(ty, "Result", 0)
}

/// The `E` of `Result<T, E>`.
fn result_error(ty: &syn::Type) -> Option<syn::Type> {
    generic_argument(ty, "Result", 1)
}

fn generic_argument(ty: &syn::Type, outer: &str, index: usize) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last().filter(|s| s.ident == outer)?;
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else { return None };
    match arguments.args.iter().nth(index) {
        Some(syn::GenericArgument::Type(ty)) => Some(ty.clone()),
        _ => None,
    }
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// `types::builder::X` → `types::X`.
fn without_builder_module(ty: syn::Type) -> syn::Type {
    let syn::Type::Path(mut path) = ty else { return ty };
    path.path.segments = path.path.segments.iter().filter(|segment| segment.ident != "builder").cloned().collect();
    syn::Type::Path(path)
}

/// `ListTemplates` → `list_templates`.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A call of the operation as the docs show it: arguments, then the named setters `send`
/// needs, then the optional ones.
pub fn example_call(operation: &str, shape: &BuilderShape) -> String {
    let args: Vec<String> = shape.positional.iter().map(|(ident, _)| ident.to_string()).collect();
    let mut call = format!("let response = client.{operation}({})", args.join(", "));
    for setter in shape.required.iter().chain(&shape.optional) {
        call.push_str(&format!("\n    .{setter}({setter})"));
    }
    call.push_str("\n    .send()\n    .await;");
    call
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;

    use super::*;

    fn tokens(items: &[Item]) -> TokenStream {
        quote!(#(#items)*)
    }

    fn progenitor_builder() -> syn::File {
        parse_quote! {
            pub mod builder {
                ///Builder for [`Client::list_flows`]
                #[derive(Debug, Clone)]
                pub struct ListFlows<'a> {
                    client: &'a super::Client,
                    after: Result<Option<::std::string::String>, String>,
                    body: Result<types::builder::Filter, String>,
                    flow_id: Result<::std::string::String, String>,
                    limit: Result<i64, String>,
                }
                impl<'a> ListFlows<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client, after: Ok(None), body: Ok(Default::default()), flow_id: Err("flow_id was not initialized".to_string()), limit: Err("limit was not initialized".to_string()) }
                    }
                    ///Sends a `POST` request to `/flows/{flowId}`
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<types::Problem>> {
                        let Self { client, after, body, flow_id, limit } = self;
                        let after = after.map_err(Error::InvalidRequest)?;
                        let body = body
                            .and_then(|v| types::Filter::try_from(v).map_err(|e| e.to_string()))
                            .map_err(Error::InvalidRequest)?;
                        let flow_id = flow_id.map_err(Error::InvalidRequest)?;
                        let limit = limit.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/flows/{}", client.baseurl, encode_path(&flow_id.to_string()),);
                        #[allow(unused_mut)]
                        let mut request = client.client.post(url).json(&body).build()?;
                        {
                            let mut query = ::whatsapp_sdk_runtime::QueryWriter::new(request.url_mut());
                            query.optional("after", &after);
                            query.required("limit", &limit);
                            query.finish().map_err(Error::InvalidRequest)?;
                        }
                        let info = OperationInfo { operation_id: "list_flows" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn builders_become_typestate_builders_over_a_parameter_struct() {
        let mut file = progenitor_builder();
        let index = BTreeMap::from([("list_flows".to_string(), 3)]);
        let docs = BTreeMap::from([(
            "ListFlows".to_string(),
            BTreeMap::from([("limit".to_string(), "Page size.".to_string())]),
        )]);
        let shapes = typestate_builders(&mut file, &index, &docs).unwrap();
        let text = tokens(builder_items(&mut file).unwrap()).to_string();
        let shape = &shapes["ListFlows"];
        assert_eq!(shape.params, "ListFlowsParams");
        let positional: Vec<String> =
            shape.positional.iter().map(|(ident, ty)| format!("{ident}: {}", quote!(#ty))).collect();
        assert_eq!(positional, ["flow_id: :: std :: string :: String", "body: types :: Filter"]);
        assert_eq!(shape.required, ["limit"]);
        assert_eq!(shape.optional, ["after"]);
        // Path parameter and body are start-function arguments; the rest named setters.
        assert!(text.contains("# [builder (start_fn , into)] flow_id : :: std :: string :: String"), "{text}");
        assert!(text.contains("# [builder (start_fn , into)] body : types :: Filter"), "{text}");
        assert!(text.contains("# [doc = \"Page size.\"] # [builder (into)] limit : i64"), "{text}");
        assert!(text.contains("# [builder (into)] after : Option < :: std :: string :: String >"), "{text}");
        // `send` exists once the typestate is complete, and runs through the runtime.
        assert!(text.contains("impl < 'a , S : list_flows_state :: State > ListFlows < 'a , S >"), "{text}");
        assert!(text.contains("where S : list_flows_state :: IsComplete"), "{text}");
        assert!(
            text.contains("client . inner . respond (& client . client , & super :: OPERATIONS [3usize]"),
            "{text}"
        );
        assert!(text.contains("404u16 => :: whatsapp_sdk_runtime :: Reply :: Error"), "{text}");
        // No run-time checks of parameters remain; errors are the runtime's.
        assert!(!text.contains("was not initialized") && !text.contains("map_err (Error :: InvalidRequest)"), "{text}");
        assert!(text.contains("build () . map_err (Error :: unbuildable) ?"), "{text}");
        assert!(text.contains("query . finish () . map_err (Error :: invalid_request) ?"), "{text}");
        assert!(!text.contains("client . pre"), "{text}");
        assert_eq!(
            example_call("list_flows", shape),
            "let response = client.list_flows(flow_id, body)\n    .limit(limit)\n    .after(after)\n    .send()\n    .await;"
        );
    }

    #[test]
    fn a_byte_stream_success_is_sent_with_respond_stream_and_odd_shapes_are_errors() {
        let mut file = progenitor_builder();
        let text = quote!(#file).to_string().replace(
            "200u16 => ResponseValue :: from_response (response) . await",
            "200u16 => Ok (ResponseValue :: stream (response))",
        );
        let mut streamed: syn::File = syn::parse_str(&text).unwrap();
        let index = BTreeMap::from([("list_flows".to_string(), 0)]);
        typestate_builders(&mut streamed, &index, &BTreeMap::new()).unwrap();
        let text = quote!(#streamed).to_string();
        assert!(text.contains("client . inner . respond_stream"), "{text}");

        let missing = typestate_builders(&mut file, &BTreeMap::new(), &BTreeMap::new()).unwrap_err();
        assert!(missing.contains("`list_flows` is not in the operation table"), "{missing}");
    }
}
