# METADATA
# title: IRSA role annotations hold a well-formed IAM role ARN
# description: >-
#   The `eks.amazonaws.com/role-arn` annotation of a ServiceAccount (IAM roles for service
#   accounts) must be the ARN of an IAM role: `arn:aws:iam::<12-digit account>:role/<path/>name`,
#   in the `aws`, `aws-cn` or `aws-us-gov` partition. A role name alone, a user ARN, a
#   mistyped account or stray whitespace make the pods' AWS calls fail at run time, with
#   credentials errors far from the cause.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# custom:
#   id: ACME004
#   name: malformed-irsa-role-arn
#   severity: medium
#   remediation: Set eks.amazonaws.com/role-arn to the role's full ARN, as `aws iam get-role --role-name NAME --query Role.Arn` prints it.
#   kinds: [ServiceAccount]
package eksguard.irsa_role_arn

import data.lib.kubernetes.describe
import data.lib.kubernetes.field

annotation := "eks.amazonaws.com/role-arn"

role_arn := `^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$`

deny contains {
	"id": "ACME004",
	"msg": sprintf("%s has %s %q, which is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", [describe, annotation, arn]),
	"field": field("metadata.annotations", annotation),
} if {
	input.object.kind == "ServiceAccount"
	arn := input.object.metadata.annotations[annotation]
	not regex.match(role_arn, arn)
}
