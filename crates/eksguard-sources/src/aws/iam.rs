//! IAM: the roles the cluster, node groups, Fargate profiles, access entries, add-ons, Pod
//! Identity associations and IRSA annotations name (trust policy, inline and attached
//! policies, and the documents of attached customer-managed policies), assembled into one
//! `get-account-authorization-details` document; and the access keys of IAM users mapped into
//! the cluster.

use std::collections::BTreeSet;

use eksguard_core::inventory::Input;
use serde_json::Value;

use super::{
    AwsHints, Failure, Found, Run, arn_account, convert, each, failure, last_segment, unique,
};

pub(crate) async fn roles_and_users(run: &Run<'_>, found: &Found, hints: &AwsHints) {
    let principals = found
        .access_entry_principals
        .iter()
        .chain(&hints.role_arns)
        .chain(&hints.user_arns);
    let mut roles: Vec<&String> = found
        .cluster
        .role
        .iter()
        .chain(&found.nodegroups.roles)
        .chain(&found.fargate_roles)
        .chain(&found.addon_roles)
        .chain(&found.pod_identity_roles)
        .collect();
    roles.extend(principals.clone().filter(|a| a.contains(":role/")));
    let users: Vec<&String> = principals.filter(|a| a.contains(":user/")).collect();
    let account = run.account();
    let ours = |arn: &&String| {
        let theirs = arn_account(arn);
        let ok = match (&account, theirs) {
            (Some(a), Some(t)) => a == t,
            _ => true,
        };
        if !ok {
            run.note(format!(
                "{arn} belongs to another account: its policies are not read"
            ));
        }
        ok
    };
    let roles = unique(roles.into_iter().filter(ours).map(|a| last_segment(a)));
    let users = unique(users.into_iter().filter(ours).map(|a| last_segment(a)));
    let ((), ()) = futures::join!(
        read_roles(run, roles),
        access_keys(run, users, found.access_entries_read)
    );
}

async fn read_roles(run: &Run<'_>, names: Vec<String>) {
    if names.is_empty() {
        run.unavailable(
            Input::Iam,
            "no IAM roles to read: the cluster and its workloads name none that could be read",
        );
        return;
    }
    let read = each(
        run.limit(),
        names,
        |name| async move { role(run, name).await },
    )
    .await;
    let roles = match read {
        Ok(r) => r.into_iter().flatten().collect::<Vec<_>>(),
        Err(f) => {
            run.unavailable(Input::Iam, f.reason);
            return;
        }
    };
    let customer: BTreeSet<String> = roles
        .iter()
        .flat_map(|(_, attached)| attached.iter())
        .filter(|arn| !arn.contains(":iam::aws:policy/"))
        .cloned()
        .collect();
    let policies = each(
        run.limit(),
        customer.into_iter().collect(),
        |arn| async move { managed_policy(run, arn).await },
    )
    .await;
    let policies: Vec<Value> = match policies {
        Ok(p) => p.into_iter().flatten().collect(),
        Err(f) => {
            run.unavailable(Input::Iam, f.reason);
            return;
        }
    };
    run.doc(
        &format!(
            "iam.get-account-authorization-details.{}.json",
            run.cluster()
        ),
        &convert::authorization_details(
            &roles.into_iter().map(|(r, _)| r).collect::<Vec<_>>(),
            &policies,
        ),
    );
}

/// One role as a `RoleDetailList` entry, and the ARNs of its attached policies; `None` when
/// the role does not exist.
async fn role(run: &Run<'_>, name: String) -> Result<Option<(Value, Vec<String>)>, Failure> {
    const GET: &str = "iam:GetRole";
    const LIST_INLINE: &str = "iam:ListRolePolicies";
    const GET_INLINE: &str = "iam:GetRolePolicy";
    const LIST_ATTACHED: &str = "iam:ListAttachedRolePolicies";
    run.count(GET);
    let role = match run.iam.get_role().role_name(&name).send().await {
        Ok(o) => match o.role {
            Some(r) => r,
            None => return Ok(None),
        },
        Err(e) => {
            let f = failure(GET, &e);
            if f.not_found {
                run.note(format!("IAM role {name} is named but does not exist"));
                return Ok(None);
            }
            return Err(f);
        }
    };
    let mut inline_names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        run.count(LIST_INLINE);
        let o = run
            .iam
            .list_role_policies()
            .role_name(&name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| failure(LIST_INLINE, &e))?;
        inline_names.extend(o.policy_names().iter().cloned());
        match o.marker() {
            Some(m) if o.is_truncated() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    let mut inline = Vec::new();
    for p in inline_names {
        run.count(GET_INLINE);
        let o = run
            .iam
            .get_role_policy()
            .role_name(&name)
            .policy_name(&p)
            .send()
            .await
            .map_err(|e| failure(GET_INLINE, &e))?;
        inline.push((p, o.policy_document().to_string()));
    }
    let mut attached = Vec::new();
    loop {
        run.count(LIST_ATTACHED);
        let o = run
            .iam
            .list_attached_role_policies()
            .role_name(&name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| failure(LIST_ATTACHED, &e))?;
        attached.extend(o.attached_policies().iter().cloned());
        match o.marker() {
            Some(m) if o.is_truncated() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    let arns = attached
        .iter()
        .filter_map(|a| a.policy_arn())
        .map(str::to_string)
        .collect();
    Ok(Some((
        convert::role_detail(&role, &inline, &attached),
        arns,
    )))
}

/// A customer-managed policy with its default version's document.
async fn managed_policy(run: &Run<'_>, arn: String) -> Result<Option<Value>, Failure> {
    const GET: &str = "iam:GetPolicy";
    const VERSION: &str = "iam:GetPolicyVersion";
    run.count(GET);
    let policy = match run.iam.get_policy().policy_arn(&arn).send().await {
        Ok(o) => match o.policy {
            Some(p) => p,
            None => return Ok(None),
        },
        Err(e) => {
            let f = failure(GET, &e);
            return if f.not_found { Ok(None) } else { Err(f) };
        }
    };
    let Some(version) = policy.default_version_id().map(str::to_string) else {
        return Ok(None);
    };
    run.count(VERSION);
    let v = run
        .iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| failure(VERSION, &e))?;
    Ok(v.policy_version()
        .map(|v| convert::managed_policy(&policy, v)))
}

async fn access_keys(run: &Run<'_>, users: Vec<String>, complete: bool) {
    const OP: &str = "iam:ListAccessKeys";
    if users.is_empty() && !complete {
        run.unavailable(
            Input::AccessKeys,
            "the IAM users mapped into the cluster are unknown: its access entries could not be read",
        );
        return;
    }
    let read = each(run.limit(), users, |user| async move {
        run.count(OP);
        match run.iam.list_access_keys().user_name(&user).send().await {
            Ok(o) => Ok(o.access_key_metadata().to_vec()),
            Err(e) => {
                let f = failure(OP, &e);
                if f.not_found { Ok(Vec::new()) } else { Err(f) }
            }
        }
    })
    .await;
    match read {
        Ok(keys) => {
            let keys: Vec<_> = keys.into_iter().flatten().collect();
            run.doc(
                &format!("iam.list-access-keys.{}.json", run.cluster()),
                &convert::access_keys(&keys),
            );
        }
        Err(f) => run.unavailable(Input::AccessKeys, f.reason),
    }
}
