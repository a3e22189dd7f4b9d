//! CIDR blocks of NetworkPolicy `ipBlock`s: parsing and containment, IPv4 and IPv6.

use std::net::IpAddr;

/// A parsed CIDR block (`10.0.0.0/8`, `::/0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parse `ADDR/PREFIX`; a bare address is a host block (/32 or /128). `None` when malformed.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { addr, prefix })
    }

    /// Whether the block holds every address of its family (`0.0.0.0/0`, `::/0`).
    pub fn is_world(&self) -> bool {
        self.prefix == 0
    }

    /// Whether `ip` is inside the block (always false across address families).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether an `ipBlock` (`cidr` minus `except`) admits `ip`.
pub fn block_admits(cidr: &str, except: &[String], ip: IpAddr) -> bool {
    Cidr::parse(cidr).is_some_and(|c| c.contains(ip))
        && !except
            .iter()
            .any(|e| Cidr::parse(e).is_some_and(|e| e.contains(ip)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn containment() {
        let imds = ip("169.254.169.254");
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains(imds)));
        assert!(Cidr::parse("169.254.0.0/16").is_some_and(|c| c.contains(imds)));
        assert!(Cidr::parse("169.254.169.254").is_some_and(|c| c.contains(imds)));
        assert!(!Cidr::parse("10.0.0.0/8").is_some_and(|c| c.contains(imds)));
        assert!(!Cidr::parse("::/0").is_some_and(|c| c.contains(imds)));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
        assert!(Cidr::parse("fd00::/8").is_some_and(|c| c.contains(ip("fd12::1"))));
    }

    #[test]
    fn except_removes_addresses() {
        let imds = ip("169.254.169.254");
        assert!(block_admits("0.0.0.0/0", &[], imds));
        assert!(!block_admits(
            "0.0.0.0/0",
            &["169.254.169.254/32".to_string()],
            imds
        ));
        assert!(!block_admits(
            "0.0.0.0/0",
            &["169.254.0.0/16".to_string()],
            imds
        ));
        assert!(block_admits("0.0.0.0/0", &["10.0.0.0/8".to_string()], imds));
    }
}
