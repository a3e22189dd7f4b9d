//! What a kubeconfig context says about the EKS cluster behind it.

use ::kube::config::Kubeconfig;

/// The cluster a kubeconfig context points at, and what it tells about its EKS identity.
///
/// EKS contexts (`aws eks update-kubeconfig`) name the cluster by its ARN,
/// `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`, and authenticate with an `exec` plugin:
/// `aws eks get-token --cluster-name NAME --region R` or `aws-iam-authenticator token -i NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterHint {
    /// The context used.
    pub context: String,
    /// The API server URL.
    pub server: String,
    pub cluster_name: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

/// An EKS cluster ARN: (region, account, name).
pub fn parse_eks_arn(s: &str) -> Option<(String, String, String)> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "eks" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?.strip_prefix("cluster/")?;
    if region.is_empty() || account.is_empty() || name.is_empty() {
        return None;
    }
    Some((region.to_string(), account.to_string(), name.to_string()))
}

/// The region of an EKS API endpoint (`https://ABC.gr7.us-east-1.eks.amazonaws.com`).
fn region_of_server(server: &str) -> Option<String> {
    let host = server
        .split("://")
        .nth(1)
        .unwrap_or(server)
        .split(['/', ':'])
        .next()?;
    let labels: Vec<&str> = host.split('.').collect();
    let eks = labels.iter().position(|l| *l == "eks")?;
    let region = labels.get(eks.checked_sub(1)?)?;
    (eks >= 2 && region.contains('-')).then(|| (*region).to_string())
}

/// The value after `flag` (`--region R` or `--region=R`).
fn flag_value(args: &[String], flags: &[&str]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        for f in flags {
            if a == f {
                return it.next().filter(|v| !v.starts_with('-')).cloned();
            }
            if let Some(v) = a.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// The hint of `context` in `config` (the current context when `None`). `None` when the context
/// does not exist.
pub fn cluster_hint(config: &Kubeconfig, context: Option<&str>) -> Option<ClusterHint> {
    let name = context.or(config.current_context.as_deref())?;
    let ctx = config.contexts.iter().find(|c| c.name == name)?;
    let inner = ctx.context.as_ref();
    let cluster_ref = inner.map(|c| c.cluster.as_str()).unwrap_or_default();
    let server = config
        .clusters
        .iter()
        .find(|c| c.name == cluster_ref)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    let mut hint = ClusterHint {
        context: name.to_string(),
        server,
        ..ClusterHint::default()
    };
    if let Some((region, account, cluster)) =
        parse_eks_arn(cluster_ref).or_else(|| parse_eks_arn(name))
    {
        hint.region = Some(region);
        hint.account = Some(account);
        hint.cluster_name = Some(cluster);
    }
    let user = inner.and_then(|c| c.user.as_deref());
    let exec = config
        .auth_infos
        .iter()
        .find(|u| Some(u.name.as_str()) == user)
        .and_then(|u| u.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref());
    if let Some(exec) = exec {
        let args = exec.args.clone().unwrap_or_default();
        let authenticator = exec
            .command
            .as_deref()
            .is_some_and(|c| c.ends_with("aws-iam-authenticator"));
        let eks_get_token = args.iter().any(|a| a == "get-token");
        if hint.cluster_name.is_none() {
            hint.cluster_name = if authenticator {
                flag_value(&args, &["-i", "--cluster-id"])
            } else if eks_get_token {
                flag_value(&args, &["--cluster-name"])
            } else {
                None
            };
        }
        if hint.region.is_none() && (authenticator || eks_get_token) {
            hint.region = flag_value(&args, &["--region"]).or_else(|| {
                exec.env.iter().flatten().find_map(|e| {
                    let n = e.get("name")?;
                    (n == "AWS_REGION" || n == "AWS_DEFAULT_REGION")
                        .then(|| e.get("value").cloned())
                        .flatten()
                })
            });
        }
    }
    if hint.region.is_none() {
        hint.region = region_of_server(&hint.server);
    }
    Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> Kubeconfig {
        match Kubeconfig::from_yaml(yaml) {
            Ok(c) => c,
            Err(e) => panic!("test kubeconfig: {e}"),
        }
    }

    #[test]
    fn arn_context_from_update_kubeconfig() {
        let c = config(
            r"
apiVersion: v1
kind: Config
current-context: arn:aws:eks:eu-west-1:111122223333:cluster/prod
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  cluster: {server: https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com}
contexts:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  context: {cluster: arn:aws:eks:eu-west-1:111122223333:cluster/prod, user: arn:aws:eks:eu-west-1:111122223333:cluster/prod}
users:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, eu-west-1, eks, get-token, --cluster-name, prod, --output, json]
",
        );
        let h = cluster_hint(&c, None);
        assert_eq!(
            h,
            Some(ClusterHint {
                context: "arn:aws:eks:eu-west-1:111122223333:cluster/prod".into(),
                server: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com".into(),
                cluster_name: Some("prod".into()),
                region: Some("eu-west-1".into()),
                account: Some("111122223333".into()),
            })
        );
    }

    #[test]
    fn renamed_context_with_get_token_args() {
        let c = config(
            r"
apiVersion: v1
kind: Config
current-context: other
clusters:
- name: staging
  cluster: {server: https://XYZ.yl4.us-east-2.eks.amazonaws.com}
- name: kind
  cluster: {server: https://127.0.0.1:6443}
contexts:
- name: staging
  context: {cluster: staging, user: eks-user}
- name: other
  context: {cluster: kind, user: kind}
users:
- name: eks-user
  user:
    exec:
      command: aws
      args: [eks, get-token, --cluster-name=staging-cluster, --region=ap-south-1]
- name: kind
  user: {token: abc}
",
        );
        let h = cluster_hint(&c, Some("staging"));
        assert_eq!(
            h.as_ref().and_then(|h| h.cluster_name.as_deref()),
            Some("staging-cluster")
        );
        assert_eq!(
            h.as_ref().and_then(|h| h.region.as_deref()),
            Some("ap-south-1")
        );
        assert_eq!(h.as_ref().and_then(|h| h.account.as_deref()), None);
        // Not EKS: nothing guessed.
        let k = cluster_hint(&c, None);
        assert_eq!(
            k,
            Some(ClusterHint {
                context: "other".into(),
                server: "https://127.0.0.1:6443".into(),
                ..ClusterHint::default()
            })
        );
        assert_eq!(cluster_hint(&c, Some("missing")), None);
    }

    #[test]
    fn aws_iam_authenticator_and_region_from_server() {
        let c = config(
            r"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: https://A1B2.sk1.us-west-2.eks.amazonaws.com}
contexts:
- name: dev
  context: {cluster: dev, user: dev}
users:
- name: dev
  user:
    exec:
      command: /usr/local/bin/aws-iam-authenticator
      args: [token, -i, dev-cluster]
",
        );
        let h = cluster_hint(&c, None);
        assert_eq!(
            h.as_ref().and_then(|h| h.cluster_name.as_deref()),
            Some("dev-cluster")
        );
        assert_eq!(
            h.as_ref().and_then(|h| h.region.as_deref()),
            Some("us-west-2")
        );
    }

    #[test]
    fn eks_arns() {
        assert_eq!(
            parse_eks_arn("arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/a-b"),
            Some(("us-gov-west-1".into(), "123456789012".into(), "a-b".into()))
        );
        assert_eq!(parse_eks_arn("arn:aws:iam::123456789012:role/x"), None);
        assert_eq!(parse_eks_arn("prod"), None);
        assert_eq!(region_of_server("https://10.0.0.1:443"), None);
    }
}
