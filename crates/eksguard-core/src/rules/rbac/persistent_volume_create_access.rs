use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may create PersistentVolumes, on the binding that grants it, naming
    /// subject, role and policy rule (Kubernetes' default and aggregated roles resolved). A role
    /// that no binding of the input uses is reported on itself. Kubernetes' and EKS's own grants,
    /// grants limited by `resourceNames`, and roles that grant everything (RBAC002, RBAC003) are
    /// not reported.
    ///
    /// ## Why is this bad?
    /// A PersistentVolume may be a `hostPath` volume: whoever creates one and claims it mounts any
    /// directory of the node into a pod, past Pod Security Admission, which checks pods and not
    /// volumes. Users should get storage through PersistentVolumeClaims and a StorageClass.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["persistentvolumes"]
    ///   verbs: ["create"]
    /// ```
    /// Instead, grant `create` on `persistentvolumeclaims` and let the EBS or EFS CSI driver
    /// provision volumes.
    pub static RULE = Rule {
        id: "RBAC014",
        name: "persistent-volume-create-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can create PersistentVolumes",
        remediation: "Remove create on persistentvolumes; let users claim storage with PersistentVolumeClaims and a StorageClass.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.9"],
            kubescape: &["C-0278"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["create"], &["persistentvolumes"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
