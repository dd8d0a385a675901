//! The capability table in the READMEs is `capability_table()`'s text, so the docs cannot drift
//! from what the send mappings do (which `send.rs` holds to the same table).

use crate::support;

use whatsapp_messaging::{Feature, Provider, capability_table};

const START: &str = "<!-- capability table: written from `whatsapp_messaging::capability_table()` -->\n";
const END: &str = "<!-- end of capability table -->";

/// The table between the markers of a README.
fn table_in(readme: &str) -> String {
    let text = std::fs::read_to_string(support::workspace_root().join(readme)).unwrap();
    let start = text.find(START).unwrap_or_else(|| panic!("{readme} has no capability table marker")) + START.len();
    let end = start + text[start..].find(END).unwrap_or_else(|| panic!("{readme}: the table has no end marker"));
    text[start..end].to_string()
}

#[test]
fn the_readmes_show_the_capability_table() {
    for readme in ["README.md", "clients/messaging/README.md"] {
        assert_eq!(
            table_in(readme),
            capability_table(),
            "{readme}: paste the table `whatsapp_messaging::capability_table()` prints between the markers"
        );
    }
}

#[test]
fn the_table_has_a_row_per_feature_and_a_column_per_provider() {
    let table = capability_table();
    assert_eq!(table.lines().count(), 2 + Feature::ALL.len());
    assert!(table.starts_with("| feature | wapio | verloop-partner | woztell |\n"));
    assert!(table.contains("| polls | yes | no | no |\n"));
    assert!(table.contains("| webhooks (received messages, status changes) | no | yes | no |\n"));
    assert!(Feature::ALL.iter().all(|feature| !Provider::Woztell.supports(*feature)), "WOZTELL sends nothing");
}
