//! The generated `operation` lookup (a `match` on id length, then id) finds every operation of
//! each crate's `OPERATIONS` table and nothing else: the runtime authorizes and retries by it.

use whatsapp_sdk_runtime::OperationSpec;

fn check(table: &'static [OperationSpec], lookup: fn(&str) -> Option<&'static OperationSpec>) {
    assert!(!table.is_empty());
    assert!(table.is_sorted_by_key(|op| op.id), "OPERATIONS is sorted by id");
    for op in table {
        assert!(lookup(op.id).is_some_and(|found| std::ptr::eq(found, op)), "{}", op.id);
        // Same length, different id: only a full comparison tells them apart.
        let mut twin = op.id.to_string();
        let last = twin.pop().map_or('x', |c| if c == 'x' { 'y' } else { 'x' });
        twin.push(last);
        assert!(lookup(&twin).is_none(), "{twin}");
        assert!(lookup(&format!("{}_", op.id)).is_none());
    }
    assert!(lookup("").is_none());
}

#[test]
fn every_operation_is_found_and_nothing_else() {
    check(&wapio_api::OPERATIONS, wapio_api::operation);
    check(&verloop_partner_api::OPERATIONS, verloop_partner_api::operation);
    check(&woztell_api::OPERATIONS, woztell_api::operation);
}
