//! `ssedash --version`: the version and the commit the binary was built from, so bug reports
//! say what they run; from a tarball without git, the commit cargo recorded, else "unknown".

use std::process::Command;

#[path = "../build/commit.rs"]
#[allow(dead_code)] // commit_date is for the man page, not tested here
mod commit;

const BIN: &str = env!("CARGO_BIN_EXE_ssedash");

#[test]
fn version_prints_the_crate_version_and_the_commit_of_the_checkout() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let commit = commit::source_commit(root).unwrap_or_else(|| "unknown".into());
    assert_eq!(
        printed,
        format!("ssedash {} (commit {commit})\n", env!("CARGO_PKG_VERSION"))
    );
    // In a clone the commit is git's own.
    if root.join(".git").exists() {
        let head = Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(root)
            .output()
            .unwrap();
        let head = String::from_utf8(head.stdout).unwrap();
        assert!(head.starts_with(&commit), "{commit} is not HEAD {head}");
    }
}

#[test]
fn a_tree_without_git_takes_the_commit_cargo_package_recorded_else_none() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(commit::source_commit(dir.path()), None);
    std::fs::write(
        dir.path().join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"\"\n}",
    )
    .unwrap();
    assert_eq!(
        commit::source_commit(dir.path()).as_deref(),
        Some("0123456789ab")
    );
}
