//! What an ad-hoc feed (a URL on the command line) is called, and how a URL is quoted in a
//! message: never with its password, query or fragment, which may hold credentials.

use url::Url;

/// Longest ad-hoc feed name: it must fit a pane title next to the state badge.
pub const NAME_MAX: usize = 40;

/// The names of ad-hoc feeds: host (with a port that is not the default) and path, never the
/// user, password, query or fragment, which may hold credentials; at most [`NAME_MAX`]
/// characters, cut in the middle so the end of the path stays. URLs that would get the same
/// name are told apart by ` (2)`, ` (3)`, in order.
pub fn ad_hoc_names(urls: &[Url]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(urls.len());
    for url in urls {
        let mut base = url.host_str().unwrap_or("").to_string();
        if let Some(port) = url.port() {
            base.push_str(&format!(":{port}"));
        }
        if url.path() != "/" {
            base.push_str(url.path());
        }
        let base = clip_middle(&base, NAME_MAX);
        let mut name = base.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        names.push(name);
    }
    names
}

/// `s` in at most `max` characters: the start, `…`, and the end (which gets the larger part,
/// from a `/` when one is near, so it starts with a whole path segment).
fn clip_middle(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        return s.to_string();
    }
    let head = (max - 1) / 3;
    let tail = max - 1 - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(count - tail).collect();
    let end = match end.find('/') {
        Some(slash) if slash < end.len() / 3 => &end[slash..],
        _ => &end[..],
    };
    format!("{start}…{end}")
}

/// A URL as typed, perhaps unparsable, with the password of `scheme://user:password@` masked,
/// for messages about a URL that could not be parsed.
pub(super) fn mask_raw_url(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let authority_end = raw[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| scheme_end + i);
    let authority = &raw[scheme_end..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}{}{}",
            &raw[..scheme_end + colon + 1],
            crate::redact::MASK,
            &raw[scheme_end + at..authority_end],
            &raw[authority_end..]
        ),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(urls: &[&str]) -> Vec<String> {
        let urls: Vec<Url> = urls.iter().map(|u| Url::parse(u).unwrap()).collect();
        ad_hoc_names(&urls)
    }

    #[test]
    fn ad_hoc_names_are_host_and_path_short_and_distinct() {
        assert_eq!(
            names(&[
                "https://user:secret@api.example.com/v1/stream?token=abc",
                "https://api.example.com/v1/stream?room=2",
                "http://127.0.0.1:8080/",
                "https://api.example.com:443/v1/stream#x",
            ]),
            [
                "api.example.com/v1/stream",
                "api.example.com/v1/stream (2)",
                "127.0.0.1:8080",
                "api.example.com/v1/stream (3)",
            ]
        );
        let long = names(&[
            "https://events.internal.example.com/api/v2/organizations/acme/projects/42/streams/deployments",
        ]);
        assert!(long[0].chars().count() <= NAME_MAX);
        assert_eq!(long[0], "events.intern…/42/streams/deployments");
        let one_segment = names(&[&format!("http://h/{}", "x".repeat(60))]);
        assert_eq!(one_segment[0].chars().count(), NAME_MAX);
    }

    #[test]
    fn unparsable_urls_are_quoted_with_the_password_masked() {
        assert_eq!(
            mask_raw_url("http://me:pw@host:99999/p?q"),
            "http://me:••••@host:99999/p?q"
        );
        assert_eq!(mask_raw_url("http://host:1/a@b"), "http://host:1/a@b");
        assert_eq!(mask_raw_url("host/x"), "host/x");
    }
}
