# Helpers for the example policies: where each workload kind keeps its pod spec, its
# containers with their field paths, and field paths as eksguard writes them. A module outside
# `package eksguard.*` is a library: eksguard loads it but does not evaluate it as a policy.
package lib.kubernetes

# The path of the pod spec, per kind of object that runs pods.
pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# The object runs pods.
is_workload if pod_spec_paths[input.object.kind]

# The object was created by a controller (a ReplicaSet's Pod, a Deployment's ReplicaSet): its
# controller is judged instead, so that a rejection happens where it can be fixed.
is_controlled if {
	some owner in input.object.metadata.ownerReferences
	owner.controller == true
}

pod_spec := object.get(input.object, pod_spec_paths[input.object.kind], {})

pod_spec_field := concat(".", pod_spec_paths[input.object.kind])

# The path of the pod template's metadata (controllers only).
template_metadata_field := concat(".", array.concat(array.slice(path, 0, count(path) - 1), ["metadata"])) if {
	path := pod_spec_paths[input.object.kind]
	count(path) > 1
}

container_lists := {
	"initContainers": "init container",
	"containers": "container",
	"ephemeralContainers": "ephemeral container",
}

# Every container, init and ephemeral ones too:
# {"container": {...}, "list": "containers", "index": 0, "label": "container"}.
# The strings a finding needs are built by container_field and container_describe, in the head of
# a `deny` rule: only for the containers at fault.
containers contains {"container": c, "list": list, "index": i, "label": label} if {
	some list, label in container_lists
	some i, c in pod_spec[list]
}

# The field path of a member of `containers`: `spec.template.spec.containers[0]`.
container_field(c) := sprintf("%s.%s[%d]", [pod_spec_field, c.list, c.index])

# A member of `containers` in words: `container "web"`, `init container "setup"`.
container_describe(c) := sprintf("%s %q", [c.label, c.container.name])

# `Deployment shop/web`, `ServiceAccount default/app`, `Namespace shop`.
describe := sprintf("%s %s/%s", [input.object.kind, ns, input.object.metadata.name]) if {
	ns := input.object.metadata.namespace
} else := sprintf("%s %s", [input.object.kind, input.object.metadata.name])

# The field path of `key` under `path`: `metadata.labels.owner`,
# `metadata.labels["app.kubernetes.io/name"]`.
field(path, key) := sprintf("%s.%s", [path, key]) if {
	regex.match(`^[A-Za-z0-9_$-]+$`, key)
} else := sprintf("%s[%q]", [path, key])

# The full reference of an image, with Docker Hub's implicit registry written out:
# `nginx` -> `docker.io/library/nginx`, `bitnami/redis` -> `docker.io/bitnami/redis`.
image_ref(image) := image if {
	first := split(image, "/")[0]
	contains(image, "/")
	registry_host(first)
} else := concat("/", ["docker.io", image]) if {
	contains(image, "/")
} else := concat("/", ["docker.io/library", image])

registry_host(s) if contains(s, ".")

registry_host(s) if contains(s, ":")

registry_host(s) if s == "localhost"
