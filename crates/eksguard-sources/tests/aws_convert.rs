//! SDK types to AWS CLI JSON for the EKS operations moto does not implement (access entries
//! and their policies, add-ons, Pod Identity associations): recorded AWS responses
//! (`tests/data/aws/eks-access.json`) are rebuilt as SDK types with their builders, converted,
//! and loaded: the loader must see exactly the objects the recorded response holds.

use aws_sdk_eks::types::{
    AccessEntry, AccessScope, AccessScopeType, Addon, AddonStatus, AssociatedAccessPolicy,
    PodIdentityAssociation,
};
use eksguard_core::engine::run;
use eksguard_core::inventory::{Input, LoadOptions, load_text};
use eksguard_core::rules::RULES;
use eksguard_sources::aws::convert;
use serde_json::Value;

fn recorded() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/aws/eks-access.json"
    ))
    .expect("recorded responses");
    serde_json::from_str(&text).expect("recorded JSON")
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

fn load(docs: &[Value]) -> eksguard_core::Inventory {
    let mut inv = eksguard_core::Inventory::default();
    for (i, d) in docs.iter().enumerate() {
        let text = serde_json::to_string_pretty(d).expect("json");
        inv.extend(load_text(
            &format!("aws/doc{i}.json"),
            &text,
            &LoadOptions::default(),
        ));
    }
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    inv
}

#[test]
fn access_entries_and_policies_convert_to_the_cli_shapes() {
    let r = recorded();
    let entry = AccessEntry::builder()
        .cluster_name(s(&r, "/accessEntry/clusterName"))
        .principal_arn(s(&r, "/accessEntry/principalArn"))
        .kubernetes_groups(s(&r, "/accessEntry/kubernetesGroups/0"))
        .access_entry_arn(s(&r, "/accessEntry/accessEntryArn"))
        .username(s(&r, "/accessEntry/username"))
        .r#type(s(&r, "/accessEntry/type"))
        .build();
    let doc = convert::access_entry(&entry);
    assert_eq!(
        doc,
        serde_json::json!({ "accessEntry": r["accessEntry"].clone() })
    );
    let policy = AssociatedAccessPolicy::builder()
        .policy_arn(s(&r, "/associatedAccessPolicies/0/policyArn"))
        .access_scope(
            AccessScope::builder()
                .r#type(AccessScopeType::Cluster)
                .build(),
        )
        .build();
    let principal = s(&r, "/accessEntry/principalArn");
    let policies = convert::associated_access_policies("prod", principal, &[policy]);
    let listed = convert::access_entry_list(&[principal.to_string()]);
    let inv = load(&[doc, policies]);
    assert!(inv.has(Input::AccessEntries) && inv.has(Input::AccessPolicies));
    assert_eq!(inv.access_entries.len(), 1);
    assert_eq!(inv.access_entries[0].kubernetes_groups, ["deployers"]);
    assert_eq!(
        inv.access_entries[0].entry_type.as_deref(),
        Some("STANDARD")
    );
    let p = &inv.access_policies[0].associated_access_policies[0];
    assert_eq!(p.name(), "AmazonEKSClusterAdminPolicy");
    assert!(p.access_scope.is_cluster());
    let report = run(&inv, RULES, "test");
    assert!(
        report.findings.iter().any(|f| f.rule_id == "IAM009"),
        "a cluster-admin access policy is found: {:?}",
        report
            .findings
            .iter()
            .map(|f| f.rule_id)
            .collect::<Vec<_>>()
    );
    assert!(report.findings.iter().any(|f| f.rule_id == "IAM019"));
    let inv = load(&[listed]);
    assert!(inv.has(Input::AccessEntries) && inv.access_entries[0].listed_only);
}

#[test]
fn addons_and_pod_identity_associations_convert_to_the_cli_shapes() {
    let r = recorded();
    let addon = Addon::builder()
        .addon_name(s(&r, "/addon/addonName"))
        .cluster_name(s(&r, "/addon/clusterName"))
        .status(AddonStatus::Active)
        .addon_version(s(&r, "/addon/addonVersion"))
        .addon_arn(s(&r, "/addon/addonArn"))
        .service_account_role_arn(s(&r, "/addon/serviceAccountRoleArn"))
        .build();
    let a = convert::addon(&addon);
    assert_eq!(a, serde_json::json!({ "addon": r["addon"].clone() }));
    let assoc = PodIdentityAssociation::builder()
        .cluster_name(s(&r, "/association/clusterName"))
        .namespace(s(&r, "/association/namespace"))
        .service_account(s(&r, "/association/serviceAccount"))
        .role_arn(s(&r, "/association/roleArn"))
        .association_arn(s(&r, "/association/associationArn"))
        .association_id(s(&r, "/association/associationId"))
        .build();
    let p = convert::pod_identity_association(&assoc);
    assert_eq!(
        p,
        serde_json::json!({ "association": r["association"].clone() })
    );
    let empty = convert::pod_identity_association_list(&[]);
    let inv = load(&[a, p]);
    assert!(inv.has(Input::Addons) && inv.has(Input::PodIdentity) && inv.has(Input::WorkloadRoles));
    assert_eq!(
        inv.addons[0].service_account_role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/vpc-cni")
    );
    assert_eq!(inv.pod_identity_associations[0].service_account, "payments");
    assert_eq!(
        inv.pod_identity_associations[0].res.namespace.as_deref(),
        Some("shop")
    );
    let inv = load(&[empty]);
    assert!(inv.has(Input::PodIdentity) && inv.pod_identity_associations.is_empty());
}

#[test]
fn absent_ecr_policies_are_read_and_empty() {
    let inv = load(&[
        convert::no_lifecycle_policy(Some("111122223333"), "shop/payments"),
        convert::no_repository_policy(Some("111122223333"), "shop/payments"),
    ]);
    assert!(inv.has(Input::EcrLifecyclePolicies) && inv.has(Input::EcrRepositoryPolicies));
    assert!(inv.ecr_lifecycle_policies.is_empty() && inv.ecr_repository_policies.is_empty());
}

#[test]
fn iam_policy_documents_are_decoded_as_the_cli_does() {
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
    assert_eq!(
        convert::policy_document(encoded),
        serde_json::json!({"Version": "2012-10-17", "Statement": []})
    );
    assert_eq!(
        convert::policy_document("not json"),
        Value::String("not json".into())
    );
}
