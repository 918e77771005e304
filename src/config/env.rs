//! `${VAR}` references in header values, so tokens stay out of config files.

/// A `${VAR}` that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("environment variable `{0}` is not set (export it, or write the value directly)")]
    Missing(String),
    #[error("`${{` without a closing `}}`")]
    Unclosed,
    #[error("`${{{0}}}` is not a variable name (letters, digits and `_`)")]
    BadName(String),
}

/// Replaces every `${NAME}` with the environment variable's value; `$$` is a literal `$`.
pub fn expand_env(template: &str) -> Result<String, EnvError> {
    expand_with(template, |name| std::env::var(name).ok())
}

/// [`expand_env`] with the variables looked up by `lookup` (for tests).
pub fn expand_with(
    template: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, EnvError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let end = tail.find('}').ok_or(EnvError::Unclosed)?;
            let name = &tail[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(EnvError::BadName(name.to_string()));
            }
            out.push_str(&lookup(name).ok_or_else(|| EnvError::Missing(name.to_string()))?);
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands the `${VAR}`s of a feed's header templates from the environment, so the feed
/// arrives at the engine resolved. A variable that cannot be expanded fails only this feed:
/// it is kept in `setup_error`, naming the header, and the header is dropped.
pub fn resolve_env(spec: &mut crate::feed::FeedSpec) {
    let mut problems = Vec::new();
    spec.header_templates = spec.headers.clone();
    spec.headers
        .retain_mut(|(name, value)| match expand_env(value) {
            Ok(expanded) => {
                *value = expanded;
                true
            }
            Err(e) => {
                problems.push(format!("header `{name}`: {e}"));
                false
            }
        });
    if !problems.is_empty() && spec.setup_error.is_none() {
        spec.setup_error = Some(problems.join("; "));
    }
}

/// The names of the variables a template references.
pub fn referenced_vars(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let _ = expand_with(template, |name| {
        names.push(name.to_string());
        Some(String::new())
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        (name == "API_TOKEN").then(|| "s3cret".to_string())
    }

    #[test]
    fn expands_references() {
        assert_eq!(
            expand_with("Bearer ${API_TOKEN}", vars).unwrap(),
            "Bearer s3cret"
        );
        assert_eq!(
            expand_with("cost $5 and $$", vars).unwrap(),
            "cost $5 and $"
        );
        assert_eq!(
            expand_with("${NOPE}", vars),
            Err(EnvError::Missing("NOPE".into()))
        );
        assert_eq!(expand_with("${API_TOKEN", vars), Err(EnvError::Unclosed));
        assert_eq!(
            expand_with("${A-B}", vars),
            Err(EnvError::BadName("A-B".into()))
        );
        assert_eq!(referenced_vars("a ${X} b ${Y_2}"), vec!["X", "Y_2"]);
    }
}
