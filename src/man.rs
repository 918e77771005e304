//! `ssedash man`: the man page, in roff. The options come from the clap definitions
//! (clap_mangen), the keys from the help overlay's table and the config reference from the
//! starter file `ssedash init` writes, so none of them is written twice.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::cli::Cli;
use crate::tui::help;

/// Writes the whole page.
pub fn render(out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let date = match env!("SSEDASH_COMMIT_DATE") {
        "" => env!("CARGO_PKG_VERSION"),
        date => date,
    };
    let man = Man::new(cmd.clone())
        .date(date)
        .source(format!("ssedash {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands");
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    command_options(&cmd, &mut page)?;
    let mut roff = Roff::new();
    keys(&mut roff);
    configuration(&mut roff);
    environment(&mut roff);
    exit_status(&mut roff);
    roff.to_writer(&mut page)?;
    let mut tail = Vec::new();
    man.render_version_section(&mut tail)?;
    page.extend_from_slice(&tail);
    out.write_all(ascii_only(&String::from_utf8_lossy(&page)).as_bytes())
}

/// Each subcommand's own options, under its name (clap_mangen renders one command's).
fn command_options(cmd: &clap::Command, page: &mut Vec<u8>) -> io::Result<()> {
    page.extend_from_slice(b".SH \"COMMAND OPTIONS\"\n");
    for sub in cmd.get_subcommands() {
        // Global options (--log-file) are in OPTIONS already; `-h` goes without saying.
        let sub = sub.clone().mut_args(|a| {
            let hide = a.is_global_set() || a.get_id() == "help";
            a.hide(hide)
        });
        let shown = sub.get_arguments().any(|a| !a.is_hide_set());
        if sub.is_hide_set() || !shown {
            continue;
        }
        let mut roff = Roff::new();
        roff.control("SS", [format!("ssedash {}", sub.get_name()).as_str()]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
        roff.to_writer(page)?;
        let mut options = Vec::new();
        Man::new(sub).render_options_section(&mut options)?;
        let options = String::from_utf8_lossy(&options);
        // Its own `.SH OPTIONS` would end the section; the items stay under the `.SS`.
        for line in options.lines().filter(|l| !l.starts_with(".SH")) {
            page.extend_from_slice(line.as_bytes());
            page.push(b'\n');
        }
    }
    Ok(())
}

/// The dashboard's keys, from the help overlay's table. An indented key there works inside
/// the entry above it (the overview, the filter), and is indented here too.
fn keys(roff: &mut Roff) {
    roff.control("SH", ["KEYS"]);
    roff.text([roman(
        "In the dashboard (also shown by ? in it). Keys fire only as written: Ctrl-D is not d.",
    )]);
    let mut nested = false;
    for (key, what) in help::KEYS {
        let inner = key.starts_with(' ');
        if inner != nested {
            roff.control(if inner { "RS" } else { "RE" }, []);
            nested = inner;
        }
        roff.control("TP", []);
        roff.text([bold(key.trim())]);
        roff.text([roman(*what)]);
    }
    if nested {
        roff.control("RE", []);
    }
    for note in help::NOTES {
        roff.control("PP", []);
        roff.text([roman(*note)]);
    }
}

/// Where the config is found, and every key as the starter file explains it.
fn configuration(roff: &mut Roff) {
    roff.control("SH", ["CONFIGURATION"]);
    roff.text([
        roman("The feeds come from "),
        bold("--config"),
        roman(", else "),
        bold("$SSEDASH_CONFIG"),
        roman(", else "),
        italic("./feeds.toml"),
        roman(", else "),
        italic("feeds.toml"),
        roman(
            " in the user config dir (~/.config/ssedash on Linux). Unknown keys are errors. \
             Durations are strings with a unit (\"500ms\", \"3s\", \"2m\"); sizes are bytes \
             or strings such as \"64KiB\". A header value may hold ${VAR}, read from the \
             environment when the feed connects. ",
        ),
        bold("ssedash check"),
        roman(" validates a file; "),
        bold("ssedash schema"),
        roman(" prints its JSON Schema for editors. Every key, as "),
        bold("ssedash init"),
        roman(" writes it:"),
    ]);
    roff.control("PP", []);
    roff.control("nf", []);
    roff.control("RS", ["4"]);
    let starter = crate::config::starter_config().lines();
    // The `#:schema` line is for editors.
    for line in starter.filter(|l| !l.starts_with("#:schema")) {
        roff.text([roman(line)]);
    }
    roff.control("RE", []);
    roff.control("fi", []);
}

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    let vars: &[(&str, &str)] = &[
        (
            "SSEDASH_CONFIG",
            "the config file, when --config is not given",
        ),
        (
            "SSEDASH_LOG",
            "the debug log file, when --log-file is not given",
        ),
        (
            "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
            "proxies for feeds that set no proxy of their own (also in lower case)",
        ),
        (
            "SSL_CERT_FILE, SSL_CERT_DIR",
            "replace the system's trusted certificates",
        ),
        ("NO_COLOR", "no colours (bold and reverse stay)"),
    ];
    for (name, what) in vars {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*what)]);
    }
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    let codes: &[(&str, &str)] = &[
        (
            "0",
            "success; for tail: --count or --timeout reached, or every feed closed",
        ),
        ("1", "a feed failed, or none got an answer before --timeout"),
        ("2", "a usage or config error"),
        ("130", "interrupted (Ctrl-C)"),
    ];
    for (code, what) in codes {
        roff.control("TP", []);
        roff.text([bold(*code)]);
        roff.text([roman(*what)]);
    }
}

/// groff reads its input as Latin-1 unless told otherwise: every other character is written
/// as its `\[uXXXX]` escape, which groff and mandoc both understand.
fn ascii_only(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}
