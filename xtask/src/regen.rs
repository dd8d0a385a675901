//! `cargo xtask regen`: write (or, with `--check`, compare) every generated crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::config::{self, Provider};
use crate::{generate, sandbox, spec};

/// One file of a generated crate: where it goes and what it must hold.
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

pub fn run(args: &[String]) -> Result<ExitCode> {
    let check = args.iter().any(|a| a == "--check");
    if let Some(flag) = args.iter().find(|a| a.starts_with("--") && *a != "--check") {
        bail!("unknown flag `{flag}`");
    }
    let names: Vec<String> = args.iter().filter(|a| !a.starts_with("--")).cloned().collect();
    let root = config::workspace_root()?;
    // Which checkout was read and written: with several checkouts, the one that matters.
    if check {
        eprintln!("checking {} against {}", root.join("generated").display(), root.join("specs").display());
    } else {
        eprintln!("regenerating {} from {}", root.join("generated").display(), root.join("specs").display());
    }
    let report = regen(&root, &names, check)?;
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    for file in &report.written {
        eprintln!("wrote {file}");
    }
    for file in &report.stale {
        eprintln!("stale: {file}");
    }
    if !report.stale.is_empty() {
        eprintln!("generated code is out of date with specs/: run `cargo xtask regen`");
    }
    Ok(if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// What a `regen` run did (or, with `check`, would do), paths relative to the workspace root.
#[derive(Debug, Default)]
pub struct Report {
    pub written: Vec<String>,
    pub stale: Vec<String>,
    pub errors: Vec<spec::SpecError>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.errors.is_empty()
    }
}

/// Regenerates the providers named in `names` (all when empty) of the workspace at `root`.
/// With `check`, writes nothing and lists the files whose committed contents are stale.
pub fn regen(root: &Path, names: &[String], check: bool) -> Result<Report> {
    let mut providers = config::providers(root)?;
    if let Some(unknown) = names.iter().find(|n| !providers.iter().any(|p| &p.name == *n)) {
        bail!("no provider `{unknown}` in xtask/providers.toml");
    }
    if !names.is_empty() {
        providers.retain(|p| names.contains(&p.name));
    }
    let mut report = Report::default();
    for provider in &providers {
        let files = match crate_files(root, provider) {
            Ok(files) => files,
            Err(errors) => {
                report.errors.extend(errors);
                continue;
            }
        };
        for file in files {
            if std::fs::read_to_string(&file.path).ok().as_deref() == Some(file.contents.as_str()) {
                continue;
            }
            let shown = file.path.strip_prefix(root).unwrap_or(&file.path).display().to_string();
            if check {
                report.stale.push(shown);
            } else {
                std::fs::create_dir_all(file.path.parent().expect("files live in a crate directory"))?;
                std::fs::write(&file.path, &file.contents).with_context(|| format!("writing {shown}"))?;
                report.written.push(shown);
            }
        }
    }
    Ok(report)
}

/// Prints the generated source of one spec, or its errors.
pub fn show(path: &Path) -> Result<ExitCode> {
    match generate_source(path) {
        Ok(source) => {
            print!("{source}");
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            errors.iter().for_each(|e| eprintln!("error: {e}"));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The checked spec turned into Rust source, or every problem found, each with its JSON pointer.
pub fn generate_source(path: &Path) -> Result<String, Vec<spec::SpecError>> {
    generate::generate(&checked_spec(path)?).map_err(|e| vec![e])
}

fn checked_spec(path: &Path) -> Result<spec::Spec, Vec<spec::SpecError>> {
    let document = spec::load(path).map_err(|e| vec![e])?;
    spec::check(path, document)
}

/// Every file regen writes for a provider: the generated crate (with its sandbox route table)
/// and the typed httpmock crate.
pub fn crate_files(root: &Path, provider: &Provider) -> Result<Vec<GeneratedFile>, Vec<spec::SpecError>> {
    let spec = checked_spec(&provider.spec_path(root))?;
    let source = generate::generate(&spec).map_err(|e| vec![e])?;
    let routes = sandbox::routes_json(&provider.name, &spec).map_err(|e| vec![e])?;
    let mocks = generate::generate_httpmock(&spec, &provider.crate_name.replace('-', "_")).map_err(|e| vec![e])?;
    let dir = provider.crate_dir(root);
    let mock_dir = provider.mock_crate_dir(root);
    Ok(vec![
        GeneratedFile { path: dir.join("Cargo.toml"), contents: manifest(provider, &source) },
        GeneratedFile { path: dir.join("README.md"), contents: readme(provider) },
        GeneratedFile { path: dir.join("src/lib.rs"), contents: crate_root(provider) },
        GeneratedFile { path: dir.join("src/generated.rs"), contents: source },
        GeneratedFile { path: dir.join("src/sandbox.json"), contents: routes },
        GeneratedFile { path: mock_dir.join("Cargo.toml"), contents: mock_manifest(provider, &mocks) },
        GeneratedFile { path: mock_dir.join("README.md"), contents: mock_readme(provider) },
        GeneratedFile { path: mock_dir.join("src/lib.rs"), contents: mock_crate_root(provider) },
        GeneratedFile { path: mock_dir.join("src/generated.rs"), contents: mocks },
    ])
}

/// The typed httpmock source of one spec (for snapshots and debugging).
pub fn generate_mock_source(path: &Path, crate_path: &str) -> Result<String, Vec<spec::SpecError>> {
    generate::generate_httpmock(&checked_spec(path)?, crate_path).map_err(|e| vec![e])
}

/// The crate root keeps the generated module away from `cargo fmt`: it is prettyplease's
/// output, and `regen --check` compares it byte for byte.
fn crate_root(provider: &Provider) -> String {
    format!(
        "// Generated by `cargo xtask regen` from specs/{spec}. Do not edit by hand.\n\
         //! Generated HTTP client for the {name} API: operations, types and builders from\n\
         //! `specs/{spec}`. Use it through the `{name}` client crate, which adds credentials.\n\
         \n\
         #[rustfmt::skip]\n\
         // Parameter lists in docs are built from the spec's multi-line descriptions.\n\
         #[allow(clippy::doc_lazy_continuation)]\n\
         mod generated;\n\
         \n\
         pub use generated::*;\n\
         \n\
         /// Every operation as the sandbox serves it (route table JSON, see\n\
         /// `whatsapp_sdk_runtime::sandbox`): method, path, credential, required parameters,\n\
         /// documented example, error shape.\n\
         pub const SANDBOX_ROUTES: &str = include_str!(\"sandbox.json\");\n",
        spec = provider.spec,
        name = provider.name,
    )
}

fn mock_crate_root(provider: &Provider) -> String {
    format!(
        "// Generated by `cargo xtask regen` from specs/{spec}. Do not edit by hand.\n\
         //! Typed [httpmock](https://docs.rs/httpmock) mocks for the {name} API (progenitor's\n\
         //! httpmock output): `MockServerExt` adds one method per operation to\n\
         //! `httpmock::MockServer`, whose `when`/`then` take the `{krate}` types.\n\
         \n\
         #[rustfmt::skip]\n\
         #[allow(clippy::all, unused_imports)]\n\
         mod generated;\n\
         \n\
         pub use generated::*;\n",
        spec = provider.spec,
        name = provider.name,
        krate = provider.crate_name.replace('-', "_"),
    )
}

/// The generated crate's `README.md` (shipped with the crate: `readme` in its manifest).
fn readme(provider: &Provider) -> String {
    format!(
        "<!-- Generated by `cargo xtask regen` from specs/{spec}. Do not edit by hand. -->\n\
         # {krate}\n\
         \n\
         The HTTP client for the {name} API generated from `specs/{spec}` (OpenAPI 3.0.3) with\n\
         progenitor: every operation as a typed builder, every request and response type.\n\
         \n\
         Depend on the client crate [`{name}`](https://crates.io/crates/{name}) instead: it adds the\n\
         credentials, errors, retries and pagination, and re-exports this crate's types. This crate\n\
         is released with it, at the same version, and its changes are listed in `{name}`'s\n\
         `CHANGELOG.md`.\n",
        spec = provider.spec,
        name = provider.name,
        krate = provider.crate_name,
    )
}

/// The typed httpmock crate's `README.md`.
fn mock_readme(provider: &Provider) -> String {
    format!(
        "<!-- Generated by `cargo xtask regen` from specs/{spec}. Do not edit by hand. -->\n\
         # {mock}\n\
         \n\
         Typed [httpmock](https://docs.rs/httpmock) mocks for the {name} API, generated from\n\
         `specs/{spec}` with progenitor: `MockServerExt` adds one method per operation to\n\
         `httpmock::MockServer`, whose `when`/`then` take the types of `{krate}`.\n\
         \n\
         Most users enable the `httpmock` feature of the client crate\n\
         [`{name}`](https://crates.io/crates/{name}) and write `use {module}::mock::MockServerExt`.\n\
         This crate is released with `{name}`, at the same version; its changes are listed in\n\
         `{name}`'s `CHANGELOG.md`.\n",
        spec = provider.spec,
        name = provider.name,
        krate = provider.crate_name,
        mock = provider.mock_crate_name(),
        module = provider.name.replace('-', "_"),
    )
}

fn mock_manifest(provider: &Provider, source: &str) -> String {
    let description = format!("Typed httpmock mocks for the {} API (from specs/{}).", provider.name, provider.spec);
    let metadata = Metadata {
        name: &provider.mock_crate_name(),
        description: &description,
        keywords: ["whatsapp", &provider.name, "httpmock", "mock", "testing"],
        categories: &["development-tools::testing", "api-bindings"],
    };
    let dependencies = format!(
        "{name}.workspace = true\n\
         httpmock.workspace = true\n\
         regex.workspace = true\n\
         serde_json.workspace = true\n",
        name = provider.crate_name,
    );
    crate_manifest(provider, &metadata, &dependencies, &["chrono", "uuid"], source)
}

fn manifest(provider: &Provider, source: &str) -> String {
    let description = format!("Generated HTTP client for the {} API (from specs/{}).", provider.name, provider.spec);
    let metadata = Metadata {
        name: &provider.crate_name,
        description: &description,
        keywords: ["whatsapp", &provider.name, "api-client", "openapi", "progenitor"],
        categories: &["api-bindings", "web-programming::http-client"],
    };
    let dependencies = "bon.workspace = true\n\
         progenitor-client.workspace = true\n\
         reqwest.workspace = true\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         whatsapp-sdk-runtime.workspace = true\n";
    crate_manifest(provider, &metadata, dependencies, &["chrono", "regress", "uuid"], source)
}

/// The `[package]` fields that differ between a generated crate and its httpmock crate.
struct Metadata<'a> {
    name: &'a str,
    description: &'a str,
    keywords: [&'a str; 5],
    categories: &'a [&'a str],
}

/// A generated crate's `Cargo.toml`: the provider's version (`xtask/providers.toml`, the client
/// crate's), workspace-inherited and publishing fields, `dependencies` (the workspace's, which
/// carry a version next to each path), and those of the `optional` crates (which typify pulls
/// in only for some formats and patterns) that `source` uses.
fn crate_manifest(
    provider: &Provider,
    package: &Metadata,
    dependencies: &str,
    optional: &[&str],
    source: &str,
) -> String {
    let list = |items: &[&str]| items.iter().map(|item| format!("\"{item}\"")).collect::<Vec<_>>().join(", ");
    let mut manifest = format!(
        "# Generated by `cargo xtask regen` from specs/{spec}. Do not edit by hand.\n\
         [package]\n\
         name = \"{name}\"\n\
         description = \"{description}\"\n\
         version = \"{version}\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         repository.workspace = true\n\
         readme = \"README.md\"\n\
         keywords = [{keywords}]\n\
         categories = [{categories}]\n\
         include = [\"/src\", \"/README.md\"]\n\
         \n\
         [package.metadata.docs.rs]\n\
         all-features = true\n\
         rustdoc-args = [\"--cfg\", \"docsrs\"]\n\
         \n\
         # Nothing to run: the code has no tests and its doc examples are `ignore`d (the workspace's\n\
         # tests exercise it), so `cargo test` skips building it twice more.\n\
         [lib]\n\
         test = false\n\
         doctest = false\n\
         \n\
         [dependencies]\n\
         {dependencies}",
        spec = provider.spec,
        name = package.name,
        description = package.description,
        version = provider.version(),
        keywords = list(&package.keywords),
        categories = list(package.categories),
    );
    for optional in optional.iter().filter(|name| source.contains(&format!("::{name}::"))) {
        manifest.push_str(&format!("{optional}.workspace = true\n"));
    }
    manifest
}
