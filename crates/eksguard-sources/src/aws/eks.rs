//! EKS: the cluster, its node groups, Fargate profiles, access entries and their access
//! policies, add-ons and Pod Identity associations.

use aws_sdk_eks::types::AuthenticationMode;
use eksguard_core::inventory::Input;

use super::{Failure, LaunchTemplateRef, Run, arn_account, convert, each, failure, unique};

/// What `describe-cluster` tells the other reads.
#[derive(Debug, Default)]
pub(crate) struct ClusterRead {
    pub account: Option<String>,
    pub role: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub secrets_key: Option<String>,
    /// Whether the cluster authenticates with access entries at all.
    pub access_entries_enabled: bool,
}

pub(crate) async fn cluster(run: &Run<'_>) -> Option<ClusterRead> {
    const OP: &str = "eks:DescribeCluster";
    run.count(OP);
    let out = match run.eks.describe_cluster().name(run.cluster()).send().await {
        Ok(o) => o,
        Err(e) => {
            let f = failure(OP, &e);
            let reason = if f.not_found {
                format!(
                    "EKS cluster {} does not exist in {} (check --cluster and --region)",
                    run.cluster(),
                    run.region
                )
            } else {
                f.reason
            };
            run.unavailable(Input::EksCluster, reason);
            return None;
        }
    };
    let Some(c) = out.cluster() else {
        run.unavailable(Input::EksCluster, format!("{OP} returned no cluster"));
        return None;
    };
    run.doc(
        &format!("eks.describe-cluster.{}.json", run.cluster()),
        &convert::cluster(c),
    );
    let vpc = c.resources_vpc_config();
    let mut security_groups: Vec<String> = vpc
        .map(|v| v.security_group_ids().to_vec())
        .unwrap_or_default();
    if let Some(id) = vpc.and_then(|v| v.cluster_security_group_id()) {
        security_groups.push(id.to_string());
    }
    let secrets_key = c
        .encryption_config()
        .iter()
        .find(|e| e.resources().iter().any(|r| r == "secrets"))
        .and_then(|e| e.provider())
        .and_then(|p| p.key_arn())
        .map(str::to_string);
    let mode = c.access_config().and_then(|a| a.authentication_mode());
    Some(ClusterRead {
        account: c.arn().and_then(arn_account).map(str::to_string),
        role: c.role_arn().map(str::to_string),
        subnets: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
        security_groups: unique(security_groups),
        secrets_key,
        access_entries_enabled: !matches!(mode, Some(AuthenticationMode::ConfigMap)),
    })
}

/// All pages of an EKS list operation: `page(token)` sends one request and returns its items
/// and the next token.
macro_rules! list_all {
    ($run:expr, $op:expr, |$token:ident| $send:expr, |$out:ident| $items:expr) => {{
        let mut all = Vec::new();
        let mut $token: Option<String> = None;
        loop {
            $run.count($op);
            match $send.await {
                Ok($out) => {
                    all.extend($items);
                    match $out.next_token() {
                        Some(t) if !t.is_empty() => $token = Some(t.to_string()),
                        _ => break Ok(all),
                    }
                }
                Err(e) => break Err(failure($op, &e)),
            }
        }
    }};
}

/// What the node groups tell the EC2 and IAM reads.
#[derive(Debug, Default)]
pub(crate) struct NodegroupsRead {
    pub read: bool,
    pub roles: Vec<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub launch_templates: Vec<(LaunchTemplateRef, String)>,
}

pub(crate) async fn nodegroups(run: &Run<'_>) -> NodegroupsRead {
    let names: Result<Vec<String>, Failure> = list_all!(
        run,
        "eks:ListNodegroups",
        |token| run
            .eks
            .list_nodegroups()
            .cluster_name(run.cluster())
            .set_next_token(token.take())
            .send(),
        |o| o.nodegroups().to_vec()
    );
    let described = match names {
        Ok(names) => {
            each(run.limit(), names, |name| async move {
                const OP: &str = "eks:DescribeNodegroup";
                run.count(OP);
                match run
                    .eks
                    .describe_nodegroup()
                    .cluster_name(run.cluster())
                    .nodegroup_name(&name)
                    .send()
                    .await
                {
                    Ok(o) => Ok(o.nodegroup().cloned()),
                    Err(e) => gone(&failure(OP, &e)),
                }
            })
            .await
        }
        Err(f) => Err(f),
    };
    let nodegroups = match described {
        Ok(list) => list.into_iter().flatten().collect::<Vec<_>>(),
        Err(f) => {
            run.unavailable(Input::Nodegroups, f.reason.clone());
            run.unavailable(
                Input::LaunchTemplates,
                format!("needs the node groups: {}", f.reason),
            );
            return NodegroupsRead::default();
        }
    };
    if nodegroups.is_empty() {
        run.unavailable(
            Input::Nodegroups,
            format!("cluster {} has no managed node groups", run.cluster()),
        );
    }
    let mut read = NodegroupsRead {
        read: true,
        ..NodegroupsRead::default()
    };
    for n in &nodegroups {
        let name = n.nodegroup_name().unwrap_or("nodegroup");
        run.doc(
            &format!("eks.describe-nodegroup.{}.{name}.json", run.cluster()),
            &convert::nodegroup(n),
        );
        read.roles.extend(n.node_role().map(str::to_string));
        read.subnets.extend(n.subnets().iter().cloned());
        if let Some(sg) = n.resources().and_then(|r| r.remote_access_security_group()) {
            read.security_groups.push(sg.to_string());
        }
        if let Some(lt) = n.launch_template() {
            let version = lt.version().unwrap_or("$Default").to_string();
            let r = match (lt.id(), lt.name()) {
                (Some(id), _) => Some(LaunchTemplateRef::Id(id.to_string())),
                (None, Some(name)) => Some(LaunchTemplateRef::Name(name.to_string())),
                (None, None) => None,
            };
            if let Some(r) = r
                && !read
                    .launch_templates
                    .contains(&(r.clone(), version.clone()))
            {
                read.launch_templates.push((r, version));
            }
        }
    }
    read.roles = unique(read.roles);
    read.subnets = unique(read.subnets);
    read.security_groups = unique(read.security_groups);
    read
}

/// A describe of something that vanished between list and describe is skipped; any other
/// failure fails the input.
fn gone<T>(f: &Failure) -> Result<Option<T>, Failure> {
    if f.not_found {
        Ok(None)
    } else {
        Err(f.clone())
    }
}

/// Fargate profiles; returns their pod execution roles.
pub(crate) async fn fargate_profiles(run: &Run<'_>) -> Vec<String> {
    let names: Result<Vec<String>, Failure> = list_all!(
        run,
        "eks:ListFargateProfiles",
        |token| run
            .eks
            .list_fargate_profiles()
            .cluster_name(run.cluster())
            .set_next_token(token.take())
            .send(),
        |o| o.fargate_profile_names().to_vec()
    );
    let described = match names {
        Ok(names) => {
            each(run.limit(), names, |name| async move {
                const OP: &str = "eks:DescribeFargateProfile";
                run.count(OP);
                match run
                    .eks
                    .describe_fargate_profile()
                    .cluster_name(run.cluster())
                    .fargate_profile_name(&name)
                    .send()
                    .await
                {
                    Ok(o) => Ok(o.fargate_profile().cloned()),
                    Err(e) => gone(&failure(OP, &e)),
                }
            })
            .await
        }
        Err(f) => Err(f),
    };
    let profiles = match described {
        Ok(list) => list.into_iter().flatten().collect::<Vec<_>>(),
        Err(f) => {
            run.unavailable(Input::FargateProfiles, f.reason);
            return Vec::new();
        }
    };
    if profiles.is_empty() {
        run.unavailable(
            Input::FargateProfiles,
            format!("cluster {} has no Fargate profiles", run.cluster()),
        );
    }
    for p in &profiles {
        let name = p.fargate_profile_name().unwrap_or("profile");
        run.doc(
            &format!("eks.describe-fargate-profile.{}.{name}.json", run.cluster()),
            &convert::fargate_profile(p),
        );
    }
    unique(profiles.iter().filter_map(|p| p.pod_execution_role_arn()))
}

/// Access entries and their access policies; returns the principals and whether they were
/// all read.
pub(crate) async fn access_entries(run: &Run<'_>, enabled: bool) -> (Vec<String>, bool) {
    if !enabled {
        // CONFIG_MAP authentication: the cluster has no access entries (the API refuses to
        // list them), only aws-auth.
        run.doc(
            &format!("eks.list-access-entries.{}.json", run.cluster()),
            &convert::access_entry_list(&[]),
        );
        run.unavailable(
            Input::AccessPolicies,
            format!(
                "cluster {} authenticates with the aws-auth ConfigMap only: it has no access entries",
                run.cluster()
            ),
        );
        return (Vec::new(), true);
    }
    let principals: Result<Vec<String>, Failure> = list_all!(
        run,
        "eks:ListAccessEntries",
        |token| run
            .eks
            .list_access_entries()
            .cluster_name(run.cluster())
            .set_next_token(token.take())
            .send(),
        |o| o.access_entries().to_vec()
    );
    let principals = match principals {
        Ok(p) => p,
        Err(f) => {
            run.unavailable(Input::AccessEntries, f.reason.clone());
            run.unavailable(
                Input::AccessPolicies,
                format!("needs the access entries: {}", f.reason),
            );
            return (Vec::new(), false);
        }
    };
    if principals.is_empty() {
        run.doc(
            &format!("eks.list-access-entries.{}.json", run.cluster()),
            &convert::access_entry_list(&[]),
        );
        run.unavailable(
            Input::AccessPolicies,
            format!("cluster {} has no access entries", run.cluster()),
        );
        return (Vec::new(), true);
    }
    let entries = each(run.limit(), principals.clone(), |arn| async move {
        const OP: &str = "eks:DescribeAccessEntry";
        run.count(OP);
        match run
            .eks
            .describe_access_entry()
            .cluster_name(run.cluster())
            .principal_arn(&arn)
            .send()
            .await
        {
            Ok(o) => Ok(o.access_entry().cloned()),
            Err(e) => gone(&failure(OP, &e)),
        }
    })
    .await;
    let all_read = match entries {
        Ok(entries) => {
            for e in entries.iter().flatten() {
                let name = e.principal_arn().map_or("entry", crate::aws::last_segment);
                run.doc(
                    &format!("eks.describe-access-entry.{}.{name}.json", run.cluster()),
                    &convert::access_entry(e),
                );
            }
            true
        }
        Err(f) => {
            run.unavailable(Input::AccessEntries, f.reason);
            false
        }
    };
    let policies = each(run.limit(), principals.clone(), |arn| async move {
        let list: Result<Vec<_>, Failure> = list_all!(
            run,
            "eks:ListAssociatedAccessPolicies",
            |token| run
                .eks
                .list_associated_access_policies()
                .cluster_name(run.cluster())
                .principal_arn(&arn)
                .set_next_token(token.take())
                .send(),
            |o| o.associated_access_policies().to_vec()
        );
        match list {
            Ok(l) => Ok(Some((arn, l))),
            Err(f) => gone(&f),
        }
    })
    .await;
    match policies {
        Ok(list) => {
            for (arn, policies) in list.iter().flatten() {
                run.doc(
                    &format!(
                        "eks.list-associated-access-policies.{}.{}.json",
                        run.cluster(),
                        crate::aws::last_segment(arn)
                    ),
                    &convert::associated_access_policies(run.cluster(), arn, policies),
                );
            }
        }
        Err(f) => run.unavailable(Input::AccessPolicies, f.reason),
    }
    (principals, all_read)
}

/// Add-ons; returns the IAM roles their service accounts use.
pub(crate) async fn addons(run: &Run<'_>) -> Vec<String> {
    let names: Result<Vec<String>, Failure> = list_all!(
        run,
        "eks:ListAddons",
        |token| run
            .eks
            .list_addons()
            .cluster_name(run.cluster())
            .set_next_token(token.take())
            .send(),
        |o| o.addons().to_vec()
    );
    let described = match names {
        Ok(names) => {
            each(run.limit(), names, |name| async move {
                const OP: &str = "eks:DescribeAddon";
                run.count(OP);
                match run
                    .eks
                    .describe_addon()
                    .cluster_name(run.cluster())
                    .addon_name(&name)
                    .send()
                    .await
                {
                    Ok(o) => Ok(o.addon().cloned()),
                    Err(e) => gone(&failure(OP, &e)),
                }
            })
            .await
        }
        Err(f) => Err(f),
    };
    let addons = match described {
        Ok(list) => list.into_iter().flatten().collect::<Vec<_>>(),
        Err(f) => {
            run.unavailable(Input::Addons, f.reason);
            return Vec::new();
        }
    };
    if addons.is_empty() {
        run.unavailable(
            Input::Addons,
            format!("cluster {} has no EKS add-ons", run.cluster()),
        );
    }
    for a in &addons {
        let name = a.addon_name().unwrap_or("addon");
        run.doc(
            &format!("eks.describe-addon.{}.{name}.json", run.cluster()),
            &convert::addon(a),
        );
    }
    unique(addons.iter().filter_map(|a| a.service_account_role_arn()))
}

/// Pod Identity associations; returns the IAM roles they give.
pub(crate) async fn pod_identity(run: &Run<'_>) -> Vec<String> {
    let listed: Result<Vec<_>, Failure> = list_all!(
        run,
        "eks:ListPodIdentityAssociations",
        |token| run
            .eks
            .list_pod_identity_associations()
            .cluster_name(run.cluster())
            .set_next_token(token.take())
            .send(),
        |o| o.associations().to_vec()
    );
    let listed = match listed {
        Ok(l) => l,
        Err(f) => {
            run.unavailable(Input::PodIdentity, f.reason);
            return Vec::new();
        }
    };
    if listed.is_empty() {
        run.doc(
            &format!("eks.list-pod-identity-associations.{}.json", run.cluster()),
            &convert::pod_identity_association_list(&[]),
        );
        return Vec::new();
    }
    let ids: Vec<String> = listed
        .iter()
        .filter_map(|a| a.association_id())
        .map(str::to_string)
        .collect();
    let described = each(run.limit(), ids, |id| async move {
        const OP: &str = "eks:DescribePodIdentityAssociation";
        run.count(OP);
        match run
            .eks
            .describe_pod_identity_association()
            .cluster_name(run.cluster())
            .association_id(&id)
            .send()
            .await
        {
            Ok(o) => Ok(o.association().cloned()),
            Err(e) => gone(&failure(OP, &e)),
        }
    })
    .await;
    let associations = match described {
        Ok(list) => list.into_iter().flatten().collect::<Vec<_>>(),
        Err(f) => {
            run.unavailable(Input::PodIdentity, f.reason);
            return Vec::new();
        }
    };
    let mut roles = Vec::new();
    for a in &associations {
        let id = a.association_id().unwrap_or("association");
        run.doc(
            &format!(
                "eks.describe-pod-identity-association.{}.{id}.json",
                run.cluster()
            ),
            &convert::pod_identity_association(a),
        );
        roles.extend(a.role_arn().map(str::to_string));
        roles.extend(a.target_role_arn().map(str::to_string));
    }
    unique(roles)
}
