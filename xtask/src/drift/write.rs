//! Writing a spec atomically: a temporary file in the same directory, then a rename over the
//! spec, so a reader never sees half a file.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Replaces `path`'s contents `before` with `after`; refuses if the file changed meanwhile.
pub fn replace(path: &Path, before: &str, after: &str) -> Result<()> {
    let current = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if current != before {
        bail!("{} changed while the drift findings were resolved; run the command again", path.display());
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new()
        .prefix(".drift-")
        .suffix(".yaml.tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    temporary.write_all(after.as_bytes()).context("writing the temporary file")?;
    temporary.as_file().sync_all().context("syncing the temporary file")?;
    let permissions = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.permissions();
    std::fs::set_permissions(temporary.path(), permissions).context("copying the spec's permissions")?;
    temporary.persist(path).with_context(|| format!("renaming the temporary file over {}", path.display()))?;
    Ok(())
}
