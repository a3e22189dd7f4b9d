use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that set `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` in their environment,
    /// as a literal value or from a Secret or ConfigMap.
    ///
    /// ## Why is this bad?
    /// The AWS SDKs read those variables before the web identity token or the Pod Identity agent, so
    /// the container uses long-lived IAM user keys even when the pod also has an IRSA or Pod Identity
    /// role. Such keys do not
    /// rotate, work from anywhere, and leak through the environment (process listings, crash dumps,
    /// `/proc/*/environ`). The seeds' answer to pod access to AWS is IAM roles for service accounts.
    /// A literal value is also SEC003's finding; this rule also catches keys read from Secrets.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - name: AWS_SECRET_ACCESS_KEY
    ///   valueFrom: {secretKeyRef: {name: s3-writer, key: secret}}
    /// ```
    pub static RULE = Rule {
        id: "SEC010",
        name: "static-aws-keys-in-env",
        domain: Domain::Sec,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Workload is given static AWS access keys",
        remediation: "Give the workload an IAM role through IRSA or EKS Pod Identity and remove the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Securing Pod Access to AWS Services"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            if let Some(i) = c
                .env
                .iter()
                .position(|e| e.name == "AWS_ACCESS_KEY_ID" || e.name == "AWS_SECRET_ACCESS_KEY")
            {
                let name = c.env.get(i).map_or("", |e| e.name.as_str());
                let message = format!(
                    "{} of {} gets static AWS credentials through env var {name}",
                    c.describe(),
                    w.res
                );
                let at = c.field(&format!("env[{i}]"));
                cx.report(w, message).at(at);
            }
        }
    }
}
