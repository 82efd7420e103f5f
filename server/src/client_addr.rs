//! Who is asking, by network address, for the per-address limits (sign-in throttling,
//! certificate lookups).
//!
//! The address is the connecting peer's, unless that peer is one of the configured trusted
//! reverse proxies (`--trusted-proxy`, `GRANDROUNDS_TRUSTED_PROXIES`): then it is the
//! nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Without this,
//! every client behind a proxy would share the proxy's address and one busy clinic could
//! lock everyone out; with it unconditionally, any client could claim any address by
//! sending the header itself, so the header counts only when a trusted peer sent it.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The client address of a request, put in its extensions by [`resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` is believed (addresses or networks).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: &[IpNet]) -> Self {
        Self(networks.into())
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client's address for a request from `peer` carrying `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // Each proxy appends the address it was reached from, so the list is read from the
        // right: past our own proxies, the first address is the one that reached them.
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for entry in entries.iter().rev() {
            match parse_forwarded_address(entry) {
                Some(address) if self.trusts(address) => nearest = address,
                Some(address) => return address,
                // A garbled entry: nothing to its left can be believed.
                None => return nearest,
            }
        }
        nearest
    }
}

/// An `X-Forwarded-For` entry: an address, optionally with a port (`[::1]:443`, `1.2.3.4:80`).
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

/// A `--trusted-proxy` value: an address (`10.0.0.2`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_trusted_proxy(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!(
                "\"{value}\" is not an IP address or network: write e.g. 127.0.0.1, ::1 or 10.0.0.0/8"
            )
        })
}

/// Middleware: records the request's [`ClientIp`] for the handlers and limits after it.
pub async fn resolve(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let client = proxies.client(peer, request.headers());
    request.extensions_mut().insert(ClientIp(client));
    next.run(request).await
}

/// The client's address for throttling (`unknown` when the server runs without one).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ClientIp>().map_or_else(
            || "unknown".to_owned(),
            |client| client.0.to_string(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_str(value).expect("value"),
            );
        }
        headers
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        let parsed: Vec<IpNet> = list
            .iter()
            .map(|item| parse_trusted_proxy(item).expect("proxy"))
            .collect();
        TrustedProxies::new(&parsed)
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            none.client(ip("198.51.100.7"), &headers),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_client_that_is_not_a_trusted_proxy_cannot_claim_an_address() {
        let trusted = proxies(&["10.0.0.2"]);
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            trusted.client(ip("198.51.100.7"), &headers),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_address_counts() {
        let trusted = proxies(&["10.0.0.0/8", "::1"]);
        // The client forged the first entry; the proxy appended the real one.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9"]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &headers), ip("203.0.113.9"));
        // Two proxies of ours in a row, the list split over two header lines, ports.
        let headers = forwarded(&["6.6.6.6, 203.0.113.9:51234", "10.1.2.3"]);
        assert_eq!(trusted.client(ip("::1"), &headers), ip("203.0.113.9"));
        let headers = forwarded(&["[2001:db8::7]:443"]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &headers), ip("2001:db8::7"));
    }

    #[test]
    fn a_missing_or_garbled_header_leaves_the_nearest_believed_address() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
        let headers = forwarded(&["203.0.113.9, unknown, 10.9.9.9"]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &headers), ip("10.9.9.9"));
    }

    #[test]
    fn trusted_proxy_values_are_checked() {
        assert_eq!(
            parse_trusted_proxy("127.0.0.1"),
            Ok(IpNet::from(ip("127.0.0.1")))
        );
        assert!(parse_trusted_proxy("10.0.0.0/8").is_ok());
        assert!(parse_trusted_proxy(" ::1 ").is_ok());
        let error = parse_trusted_proxy("proxy.local").expect_err("not an address");
        assert!(
            error.contains("\"proxy.local\" is not an IP address"),
            "{error}"
        );
        assert!(parse_trusted_proxy("10.0.0.0/40").is_err());
    }
}
