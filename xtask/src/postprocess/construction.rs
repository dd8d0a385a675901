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
//!   variant (`SendMessageRequest::text("Hello").to("15551234567")`) that takes the variant's
//!   one required field as its argument (several required fields are named setters).
//!
//! Every builder also converts into its type (`derive(Into)`), so a finished builder can be
//! passed wherever `impl Into<T>` is taken, and fields are read as before.

use proc_macro2::Span;
use quote::quote;
use syn::{Item, parse_quote};

pub fn apply(items: &mut Vec<Item>) {
    let mut constructors = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(item) if matches!(item.fields, syn::Fields::Named(_)) => builder_struct(item),
            Item::Enum(item) => {
                item.attrs.push(parse_quote!(#[non_exhaustive]));
                constructors.extend(variant_constructors(item));
            }
            _ => {}
        }
    }
    items.extend(constructors);
}

fn builder_struct(item: &mut syn::ItemStruct) {
    item.attrs.push(parse_quote!(#[non_exhaustive]));
    item.attrs.push(parse_quote!(#[derive(::bon::Builder)]));
    item.attrs.push(parse_quote!(#[builder(on(_, into), derive(Into))]));
    for field in &mut item.fields {
        if has_serde_default(&field.attrs) {
            field.attrs.push(parse_quote!(#[builder(default)]));
        }
    }
}

/// `impl Enum { fn variant(…) -> Self }` for each struct variant, as bon function builders.
fn variant_constructors(item: &mut syn::ItemEnum) -> Option<Item> {
    let ident = &item.ident;
    let mut functions = Vec::new();
    for variant in &mut item.variants {
        let syn::Fields::Named(fields) = &variant.fields else { continue };
        let variant_ident = &variant.ident;
        let required: Vec<bool> =
            fields.named.iter().map(|field| !is_option(&field.ty) && !has_serde_default(&field.attrs)).collect();
        let positional = required.iter().filter(|required| **required).count() == 1;
        let names: Vec<&syn::Ident> = fields.named.iter().filter_map(|field| field.ident.as_ref()).collect();
        // bon takes the constructor's argument first.
        let mut members: Vec<(&syn::Field, bool)> = fields.named.iter().zip(required).collect();
        members.sort_by_key(|(_, required)| !(positional && *required));
        let arguments = members.iter().map(|(field, required)| {
            let name = &field.ident;
            let ty = &field.ty;
            let docs = field.attrs.iter().filter(|attr| attr.path().is_ident("doc"));
            let config = if positional && *required {
                quote!(#[builder(start_fn)])
            } else if has_serde_default(&field.attrs) {
                quote!(#[builder(default)])
            } else {
                quote!()
            };
            quote!(#(#docs)* #config #name: #ty)
        });
        let function = constructor_name(variant_ident);
        let doc = format!(" Builds a [`{ident}::{variant_ident}`].");
        functions.push(quote! {
            #[doc = #doc]
            #[builder(finish_fn = build, on(_, into), derive(Into))]
            pub fn #function(#(#arguments),*) -> Self {
                Self::#variant_ident { #(#names),* }
            }
        });
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

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"))
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
    fn serde_default_is_read_among_other_arguments() {
        let field: syn::Field = parse_quote!(#[serde(default, skip_serializing_if = "Vec::is_empty")] pub a: Vec<u8>);
        assert!(has_serde_default(&field.attrs));
        let field: syn::Field = parse_quote!(#[serde(rename = "b")] pub b: Vec<u8>);
        assert!(!has_serde_default(&field.attrs));
    }
}
