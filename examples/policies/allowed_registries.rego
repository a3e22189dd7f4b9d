# METADATA
# title: Images come from allowed registries
# description: >-
#   Every container image (init and ephemeral containers too) must come from a registry the
#   platform team trusts. The list is `settings.allowed_registries` of the `data.yaml` next to
#   the policies; without it, the default below applies. An entry is a registry host
#   (`registry.k8s.io`) or a host and path prefix (`public.ecr.aws/eks-distro`). Images without
#   a registry are Docker Hub's (`nginx` is `docker.io/library/nginx`).
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html
# custom:
#   id: ACME001
#   name: registry-not-allowed
#   severity: high
#   remediation: Push the image to an allowed registry (for a public image, an ECR pull-through cache) and reference it from there, or add its registry to settings.allowed_registries.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package eksguard.allowed_registries

import data.lib.kubernetes.container_describe
import data.lib.kubernetes.container_field
import data.lib.kubernetes.containers
import data.lib.kubernetes.describe
import data.lib.kubernetes.image_ref

default_allowed := ["registry.k8s.io", "public.ecr.aws/eks-distro", "public.ecr.aws/eks"]

allowed := list if {
	list := data.settings.allowed_registries
} else := default_allowed

deny contains {
	"id": "ACME001",
	"msg": sprintf("%s runs %s with image %q, which is not from an allowed registry (%s)", [describe, container_describe(c), c.container.image, concat(", ", allowed)]),
	"field": sprintf("%s.image", [container_field(c)]),
} if {
	some c in containers
	not allowed_image(image_ref(c.container.image))
}

allowed_image(ref) if {
	some entry in allowed
	prefix := trim_suffix(entry, "/")
	startswith(ref, concat("", [prefix, "/"]))
}
