//! `ssedash schema`: the JSON Schema of feeds.toml, written once by hand (schema.json) and
//! tested against the loader (tests/schema.rs, and below), so editors that speak Taplo's
//! `#:schema` directive complete and check the keys.

use std::path::{Path, PathBuf};

use super::ConfigError;
use super::errors::shown_path;

/// The schema, as `ssedash schema` prints it.
pub const SCHEMA: &str = include_str!("schema.json");

/// The file `ssedash init` writes beside the starter, which the starter's first line names.
pub const SCHEMA_FILE: &str = "ssedash.schema.json";

/// The starter's first line: Taplo and Even Better TOML resolve it relative to the file.
pub const SCHEMA_DIRECTIVE: &str = "#:schema ./ssedash.schema.json";

/// Writes [`SCHEMA`] as [`SCHEMA_FILE`] in the folder of `config`. An older ssedash schema
/// there is brought up to date; any other file of that name is left alone (and said so).
pub fn write_schema_beside(config: &Path) -> Result<PathBuf, ConfigError> {
    let dir = config.parent().filter(|d| !d.as_os_str().is_empty());
    let path = dir.map_or_else(|| PathBuf::from(SCHEMA_FILE), |d| d.join(SCHEMA_FILE));
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing == SCHEMA => return Ok(path),
        Ok(existing) if !existing.contains("\"title\": \"ssedash feeds.toml\"") => {
            return Err(ConfigError::new(format!(
                "{} exists and is not an ssedash schema; not overwriting it (the starter's \
                 `#:schema` line names it: `ssedash schema > FILE` writes the schema elsewhere)",
                shown_path(&path)
            )));
        }
        _ => {}
    }
    std::fs::write(&path, SCHEMA)
        .map_err(|e| ConfigError::new(format!("{}: cannot write: {e}", shown_path(&path))))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties<'a>(schema: &'a serde_json::Value, pointer: &str) -> Vec<&'a str> {
        schema
            .pointer(pointer)
            .and_then(serde_json::Value::as_object)
            .unwrap_or_else(|| panic!("{pointer} in schema.json"))
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn every_key_the_loader_reads_is_in_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let tables: [(&str, &[&str]); 4] = [
            ("/properties", super::super::parse::TOP_KEYS),
            (
                "/definitions/feed/properties",
                super::super::parse::FEED_KEYS,
            ),
            (
                "/definitions/reconnect/properties",
                super::super::layer::RECONNECT_KEYS,
            ),
            ("/definitions/tls/properties", super::super::layer::TLS_KEYS),
        ];
        for (pointer, loader_keys) in tables {
            let in_schema = properties(&schema, pointer);
            for key in loader_keys {
                assert!(
                    in_schema.contains(key),
                    "`{key}` is read by the loader but missing at {pointer} in schema.json"
                );
            }
        }
    }
}
