# METADATA
# title: Workloads carry the required labels
# description: >-
#   Workloads (and their pod templates, so that their pods do too) carry the labels that say
#   what they are and who owns them: `settings.required_labels` of `data.yaml`, by default
#   `app.kubernetes.io/name` and `owner`. Objects created by a controller (a Deployment's
#   ReplicaSets and Pods) are judged through their controller.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
# custom:
#   id: ACME002
#   name: missing-required-labels
#   severity: low
#   remediation: Add the missing labels to the workload's metadata.labels and to its pod template's metadata.labels.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package eksguard.required_labels

import data.lib.kubernetes.describe
import data.lib.kubernetes.field
import data.lib.kubernetes.is_controlled
import data.lib.kubernetes.is_workload
import data.lib.kubernetes.template_metadata_field

default_required := ["app.kubernetes.io/name", "owner"]

required := list if {
	list := data.settings.required_labels
} else := default_required

deny contains {
	"id": "ACME002",
	"msg": sprintf("%s lacks the label %q", [describe, label]),
	"field": field("metadata.labels", label),
} if {
	is_workload
	not is_controlled
	some label in required
	not has_label(input.object.metadata, label)
}

deny contains {
	"id": "ACME002",
	"msg": sprintf("the pod template of %s lacks the label %q, so its pods will too", [describe, label]),
	"field": field(concat("", [template_metadata_field, ".labels"]), label),
} if {
	is_workload
	not is_controlled
	template := object.get(input.object, split(template_metadata_field, "."), {})
	some label in required
	not has_label(template, label)
}

has_label(metadata, label) if {
	value := metadata.labels[label]
	value != ""
}
