//! `ssedash completions SHELL`: clap_complete's script for the command line, plus feed names
//! after `--feed` (bash, zsh, fish), which the script asks the binary for at TAB time through
//! the hidden `ssedash __feed-names [--config FILE]`, so they follow the config as it is edited.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell`.
pub fn write(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut shown_command(), "ssedash", &mut script);
    let script = String::from_utf8_lossy(&script);
    let script = match shell {
        Shell::Bash => bash(&script),
        Shell::Zsh => zsh(&script),
        Shell::Fish => format!("{script}{FISH_FEEDS}"),
        // Elvish and PowerShell complete the options, not the feed names.
        _ => script.into_owned(),
    };
    out.write_all(script.as_bytes())
}

/// The command line as completion offers it: without the hidden subcommands (clap_complete
/// lists them for bash and zsh), which are the scripts' business, not the user's.
fn shown_command() -> clap::Command {
    let full = Cli::command();
    clap::Command::new("ssedash")
        .version(crate::version::VERSION)
        .args_conflicts_with_subcommands(true)
        .subcommand_negates_reqs(true)
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}

/// The feed names of the config (`--config`, else where ssedash looks), one a line. Read
/// leniently: a file with a mistake elsewhere still completes its names; an unreadable one
/// completes nothing (completion has no place to show errors).
pub fn write_feed_names(config: Option<&Path>, out: &mut dyn Write) -> io::Result<()> {
    for name in feed_names(config) {
        writeln!(out, "{name}")?;
    }
    Ok(())
}

fn feed_names(config: Option<&Path>) -> Vec<String> {
    let Some(path) = crate::config::find(config) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(feeds) = doc.get("feed").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    feeds
        .iter()
        .filter_map(|feed| feed.get("name")?.as_str())
        // The loader rejects these too; a shell must not be handed control characters.
        .filter(|name| !name.trim().is_empty() && !crate::text::has_controls(name))
        .map(str::to_string)
        .collect()
}

/// clap's bash function, wrapped: after `--feed` (or `--feed=`) the names, else clap's.
fn bash(generated: &str) -> String {
    let registered = generated.replace("complete -F _ssedash ", "complete -F _ssedash_feeds ");
    format!("{registered}{BASH_FEEDS}")
}

const BASH_FEEDS: &str = r#"
# Feed names after --feed, from the config the command line names (or the default one).
_ssedash_feeds() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    # COMP_WORDBREAKS splits `--feed=x` into `--feed` `=` `x`.
    if [[ "$prev" == "=" && "${COMP_WORDS[COMP_CWORD-2]}" == "--feed" ]]; then
        prev="--feed"
    elif [[ "$cur" == "=" && "$prev" == "--feed" ]]; then
        cur=""
    fi
    if [[ "$prev" != "--feed" ]]; then
        _ssedash "$@"
        return
    fi
    local config=() i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ "$word" == "--config" ]]; then
            word="${COMP_WORDS[i+1]}"
            [[ "$word" == "=" ]] && word="${COMP_WORDS[i+2]}"
            config=(--config "${word/#\~/$HOME}")
        fi
    done
    local name quoted
    COMPREPLY=()
    while IFS= read -r name; do
        quoted="$(printf '%q' "$name")"
        [[ "$quoted" == "$cur"* ]] && COMPREPLY+=("$quoted")
    done < <("${COMP_WORDS[0]/#\~/$HOME}" __feed-names "${config[@]}" 2>/dev/null)
}
if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _ssedash_feeds -o nosort -o bashdefault -o default ssedash
else
    complete -F _ssedash_feeds -o bashdefault -o default ssedash
fi
"#;

/// clap's zsh function with `--feed`'s value completed by [`ZSH_FEEDS`]. The command as typed
/// is kept on entry, since clap's function rewrites `words` for subcommands.
fn zsh(generated: &str) -> String {
    let mut out = String::with_capacity(generated.len() + ZSH_FEEDS.len());
    let mut entered = false;
    for line in generated.lines() {
        if line.contains("--feed=[") {
            out.push_str(&line.replace(":NAME:_default", ":NAME:_ssedash_feed_names"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
        if !entered && line.starts_with("_ssedash() {") {
            out.push_str("    local _ssedash_command=${words[1]}\n");
            entered = true;
        }
    }
    // Defined before the closing `compdef` / call, which is the script's last statement.
    match out.rfind("\nif [ \"$funcstack[1]\" = \"_ssedash\" ]") {
        Some(at) => out.insert_str(at + 1, ZSH_FEEDS),
        None => out.push_str(ZSH_FEEDS),
    }
    out
}

const ZSH_FEEDS: &str = r#"(( $+functions[_ssedash_feed_names] )) ||
_ssedash_feed_names() {
    local -a names config
    local i
    for (( i = 1; i < CURRENT; i++ )); do
        case ${words[i]} in
            --config) config=(--config ${~words[i+1]}) ;;
            --config=*) config=(--config ${~words[i]#--config=}) ;;
        esac
    done
    names=(${(f)"$(_call_program feed-names ${~_ssedash_command:-ssedash} __feed-names ${config} 2>/dev/null)"})
    _describe -t feeds 'feed' names
}

"#;

const FISH_FEEDS: &str = r#"
# Feed names after --feed, from the config the command line names (or the default one).
function __ssedash_feed_names
    set -l words (commandline -opc)
    set -l config
    for i in (seq (count $words))
        if test "$words[$i]" = --config; and set -q words[(math $i + 1)]
            set config --config $words[(math $i + 1)]
        else if string match -q -- '--config=*' $words[$i]
            set config --config (string replace -- '--config=' '' $words[$i])
        end
    end
    $words[1] __feed-names $config 2>/dev/null
end
complete -c ssedash -l feed -x -a '(__ssedash_feed_names)'
"#;
