//! Control plane: the EKS cluster's endpoint, security group and authentication mode.

pub mod aws_auth_configmap_only_authentication;
pub mod cluster_creator_admin_bootstrapped;
pub mod cluster_deletion_protection_disabled;
pub mod cluster_security_group_open_to_world;
pub mod cluster_security_group_shared;
pub mod cluster_version_extended_support;
pub mod cluster_version_unsupported;
pub mod private_endpoint_disabled;
pub mod public_endpoint_enabled;
pub mod public_endpoint_open_to_world;

/// `1.31` (or `1.31.2`, `v1.31`) as `(1, 31)`.
pub fn minor_version(version: &str) -> Option<(u32, u32)> {
    let v = version.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()?
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    Some((major, minor))
}

/// Amazon EKS's Kubernetes version calendar: version, end of standard support, end of extended
/// support. Compiled into this eksguard release (checked November 2026); versions older than
/// the first row have no support at all, versions newer than the last row are current.
pub const EKS_VERSION_CALENDAR: &[((u32, u32), &str, &str)] = &[
    ((1, 28), "2024-11-26", "2025-11-26"),
    ((1, 29), "2025-03-23", "2026-03-23"),
    ((1, 30), "2025-07-23", "2026-07-23"),
    ((1, 31), "2025-11-26", "2026-11-26"),
    ((1, 32), "2026-03-23", "2027-03-23"),
    ((1, 33), "2026-07-29", "2027-07-29"),
    ((1, 34), "2026-12-02", "2027-12-02"),
];

/// The date this release's calendar was checked: support that ended before it is over.
pub const EKS_CALENDAR_AS_OF: &str = "2026-11-23";

/// Where a cluster version stands in the calendar.
#[derive(Debug, PartialEq, Eq)]
pub enum VersionSupport {
    Standard,
    /// Past standard support, in extended support until the date.
    Extended(&'static str, &'static str),
    /// No support at all since the date (`None`: older than the calendar).
    Ended(Option<&'static str>),
}

pub fn version_support(version: (u32, u32)) -> VersionSupport {
    let Some(&(first, _, _)) = EKS_VERSION_CALENDAR.first() else {
        return VersionSupport::Standard;
    };
    if version < first {
        return VersionSupport::Ended(None);
    }
    match EKS_VERSION_CALENDAR.iter().find(|(v, _, _)| *v == version) {
        // ISO dates compare as strings.
        Some((_, _, ext)) if *ext <= EKS_CALENDAR_AS_OF => VersionSupport::Ended(Some(ext)),
        Some((_, std, ext)) if *std <= EKS_CALENDAR_AS_OF => VersionSupport::Extended(std, ext),
        _ => VersionSupport::Standard,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(minor_version("1.31"), Some((1, 31)));
        assert_eq!(minor_version("v1.29.4-eks-abc"), Some((1, 29)));
        assert_eq!(minor_version("latest"), None);
        assert_eq!(version_support((1, 27)), VersionSupport::Ended(None));
        assert!(matches!(
            version_support((1, 30)),
            VersionSupport::Ended(Some(_))
        ));
        assert!(matches!(
            version_support((1, 32)),
            VersionSupport::Extended(..)
        ));
        assert_eq!(version_support((1, 35)), VersionSupport::Standard);
    }
}
