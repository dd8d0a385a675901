use std::process::ExitCode;

fn main() -> ExitCode {
    let root = xtask::config::workspace_root();
    let providers = xtask::config::providers(&root).unwrap();
    for p in providers {
        let path = std::env::args().nth(1).unwrap();
        let doc = xtask::spec::load(std::path::Path::new(&path)).unwrap();
        let spec = xtask::spec::check(std::path::Path::new(&path), doc).unwrap();
        print!("{}", xtask::generate::generate(&spec).unwrap());
        let _ = p;
        break;
    }
    ExitCode::SUCCESS
}
