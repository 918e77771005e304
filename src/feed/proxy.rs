//! Which proxy a request goes through: the feed's own `proxy` and `no_proxy`, else the
//! environment's `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY`. One function
//! decides, used both by the HTTP client (per request, redirects included) and by `check`,
//! so what `check` says is what happens.

use std::net::IpAddr;

use url::Url;

/// The proxy settings of one feed, from its config (`None`: not set, the environment's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxySettings {
    pub proxy: Option<Url>,
    pub no_proxy: Option<Vec<String>>,
}

/// The proxy variables of the environment, read once (a client keeps them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxyEnv {
    vars: Vec<(&'static str, String)>,
}

const VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

impl ProxyEnv {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let vars = VARS
            .iter()
            .filter_map(|&name| Some((name, lookup(name)?)))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        ProxyEnv { vars }
    }

    /// The first of `names` that is set, with its name.
    fn first(&self, names: &[&'static str]) -> Option<(&'static str, &str)> {
        names.iter().find_map(|name| {
            self.vars
                .iter()
                .find(|(n, _)| n == name)
                .map(|(n, v)| (*n, v.as_str()))
        })
    }
}

/// Where a request goes, and why (for `check` and the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Direct {
        why: String,
    },
    Proxy {
        url: Url,
        from: String,
    },
    /// The environment names a proxy the client cannot use (`ALL_PROXY=socks5://…`): the
    /// feed fails at setup with `why`, instead of every request failing and retrying.
    Unusable {
        url: Url,
        why: String,
    },
}

/// The route of a request to `target`.
pub fn route(settings: &ProxySettings, env: &ProxyEnv, target: &Url) -> Route {
    let host = target.host_str().unwrap_or("");
    let (exceptions, exceptions_from): (Vec<String>, &str) = match &settings.no_proxy {
        Some(list) => (list.clone(), "no_proxy"),
        None => match env.first(&["NO_PROXY", "no_proxy"]) {
            Some((name, value)) => (split_list(value), name),
            None => (Vec::new(), ""),
        },
    };
    if let Some(rule) = exceptions.iter().find(|rule| host_matches(host, rule)) {
        return Route::Direct {
            why: format!("{host} matches \"{rule}\" in {exceptions_from}"),
        };
    }
    if let Some(url) = &settings.proxy {
        return Route::Proxy {
            url: url.clone(),
            from: "proxy in the config".into(),
        };
    }
    let names: &[&'static str] = if target.scheme() == "https" {
        &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    match env
        .first(names)
        .map(|(name, value)| (name, parse_proxy(value)))
    {
        Some((name, Ok(url))) if !matches!(url.scheme(), "http" | "https") => Route::Unusable {
            url: url.clone(),
            why: format!(
                "{name} is {}: `{}` proxies are not supported, only http and https; unset \
                 {name}, or set `proxy` or `no_proxy` for this feed in the config",
                crate::redact::masked_url(&url),
                url.scheme()
            ),
        },
        Some((name, Ok(url))) => Route::Proxy {
            url,
            from: format!("from {name}"),
        },
        Some((name, Err(e))) => Route::Direct {
            why: format!("{name} is not a proxy URL ({e})"),
        },
        None => Route::Direct {
            why: "no proxy set".into(),
        },
    }
}

/// A proxy URL as written in the environment: `host:port` means `http://host:port`.
pub fn parse_proxy(text: &str) -> Result<Url, url::ParseError> {
    let text = text.trim();
    if text.contains("://") {
        Url::parse(text)
    } else {
        Url::parse(&format!("http://{text}"))
    }
}

/// `NO_PROXY`'s form: names separated by commas (spaces allowed).
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `*` matches every host; an IP address or CIDR range matches addresses in it; a name
/// matches itself and its subdomains (`example.com` and `.example.com` both match
/// `api.example.com`). A port after a name is ignored.
fn host_matches(host: &str, rule: &str) -> bool {
    let rule = rule.trim();
    if rule == "*" {
        return true;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host_ip = host.parse::<IpAddr>().ok();
    if let Some((net, bits)) = rule.split_once('/') {
        return match (host_ip, net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Some(ip), Ok(net), Ok(bits)) => in_network(ip, net, bits),
            _ => false,
        };
    }
    let rule = rule.trim_start_matches('[');
    let rule = match rule.split_once(']') {
        Some((ip, _)) => ip,
        None if rule.matches(':').count() == 1 => rule.split(':').next().unwrap_or(rule),
        None => rule,
    };
    if let (Some(ip), Ok(rule_ip)) = (host_ip, rule.parse::<IpAddr>()) {
        return ip == rule_ip;
    }
    let name = rule.trim_start_matches("*.").trim_start_matches('.');
    let host = host.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    !name.is_empty()
        && (host == name
            || host
                .strip_suffix(name.as_str())
                .is_some_and(|rest| rest.ends_with('.')))
}

/// Whether `rule` can be a `no_proxy` entry: `*`, a host name (`.` or `*.` before it and a
/// port after it allowed), an IP address (IPv6 in brackets with a port), or a CIDR range.
pub fn is_no_proxy_rule(rule: &str) -> bool {
    let rule = rule.trim();
    if rule == "*" || rule.parse::<IpAddr>().is_ok() {
        return true;
    }
    if let Some((net, bits)) = rule.split_once('/') {
        return match (net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Ok(IpAddr::V4(_)), Ok(bits)) => bits <= 32,
            (Ok(IpAddr::V6(_)), Ok(bits)) => bits <= 128,
            _ => false,
        };
    }
    let is_port = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = rule.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((ip, "")) => ip.parse::<std::net::Ipv6Addr>().is_ok(),
            Some((ip, port)) => {
                ip.parse::<std::net::Ipv6Addr>().is_ok()
                    && port.strip_prefix(':').is_some_and(is_port)
            }
            None => false,
        };
    }
    let name = rule
        .strip_prefix("*.")
        .or_else(|| rule.strip_prefix('.'))
        .unwrap_or(rule);
    let name = match name.split_once(':') {
        Some((name, port)) if is_port(port) => name,
        Some(_) => return false,
        None => name,
    };
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The reqwest proxy for a client: every request asks [`route`].
pub fn reqwest_proxy(settings: ProxySettings, env: ProxyEnv) -> reqwest::Proxy {
    reqwest::Proxy::custom(move |target| match route(&settings, &env, target) {
        // An unusable proxy fails the request rather than going round it.
        Route::Proxy { url, .. } | Route::Unusable { url, .. } => Some(url),
        Route::Direct { .. } => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        ProxyEnv::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_feeds_own_proxy_wins_over_the_environment_and_its_no_proxy_replaces_no_proxy() {
        let settings = ProxySettings {
            proxy: Some(url("http://feed-proxy:3128")),
            no_proxy: Some(vec![".internal".into()]),
        };
        let env = env(&[
            ("HTTPS_PROXY", "http://env-proxy:8080"),
            ("NO_PROXY", "example.com"),
        ]);
        let via = route(&settings, &env, &url("https://example.com/s"));
        assert_eq!(
            via,
            Route::Proxy {
                url: url("http://feed-proxy:3128"),
                from: "proxy in the config".into()
            }
        );
        assert!(matches!(
            route(&settings, &env, &url("https://api.internal/s")),
            Route::Direct { .. }
        ));
    }

    #[test]
    fn the_environment_is_read_by_scheme_with_all_proxy_last() {
        let env = env(&[("HTTP_PROXY", "plain:1"), ("all_proxy", "http://all:2")]);
        let none = ProxySettings::default();
        let http = route(&none, &env, &url("http://a/"));
        assert_eq!(
            http,
            Route::Proxy {
                url: url("http://plain:1"),
                from: "from HTTP_PROXY".into()
            }
        );
        let https = route(&none, &env, &url("https://a/"));
        assert!(matches!(https, Route::Proxy { from, .. } if from == "from all_proxy"));
    }

    #[test]
    fn an_environment_proxy_that_is_not_http_is_unusable_and_says_which_variable() {
        let env = env(&[("ALL_PROXY", "socks5://me:pw@127.0.0.1:1080")]);
        let via = route(&ProxySettings::default(), &env, &url("https://a/"));
        let Route::Unusable { why, .. } = via else {
            panic!("{via:?}")
        };
        assert!(
            why.starts_with(
                "ALL_PROXY is socks5://me:••••@127.0.0.1:1080: `socks5` proxies are not supported"
            ),
            "{why}"
        );
    }

    #[test]
    fn no_proxy_rules_match_names_subdomains_addresses_and_ranges() {
        assert!(host_matches("api.example.com", "example.com"));
        assert!(host_matches("api.example.com", ".example.com"));
        assert!(host_matches("example.com", "example.com:443"));
        assert!(!host_matches("badexample.com", "example.com"));
        assert!(host_matches("10.1.2.3", "10.0.0.0/8"));
        assert!(!host_matches("11.1.2.3", "10.0.0.0/8"));
        assert!(host_matches("[::1]", "::1"));
        assert!(host_matches("127.0.0.1", "127.0.0.1"));
        assert!(host_matches("anything", "*"));
    }

    #[test]
    fn no_proxy_entries_that_cannot_be_a_host_an_address_or_a_range_are_refused() {
        for good in [
            "*",
            "localhost",
            ".example.com",
            "*.example.com",
            "example.com:443",
            "10.0.0.0/8",
            "::1",
            "[::1]:8080",
            "127.0.0.1",
        ] {
            assert!(is_no_proxy_rule(good), "{good}");
        }
        for bad in [
            "bad host!!",
            "10.0.0.0/33",
            "::/129",
            "a..b",
            "host:port",
            "[::1",
        ] {
            assert!(!is_no_proxy_rule(bad), "{bad}");
        }
    }
}
