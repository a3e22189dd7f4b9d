//! EC2: the node groups' launch template versions, the cluster's and nodes' security groups,
//! the subnets of the cluster and node groups, and the cluster's node instances.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::Filter;
use eksguard_core::inventory::Input;

use super::{Failure, Found, LaunchTemplateRef, Run, convert, each, failure, unique};

/// Launch templates, then the security groups (the templates name some), and subnets.
pub(crate) async fn network(run: &Run<'_>, found: &Found) {
    let mut groups = found.cluster.security_groups.clone();
    groups.extend(found.nodegroups.security_groups.iter().cloned());
    let (lt_groups, ()) = futures::join!(launch_templates(run, found), subnets(run, found));
    groups.extend(lt_groups);
    security_groups(run, unique(groups)).await;
}

/// Returns the security groups the templates name.
async fn launch_templates(run: &Run<'_>, found: &Found) -> Vec<String> {
    if !found.nodegroups.read {
        // The node group read recorded why.
        return Vec::new();
    }
    if found.nodegroups.launch_templates.is_empty() {
        run.unavailable(
            Input::LaunchTemplates,
            format!(
                "no managed node group of cluster {} uses a launch template",
                run.cluster()
            ),
        );
        return Vec::new();
    }
    let refs = found.nodegroups.launch_templates.clone();
    let read = each(run.limit(), refs, |(lt, version)| async move {
        const OP: &str = "ec2:DescribeLaunchTemplateVersions";
        run.count(OP);
        let req = run
            .ec2
            .describe_launch_template_versions()
            .versions(version);
        let req = match lt {
            LaunchTemplateRef::Id(id) => req.launch_template_id(id),
            LaunchTemplateRef::Name(name) => req.launch_template_name(name),
        };
        match req.send().await {
            Ok(o) => Ok(o.launch_template_versions().to_vec()),
            Err(e) => Err(failure(OP, &e)),
        }
    })
    .await;
    match read {
        Ok(lists) => {
            let versions: Vec<_> = lists.into_iter().flatten().collect();
            run.doc(
                &format!(
                    "ec2.describe-launch-template-versions.{}.json",
                    run.cluster()
                ),
                &convert::launch_template_versions(&versions),
            );
            let mut groups = Vec::new();
            for v in &versions {
                if let Some(d) = v.launch_template_data() {
                    groups.extend(d.security_group_ids().iter().cloned());
                    for n in d.network_interfaces() {
                        groups.extend(n.groups().iter().cloned());
                    }
                }
            }
            groups
        }
        Err(f) => {
            run.unavailable(Input::LaunchTemplates, f.reason);
            Vec::new()
        }
    }
}

/// Describe `ids` in one call; when one of them is gone (the call fails as not found), describe
/// them one at a time and skip the missing ones, so that one deleted group or subnet does not
/// hide the others.
async fn describe_ids<T, F, Fut>(
    run: &Run<'_>,
    op: &'static str,
    ids: Vec<String>,
    call: F,
) -> Result<Vec<T>, Failure>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, Failure>>,
{
    run.count(op);
    match call(ids.clone()).await {
        Err(f) if f.not_found => each(run.limit(), ids, |id| {
            run.count(op);
            let one = call(vec![id]);
            async move {
                match one.await {
                    Err(f) if f.not_found => Ok(Vec::new()),
                    other => other,
                }
            }
        })
        .await
        .map(|l| l.into_iter().flatten().collect()),
        other => other,
    }
}

async fn security_groups(run: &Run<'_>, ids: Vec<String>) {
    const OP: &str = "ec2:DescribeSecurityGroups";
    if ids.is_empty() {
        run.unavailable(
            Input::SecurityGroups,
            format!("cluster {} names no security groups", run.cluster()),
        );
        return;
    }
    let all = describe_ids(run, OP, ids, |ids| async move {
        run.ec2
            .describe_security_groups()
            .set_group_ids(Some(ids))
            .send()
            .await
            .map(|o| o.security_groups().to_vec())
            .map_err(|e| failure(OP, &e))
    })
    .await;
    match all {
        Ok(groups) => run.doc(
            &format!("ec2.describe-security-groups.{}.json", run.cluster()),
            &convert::security_groups(&groups),
        ),
        Err(f) => run.unavailable(Input::SecurityGroups, f.reason),
    }
}

async fn subnets(run: &Run<'_>, found: &Found) {
    const OP: &str = "ec2:DescribeSubnets";
    let mut ids = found.cluster.subnets.clone();
    ids.extend(found.nodegroups.subnets.iter().cloned());
    let ids = unique(ids);
    if ids.is_empty() {
        run.unavailable(
            Input::Subnets,
            format!("cluster {} names no subnets", run.cluster()),
        );
        return;
    }
    let all = describe_ids(run, OP, ids, |ids| async move {
        run.ec2
            .describe_subnets()
            .set_subnet_ids(Some(ids))
            .send()
            .await
            .map(|o| o.subnets().to_vec())
            .map_err(|e| failure(OP, &e))
    })
    .await;
    match all {
        Ok(subnets) => run.doc(
            &format!("ec2.describe-subnets.{}.json", run.cluster()),
            &convert::subnets(&subnets),
        ),
        Err(f) => run.unavailable(Input::Subnets, f.reason),
    }
}

/// The cluster's node instances: tagged `eks:cluster-name=NAME` (managed node groups,
/// Karpenter) or `kubernetes.io/cluster/NAME` (self-managed), not terminated.
pub(crate) async fn instances(run: &Run<'_>) {
    const OP: &str = "ec2:DescribeInstances";
    let live = Filter::builder()
        .name("instance-state-name")
        .values("pending")
        .values("running")
        .values("stopping")
        .values("stopped")
        .build();
    let by_tag = Filter::builder()
        .name("tag:eks:cluster-name")
        .values(run.cluster())
        .build();
    let by_key = Filter::builder()
        .name("tag-key")
        .values(format!("kubernetes.io/cluster/{}", run.cluster()))
        .build();
    let mut reservations = Vec::new();
    let mut seen = BTreeSet::new();
    for filter in [by_tag, by_key] {
        let mut token: Option<String> = None;
        loop {
            run.count(OP);
            let page = run
                .ec2
                .describe_instances()
                .filters(filter.clone())
                .filters(live.clone())
                .set_next_token(token.take())
                .send()
                .await;
            match page {
                Ok(o) => {
                    for r in o.reservations() {
                        let id = r.reservation_id().unwrap_or_default().to_string();
                        if seen.insert(id) {
                            reservations.push(r.clone());
                        }
                    }
                    match o.next_token() {
                        Some(t) if !t.is_empty() => token = Some(t.to_string()),
                        _ => break,
                    }
                }
                Err(e) => {
                    let f: Failure = failure(OP, &e);
                    run.unavailable(Input::Ec2Instances, f.reason);
                    return;
                }
            }
        }
    }
    run.doc(
        &format!("ec2.describe-instances.{}.json", run.cluster()),
        &convert::instances(&reservations),
    );
}
