// Which commit a build comes from, for `ssedash --version`. Included by build.rs and by
// tests/version.rs (so the fallbacks are tested without a second build).

/// The commit of the source tree at `dir`: `git` when it is a checkout (a clone, or cargo's
/// checkout for `cargo install --git`), else the `.cargo_vcs_info.json` that `cargo package`
/// writes into a crate tarball, else `None` (a tarball made some other way).
pub fn source_commit(dir: &std::path::Path) -> Option<String> {
    git_commit(dir).or_else(|| vcs_info_commit(dir))
}

/// The date of the commit at `dir` (`2026-11-30`), when it is a git checkout.
pub fn commit_date(dir: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["log", "-1", "--format=%cs"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let date = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && date.len() == 10).then_some(date)
}

fn git_commit(dir: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && is_hex(&commit)).then_some(commit)
}

/// `{"git": {"sha1": "..."}}`: read without a JSON parser, build scripts stay dependency-free.
fn vcs_info_commit(dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + 6..];
    let start = after.find('"')? + 1;
    let sha = &after[start..start + after[start..].find('"')?];
    is_hex(sha).then(|| sha[..sha.len().min(12)].to_string())
}

fn is_hex(s: &str) -> bool {
    s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
