//! Every connector crate has the same files, so a reader who knows one
//! knows where everything is in the next (README, "Adding a connector").

use std::path::{Path, PathBuf};

/// The files every connector crate has, relative to the crate's root.
const EVERY_CONNECTOR_HAS: &[&str] = &[
    "Cargo.toml",
    "docs.md",
    "src/lib.rs",
    "src/config.rs",
    "src/client.rs",
    "src/connector.rs",
    "src/kinds.rs",
    "src/lister.rs",
    "src/parse.rs",
    "src/schema",
    "src/deletion.rs",
    "src/write_rules.rs",
    "src/writer.rs",
    "src/sandbox.rs",
    "src/sim",
];

/// Crates under `connectors/` that are not connectors.
const NOT_CONNECTORS: &[&str] = &["all", "sim-kit"];

fn connector_crates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../connectors");
    let mut crates: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("connectors/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !NOT_CONNECTORS.contains(&name)
        })
        .collect();
    crates.sort();
    crates
}

#[test]
fn every_connector_crate_has_the_same_files() {
    let crates = connector_crates();
    assert!(
        crates.len() >= 2,
        "Xero and QuickBooks at least: {crates:?}"
    );
    let mut missing = Vec::new();
    for dir in &crates {
        for file in EVERY_CONNECTOR_HAS {
            if !dir.join(file).exists() {
                missing.push(format!("{}/{file}", dir.display()));
            }
        }
    }
    assert!(missing.is_empty(), "missing: {missing:#?}");
}

#[test]
fn every_connector_crate_is_linked_once_in_tether_connectors() {
    let all = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../connectors/all/src/lib.rs"),
    )
    .expect("connectors/all/src/lib.rs");
    for dir in connector_crates() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let line = format!("use tether_{} as _;", name.replace('-', "_"));
        assert_eq!(
            all.matches(&line).count(),
            1,
            "connectors/all/src/lib.rs names {name} once ({line})"
        );
    }
}
