//! The generator itself: snapshots of what each spec produces, determinism, `--check`, and
//! errors that point into the spec instead of panicking.

use std::path::{Path, PathBuf};

use xtask::config;
use xtask::regen::{self, generate_source};

fn root() -> PathBuf {
    config::workspace_root().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Review changes with `cargo insta review` (or `cargo insta test --review`).
#[test]
fn generated_code_snapshots() {
    for provider in config::providers(&root()).unwrap() {
        let source = generate_source(&provider.spec_path(&root())).unwrap_or_else(|errors| {
            panic!(
                "{} does not generate: {}",
                provider.spec,
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
            )
        });
        insta::assert_snapshot!(provider.crate_name.clone(), source);
    }
}

#[test]
fn generation_is_deterministic() {
    for provider in config::providers(&root()).unwrap() {
        let spec = provider.spec_path(&root());
        assert_eq!(generate_source(&spec).unwrap(), generate_source(&spec).unwrap(), "{}", provider.spec);
    }
}

#[test]
fn committed_generated_crates_are_up_to_date() {
    let report = regen::regen(&root(), &[], true).unwrap();
    assert!(report.is_clean(), "run `cargo xtask regen`: {report:?}");
}

/// A scratch workspace holding this repo's specs and provider list, but no generated code.
fn scratch_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("specs"), &dir.path().join("specs"));
    std::fs::create_dir_all(dir.path().join("xtask")).unwrap();
    std::fs::copy(root().join("xtask/providers.toml"), dir.path().join("xtask/providers.toml")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn check_names_stale_files_and_writes_nothing() {
    let workspace = scratch_workspace();
    let root = workspace.path();

    let missing = regen::regen(root, &[], true).unwrap();
    assert!(!missing.is_clean());
    assert!(missing.stale.iter().any(|f| f == "generated/wapio-api/src/generated.rs"), "{:?}", missing.stale);
    assert!(!root.join("generated").exists(), "--check must not write");

    let written = regen::regen(root, &[], false).unwrap();
    assert!(written.is_clean() && !written.written.is_empty());
    assert!(regen::regen(root, &[], true).unwrap().is_clean());
    assert!(regen::regen(root, &[], false).unwrap().written.is_empty(), "a second run changes nothing");

    let lib = root.join("generated/wapio-api/src/generated.rs");
    let edited = std::fs::read_to_string(&lib).unwrap().replace("pub struct", "pub(crate) struct");
    std::fs::write(&lib, edited).unwrap();
    let stale = regen::regen(root, &[], true).unwrap();
    assert_eq!(stale.stale, ["generated/wapio-api/src/generated.rs"]);
}

#[test]
fn unknown_provider_is_an_error() {
    let error = regen::regen(&root(), &["nope".to_string()], true).unwrap_err();
    assert!(error.to_string().contains("no provider `nope`"), "{error}");
}

fn errors_of(fixture_name: &str) -> Vec<String> {
    generate_source(&fixture(fixture_name))
        .expect_err("the fixture must not generate")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn inline_response_schema_is_rejected_with_its_pointer() {
    let errors = errors_of("inline-response.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "{}#/paths/~1things/get/responses/200/content/application~1json/schema:",
            fixture("inline-response.yaml").display()
        )),
        "{errors:?}"
    );
}

#[test]
fn progenitor_panic_becomes_an_error_naming_spec_and_operation() {
    let errors = errors_of("unsupported-query-object.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let expected =
        format!("{}#/paths/~1x/get: progenitor: unsupported input", fixture("unsupported-query-object.yaml").display());
    assert!(errors[0].starts_with(&expected), "{errors:?}");
}

#[test]
fn unreadable_spec_is_an_error() {
    let errors = errors_of("does-not-exist.yaml");
    assert!(errors[0].contains("cannot read"), "{errors:?}");
}

/// What keeps an additive spec change additive for callers (`postprocess/construction.rs`):
/// every generated type is `#[non_exhaustive]`, every struct has a builder, and every struct
/// variant is `#[non_exhaustive]` with a constructor.
#[test]
fn every_generated_type_is_non_exhaustive_and_has_a_builder() {
    let non_exhaustive = |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
    let text = |tokens: &dyn quote::ToTokens| tokens.to_token_stream().to_string();
    for provider in config::providers(&root()).unwrap() {
        let path = root().join("generated").join(&provider.crate_name).join("src/generated.rs");
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let types = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Mod(module) if module.ident == "types" => module.content.as_ref().map(|(_, items)| items),
                _ => None,
            })
            .expect("a types module");
        let impls: Vec<String> = types
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(imp) => Some(text(imp)),
                _ => None,
            })
            .collect();
        let mut checked = 0;
        for item in types {
            match item {
                syn::Item::Struct(item) if matches!(item.fields, syn::Fields::Named(_)) => {
                    assert!(non_exhaustive(&item.attrs), "{}: `{}` is exhaustive", provider.name, item.ident);
                    let derives = item.attrs.iter().filter(|a| a.path().is_ident("derive")).map(|a| text(&a.meta));
                    assert!(
                        derives.into_iter().any(|d| d.contains("bon :: Builder")),
                        "{}: `{}` has no builder",
                        provider.name,
                        item.ident
                    );
                    checked += 1;
                }
                syn::Item::Enum(item) => {
                    assert!(non_exhaustive(&item.attrs), "{}: enum `{}` is exhaustive", provider.name, item.ident);
                    for variant in item.variants.iter().filter(|v| matches!(v.fields, syn::Fields::Named(_))) {
                        let name = format!("{}::{}", item.ident, variant.ident);
                        assert!(non_exhaustive(&variant.attrs), "{}: `{name}` is exhaustive", provider.name);
                        let construct = format!("Self :: {} {{", variant.ident);
                        assert!(
                            impls.iter().any(|imp| imp.contains("bon :: bon") && imp.contains(&construct)),
                            "{}: `{name}` has no constructor",
                            provider.name
                        );
                    }
                    checked += 1;
                }
                _ => {}
            }
        }
        assert!(checked > 20, "{}: only {checked} types found", provider.name);
    }
}
