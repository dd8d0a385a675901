//! Workspace-level tests live in `tests/tests/`; this library only anchors the package.
