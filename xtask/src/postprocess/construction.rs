//! Request and response types that can gain an optional field, and enums a value, without
//! breaking a caller that compiled before.
//!
//! typify's types are plain structs and enums with public fields, built with struct literals:
//! one added field is a compile error at every literal downstream. This pass makes them:
//!
//! - structs: `#[non_exhaustive]` with a [bon](https://bon-rs.com) builder
//!   (`CreateGroupRequest::builder().subject("s").participants(p).build()`) whose required
//!   fields the compiler checks, the same typestate mechanism as the operation builders;
//!   optional and defaulted fields are named setters that may be left out;
//! - enums: `#[non_exhaustive]`, so that a new value or variant is not a new match arm the
//!   caller lacks;
//! - struct variants of unions: `#[non_exhaustive]`, each with a constructor named after the
//!   variant that takes the variant's content as its argument: the member named after the
//!   variant (`text` of `Text`, `image` of Verloop's `Image`), or the one whose name starts with
//!   it (`image_url` of Wapio's `Image`). Every other value, required or not, is a named setter:
//!   `SendMessageRequest::text("Hello").to("15551234567")`,
//!   `OutgoingMessage::text(TextContent::builder().body("Hi")).to("15551234567")`.
//!
//! A member whose type is a string enum of one value (Verloop's `messaging_product`, always
//! `whatsapp`) has no setter: the builder fills it in.
//!
//! Every builder also converts into its type (`derive(Into)`), so a finished builder can be
//! passed wherever `impl Into<T>` is taken, and fields are read as before.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::quote;
use syn::{Item, parse_quote};

/// The doc of every value builder's `build` (bon's default speaks of performing an action).
const BUILD_DOC: &str = "Builds the value. It exists once every required member is set; a missing one \
                         fails to compile with ``the member `Unset<name>` was not set``: add `.name(…)`.";

pub fn apply(items: &mut Vec<Item>, single_values: &BTreeMap<syn::Ident, syn::Ident>) {
    let mut constructors = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(item) if matches!(item.fields, syn::Fields::Named(_)) => builder_struct(item, single_values),
            Item::Enum(item) => {
                item.attrs.push(parse_quote!(#[non_exhaustive]));
                constructors.extend(variant_constructors(item, single_values));
            }
            _ => {}
        }
    }
    items.extend(constructors);
}

fn builder_struct(item: &mut syn::ItemStruct, single_values: &BTreeMap<syn::Ident, syn::Ident>) {
    item.attrs.push(parse_quote!(#[non_exhaustive]));
    item.attrs.push(parse_quote!(#[derive(::bon::Builder)]));
    item.attrs.push(parse_quote!(#[builder(on(_, into), derive(Into), finish_fn(doc{#[doc = #BUILD_DOC]}))]));
    for field in &mut item.fields {
        if let Some(value) = single_value(&field.ty, single_values) {
            field.attrs.push(parse_quote!(#[builder(skip = #value)]));
        } else if has_serde_default(&field.attrs) {
            field.attrs.push(parse_quote!(#[builder(default)]));
        }
    }
}

/// `Enum::Variant` when `ty` is a string enum that allows one value.
fn single_value(ty: &syn::Type, single_values: &BTreeMap<syn::Ident, syn::Ident>) -> Option<syn::Expr> {
    let syn::Type::Path(path) = ty else { return None };
    let ident = &path.path.segments.last()?.ident;
    let variant = single_values.get(ident)?;
    Some(parse_quote!(#ident::#variant))
}

/// The member a variant's constructor takes: the one named after the variant, else the only
/// one whose name starts with `<variant>_`.
fn content_member<'a>(variant: &syn::Ident, names: &[&'a syn::Ident]) -> Option<&'a syn::Ident> {
    let name = constructor_name(variant).to_string();
    let name = name.trim_start_matches("r#");
    let plain = |ident: &syn::Ident| ident.to_string().trim_start_matches("r#").to_string();
    if let Some(exact) = names.iter().find(|ident| plain(ident) == name) {
        return Some(exact);
    }
    let prefixed: Vec<_> = names.iter().filter(|ident| plain(ident).starts_with(&format!("{name}_"))).collect();
    match prefixed.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

/// `impl Enum { fn variant(…) -> Self }` for each struct variant, as bon function builders.
fn variant_constructors(item: &mut syn::ItemEnum, single_values: &BTreeMap<syn::Ident, syn::Ident>) -> Option<Item> {
    let ident = &item.ident;
    let mut functions = Vec::new();
    for variant in &mut item.variants {
        let syn::Fields::Named(fields) = &variant.fields else { continue };
        let variant_ident = &variant.ident;
        let names: Vec<&syn::Ident> = fields.named.iter().filter_map(|field| field.ident.as_ref()).collect();
        let content = content_member(variant_ident, &names);
        // bon takes the constructor's argument first; members of one allowed value are no argument.
        let mut members: Vec<&syn::Field> =
            fields.named.iter().filter(|field| single_value(&field.ty, single_values).is_none()).collect();
        members.sort_by_key(|field| field.ident.as_ref() != content);
        let arguments = members.iter().map(|field| {
            let name = &field.ident;
            let ty = &field.ty;
            let docs = field.attrs.iter().filter(|attr| attr.path().is_ident("doc"));
            let config = if field.ident.as_ref() == content {
                quote!(#[builder(start_fn)])
            } else if has_serde_default(&field.attrs) {
                quote!(#[builder(default)])
            } else {
                quote!()
            };
            quote!(#(#docs)* #config #name: #ty)
        });
        let filled = fields.named.iter().filter_map(|field| {
            let value = single_value(&field.ty, single_values)?;
            let name = &field.ident;
            Some(quote!(let #name = #value;))
        });
        let function = constructor_name(variant_ident);
        let taking = content.map(|member| format!(" taking its `{member}`")).unwrap_or_default();
        let doc = format!(" Builds a [`{ident}::{variant_ident}`]{taking}; every other member is a named setter.");
        functions.push(quote! {
            #[doc = #doc]
            #[builder(finish_fn(name = build, doc{#[doc = #BUILD_DOC]}), on(_, into), derive(Into))]
            pub fn #function(#(#arguments),*) -> Self {
                #(#filled)*
                Self::#variant_ident { #(#names),* }
            }
        });
        let variant_doc =
            format!(" Built with [`{ident}::{function}`].", function = function.to_string().trim_start_matches("r#"));
        variant.attrs.push(parse_quote!(#[doc = ""]));
        variant.attrs.push(parse_quote!(#[doc = #variant_doc]));
        variant.attrs.push(parse_quote!(#[non_exhaustive]));
    }
    if functions.is_empty() {
        return None;
    }
    Some(parse_quote! {
        #[::bon::bon]
        impl #ident {
            #(#functions)*
        }
    })
}

/// `ImageMessage` → `image_message`; a keyword becomes a raw identifier.
fn constructor_name(variant: &syn::Ident) -> syn::Ident {
    let mut name = String::new();
    for (position, character) in variant.to_string().chars().enumerate() {
        if character.is_uppercase() && position > 0 {
            name.push('_');
        }
        name.push(character.to_ascii_lowercase());
    }
    match syn::parse_str::<syn::Ident>(&name) {
        Ok(ident) => ident,
        Err(_) => syn::Ident::new_raw(&name, Span::call_site()),
    }
}

/// `#[serde(default)]`: the field may be left out, and reads as its type's default.
fn has_serde_default(attrs: &[syn::Attribute]) -> bool {
    let mut default = false;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                default = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::format_ident;

    #[test]
    fn constructor_names_are_snake_case_and_keywords_raw() {
        assert_eq!(constructor_name(&format_ident!("ImageMessage")).to_string(), "image_message");
        assert_eq!(constructor_name(&format_ident!("Text")).to_string(), "text");
        assert_eq!(constructor_name(&format_ident!("Type")).to_string(), "r#type");
    }

    #[test]
    fn the_content_member_is_named_after_the_variant() {
        let (text, to, image_url, url) =
            (format_ident!("text"), format_ident!("to"), format_ident!("image_url"), format_ident!("url"));
        assert_eq!(content_member(&format_ident!("Text"), &[&to, &text]), Some(&text));
        assert_eq!(content_member(&format_ident!("Image"), &[&to, &image_url]), Some(&image_url));
        assert_eq!(content_member(&format_ident!("Image"), &[&to, &url]), None);
    }

    #[test]
    fn serde_default_is_read_among_other_arguments() {
        let field: syn::Field = parse_quote!(#[serde(default, skip_serializing_if = "Vec::is_empty")] pub a: Vec<u8>);
        assert!(has_serde_default(&field.attrs));
        let field: syn::Field = parse_quote!(#[serde(rename = "b")] pub b: Vec<u8>);
        assert!(!has_serde_default(&field.attrs));
    }
}
