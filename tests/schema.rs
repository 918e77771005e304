//! `ssedash schema`: the JSON Schema of feeds.toml accepts the files ssedash accepts (the
//! repo's feeds.toml, the starter, every config fixture the loader loads) and rejects
//! unknown keys, as the loader does. `init` writes it beside the starter, which names it.

use std::path::{Path, PathBuf};
use std::process::Command;

use boon::{Compiler, Draft, SchemaIndex, Schemas};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ssedash");

fn compiled() -> (Schemas, SchemaIndex) {
    let schema: Value = serde_json::from_str(ssedash::config::SCHEMA).unwrap();
    let mut schemas = Schemas::new();
    let mut compiler = Compiler::new();
    compiler.set_default_draft(Draft::V7);
    compiler
        .add_resource("mem:feeds.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("mem:feeds.schema.json", &mut schemas)
        .unwrap_or_else(|e| panic!("schema.json does not compile: {e:#}"));
    (schemas, index)
}

/// `Err` with the validator's message when `toml` does not match the schema.
fn validate(toml_text: &str) -> Result<(), String> {
    let (schemas, index) = compiled();
    let doc: Value = toml::from_str(toml_text).map_err(|e| format!("not TOML: {e}"))?;
    schemas.validate(&doc, index).map_err(|e| format!("{e:#}"))
}

fn loads(toml_text: &str, dir: &Path) -> Result<(), String> {
    let path = dir.join("feeds.toml");
    std::fs::write(&path, toml_text).unwrap();
    ssedash::config::load(&path)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn toml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

#[test]
fn ssedash_schema_prints_a_draft_7_schema_that_compiles() {
    let out = Command::new(BIN).arg("schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        ssedash::config::SCHEMA
    );
    let schema: Value = serde_json::from_str(ssedash::config::SCHEMA).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    compiled();
}

#[test]
fn the_repo_feeds_toml_the_starter_and_every_config_fixture_the_loader_loads_validate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = std::fs::read_to_string(root.join("feeds.toml")).unwrap();
    validate(&repo).unwrap_or_else(|e| panic!("feeds.toml: {e}"));
    validate(ssedash::config::starter_config()).unwrap_or_else(|e| panic!("starter: {e}"));
    let mut files = Vec::new();
    toml_files(&root.join("tests"), &mut files);
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let is_config = toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("feed"));
        // A fixture the loader rejects is there to be rejected.
        if !is_config || ssedash::config::load(&file).is_err() {
            continue;
        }
        validate(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        checked += 1;
    }
    assert!(checked >= 1, "no config fixture found under tests/");
}

/// The starter's commented lines (`# key = value`, `# [table]`) uncommented: every key it
/// documents, set at once.
fn starter_uncommented() -> String {
    let mut out = String::new();
    for line in ssedash::config::starter_config().lines() {
        let body = line.strip_prefix("# ").unwrap_or(line);
        let is_key = body.split_once(" = ").is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
        let is_table = body.starts_with('[') && body.trim_end().ends_with(']');
        if line.starts_with("# ") && (is_key || is_table) {
            out.push_str(body);
        } else if !line.starts_with('#') {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[test]
fn every_key_the_starter_documents_is_in_the_schema() {
    let all = starter_uncommented();
    assert!(
        all.contains("\n[feed.tls]\n") && all.contains("\nmethod = \"POST\""),
        "{all}"
    );
    validate(&all).unwrap_or_else(|e| panic!("{e}\n{all}"));
}

#[test]
fn the_starter_names_the_schema_file_on_its_first_line() {
    let first = ssedash::config::starter_config().lines().next().unwrap();
    assert_eq!(first, ssedash::config::SCHEMA_DIRECTIVE);
    assert_eq!(
        first,
        format!("#:schema ./{}", ssedash::config::SCHEMA_FILE)
    );
}

const FEED: &str = "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:7878/a\"\n";

#[test]
fn unknown_keys_are_rejected_by_the_schema_as_by_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        format!("bogus = 1\n{FEED}"),
        format!("{FEED}bogus = 1\n"),
        format!("[reconnect]\nbogus = 1\n{FEED}"),
        format!("[tls]\nbogus = true\n{FEED}"),
        format!("{FEED}[feed.reconnect]\nbogus = 1\n"),
        format!("{FEED}[feed.tls]\nbogus = 1\n"),
        format!("{FEED}reconect = {{ when = \"never\" }}\n"),
    ];
    validate(FEED).unwrap();
    loads(FEED, dir.path()).unwrap();
    for case in &cases {
        assert!(validate(case).is_err(), "the schema accepts:\n{case}");
        let loaded = loads(case, dir.path());
        assert!(
            loaded.as_ref().is_err_and(|e| e.contains("unknown key")),
            "the loader: {loaded:?}\n{case}"
        );
    }
    // Tables whose keys other parts of ssedash read: closed too.
    for case in [
        format!("{FEED}[feed.view]\nkind = \"board\"\nbogus = 1\n"),
        format!("{FEED}[[feed.highlight]]\nmatch = \"ERROR\"\nstyle = \"red\"\nbogus = 1\n"),
        format!("[[alert]]\nname = \"x\"\nmatch = \"E\"\nbogus = 1\n{FEED}"),
    ] {
        assert!(validate(&case).is_err(), "the schema accepts:\n{case}");
    }
}

#[test]
fn values_the_loader_refuses_for_their_shape_the_schema_refuses_too() {
    let dir = tempfile::tempdir().unwrap();
    for case in [
        format!("read_timeout = 60\n{FEED}"),
        format!("[reconnect]\nwhen = \"sometimes\"\n{FEED}"),
        format!("buffer = 0\n{FEED}"),
        format!("[reconnect]\njitter = 2.0\n{FEED}"),
        "[[feed]]\nname = \"a\"\n".to_string(),
        format!("{FEED}proxy = \"socks5://127.0.0.1:1080\"\n"),
        "theme = \"dark\"\n".to_string(),
    ] {
        assert!(validate(&case).is_err(), "the schema accepts:\n{case}");
        assert!(
            loads(&case, dir.path()).is_err(),
            "the loader accepts:\n{case}"
        );
    }
}

#[test]
fn init_writes_the_schema_beside_the_starter_and_never_replaces_a_foreign_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["init", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let starter = std::fs::read_to_string(dir.path().join("feeds.toml")).unwrap();
    assert!(starter.starts_with("#:schema ./ssedash.schema.json\n"));
    let schema = std::fs::read_to_string(dir.path().join("ssedash.schema.json")).unwrap();
    assert_eq!(schema, ssedash::config::SCHEMA);

    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("ssedash.schema.json"), "mine").unwrap();
    let out = Command::new(BIN)
        .args(["init", "."])
        .current_dir(other.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an ssedash schema"));
    assert_eq!(
        std::fs::read_to_string(other.path().join("ssedash.schema.json")).unwrap(),
        "mine"
    );
    assert!(
        !other.path().join("feeds.toml").exists(),
        "nothing is left half-written"
    );
}
