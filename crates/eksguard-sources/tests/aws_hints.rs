//! What the Kubernetes side tells the live AWS read to look at (`AwsHints::from_inventory`).

use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_sources::aws::AwsHints;

const CLUSTER: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - {name: init, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools:1.0}
      containers:
        - {name: web, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.4}
        - {name: sidecar, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.4}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/uploader"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/nodes
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
    - rolearn: arn:aws:iam::111122223333:role/uploader
      username: uploader
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
      username: alice
      groups: [system:masters]
"#;

#[test]
fn images_roles_and_users_the_cluster_names_each_once_and_sorted() {
    let inv = load_text("cluster.yaml", CLUSTER, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let hints = AwsHints::from_inventory(&inv);
    assert_eq!(
        hints.images,
        [
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools:1.0",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.4",
        ]
    );
    assert_eq!(
        hints.role_arns,
        [
            "arn:aws:iam::111122223333:role/nodes",
            "arn:aws:iam::111122223333:role/uploader",
        ]
    );
    assert_eq!(hints.user_arns, ["arn:aws:iam::111122223333:user/alice"]);
}
