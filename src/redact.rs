//! Keeping secrets off the screen: URL passwords, token query parameters and credential
//! headers are masked wherever a URL or header is shown (panes, `tail`, `check`).

use url::{Position, Url};

/// What a masked secret is shown as.
pub const MASK: &str = "••••";

/// Header or query parameter names whose values are credentials.
pub fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        // `sig`: the signature of Azure SAS URLs and other signed links.
        "authorization" | "proxy-authorization" | "cookie" | "sig"
    ) || [
        "token",
        "secret",
        "key",
        "password",
        "auth",
        "signature",
        "credential",
        "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// The URL with its password and sensitive query values masked.
pub fn masked_url(url: &Url) -> String {
    let mut out = String::new();
    if url.password().is_some() {
        out.push_str(&url[..Position::BeforePassword]);
        out.push_str(MASK);
        out.push_str(&url[Position::AfterPassword..Position::AfterPath]);
    } else {
        out.push_str(&url[..Position::AfterPath]);
    }
    if let Some(query) = url.query() {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|part| match part.split_once('=') {
                Some((name, _)) if is_sensitive(name) => format!("{name}={MASK}"),
                _ => part.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out.push_str(&url[Position::AfterQuery..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hide_passwords_and_token_parameters() {
        let url = Url::parse("https://me:pw@host/s?room=1&api_key=abc#x").unwrap();
        assert_eq!(
            masked_url(&url),
            "https://me:••••@host/s?room=1&api_key=••••#x"
        );
        assert!(is_sensitive("X-Api-Key"));
        let signed =
            Url::parse("https://h/s?sv=2024&sig=abc&X-Amz-Credential=AK%2F1&sessionid=9&signal=1")
                .unwrap();
        assert_eq!(
            masked_url(&signed),
            "https://h/s?sv=2024&sig=••••&X-Amz-Credential=••••&sessionid=••••&signal=1"
        );
        assert!(!is_sensitive("Accept"));
    }
}
