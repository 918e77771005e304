//! Puts the commit a build comes from into `ssedash --version`, so bug reports say what they run.

include!("build/commit.rs");

fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let commit = source_commit(&dir).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SSEDASH_COMMIT={commit}");
    // The man page's date: the commit's, so a page does not change with the day it is built.
    let date = commit_date(&dir).unwrap_or_default();
    println!("cargo:rustc-env=SSEDASH_COMMIT_DATE={date}");
    println!("cargo:rerun-if-changed=build/commit.rs");
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    // A new commit or a checkout moves HEAD or the branch it names: build again then. Only
    // files that exist are named (a missing one would make cargo rerun this every build).
    for path in git_paths(&dir) {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// HEAD, the ref it points at, and packed-refs, in this checkout's git dirs (a worktree has
/// its HEAD in one and its refs in another).
fn git_paths(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let (Some(git_dir), Some(common)) = (
        git(&["rev-parse", "--absolute-git-dir"]),
        git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]),
    ) else {
        return Vec::new();
    };
    let (git_dir, common) = (
        std::path::PathBuf::from(git_dir),
        std::path::PathBuf::from(common),
    );
    let mut paths = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(common.join(head));
    }
    paths
}
