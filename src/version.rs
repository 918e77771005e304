//! What `ssedash --version` says: the crate's version and the commit it was built from
//! (found by build.rs; "unknown commit" for a source tree with neither git nor cargo's
//! `.cargo_vcs_info.json`).

/// e.g. `0.1.0 (commit da95963a1b2c)`.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SSEDASH_COMMIT"),
    ")"
);
