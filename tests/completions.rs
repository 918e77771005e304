//! `ssedash completions SHELL`: the scripts parse in their shells, and `--feed <TAB>` offers
//! the feed names of the config (asked from the binary at TAB time).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ssedash");

const CONFIG: &str = r#"
[[feed]]
name = "ticker"
url = "http://127.0.0.1:9/a"

[[feed]]
name = "tock"
url = "http://127.0.0.1:9/b"

[[feed]]
name = "news feed"
url = "http://127.0.0.1:9/c"
"#;

fn script(shell: &str) -> String {
    let out = Command::new(BIN)
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn has(tool: &str) -> bool {
    Command::new(tool)
        .args(["-c", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A folder with a feeds.toml (found by default there) and the script saved as `script`.
fn setup(shell: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("feeds.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("script"), script(shell)).unwrap();
    dir
}

/// What bash's completion function offers for `words`, the last being completed, in `dir`.
fn bash_complete(dir: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source ./script\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         _ssedash_feeds {BIN} \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .args(["-c", &program])
        .current_dir(dir)
        .env_remove("SSEDASH_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_bash_script_passes_bash_n() {
    let dir = setup("bash");
    let out = Command::new("bash")
        .args(["-n", "script"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn feed_tab_in_bash_lists_the_feed_names_of_the_config() {
    let dir = setup("bash");
    let all = bash_complete(dir.path(), &[BIN, "--feed", ""]);
    assert_eq!(all, ["ticker", "tock", "news\\ feed"]);
    // Only the names starting with what is typed, after `tail` too.
    let t = bash_complete(dir.path(), &[BIN, "tail", "--feed", "t"]);
    assert_eq!(t, ["ticker", "tock"]);
    // `--feed=` is split by bash at the `=`.
    let eq = bash_complete(dir.path(), &[BIN, "--feed", "=", "ti"]);
    assert_eq!(eq, ["ticker"]);
}

#[test]
fn feed_tab_in_bash_reads_the_config_named_by_config() {
    let dir = setup("bash");
    std::fs::create_dir(dir.path().join("other")).unwrap();
    std::fs::write(
        dir.path().join("other/work.toml"),
        "[[feed]]\nname = \"orders\"\nurl = \"http://127.0.0.1:9/o\"\n",
    )
    .unwrap();
    let names = bash_complete(
        dir.path(),
        &[BIN, "tail", "--config", "other/work.toml", "--feed", ""],
    );
    assert_eq!(names, ["orders"]);
}

#[test]
fn other_words_in_bash_still_complete_as_clap_generated_them() {
    let dir = setup("bash");
    assert_eq!(bash_complete(dir.path(), &[BIN, "ta"]), ["tail"]);
    let options = bash_complete(dir.path(), &[BIN, "tail", "--for"]);
    assert_eq!(options, ["--format"]);
}

#[test]
fn the_hidden_feed_names_helper_is_not_offered_as_a_subcommand_in_bash_or_zsh() {
    let dir = setup("bash");
    let subcommands = bash_complete(dir.path(), &[BIN, "_"]);
    assert!(subcommands.is_empty(), "{subcommands:?}");
    let all = bash_complete(dir.path(), &[BIN, ""]);
    assert!(all.iter().any(|w| w == "tail"), "{all:?}");
    assert!(!all.iter().any(|w| w.contains("feed-names")), "{all:?}");
    // zsh: the helper is only called by the feed-name function, never listed.
    let zsh = script("zsh");
    assert_eq!(zsh.matches("__feed-names").count(), 1, "{zsh}");
    assert!(!zsh.contains("'__feed-names:"), "{zsh}");
}

#[test]
fn the_zsh_script_passes_zsh_n() {
    if !has("zsh") {
        eprintln!(
            "NOTICE: zsh is not installed; `zsh -n` skipped (.ci/run installs it when it can)"
        );
        return;
    }
    let dir = setup("zsh");
    let out = Command::new("zsh")
        .args(["-n", "script"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn feed_tab_in_zsh_lists_the_feed_names_of_the_config() {
    let script = script("zsh");
    // Both `--feed`s (the dashboard's and tail's) complete through the names function.
    assert_eq!(script.matches(":NAME:_ssedash_feed_names'").count(), 2);
    if !has("zsh") {
        eprintln!("NOTICE: zsh is not installed; zsh feed-name completion not run");
        return;
    }
    let dir = setup("zsh");
    // zsh's completion system is stood in for by the two functions the script calls.
    let program = format!(
        "source ./script 2>/dev/null\n\
         _call_program() {{ shift; eval \"$@\" }}\n\
         _describe() {{ print -l -- \"${{(@P)4}}\" }}\n\
         words=(ssedash tail --feed '')\n\
         CURRENT=4\n\
         _ssedash_command={BIN}\n\
         _ssedash_feed_names"
    );
    let out = Command::new("zsh")
        .args(["-f", "-c", &program])
        .current_dir(dir.path())
        .env_remove("SSEDASH_CONFIG")
        .output()
        .unwrap();
    let names = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        ["ticker", "tock", "news feed"]
    );
}

#[test]
fn every_shell_gets_a_script_and_fish_completes_feed_names() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(script(shell).contains("ssedash"), "{shell}");
    }
    assert!(script("fish").contains("complete -c ssedash -l feed -x -a '(__ssedash_feed_names)'"));
}

#[test]
fn the_feed_names_helper_prints_names_even_when_the_config_has_other_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("feeds.toml"),
        "bogus_key = 1\n[[feed]]\nname = \"kept\"\nurl = \"not a url\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("__feed-names")
        .current_dir(dir.path())
        .env_remove("SSEDASH_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "kept\n");
    // It is for scripts: not in the help.
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(
        !String::from_utf8(help.stdout)
            .unwrap()
            .contains("__feed-names")
    );
}
