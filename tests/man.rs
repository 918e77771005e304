//! `ssedash man`: a page groff renders without a warning, with every key of the help overlay
//! and the config reference.

use std::io::Write;
use std::process::{Command, Stdio};

use ssedash::tui::help;

const BIN: &str = env!("CARGO_BIN_EXE_ssedash");

fn page() -> String {
    let out = Command::new(BIN).arg("man").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// groff's output and warnings for the page, or `None` (with a notice) without groff.
fn groff(page: &str) -> Option<(String, String)> {
    let child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-P", "-cbou"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!(
            "NOTICE: groff is not installed; the man page was not rendered (.ci/run installs it when it can)"
        );
        return None;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    Some((
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    ))
}

#[test]
fn the_man_page_renders_with_groff_without_warnings() {
    let page = page();
    assert!(page.contains("\n.TH ssedash 1 "));
    // groff reads Latin-1: anything else is escaped.
    assert!(page.is_ascii());
    if let Some((_, warnings)) = groff(&page) {
        assert_eq!(warnings, "", "groff -ww warned");
    }
}

#[test]
fn the_man_page_lists_every_key_of_the_help_overlay() {
    let Some((text, _)) = groff(&page()) else {
        return;
    };
    let keys = &text[text.find("KEYS").expect("a KEYS section")..];
    // groff may break a line anywhere there is a space, and hyphenates nothing here (-ww
    // would say so): compared with spaces squeezed.
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let keys = squeeze(keys);
    for (key, what) in help::KEYS {
        assert!(keys.contains(&squeeze(key)), "key {key:?} missing");
        assert!(keys.contains(&squeeze(what)), "{what:?} missing");
    }
}

#[test]
fn the_man_page_has_the_config_reference_options_and_subcommands() {
    let page = page();
    for section in [
        "CONFIGURATION",
        "ENVIRONMENT",
        "\"EXIT STATUS\"",
        "\"COMMAND OPTIONS\"",
    ] {
        assert!(page.contains(&format!(".SH {section}")), "{section}");
    }
    let Some((text, _)) = groff(&page) else {
        return;
    };
    // Every key the starter documents, options of the dashboard and of `tail`.
    for key in [
        "read_timeout",
        "max_event_bytes",
        "[reconnect]",
        "ca_file",
        "[[feed]]",
    ] {
        assert!(text.contains(key), "{key}");
    }
    for option in [
        "--log-file",
        "--config",
        "--count",
        "--format",
        "ssedash tail",
    ] {
        assert!(text.contains(option), "{option}");
    }
    assert!(!text.contains("__feed-names"));
}
