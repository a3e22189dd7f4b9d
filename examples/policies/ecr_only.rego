# METADATA
# title: Images come from a private Amazon ECR registry
# description: >-
#   Every container image comes from a private Amazon ECR registry
#   (`<account>.dkr.ecr.<region>.amazonaws.com/...`, or `.amazonaws.com.cn` in China), where
#   image scanning, tag immutability and repository policies apply and pulls stay on the AWS
#   network (with VPC endpoints). ECR Public (`public.ecr.aws`) is refused by default: anyone can
#   publish there, so it is no more trusted than any public registry; mirror it with an ECR
#   pull-through cache rule, or set `settings.ecr_public_allowed: true` in `data.yaml`. The
#   built-in rule IMG008 reports the same in scans (and skips kube-system); this policy is the
#   variant to enforce at admission, with the ECR Public decision in your hands.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
# custom:
#   id: ACME003
#   name: image-outside-private-ecr
#   severity: medium
#   remediation: Push the image to a private ECR repository of your account (for a public image, create an ECR pull-through cache rule) and reference it as <account>.dkr.ecr.<region>.amazonaws.com/<repository>.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package eksguard.ecr_only

import data.lib.kubernetes.container_describe
import data.lib.kubernetes.container_field
import data.lib.kubernetes.containers
import data.lib.kubernetes.describe

private_ecr := `^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.(amazonaws\.com|amazonaws\.com\.cn|on\.aws)/`

public_allowed if data.settings.ecr_public_allowed == true

deny contains {
	"id": "ACME003",
	"msg": sprintf("%s runs %s with image %q, which is not in a private ECR registry%s", [describe, container_describe(c), image, why(image)]),
	"field": sprintf("%s.image", [container_field(c)]),
} if {
	some c in containers
	image := c.container.image
	not regex.match(private_ecr, image)
	not public_ok(image)
}

public_ok(image) if {
	public_allowed
	startswith(image, "public.ecr.aws/")
}

why(image) := " (ECR Public is a public registry: mirror it with a pull-through cache rule)" if {
	startswith(image, "public.ecr.aws/")
} else := ""
