//! The shape of the repository: a clone is all it needs, and `cargo test` builds only what the
//! tests use.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).expect("a manifest");
    text.parse().expect("valid TOML")
}

/// The names of a manifest's dependency table, e.g. `dev-dependencies`.
fn deps(manifest: &toml::Table, table: &str) -> Vec<String> {
    manifest
        .get(table)
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn no_file_points_at_a_shared_folder_outside_the_repository() {
    // Spelled in two pieces so that this file does not find itself.
    let needle = concat!("..", "/shared");
    let mut hits = Vec::new();
    let mut dirs = vec![root()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("a readable directory") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "target" | ".git") {
                    dirs.push(path);
                }
                continue;
            }
            let Ok(text) = fs::read_to_string(&path) else {
                continue; // not text
            };
            for (n, line) in text.lines().enumerate() {
                if line.contains(needle) {
                    hits.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "references outside the repository:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_conformance_vectors_live_in_the_repository() {
    let vectors = root().join("tests/conformance/sse-vectors.json");
    let doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&vectors).expect("the vector file")).unwrap();
    assert_eq!(doc["vectors"].as_array().map(Vec::len), Some(168));
    let readme = fs::read_to_string(root().join("tests/conformance/README.md")).unwrap();
    for source in [
        "web-platform-tests/wpt",
        "launchdarkly/sse-contract-tests",
        "rexxars/eventsource-parser",
        "EventSource/eventsource",
        "chromium/chromium",
        "WebKit/WebKit",
        "nodejs/undici",
        "chromium-retry-empty-resets-default",
    ] {
        assert!(
            readme.contains(source),
            "tests/conformance/README.md names {source}"
        );
    }
    assert!(root().join("docs/sse.md").is_file());
}

#[test]
fn the_parser_comparison_and_its_crates_are_a_workspace_member_of_their_own() {
    let root_manifest = manifest(&root().join("Cargo.toml"));
    let bench_only = ["eventsource-client", "launchdarkly-sdk-transport"];
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let names = deps(&root_manifest, table);
        for krate in bench_only {
            assert!(
                !names.iter().any(|n| n == krate),
                "`cargo test` would build {krate} ([{table}] of the root package)"
            );
        }
    }
    let members = root_manifest["workspace"]["members"]
        .as_array()
        .expect("workspace members");
    assert!(
        members
            .iter()
            .any(|m| m.as_str() == Some("benches/compare"))
    );
    let bench = manifest(&root().join("benches/compare/Cargo.toml"));
    assert_eq!(bench["package"]["name"].as_str(), Some("ssedash-bench"));
    // 0.18.1 needs a newer rustc than the project's.
    assert_eq!(
        bench["dependencies"]["eventsource-client"].as_str(),
        Some("=0.18.0")
    );
    assert!(!root().join("benches/parser.rs").exists());
}

#[test]
fn tokio_features_the_program_does_not_use_are_not_enabled() {
    let root_manifest = manifest(&root().join("Cargo.toml"));
    let features: Vec<&str> = root_manifest["dependencies"]["tokio"]["features"]
        .as_array()
        .expect("tokio features")
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    // `process` and `io-util` run alert commands (and write their stdin); `fs` only tests use.
    assert!(
        !features.contains(&"fs"),
        "tokio feature fs is enabled for the program but only tests use it"
    );
}
