//! Threat intelligence (`--threat-intel FILE`: IPs and CIDRs, one a line, each with an optional
//! list name) and the classification of source addresses (private, AWS-internal, public).

use std::net::IpAddr;

/// Where a source address is, as far as detection cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Loopback, RFC 1918, carrier-grade NAT, link-local, IPv6 unique-local: inside the VPC or
    /// the node. Pods and nodes call the API server from here.
    Private,
    /// Not an IP address: EKS logs AWS-internal callers (the control plane itself, AWS
    /// services) with names or empty source lists.
    Internal,
    Public,
}

/// Classify the first source IP of an event.
pub(crate) fn classify(ip: &str) -> Network {
    match ip.parse::<IpAddr>() {
        Err(_) => Network::Internal,
        Ok(IpAddr::V4(v4)) => {
            let o = v4.octets();
            if v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
            {
                Network::Private
            } else {
                Network::Public
            }
        }
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            if v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
            {
                Network::Private
            } else if let Some(v4) = v6.to_ipv4_mapped() {
                classify(&v4.to_string())
            } else {
                Network::Public
            }
        }
    }
}

/// One range of a threat list.
#[derive(Debug, Clone)]
struct Range {
    lo: u128,
    hi: u128,
    list: usize,
}

/// Threat lists: IPs and CIDRs, each tagged with the name of its list.
#[derive(Debug, Clone, Default)]
pub struct ThreatIntel {
    lists: Vec<String>,
    /// Sorted by `lo`; ranges may overlap.
    ranges: Vec<Range>,
    /// The widest range, for the binary-search window.
    widest: u128,
}

/// A line of a threat-intel file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntelError {
    pub line: usize,
    pub message: String,
}

fn key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl ThreatIntel {
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Parse a threat-intel file. Each line: `IP` or `CIDR`, optionally followed by a list name
    /// (whitespace or comma separated); `#` starts a comment. Entries without a name belong to
    /// `default_list` (the file's name, typically). Lists named `tor` (any case, or starting
    /// with `tor-`/`tor_`) are Tor exit nodes.
    pub fn parse(text: &str, default_list: &str) -> (Self, Vec<IntelError>) {
        let mut intel = Self::default();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty());
            let Some(addr) = parts.next() else { continue };
            let list = parts.next().unwrap_or(default_list);
            match parse_cidr(addr) {
                Some((lo, hi)) => {
                    let idx = intel.list_index(list);
                    intel.widest = intel.widest.max(hi - lo);
                    intel.ranges.push(Range { lo, hi, list: idx });
                }
                None => errors.push(IntelError {
                    line: i + 1,
                    message: format!("`{addr}` is not an IP address or CIDR"),
                }),
            }
        }
        intel.ranges.sort_by_key(|r| (r.lo, r.hi));
        (intel, errors)
    }

    fn list_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.lists.iter().position(|l| l == name) {
            i
        } else {
            self.lists.push(name.to_string());
            self.lists.len() - 1
        }
    }

    /// Merge another file's lists into this one.
    pub fn extend(&mut self, other: Self) {
        for r in other.ranges {
            let name = other.lists.get(r.list).cloned().unwrap_or_default();
            let idx = self.list_index(&name);
            self.widest = self.widest.max(r.hi - r.lo);
            self.ranges.push(Range { list: idx, ..r });
        }
        self.ranges.sort_by_key(|r| (r.lo, r.hi));
    }

    /// The list holding `ip`, if any.
    pub fn lookup(&self, ip: &str) -> Option<&str> {
        if self.ranges.is_empty() {
            return None;
        }
        let k = key(ip.parse().ok()?);
        // Ranges starting at or before k, no further back than the widest range.
        let end = self.ranges.partition_point(|r| r.lo <= k);
        let floor = k.saturating_sub(self.widest);
        self.ranges
            .get(..end)?
            .iter()
            .rev()
            .take_while(|r| r.lo >= floor)
            .find(|r| r.hi >= k)
            .and_then(|r| self.lists.get(r.list))
            .map(String::as_str)
    }
}

/// Whether a list holds Tor exit nodes.
pub(crate) fn is_tor_list(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "tor" || n.starts_with("tor-") || n.starts_with("tor_") || n.contains("tor-exit")
}

fn parse_cidr(s: &str) -> Option<(u128, u128)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let (k, max) = match ip {
        IpAddr::V4(_) => (key(ip), 32),
        IpAddr::V6(_) => (key(ip), 128),
    };
    let bits = bits.unwrap_or(max);
    if bits > max {
        return None;
    }
    let host_bits = max - bits;
    let mask = if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    let lo = k & !mask;
    Some((lo, lo | mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_lookup() {
        let (intel, errors) = ThreatIntel::parse(
            "# exits\n185.220.101.0/24 tor\n203.0.113.7 malicious\n2001:db8::/32, custom\nnope\n198.51.100.9\n",
            "file",
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors.first().map(|e| e.line), Some(5));
        assert_eq!(intel.lookup("185.220.101.44"), Some("tor"));
        assert_eq!(intel.lookup("185.220.102.1"), None);
        assert_eq!(intel.lookup("203.0.113.7"), Some("malicious"));
        assert_eq!(intel.lookup("2001:db8::1"), Some("custom"));
        assert_eq!(intel.lookup("198.51.100.9"), Some("file"));
        assert_eq!(intel.lookup("not-an-ip"), None);
        assert!(is_tor_list("TOR"));
    }

    #[test]
    fn networks() {
        assert_eq!(classify("10.0.3.4"), Network::Private);
        assert_eq!(classify("100.64.0.1"), Network::Private);
        assert_eq!(classify("::1"), Network::Private);
        assert_eq!(classify("fd00::1"), Network::Private);
        assert_eq!(classify("52.94.1.1"), Network::Public);
        assert_eq!(classify(""), Network::Internal);
    }
}
