//! ECR: the repositories of this account's registry (in the scanned region) that the
//! cluster's images come from, their lifecycle and repository policies, and the registry's
//! scanning configuration.

use std::collections::BTreeSet;

use eksguard_core::inventory::Input;
use serde_json::Value;

use super::{Failure, Run, convert, each, failure};

/// The (registry id, repository) of an image in an ECR private registry of `region`:
/// `111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments:1.2@sha256:...`.
pub fn ecr_repository(image: &str, region: &str) -> Option<(String, String)> {
    let (host, path) = image.split_once('/')?;
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest
        .strip_prefix("dkr.ecr-fips.")
        .or_else(|| rest.strip_prefix("dkr.ecr."))?;
    let (r, domain) = rest.split_once('.')?;
    if r != region || !(domain == "amazonaws.com" || domain == "amazonaws.com.cn") {
        return None;
    }
    let path = path.split_once('@').map_or(path, |(p, _)| p);
    let path = match path.rsplit_once(':') {
        Some((p, tag)) if !tag.contains('/') => p,
        _ => path,
    };
    (!path.is_empty()).then(|| (account.to_string(), path.to_string()))
}

pub(crate) async fn repositories(run: &Run<'_>, images: &[String]) {
    let account = run.account();
    let repos: BTreeSet<(String, String)> = images
        .iter()
        .filter_map(|i| ecr_repository(i, &run.region))
        .filter(|(registry, _)| account.as_ref().is_none_or(|a| a == registry))
        .collect();
    let (scanning, ()) = futures::join!(registry_scanning(run), async {
        if repos.is_empty() {
            let why = if images.is_empty() {
                "no images were given: the cluster's workloads were not read".to_string()
            } else {
                format!(
                    "the cluster runs no images from this account's ECR registry in {}",
                    run.region
                )
            };
            for input in [
                Input::EcrRepositories,
                Input::EcrLifecyclePolicies,
                Input::EcrRepositoryPolicies,
            ] {
                run.unavailable(input, why.clone());
            }
        } else {
            read_repositories(run, repos.into_iter().collect()).await;
        }
    });
    let () = scanning;
}

async fn registry_scanning(run: &Run<'_>) {
    const OP: &str = "ecr:GetRegistryScanningConfiguration";
    run.count(OP);
    match run.ecr.get_registry_scanning_configuration().send().await {
        Ok(o) => run.doc(
            "ecr.get-registry-scanning-configuration.json",
            &convert::registry_scanning(&o, run.account().as_deref()),
        ),
        Err(e) => run.unavailable(Input::EcrRegistryScanning, failure(OP, &e).reason),
    }
}

async fn read_repositories(run: &Run<'_>, repos: Vec<(String, String)>) {
    const OP: &str = "ecr:DescribeRepositories";
    let described = each(run.limit(), repos, |(registry, name)| async move {
        run.count(OP);
        match run
            .ecr
            .describe_repositories()
            .registry_id(&registry)
            .repository_names(&name)
            .send()
            .await
        {
            Ok(o) => Ok(o.repositories().to_vec()),
            Err(e) => {
                let f = failure(OP, &e);
                if f.not_found {
                    run.note(format!(
                        "the cluster runs images of ECR repository {name} (registry {registry}), which does not exist"
                    ));
                    Ok(Vec::new())
                } else {
                    Err(f)
                }
            }
        }
    })
    .await;
    let repos: Vec<_> = match described {
        Ok(l) => l.into_iter().flatten().collect(),
        Err(f) => {
            run.unavailable(Input::EcrRepositories, f.reason.clone());
            run.unavailable(
                Input::EcrLifecyclePolicies,
                format!("needs the repositories: {}", f.reason),
            );
            run.unavailable(
                Input::EcrRepositoryPolicies,
                format!("needs the repositories: {}", f.reason),
            );
            return;
        }
    };
    run.doc(
        "ecr.describe-repositories.json",
        &convert::repositories(&repos),
    );
    let keys: Vec<(Option<String>, String)> = repos
        .iter()
        .filter_map(|r| {
            r.repository_name()
                .map(|n| (r.registry_id().map(str::to_string), n.to_string()))
        })
        .collect();
    let (lifecycle, policies) = futures::join!(
        each(run.limit(), keys.clone(), |(registry, name)| async move {
            const OP: &str = "ecr:GetLifecyclePolicy";
            run.count(OP);
            match run
                .ecr
                .get_lifecycle_policy()
                .set_registry_id(registry.clone())
                .repository_name(&name)
                .send()
                .await
            {
                Ok(o) => Ok((name, convert::lifecycle_policy(&o))),
                Err(e) => absent(&failure(OP, &e)).map(|()| {
                    let doc = convert::no_lifecycle_policy(registry.as_deref(), &name);
                    (name, doc)
                }),
            }
        }),
        each(run.limit(), keys, |(registry, name)| async move {
            const OP: &str = "ecr:GetRepositoryPolicy";
            run.count(OP);
            match run
                .ecr
                .get_repository_policy()
                .set_registry_id(registry.clone())
                .repository_name(&name)
                .send()
                .await
            {
                Ok(o) => Ok((name, convert::repository_policy(&o))),
                Err(e) => absent(&failure(OP, &e)).map(|()| {
                    let doc = convert::no_repository_policy(registry.as_deref(), &name);
                    (name, doc)
                }),
            }
        }),
    );
    write_each(
        run,
        "ecr.get-lifecycle-policy",
        Input::EcrLifecyclePolicies,
        lifecycle,
    );
    write_each(
        run,
        "ecr.get-repository-policy",
        Input::EcrRepositoryPolicies,
        policies,
    );
}

/// `LifecyclePolicyNotFoundException` and `RepositoryPolicyNotFoundException` are the normal
/// answer for a repository without one.
fn absent(f: &Failure) -> Result<(), Failure> {
    if f.not_found { Ok(()) } else { Err(f.clone()) }
}

fn write_each(
    run: &Run<'_>,
    prefix: &str,
    input: Input,
    read: Result<Vec<(String, Value)>, Failure>,
) {
    match read {
        Ok(docs) => {
            for (name, doc) in docs {
                run.doc(&format!("{prefix}.{name}.json"), &doc);
            }
        }
        Err(f) => run.unavailable(input, f.reason),
    }
}

#[cfg(test)]
mod tests {
    use super::ecr_repository;

    #[test]
    fn ecr_images() {
        let r = "eu-west-1";
        assert_eq!(
            ecr_repository(
                "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments:1.2",
                r
            ),
            Some(("111122223333".into(), "shop/payments".into()))
        );
        assert_eq!(
            ecr_repository(
                "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abcd",
                r
            ),
            Some(("111122223333".into(), "app".into()))
        );
        assert_eq!(
            ecr_repository("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1", r),
            None
        );
        assert_eq!(ecr_repository("nginx:1.27", r), None);
        assert_eq!(
            ecr_repository("public.ecr.aws/eks/aws-load-balancer-controller:v2", r),
            None
        );
    }
}
