//! Customer endpoints we POST to (status callbacks, inbound webhooks).

use url::Url;

/// Longest URL we store; enough for any real endpoint with a query string.
pub const MAX_URL_LENGTH: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("'{0}' is not an absolute URL")]
    NotAUrl(String),
    #[error("callback URLs must use http or https, not '{0}'")]
    Scheme(String),
    #[error("callback URLs may be at most {MAX_URL_LENGTH} characters")]
    TooLong,
}

/// An absolute http(s) URL with a host, in its normalised form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl(String);

impl CallbackUrl {
    pub fn parse(input: &str) -> Result<CallbackUrl, EndpointError> {
        let input = input.trim();
        if input.len() > MAX_URL_LENGTH {
            return Err(EndpointError::TooLong);
        }
        let url = Url::parse(input).map_err(|_| EndpointError::NotAUrl(input.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(EndpointError::NotAUrl(input.to_owned()));
        }
        Ok(CallbackUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https() {
        assert_eq!(CallbackUrl::parse(" https://example.com/hooks?x=1 ").unwrap().as_str(), "https://example.com/hooks?x=1");
        assert_eq!(CallbackUrl::parse("http://127.0.0.1:8080").unwrap().as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn refuses_other_things() {
        assert!(matches!(CallbackUrl::parse("ftp://example.com/"), Err(EndpointError::Scheme(_))));
        assert!(matches!(CallbackUrl::parse("example.com/hook"), Err(EndpointError::NotAUrl(_))));
        assert!(matches!(CallbackUrl::parse("mailto:a@b.se"), Err(EndpointError::Scheme(_))));
        assert!(matches!(CallbackUrl::parse(&format!("https://e.se/{}", "a".repeat(3000))), Err(EndpointError::TooLong)));
    }
}
