//! `[[alert]]` tables: what to watch for and what to do, checked and compiled at load.
//!
//! ```toml
//! [[alert]]
//! name = "deploy failed"          # required, unique
//! feeds = ["deploys"]             # default: every feed; a name not in the file is an error
//! match = '"status":"failed"'     # exactly one condition: when | match | silent_for |
//!                                 # state [+ for] | rate_above / rate_below [+ for]
//! cooldown = "1m"                 # at most one firing per feed in this window
//! do = ["flash", "bell", "notify"]
//! command = "notify-send ssedash \"$SSEDASH_ALERT\""
//! ```

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;
use toml::de::DeValue;

use super::ConfigError;
use super::errors::{Source, did_you_mean};
use super::layer::{entries, table_label, unknown_key};
use super::value::{Field, Scope};
use crate::alert::{Actions, AlertSpec, Condition, StateName};
use crate::text::{escape, has_controls};

const ALERT_KEYS: &[&str] = &[
    "name",
    "feeds",
    "when",
    "match",
    "silent_for",
    "state",
    "for",
    "rate_above",
    "rate_below",
    "cooldown",
    "do",
    "command",
];
const CONDITIONS: &str = "when, match, silent_for, state or rate_above / rate_below";
const ACTIONS: &[&str] = &["flash", "bell", "notify"];

/// One `[[alert]]` as read; its feed names are checked once every feed is known.
pub(super) struct ReadAlert {
    spec: Option<AlertSpec>,
    feeds: Vec<(String, Range<usize>)>,
    who: String,
}

/// The `alert` key: a list of tables.
pub(super) fn read_alerts(
    scope: &Scope<'_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<ReadAlert>, ConfigError> {
    let items = match value.get_ref() {
        DeValue::Array(items) if items.iter().all(|i| i.get_ref().is_table()) => items,
        _ => {
            return Err(scope.error(
                &value.span(),
                "`alert` must be a list of tables: write an [[alert]] header (two brackets) \
                 above each alert's keys",
            ));
        }
    };
    let src = scope.src;
    let mut names: Vec<(String, Range<usize>)> = Vec::new();
    let mut alerts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let alert = read_alert(src, i + 1, item);
        if let Some((name, span)) = alert.spec.as_ref().map(|s| s.name.clone()).zip(
            item.get_ref()
                .as_table()
                .and_then(|t| t.get("name"))
                .map(|v| v.span()),
        ) {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                src.report(src.error(
                    &span,
                    format!(
                        "alert name \"{}\" is already used on line {}; names must be unique",
                        escape(&name),
                        src.line(first)
                    ),
                ));
            }
            names.push((name, span));
        }
        alerts.push(alert);
    }
    Ok(alerts)
}

/// The alerts, with each `feeds` name checked against the file's feeds.
pub(super) fn finish_alerts(
    src: &Source<'_>,
    alerts: Vec<ReadAlert>,
    feed_names: &[&str],
) -> Vec<AlertSpec> {
    let mut out = Vec::with_capacity(alerts.len());
    for alert in alerts {
        let mut ok = true;
        for (name, span) in &alert.feeds {
            if !feed_names.contains(&name.as_str()) {
                ok = false;
                let close = did_you_mean(name, feed_names)
                    .map(|c| format!("did you mean \"{}\"? ", escape(c)))
                    .unwrap_or_default();
                src.report(src.error(
                    span,
                    format!(
                        "{}`feeds`: there is no feed \"{}\"; {close}the feeds are: {}",
                        alert.who,
                        escape(name),
                        escape(&feed_names.join(", "))
                    ),
                ));
            }
        }
        if let Some(spec) = alert.spec.filter(|_| ok) {
            out.push(spec);
        }
    }
    out
}

fn read_alert(src: &Source<'_>, number: usize, item: &Spanned<DeValue<'_>>) -> ReadAlert {
    let Some(table) = item.get_ref().as_table() else {
        unreachable!("read_alerts checked that every item is a table");
    };
    let entries = entries(table);
    let who = table_label(&entries, "alert", number);
    let scope = Scope {
        src,
        who: who.clone(),
        table: "",
    };
    let mut name = None;
    let mut feeds = Vec::new();
    let mut feeds_given = false;
    // The condition key and where it was written (to name both when there are two).
    let mut condition: Option<(Condition, &str, Range<usize>)> = None;
    let mut held: Option<(Duration, Range<usize>)> = None;
    let mut cooldown = Duration::ZERO;
    let mut actions = Actions::default();
    let mut broken = false;
    for (key, value) in &entries {
        let key_name = key.get_ref().as_ref();
        let f = scope.field(key_name, value);
        let read: Result<(), ConfigError> = match key_name {
            "name" => read_name(&f).map(|n| name = Some(n)),
            "feeds" => read_feed_names(&f).map(|list| {
                feeds_given = true;
                feeds = list;
            }),
            "when" | "match" | "silent_for" | "state" | "rate_above" | "rate_below" => {
                match &condition {
                    Some((_, other, span)) => Err(f.fail(format!(
                        "`{key_name}` and `{other}` (line {}) are both set; an alert has one \
                         condition: keep one, or write a second [[alert]]",
                        src.line(span)
                    ))),
                    None => read_condition(&f).map(|c| {
                        condition = Some((c, key.get_ref().as_ref(), value.span()));
                    }),
                }
            }
            "for" => f
                .duration("\"30s\"")
                .map(|d| held = Some((d, value.span()))),
            "cooldown" => f.duration("\"1m\"").map(|d| cooldown = d),
            "do" => read_actions(&f).map(|(flash, bell, notify)| {
                actions.flash = flash;
                actions.bell = bell;
                actions.notify = notify;
            }),
            "command" => read_command(&f).map(|c| actions.command = Some(c)),
            _ => Err(unknown_key(&scope, key, ALERT_KEYS, "an alert", None)),
        };
        broken |= src.keep(read).is_none();
    }
    let header = item.span();
    if name.is_none() && !entries.iter().any(|(k, _)| k.get_ref() == "name") {
        src.report(scope.error(
            &header,
            "`name` is missing: add one, e.g. name = \"deploy failed\"",
        ));
    }
    let has_condition_key = entries.iter().any(|(k, _)| {
        matches!(
            k.get_ref().as_ref(),
            "when" | "match" | "silent_for" | "state" | "rate_above" | "rate_below"
        )
    });
    if !has_condition_key {
        src.report(scope.error(
            &header,
            format!("no condition: add one of {CONDITIONS}, e.g. match = \"ERROR|FATAL\""),
        ));
    }
    // `for` belongs to conditions that last; an event matches or not.
    let condition = condition.map(|(c, key, _)| (with_held(c, held.as_ref().map(|h| h.0)), key));
    if let (Some((_, key)), Some((_, span))) = (&condition, &held)
        && matches!(*key, "when" | "match" | "silent_for")
    {
        src.report(scope.error(
            span,
            format!(
                "`for` goes with `state`, `rate_above` or `rate_below`, not with `{key}`{}",
                if *key == "silent_for" {
                    ": `silent_for` is a duration already"
                } else {
                    ": an event matches or does not"
                }
            ),
        ));
        broken = true;
    }
    let spec = match (name, condition) {
        (Some(name), Some((condition, _))) if !broken => Some(AlertSpec {
            name,
            feeds: feeds_given.then(|| feeds.iter().map(|(n, _)| n.clone()).collect()),
            condition,
            cooldown,
            actions,
        }),
        _ => None,
    };
    ReadAlert { spec, feeds, who }
}

fn with_held(condition: Condition, held: Option<Duration>) -> Condition {
    let Some(d) = held else { return condition };
    match condition {
        Condition::State { state, .. } => Condition::State { state, held: d },
        Condition::RateAbove { per_sec, .. } => Condition::RateAbove { per_sec, held: d },
        Condition::RateBelow { per_sec, .. } => Condition::RateBelow { per_sec, held: d },
        other => other,
    }
}

fn read_condition(f: &Field<'_, '_>) -> Result<Condition, ConfigError> {
    match f.key {
        "match" => {
            let pattern = f.string("a regex", "\"ERROR|FATAL\"")?;
            Condition::matching(pattern).map_err(|e| {
                let line = e.to_string();
                let last = line.lines().last().unwrap_or("").trim();
                f.fail(format!(
                    "`match` = \"{}\" is not a valid regex ({}); e.g. match = \"ERROR|FATAL\"",
                    escape(pattern),
                    escape(last)
                ))
            })
        }
        "silent_for" => {
            let d = f.duration("\"30s\"")?;
            if d.is_zero() {
                return Err(f.fail("`silent_for` must be more than 0, e.g. silent_for = \"30s\""));
            }
            Ok(Condition::SilentFor(d))
        }
        "state" => {
            let text = f.string("a feed state", "\"failed\"")?;
            let names: Vec<&str> = StateName::ALL.iter().map(|s| s.name()).collect();
            StateName::ALL
                .into_iter()
                .find(|s| s.name() == text)
                .map(|state| Condition::State {
                    state,
                    held: Duration::ZERO,
                })
                .ok_or_else(|| {
                    let close = did_you_mean(text, &names)
                        .map(|c| format!("did you mean \"{c}\"? "))
                        .unwrap_or_default();
                    f.fail(format!(
                        "`state` = \"{}\": {close}write one of {}",
                        escape(text),
                        names.join(", ")
                    ))
                })
        }
        "rate_above" | "rate_below" => {
            let per_sec = f.number("events per second", "500", 0.0, 1e9)?;
            if f.key == "rate_below" && per_sec == 0.0 {
                return Err(f.fail(
                    "`rate_below` = 0 can never be true; write a rate above 0, e.g. \
                     rate_below = 1 (or use silent_for = \"30s\")",
                ));
            }
            Ok(if f.key == "rate_above" {
                Condition::RateAbove {
                    per_sec,
                    held: Duration::ZERO,
                }
            } else {
                Condition::RateBelow {
                    per_sec,
                    held: Duration::ZERO,
                }
            })
        }
        "when" => read_when(f),
        _ => unreachable!("only condition keys come here"),
    }
}

/// `when = '<jq>'`: compiled here, so a typo is a config error at its line.
fn read_when(f: &Field<'_, '_>) -> Result<Condition, ConfigError> {
    let src = f.string("a jq expression", "'.price > 240'")?;
    crate::expr::Expr::compile(src)
        .map(Condition::When)
        .map_err(|e| {
            f.fail(format!(
                "`when` = '{}' is not a valid jq expression: {}",
                escape(src),
                escape(&e)
            ))
        })
}

fn read_name(f: &Field<'_, '_>) -> Result<String, ConfigError> {
    let text = f.string("a string", "\"deploy failed\"")?;
    if text.trim().is_empty() {
        return Err(f.fail("`name` is empty; write a short label, e.g. name = \"deploy failed\""));
    }
    if has_controls(text) {
        return Err(f.fail(format!(
            "`name` = \"{}\" has a control or bidi character; write a short label on one line",
            escape(text)
        )));
    }
    Ok(text.to_string())
}

fn read_feed_names(f: &Field<'_, '_>) -> Result<Vec<(String, Range<usize>)>, ConfigError> {
    let DeValue::Array(items) = f.value.get_ref() else {
        return Err(f.fail(
            "`feeds` must be a list of feed names, e.g. feeds = [\"ticker\"] (leave it out for \
             every feed)",
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => out.push((s.to_string(), item.span())),
            _ => {
                return Err(f.fail("`feeds` must list feed names, e.g. feeds = [\"ticker\"]"));
            }
        }
    }
    if out.is_empty() {
        return Err(f.fail(
            "`feeds` = [] watches nothing; name feeds, e.g. feeds = [\"ticker\"], or leave it \
             out for every feed",
        ));
    }
    Ok(out)
}

/// `do = ["flash", "bell", "notify"]`.
fn read_actions(f: &Field<'_, '_>) -> Result<(bool, bool, bool), ConfigError> {
    let hint = "do = [\"flash\", \"bell\", \"notify\"]";
    let DeValue::Array(items) = f.value.get_ref() else {
        return Err(f.fail(format!("`do` must be a list of actions, e.g. {hint}")));
    };
    let (mut flash, mut bell, mut notify) = (false, false, false);
    for item in items.iter() {
        match item.get_ref().as_str() {
            Some("flash") => flash = true,
            Some("bell") => bell = true,
            Some("notify") => notify = true,
            Some(other) => {
                let close = did_you_mean(other, ACTIONS)
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                let command = if other.contains(' ') || other == "command" {
                    "; a shell command goes in command = \"...\""
                } else {
                    ""
                };
                return Err(f.fail(format!(
                    "`do`: \"{}\" is not an action; {close}write flash, bell or notify{command}",
                    escape(other)
                )));
            }
            None => return Err(f.fail(format!("`do` must list actions, e.g. {hint}"))),
        }
    }
    Ok((flash, bell, notify))
}

fn read_command(f: &Field<'_, '_>) -> Result<String, ConfigError> {
    let text = f.string(
        "a shell command",
        "\"notify-send ssedash \\\"$SSEDASH_ALERT\\\"\"",
    )?;
    if text.trim().is_empty() {
        return Err(f.fail(
            "`command` is empty; write a shell command, e.g. command = \"echo \\\"$SSEDASH_ALERT\\\" >> alerts.log\"",
        ));
    }
    if text.contains('\0') {
        return Err(f.fail("`command` holds a NUL character, which no shell can run"));
    }
    Ok(text.to_string())
}

/// `check`'s lines for the alerts: what each watches, when it fires and what it does.
pub(super) fn describe_alerts(out: &mut String, alerts: &[AlertSpec]) {
    for alert in alerts {
        out.push('\n');
        out.push_str(&alert.describe());
    }
}
