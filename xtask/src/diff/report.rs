//! What the diff found, and its Markdown form.

use std::fmt::{self, Write as _};

/// Whether code or requests written against the old spec can fail against the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Breaking,
    NonBreaking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    SpecAdded,
    SpecRemoved,
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequired,
    ParameterOptional,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequired,
    RequestBodyOptional,
    MediaTypeChanged,
    ResponseAdded,
    ResponseRemoved,
    ResponseBodyAdded,
    ResponseBodyRemoved,
    FieldAdded,
    FieldRemoved,
    FieldRequired,
    FieldOptional,
    NullableAdded,
    NullableRemoved,
    TypeChanged,
    EnumValueAdded,
    EnumValueRemoved,
    VariantAdded,
    VariantRemoved,
    SecurityAdded,
    SecurityRemoved,
    CredentialPlacementChanged,
    SecuritySchemeAdded,
    SecuritySchemeRemoved,
    SecuritySchemeChanged,
    SchemaAdded,
    SchemaRemoved,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ChangeKind::*;
        f.write_str(match self {
            SpecAdded => "Spec added",
            SpecRemoved => "Spec removed",
            OperationAdded => "Operation added",
            OperationRemoved => "Operation removed",
            OperationRenamed => "Operation renamed",
            ParameterAdded => "Parameter added",
            ParameterRemoved => "Parameter removed",
            ParameterRequired => "Parameter now required",
            ParameterOptional => "Parameter now optional",
            RequestBodyAdded => "Request body added",
            RequestBodyRemoved => "Request body removed",
            RequestBodyRequired => "Request body now required",
            RequestBodyOptional => "Request body now optional",
            MediaTypeChanged => "Media type changed",
            ResponseAdded => "Response statuses added",
            ResponseRemoved => "Response statuses removed",
            ResponseBodyAdded => "Response body added",
            ResponseBodyRemoved => "Response body removed",
            FieldAdded => "Field added",
            FieldRemoved => "Field removed",
            FieldRequired => "Field now required",
            FieldOptional => "Field now optional",
            NullableAdded => "Field now nullable",
            NullableRemoved => "Field no longer nullable",
            TypeChanged => "Type changed",
            EnumValueAdded => "Enum value added",
            EnumValueRemoved => "Enum value removed",
            VariantAdded => "Variant added",
            VariantRemoved => "Variant removed",
            SecurityAdded => "Now accepts",
            SecurityRemoved => "No longer accepts",
            CredentialPlacementChanged => "Credential placement changed",
            SecuritySchemeAdded => "Security scheme added",
            SecuritySchemeRemoved => "Security scheme removed",
            SecuritySchemeChanged => "Security scheme changed",
            SchemaAdded => "Schema added",
            SchemaRemoved => "Schema removed",
        })
    }
}

/// One difference between two versions of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub severity: Severity,
    pub kind: ChangeKind,
    /// What changed: an operation label, `query.limit`, or a field path such as `SessionList.data[].status`.
    pub target: String,
    /// The old and new value, or why it is classified as it is; may be empty.
    pub detail: String,
    /// Labels of the operations affected, when `target` is not one itself.
    pub operations: Vec<String>,
}

/// How many affected operations a report line names before summarising the rest.
const NAMED_OPERATIONS: usize = 3;

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`", self.kind, self.target)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        if !self.operations.is_empty() {
            let named: Vec<String> =
                self.operations.iter().take(NAMED_OPERATIONS).map(|op| format!("`{op}`")).collect();
            write!(f, " — in {}", named.join(", "))?;
            let rest = self.operations.len().saturating_sub(NAMED_OPERATIONS);
            if rest > 0 {
                write!(f, " and {rest} more")?;
            }
        }
        Ok(())
    }
}

/// Every change between two versions of one spec, in spec order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

/// Exit status when the reports hold a breaking change (1 is left for errors).
pub const EXIT_BREAKING: u8 = 2;

impl Report {
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|change| change.severity == Severity::Breaking)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.changes.iter().filter(|change| change.severity == severity).count()
    }

    /// 0 without breaking changes, [`EXIT_BREAKING`] with.
    pub fn exit_code(&self) -> u8 {
        if self.is_breaking() { EXIT_BREAKING } else { 0 }
    }

    /// `## <heading>`, then the breaking and the non-breaking changes as bullet lists.
    pub fn to_markdown(&self, heading: &str) -> String {
        let mut out = format!("## {heading}\n\n");
        if self.changes.is_empty() {
            out.push_str("No API changes.\n");
            return out;
        }
        for (severity, title) in [(Severity::Breaking, "Breaking"), (Severity::NonBreaking, "Non-breaking")] {
            let count = self.count(severity);
            if count == 0 {
                continue;
            }
            let _ = writeln!(out, "### {title} ({count})\n");
            for change in self.changes.iter().filter(|change| change.severity == severity) {
                let _ = writeln!(out, "- {change}");
            }
            out.push('\n');
        }
        out.truncate(out.trim_end().len() + 1);
        out
    }
}

/// The closing line of a report over one or more specs.
pub fn summary<'r>(reports: impl IntoIterator<Item = &'r Report>) -> String {
    let (mut breaking, mut other) = (0, 0);
    for report in reports {
        breaking += report.count(Severity::Breaking);
        other += report.count(Severity::NonBreaking);
    }
    if breaking + other == 0 {
        return "**Summary:** no API changes.\n".to_string();
    }
    format!("**Summary:** {breaking} breaking, {other} non-breaking {}.\n", plural(breaking + other, "change"))
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 { word.to_string() } else { format!("{word}s") }
}
