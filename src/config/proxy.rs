//! `proxy` and `no_proxy`, at the top level or per feed.

use toml::de::DeValue;
use url::Url;

use super::ConfigError;
use super::value::Field;
use crate::feed::proxy::split_list;
use crate::text::{escape, has_controls};

const PROXY_HINT: &str = "write an http:// URL such as proxy = \"http://127.0.0.1:3128\"";

/// `proxy = "http://user:pass@host:3128"`: http or https, with a host.
pub(super) fn read_proxy(f: &Field<'_, '_>) -> Result<Url, ConfigError> {
    let raw = f.string("a proxy URL", "\"http://127.0.0.1:3128\"")?;
    let shown = escape(raw);
    // Only header values expand `${VAR}`; a proxy from the environment is HTTPS_PROXY's job.
    if raw.contains("${") {
        return Err(f.fail(format!(
            "`proxy` \"{shown}\": `${{VAR}}` is not expanded in `proxy`; write the URL, or \
             leave `proxy` out and set HTTPS_PROXY / HTTP_PROXY in the environment"
        )));
    }
    let url = Url::parse(raw.trim())
        .map_err(|e| f.fail(format!("`proxy` \"{shown}\": {e}; {PROXY_HINT}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(f.fail(format!(
            "`proxy` \"{shown}\": `{}` proxies are not supported, only http and https; \
             {PROXY_HINT}",
            escape(url.scheme())
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(f.fail(format!("`proxy` \"{shown}\" has no host; {PROXY_HINT}")));
    }
    Ok(url)
}

/// `no_proxy = ["localhost", ".internal"]`, or NO_PROXY's own form, `"localhost,.internal"`.
pub(super) fn read_no_proxy(f: &Field<'_, '_>) -> Result<Vec<String>, ConfigError> {
    let example = "[\"localhost\", \".internal\", \"10.0.0.0/8\"]";
    let hosts = match f.value.get_ref() {
        DeValue::String(s) => split_list(s),
        DeValue::Array(items) => {
            let mut hosts = Vec::with_capacity(items.len());
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(s) if !s.trim().is_empty() => hosts.push(s.trim().to_string()),
                    _ => {
                        return Err(f.fail(format!(
                            "`no_proxy` must list host names, e.g. no_proxy = {example}"
                        )));
                    }
                }
            }
            hosts
        }
        _ => {
            return Err(f.fail(format!(
                "`no_proxy` must be a list of host names, e.g. no_proxy = {example}"
            )));
        }
    };
    if let Some(bad) = hosts.iter().find(|h| has_controls(h)) {
        return Err(f.fail(format!(
            "`no_proxy` \"{}\" has a control or bidi character; write host names, e.g. \
             no_proxy = {example}",
            escape(bad)
        )));
    }
    if let Some(bad) = hosts
        .iter()
        .find(|h| !crate::feed::proxy::is_no_proxy_rule(h))
    {
        return Err(f.fail(format!(
            "`no_proxy` \"{}\" is not a host name, IP address or CIDR range; write e.g. \
             no_proxy = {example}",
            escape(bad)
        )));
    }
    Ok(hosts)
}
