//! What `ssedash check` prints: each feed as ssedash will run it, with secrets masked.

use std::fmt::Write;

use super::Config;
use super::errors::shown_path;
use super::value::describe_size;
use crate::feed::FeedSpec;
use crate::feed::reconnect::{Decision, Ending, Policy, Reconnect, When};
use crate::redact::{MASK, is_sensitive, masked_url};
use crate::text::{duration, escape};

const LABEL_WIDTH: usize = 14;

/// A readable, aligned summary of every feed. Header values are shown as written (`${VAR}`
/// stays a reference), but literal secrets (in sensitive headers, URL passwords and sensitive
/// query parameters) are masked, so the output can be pasted into a bug report. Every piece of
/// text from the file is escaped, so none of it can act on the terminal.
pub fn describe(config: &Config) -> String {
    let mut out = String::new();
    let count = config.feeds.len();
    let plural = if count == 1 { "" } else { "s" };
    let _ = write!(out, "{}: {count} feed{plural}", shown_path(&config.path));
    if let Some(theme) = &config.theme {
        let _ = write!(out, ", theme \"{}\"", escape(theme));
    }
    if config.mouse == Some(false) {
        out.push_str(", mouse off (the terminal keeps it)");
    }
    out.push('\n');
    for feed in &config.feeds {
        out.push('\n');
        describe_feed(&mut out, feed);
    }
    super::alerts::describe_alerts(&mut out, &config.alerts);
    out
}

fn describe_feed(out: &mut String, feed: &FeedSpec) {
    let mut request = format!(
        "{} {}",
        escape(&feed.method),
        escape(&masked_url(&feed.url))
    );
    if let Some(body) = &feed.body {
        let _ = write!(request, " (body: {} bytes)", body.len());
    }
    out.push_str(&escape(&feed.name));
    out.push('\n');
    let mut rows: Vec<(&str, String)> = vec![("request", request)];
    if feed.headers.is_empty() {
        rows.push(("headers", "none".into()));
    }
    let name_width = feed
        .headers
        .iter()
        .map(|(n, _)| n.len() + 1)
        .max()
        .unwrap_or(0);
    for (i, (name, value)) in feed.headers.iter().enumerate() {
        let shown = if is_sensitive(name) {
            mask_template(value)
        } else {
            value.clone()
        };
        let label = if i == 0 { "headers" } else { "" };
        rows.push((
            label,
            format!(
                "{:<name_width$} {}",
                format!("{}:", escape(name)),
                escape(&shown)
            ),
        ));
    }
    if let Some(id) = &feed.last_event_id {
        rows.push(("last event id", escape(id).into_owned()));
    }
    rows.push(("events", list_or(&feed.events, "all")));
    rows.push(("stop on", list_or(&feed.stop_on, "none")));
    rows.push(("reconnect", describe_reconnect(&feed.reconnect)));
    rows.push(("read timeout", duration(feed.read_timeout)));
    rows.push(("buffer", format!("{} events", feed.buffer)));
    rows.push(("max event", describe_size(feed.max_event_bytes)));
    let tls = crate::feed::trust_description(&feed.tls);
    rows.push(("tls", crate::text::escape(&tls).into_owned()));
    rows.extend(super::views::describe_rows(&feed.exprs));
    rows.push(("proxy", describe_proxy(feed)));
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<LABEL_WIDTH$}{value}");
    }
}

/// The proxy the feed's URL goes through and where that comes from (the config, which
/// environment variable), or why none: the same rule the HTTP client applies.
fn describe_proxy(feed: &FeedSpec) -> String {
    use crate::feed::proxy::{ProxyEnv, Route, route};
    match route(&feed.proxy, &ProxyEnv::from_env(), &feed.url) {
        Route::Proxy { url, from } => format!("{} ({})", escape(&masked_url(&url)), escape(&from)),
        Route::Direct { why } => format!("none ({})", escape(&why)),
        Route::Unusable { why, .. } => format!("unusable: {}", escape(&why)),
    }
}

fn list_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        items
            .iter()
            .map(|item| escape(item))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The waits the feed will really use, as the reconnect machine computes them (so the floor
/// and the least failure delay show), e.g. "always: waits 3 s after a clean end; failures
/// back off ×2 from 3 s up to 1 min, jitter 30 %".
fn describe_reconnect(policy: &Policy) -> String {
    let delay = |decision: Decision| match decision {
        Decision::Retry { delay, .. } => Some(delay),
        Decision::Close { .. } | Decision::Fail { .. } => None,
    };
    let clean = delay(Reconnect::new(policy.clone()).decide(Ending::CleanEnd, 0.0));
    // With no jitter, the failure delays grow from the first to the cap and then stay.
    let mut machine = Reconnect::new(policy.clone());
    let mut fail = || delay(machine.decide(Ending::NetworkError(String::new()), 0.0));
    let first = fail();
    let mut longest = first;
    for _ in 0..100 {
        let next = fail();
        if next <= longest {
            break;
        }
        longest = next;
    }
    let mut parts = Vec::new();
    match clean {
        Some(wait) if wait > policy.initial => parts.push(format!(
            "waits {} after a clean end (initial {} raised to the floor)",
            duration(wait),
            duration(policy.initial)
        )),
        Some(wait) => parts.push(format!("waits {} after a clean end", duration(wait))),
        None if first.is_some() => parts.push("a clean end closes the feed".into()),
        None => {}
    }
    if let (Some(first), Some(longest)) = (first, longest) {
        let percent = (policy.jitter * 100.0).round();
        let jitter = if percent == 0.0 {
            "no jitter".to_string()
        } else {
            format!("jitter {percent} %")
        };
        parts.push(if longest > first {
            format!(
                "failures back off ×{} from {} up to {}, {jitter}",
                policy.factor,
                duration(first),
                duration(longest)
            )
        } else {
            format!("failures wait {}, {jitter}", duration(first))
        });
    }
    let when = match policy.when {
        When::Always => "always",
        When::OnError => "on errors only",
        When::Never => return "never".into(),
    };
    format!("{when}: {}", parts.join("; "))
}

/// `Bearer ${API_TOKEN}` stays; `Bearer s3cret` becomes `Bearer ••••`: variable references and
/// a leading auth scheme are not secret, any other literal text may be.
pub(crate) fn mask_template(template: &str) -> String {
    let mut out = String::new();
    let mut literal = String::new();
    let mut rest = template;
    let mut first = true;
    let flush = |literal: &mut String, out: &mut String, first: &mut bool| {
        if !literal.is_empty() {
            out.push_str(&mask_literal(literal, *first));
            literal.clear();
        }
        *first = false;
    };
    while let Some(pos) = rest.find('$') {
        literal.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            literal.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after.strip_prefix('{').and_then(|t| t.split_once('}')) {
            flush(&mut literal, &mut out, &mut first);
            let _ = write!(out, "${{{name}}}");
            rest = tail;
        } else {
            literal.push('$');
            rest = after;
        }
    }
    literal.push_str(rest);
    flush(&mut literal, &mut out, &mut first);
    out
}

fn mask_literal(text: &str, at_start: bool) -> String {
    if text.trim().is_empty() {
        return text.to_string();
    }
    if at_start
        && let Some((scheme, secret)) = text.split_once(' ')
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphabetic())
    {
        let secret = if secret.trim().is_empty() {
            secret
        } else {
            MASK
        };
        return format!("{scheme} {secret}");
    }
    MASK.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_keep_references_and_mask_literals() {
        assert_eq!(mask_template("Bearer ${API_TOKEN}"), "Bearer ${API_TOKEN}");
        assert_eq!(mask_template("Bearer s3cret"), "Bearer ••••");
        assert_eq!(mask_template("s3cret"), "••••");
        assert_eq!(mask_template("${USER}:${PASS}"), "${USER}••••${PASS}");
        assert_eq!(mask_template("Basic ${CREDS}"), "Basic ${CREDS}");
    }
}
