use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads that run Tiller, Helm v2's in-cluster server: an image whose name is `tiller`
    /// (e.g. `ghcr.io/helm/tiller`, `gcr.io/kubernetes-helm/tiller`), or a pod template labelled
    /// `app: helm` and `name: tiller`.
    ///
    /// ## Why is this bad?
    /// Tiller listens on port 44134 without authentication by default and usually runs with
    /// cluster-admin: any pod that reaches it can install anything, anywhere. Helm v2 has been
    /// unsupported since November 2020 and gets no security fixes.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: tiller
    ///   image: gcr.io/kubernetes-helm/tiller:v2.16.12
    /// ```
    ///
    /// ## Differences from peers
    /// CKV_K8S_34 matches `tiller` anywhere in the image reference and either label alone
    /// (`app: helm` or `name: tiller`); eksguard matches the image name and requires both labels, so an
    /// image such as `example/distiller` does not fire.
    pub static RULE = Rule {
        id: "RUN004",
        name: "tiller-deployed",
        domain: Domain::Run,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Helm v2 Tiller is deployed",
        remediation: "Migrate the releases to Helm 3 (helm-2to3) and delete Tiller and its service account and bindings.",
        references: References {
            seed: &["002 Runtime Security"],
            checkov: &["CKV_K8S_34"],
            urls: &["https://helm.sh/blog/helm-v2-deprecation-timeline/", "https://helm.sh/docs/topics/v2_v3_migration/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn is_tiller(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split(':').next() == Some("tiller")
}

fn run(cx: &mut Context<'_>) {
    use crate::rules::util::label;
    for w in &cx.inv.workloads {
        let container = w
            .containers()
            .into_iter()
            .find(|c| c.image.is_some_and(is_tiller));
        if let Some(c) = container {
            let message = format!(
                "{} runs Helm v2 Tiller ({} image {})",
                w.res,
                c.describe(),
                c.image.unwrap_or_default()
            );
            let at = c.field("image");
            cx.report(w, message).at(at);
        } else if label(&w.template, "app") == Some("helm")
            && label(&w.template, "name") == Some("tiller")
        {
            let message = format!("{} is labelled as Helm v2 Tiller", w.res);
            cx.report(w, message);
        }
    }
}
