//! The client's address: the socket's peer, or, when that peer is a trusted proxy, the address
//! the proxy says it forwarded for. Sign-in limits and the activity log use it.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A network: an address and how many leading bits must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address.parse::<IpAddr>().ok()?, Some(prefix.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Network { address, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => leading_bits_match(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => leading_bits_match(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn leading_bits_match(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xff_u8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) read as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`server.trusted_proxies`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.7`, `::1`) and networks (`10.0.0.0/8`); the first entry that is
    /// neither is the error.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| Network::parse(entry.trim()).ok_or_else(|| entry.clone()))
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client of a request that came from `peer` with these `X-Forwarded-For` values: walking
    /// the chain from the nearest hop, the first address that is not a trusted proxy. An
    /// untrusted peer is the client whatever it claims; a malformed hop ends the walk there.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        let hops = forwarded_for.iter().rev().flat_map(|value| value.rsplit(','));
        for hop in hops {
            if !self.contains(client) {
                break;
            }
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => client = canonical(ip),
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's address, put in every request by [`resolve`]; `None` when the server was not
/// given the socket's address (only in tests that call the router directly).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// Middleware: resolves the request's [`ClientAddress`] once, for every handler and extractor.
pub async fn resolve(State(proxies): State<Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok()).collect();
    let client = peer.map(|peer| proxies.client(peer, &forwarded));
    req.extensions_mut().insert(ClientAddress(client));
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientAddress>().copied().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>()).expect("valid")
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(proxies(&[]).client(ip("203.0.113.9"), &["198.51.100.1"]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_is_skipped_up_to_the_first_untrusted_hop() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let forwarded = ["198.51.100.1, 203.0.113.5", "10.0.0.2"];
        assert_eq!(trusted.client(ip("10.0.0.1"), &forwarded), ip("203.0.113.5"));
        assert_eq!(trusted.client(ip("10.0.0.1"), &["not an address"]), ip("10.0.0.1"));
        assert_eq!(trusted.client(ip("::ffff:10.0.0.1"), &["192.0.2.4"]), ip("192.0.2.4"));
    }

    #[test]
    fn networks_match_their_prefix_only() {
        let trusted = proxies(&["192.168.4.0/22", "2001:db8::/32"]);
        assert!(trusted.contains(ip("192.168.7.255")));
        assert!(!trusted.contains(ip("192.168.8.0")));
        assert!(trusted.contains(ip("2001:db8:1::1")));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
    }
}
