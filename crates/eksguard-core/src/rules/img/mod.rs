//! Images and the ECR registry.

pub mod ecr_enhanced_scanning_disabled;
pub mod ecr_registry_scanning_not_automated;
pub mod ecr_repository_not_kms_encrypted;
pub mod ecr_repository_policy_public;
pub mod ecr_repository_without_lifecycle_policy;
pub mod ecr_scan_on_push_disabled;
pub mod ecr_tag_mutable;
pub mod image_mutable_tag;
pub mod image_not_from_private_ecr;
pub mod image_not_pinned_by_digest;
pub mod inspector_ecr_scanning_disabled;

/// An image reference split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag/digest (`registry/path/name`).
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Split `registry:5000/path/name:tag@sha256:...`.
pub fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A ':' after the last '/' is a tag; before it, a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..last_slash + i],
            tag: Some(&rest[last_slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_parts() {
        assert_eq!(
            parse_image("registry:5000/a/b:1.2@sha256:abc"),
            ImageRef {
                name: "registry:5000/a/b",
                tag: Some("1.2"),
                digest: Some("sha256:abc")
            }
        );
        assert_eq!(
            parse_image("nginx"),
            ImageRef {
                name: "nginx",
                tag: None,
                digest: None
            }
        );
        assert_eq!(parse_image("registry:5000/nginx").tag, None);
        assert_eq!(parse_image("nginx:latest").tag, Some("latest"));
    }
}
