//! SDK output types to AWS CLI v2 JSON, field by field (the SDK types are not `Serialize`).
//! Each function returns the whole document one CLI command prints, in the shape the file
//! loader recognises; absent optional fields are left out, as the CLI does.

// `.map(|x| x.as_str())` on the SDK's many enum types reads better than naming each type.
#![allow(clippy::redundant_closure_for_method_calls)]

use std::collections::HashMap;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use eksguard_core::inventory::iam::document;
use serde_json::{Map, Value, json};

/// A JSON object built field by field, leaving out what is absent.
#[derive(Debug, Default)]
struct J(Map<String, Value>);

impl J {
    fn new() -> Self {
        Self::default()
    }
    fn s(mut self, k: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), Value::String(v.into()));
        }
        self
    }
    fn b(mut self, k: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), Value::Bool(v));
        }
        self
    }
    fn i(mut self, k: &str, v: Option<i64>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), Value::from(v));
        }
        self
    }
    fn t(self, k: &str, v: Option<&DateTime>) -> Self {
        let text = v.and_then(|d| d.fmt(Format::DateTime).ok());
        self.s(k, text.as_deref())
    }
    /// A list, left out when empty (the CLI omits lists the API did not return).
    fn l(mut self, k: &str, v: Vec<Value>) -> Self {
        if !v.is_empty() {
            self.0.insert(k.into(), Value::Array(v));
        }
        self
    }
    fn strs(self, k: &str, v: &[String]) -> Self {
        self.l(k, v.iter().map(|s| Value::String(s.clone())).collect())
    }
    fn v(mut self, k: &str, v: Option<Value>) -> Self {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            self.0.insert(k.into(), v);
        }
        self
    }
    fn map(self, k: &str, v: Option<&HashMap<String, String>>) -> Self {
        let m = v.filter(|m| !m.is_empty()).map(|m| {
            let sorted: std::collections::BTreeMap<_, _> = m.iter().collect();
            json!(sorted)
        });
        self.v(k, m)
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// An IAM policy document as the CLI prints it: the URL-encoded JSON text the API returns,
/// decoded into a JSON object (the text itself when it is not JSON).
pub fn policy_document(text: &str) -> Value {
    let decoded = document(&Value::String(text.to_string())).into_owned();
    if decoded.is_null() {
        Value::String(text.to_string())
    } else {
        decoded
    }
}

fn i32s(v: Option<i32>) -> Option<i64> {
    v.map(i64::from)
}

// ---- EKS ----

/// `aws eks describe-cluster`.
pub fn cluster(c: &aws_sdk_eks::types::Cluster) -> Value {
    let vpc = c.resources_vpc_config().map(|v| {
        J::new()
            .strs("subnetIds", v.subnet_ids())
            .strs("securityGroupIds", v.security_group_ids())
            .s("clusterSecurityGroupId", v.cluster_security_group_id())
            .s("vpcId", v.vpc_id())
            .b("endpointPublicAccess", Some(v.endpoint_public_access()))
            .b("endpointPrivateAccess", Some(v.endpoint_private_access()))
            .strs("publicAccessCidrs", v.public_access_cidrs())
            .done()
    });
    let logging = c.logging().map(|l| {
        let setups = l
            .cluster_logging()
            .iter()
            .map(|s| {
                J::new()
                    .l(
                        "types",
                        s.types().iter().map(|t| json!(t.as_str())).collect(),
                    )
                    .b("enabled", s.enabled())
                    .done()
            })
            .collect();
        json!({ "clusterLogging": Value::Array(setups) })
    });
    let identity = c
        .identity()
        .and_then(|i| i.oidc())
        .map(|o| json!({ "oidc": J::new().s("issuer", o.issuer()).done() }));
    let encryption = c
        .encryption_config()
        .iter()
        .map(|e| {
            J::new()
                .strs("resources", e.resources())
                .v(
                    "provider",
                    e.provider()
                        .map(|p| J::new().s("keyArn", p.key_arn()).done()),
                )
                .done()
        })
        .collect();
    let access = c.access_config().map(|a| {
        J::new()
            .b(
                "bootstrapClusterCreatorAdminPermissions",
                a.bootstrap_cluster_creator_admin_permissions(),
            )
            .s(
                "authenticationMode",
                a.authentication_mode().map(|m| m.as_str()),
            )
            .done()
    });
    let cluster = J::new()
        .s("name", c.name())
        .s("arn", c.arn())
        .t("createdAt", c.created_at())
        .s("version", c.version())
        .s("endpoint", c.endpoint())
        .s("roleArn", c.role_arn())
        .v("resourcesVpcConfig", vpc)
        .v("logging", logging)
        .v("identity", identity)
        .s("status", c.status().map(|s| s.as_str()))
        .s("platformVersion", c.platform_version())
        .map("tags", c.tags())
        .l("encryptionConfig", encryption)
        .v("accessConfig", access)
        .done();
    json!({ "cluster": cluster })
}

/// `aws eks describe-nodegroup`.
pub fn nodegroup(n: &aws_sdk_eks::types::Nodegroup) -> Value {
    let remote = n.remote_access().map(|r| {
        J::new()
            .s("ec2SshKey", r.ec2_ssh_key())
            .strs("sourceSecurityGroups", r.source_security_groups())
            .done()
    });
    let lt = n.launch_template().map(|l| {
        J::new()
            .s("name", l.name())
            .s("version", l.version())
            .s("id", l.id())
            .done()
    });
    let scaling = n.scaling_config().map(|s| {
        J::new()
            .i("minSize", i32s(s.min_size()))
            .i("maxSize", i32s(s.max_size()))
            .i("desiredSize", i32s(s.desired_size()))
            .done()
    });
    let resources = n.resources().map(|r| {
        J::new()
            .l(
                "autoScalingGroups",
                r.auto_scaling_groups()
                    .iter()
                    .map(|g| J::new().s("name", g.name()).done())
                    .collect(),
            )
            .s(
                "remoteAccessSecurityGroup",
                r.remote_access_security_group(),
            )
            .done()
    });
    let ng = J::new()
        .s("nodegroupName", n.nodegroup_name())
        .s("nodegroupArn", n.nodegroup_arn())
        .s("clusterName", n.cluster_name())
        .s("version", n.version())
        .s("releaseVersion", n.release_version())
        .t("createdAt", n.created_at())
        .s("status", n.status().map(|s| s.as_str()))
        .s("capacityType", n.capacity_type().map(|s| s.as_str()))
        .v("scalingConfig", scaling)
        .strs("instanceTypes", n.instance_types())
        .strs("subnets", n.subnets())
        .v("remoteAccess", remote)
        .s("amiType", n.ami_type().map(|s| s.as_str()))
        .s("nodeRole", n.node_role())
        .map("labels", n.labels())
        .v("resources", resources)
        .i("diskSize", i32s(n.disk_size()))
        .v("launchTemplate", lt)
        .map("tags", n.tags())
        .done();
    json!({ "nodegroup": ng })
}

/// `aws eks describe-fargate-profile`.
pub fn fargate_profile(p: &aws_sdk_eks::types::FargateProfile) -> Value {
    let selectors = p
        .selectors()
        .iter()
        .map(|s| {
            J::new()
                .s("namespace", s.namespace())
                .map("labels", s.labels())
                .done()
        })
        .collect();
    let fp = J::new()
        .s("fargateProfileName", p.fargate_profile_name())
        .s("fargateProfileArn", p.fargate_profile_arn())
        .s("clusterName", p.cluster_name())
        .t("createdAt", p.created_at())
        .s("podExecutionRoleArn", p.pod_execution_role_arn())
        .strs("subnets", p.subnets())
        .l("selectors", selectors)
        .s("status", p.status().map(|s| s.as_str()))
        .map("tags", p.tags())
        .done();
    json!({ "fargateProfile": fp })
}

/// `aws eks list-access-entries` (all pages).
pub fn access_entry_list(principals: &[String]) -> Value {
    json!({ "accessEntries": principals })
}

/// `aws eks describe-access-entry`.
pub fn access_entry(e: &aws_sdk_eks::types::AccessEntry) -> Value {
    let entry = J::new()
        .s("clusterName", e.cluster_name())
        .s("principalArn", e.principal_arn())
        .strs("kubernetesGroups", e.kubernetes_groups())
        .s("accessEntryArn", e.access_entry_arn())
        .t("createdAt", e.created_at())
        .t("modifiedAt", e.modified_at())
        .map("tags", e.tags())
        .s("username", e.username())
        .s("type", e.r#type())
        .done();
    json!({ "accessEntry": entry })
}

/// `aws eks list-associated-access-policies` (all pages).
pub fn associated_access_policies(
    cluster: &str,
    principal: &str,
    policies: &[aws_sdk_eks::types::AssociatedAccessPolicy],
) -> Value {
    let list: Vec<Value> = policies
        .iter()
        .map(|p| {
            let scope = p.access_scope().map(|s| {
                J::new()
                    .s("type", s.r#type().map(|t| t.as_str()))
                    .strs("namespaces", s.namespaces())
                    .done()
            });
            J::new()
                .s("policyArn", p.policy_arn())
                .v("accessScope", scope)
                .t("associatedAt", p.associated_at())
                .t("modifiedAt", p.modified_at())
                .done()
        })
        .collect();
    json!({
        "clusterName": cluster,
        "principalArn": principal,
        "associatedAccessPolicies": list,
    })
}

/// `aws eks describe-addon`.
pub fn addon(a: &aws_sdk_eks::types::Addon) -> Value {
    let addon = J::new()
        .s("addonName", a.addon_name())
        .s("clusterName", a.cluster_name())
        .s("status", a.status().map(|s| s.as_str()))
        .s("addonVersion", a.addon_version())
        .s("addonArn", a.addon_arn())
        .t("createdAt", a.created_at())
        .t("modifiedAt", a.modified_at())
        .s("serviceAccountRoleArn", a.service_account_role_arn())
        .map("tags", a.tags())
        .s("publisher", a.publisher())
        .s("owner", a.owner())
        .s("configurationValues", a.configuration_values())
        .strs("podIdentityAssociations", a.pod_identity_associations())
        .done();
    json!({ "addon": addon })
}

/// `aws eks describe-pod-identity-association`.
pub fn pod_identity_association(a: &aws_sdk_eks::types::PodIdentityAssociation) -> Value {
    let assoc = J::new()
        .s("clusterName", a.cluster_name())
        .s("namespace", a.namespace())
        .s("serviceAccount", a.service_account())
        .s("roleArn", a.role_arn())
        .s("associationArn", a.association_arn())
        .s("associationId", a.association_id())
        .map("tags", a.tags())
        .t("createdAt", a.created_at())
        .t("modifiedAt", a.modified_at())
        .s("ownerArn", a.owner_arn())
        .b("disableSessionTags", a.disable_session_tags())
        .s("targetRoleArn", a.target_role_arn())
        .done();
    json!({ "association": assoc })
}

/// `aws eks list-pod-identity-associations` (all pages).
pub fn pod_identity_association_list(
    list: &[aws_sdk_eks::types::PodIdentityAssociationSummary],
) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            J::new()
                .s("clusterName", a.cluster_name())
                .s("namespace", a.namespace())
                .s("serviceAccount", a.service_account())
                .s("associationArn", a.association_arn())
                .s("associationId", a.association_id())
                .s("ownerArn", a.owner_arn())
                .done()
        })
        .collect();
    json!({ "associations": items })
}

// ---- EC2 ----

fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> Vec<Value> {
    tags.iter()
        .map(|t| J::new().s("Key", t.key()).s("Value", t.value()).done())
        .collect()
}

/// `aws ec2 describe-launch-template-versions`.
pub fn launch_template_versions(versions: &[aws_sdk_ec2::types::LaunchTemplateVersion]) -> Value {
    let list: Vec<Value> = versions
        .iter()
        .map(|v| {
            let data = v.launch_template_data().map(|d| {
                let md = d.metadata_options().map(|m| {
                    J::new()
                        .s("State", m.state().map(|x| x.as_str()))
                        .s("HttpTokens", m.http_tokens().map(|x| x.as_str()))
                        .i(
                            "HttpPutResponseHopLimit",
                            i32s(m.http_put_response_hop_limit()),
                        )
                        .s("HttpEndpoint", m.http_endpoint().map(|x| x.as_str()))
                        .s(
                            "InstanceMetadataTags",
                            m.instance_metadata_tags().map(|x| x.as_str()),
                        )
                        .done()
                });
                let bdm = d
                    .block_device_mappings()
                    .iter()
                    .map(|b| {
                        let ebs = b.ebs().map(|e| {
                            J::new()
                                .b("Encrypted", e.encrypted())
                                .b("DeleteOnTermination", e.delete_on_termination())
                                .s("KmsKeyId", e.kms_key_id())
                                .s("SnapshotId", e.snapshot_id())
                                .i("VolumeSize", i32s(e.volume_size()))
                                .s("VolumeType", e.volume_type().map(|x| x.as_str()))
                                .done()
                        });
                        J::new()
                            .s("DeviceName", b.device_name())
                            .v("Ebs", ebs)
                            .done()
                    })
                    .collect();
                let nics = d
                    .network_interfaces()
                    .iter()
                    .map(|n| {
                        J::new()
                            .b("AssociatePublicIpAddress", n.associate_public_ip_address())
                            .i("DeviceIndex", i32s(n.device_index()))
                            .s("SubnetId", n.subnet_id())
                            .strs("Groups", n.groups())
                            .done()
                    })
                    .collect();
                J::new()
                    .s("ImageId", d.image_id())
                    .s("InstanceType", d.instance_type().map(|x| x.as_str()))
                    .s("KeyName", d.key_name())
                    .s("UserData", d.user_data())
                    .strs("SecurityGroupIds", d.security_group_ids())
                    .strs("SecurityGroups", d.security_groups())
                    .l("BlockDeviceMappings", bdm)
                    .l("NetworkInterfaces", nics)
                    .v("MetadataOptions", md)
                    .done()
            });
            J::new()
                .s("LaunchTemplateId", v.launch_template_id())
                .s("LaunchTemplateName", v.launch_template_name())
                .i("VersionNumber", v.version_number())
                .t("CreateTime", v.create_time())
                .b("DefaultVersion", v.default_version())
                .v(
                    "LaunchTemplateData",
                    Some(data.unwrap_or_else(|| json!({}))),
                )
                .done()
        })
        .collect();
    json!({ "LaunchTemplateVersions": list })
}

fn ip_permissions(perms: &[aws_sdk_ec2::types::IpPermission]) -> Value {
    Value::Array(
        perms
            .iter()
            .map(|p| {
                let v4: Vec<Value> = p
                    .ip_ranges()
                    .iter()
                    .map(|r| {
                        J::new()
                            .s("CidrIp", r.cidr_ip())
                            .s("Description", r.description())
                            .done()
                    })
                    .collect();
                let v6: Vec<Value> = p
                    .ipv6_ranges()
                    .iter()
                    .map(|r| {
                        J::new()
                            .s("CidrIpv6", r.cidr_ipv6())
                            .s("Description", r.description())
                            .done()
                    })
                    .collect();
                let pairs: Vec<Value> = p
                    .user_id_group_pairs()
                    .iter()
                    .map(|g| {
                        J::new()
                            .s("GroupId", g.group_id())
                            .s("UserId", g.user_id())
                            .s("Description", g.description())
                            .done()
                    })
                    .collect();
                let prefixes: Vec<Value> = p
                    .prefix_list_ids()
                    .iter()
                    .map(|x| J::new().s("PrefixListId", x.prefix_list_id()).done())
                    .collect();
                J::new()
                    .s("IpProtocol", p.ip_protocol())
                    .i("FromPort", i32s(p.from_port()))
                    .i("ToPort", i32s(p.to_port()))
                    .v("IpRanges", Some(Value::Array(v4)))
                    .v("Ipv6Ranges", Some(Value::Array(v6)))
                    .v("UserIdGroupPairs", Some(Value::Array(pairs)))
                    .v("PrefixListIds", Some(Value::Array(prefixes)))
                    .done()
            })
            .collect(),
    )
}

/// `aws ec2 describe-security-groups`.
pub fn security_groups(groups: &[aws_sdk_ec2::types::SecurityGroup]) -> Value {
    let list: Vec<Value> = groups
        .iter()
        .map(|g| {
            J::new()
                .s("GroupId", g.group_id())
                .s("GroupName", g.group_name())
                .s("Description", g.description())
                .s("VpcId", g.vpc_id())
                .s("OwnerId", g.owner_id())
                .v("IpPermissions", Some(ip_permissions(g.ip_permissions())))
                .v(
                    "IpPermissionsEgress",
                    Some(ip_permissions(g.ip_permissions_egress())),
                )
                .l("Tags", ec2_tags(g.tags()))
                .done()
        })
        .collect();
    json!({ "SecurityGroups": list })
}

/// `aws ec2 describe-instances`.
pub fn instances(reservations: &[aws_sdk_ec2::types::Reservation]) -> Value {
    let list: Vec<Value> = reservations
        .iter()
        .map(|r| {
            let instances: Vec<Value> = r
                .instances()
                .iter()
                .map(|i| {
                    let md = i.metadata_options().map(|m| {
                        J::new()
                            .s("State", m.state().map(|x| x.as_str()))
                            .s("HttpTokens", m.http_tokens().map(|x| x.as_str()))
                            .i(
                                "HttpPutResponseHopLimit",
                                i32s(m.http_put_response_hop_limit()),
                            )
                            .s("HttpEndpoint", m.http_endpoint().map(|x| x.as_str()))
                            .done()
                    });
                    let groups: Vec<Value> = i
                        .security_groups()
                        .iter()
                        .map(|g| {
                            J::new()
                                .s("GroupId", g.group_id())
                                .s("GroupName", g.group_name())
                                .done()
                        })
                        .collect();
                    J::new()
                        .s("InstanceId", i.instance_id())
                        .s("ImageId", i.image_id())
                        .s("InstanceType", i.instance_type().map(|x| x.as_str()))
                        .s("SubnetId", i.subnet_id())
                        .s("VpcId", i.vpc_id())
                        .s("PrivateIpAddress", i.private_ip_address())
                        .s("PublicIpAddress", i.public_ip_address())
                        .v(
                            "State",
                            i.state().map(|s| {
                                J::new()
                                    .i("Code", i32s(s.code()))
                                    .s("Name", s.name().map(|x| x.as_str()))
                                    .done()
                            }),
                        )
                        .v("MetadataOptions", md)
                        .l("SecurityGroups", groups)
                        .v(
                            "IamInstanceProfile",
                            i.iam_instance_profile()
                                .map(|p| J::new().s("Arn", p.arn()).s("Id", p.id()).done()),
                        )
                        .l("Tags", ec2_tags(i.tags()))
                        .done()
                })
                .collect();
            J::new()
                .s("ReservationId", r.reservation_id())
                .s("OwnerId", r.owner_id())
                .v("Instances", Some(Value::Array(instances)))
                .done()
        })
        .collect();
    json!({ "Reservations": list })
}

/// `aws ec2 describe-subnets`.
pub fn subnets(subnets: &[aws_sdk_ec2::types::Subnet]) -> Value {
    let list: Vec<Value> = subnets
        .iter()
        .map(|s| {
            J::new()
                .s("SubnetId", s.subnet_id())
                .s("VpcId", s.vpc_id())
                .s("AvailabilityZone", s.availability_zone())
                .s("CidrBlock", s.cidr_block())
                .b("MapPublicIpOnLaunch", s.map_public_ip_on_launch())
                .s("State", s.state().map(|x| x.as_str()))
                .s("OwnerId", s.owner_id())
                .l("Tags", ec2_tags(s.tags()))
                .done()
        })
        .collect();
    json!({ "Subnets": list })
}

// ---- IAM ----

/// One `RoleDetailList` entry of `aws iam get-account-authorization-details`, from
/// `get-role`, `get-role-policy` of each inline policy (name, URL-encoded document) and
/// `list-attached-role-policies`.
pub fn role_detail(
    role: &aws_sdk_iam::types::Role,
    inline: &[(String, String)],
    attached: &[aws_sdk_iam::types::AttachedPolicy],
) -> Value {
    let inline: Vec<Value> = inline
        .iter()
        .map(|(name, doc)| json!({ "PolicyName": name, "PolicyDocument": policy_document(doc) }))
        .collect();
    let attached: Vec<Value> = attached
        .iter()
        .map(|a| {
            J::new()
                .s("PolicyName", a.policy_name())
                .s("PolicyArn", a.policy_arn())
                .done()
        })
        .collect();
    let tags: Vec<Value> = role
        .tags()
        .iter()
        .map(|t| json!({ "Key": t.key(), "Value": t.value() }))
        .collect();
    J::new()
        .s("Path", Some(role.path()))
        .s("RoleName", Some(role.role_name()))
        .s("RoleId", Some(role.role_id()))
        .s("Arn", Some(role.arn()))
        .t("CreateDate", Some(role.create_date()))
        .v(
            "AssumeRolePolicyDocument",
            role.assume_role_policy_document().map(policy_document),
        )
        .v("InstanceProfileList", Some(json!([])))
        .v("RolePolicyList", Some(Value::Array(inline)))
        .v("AttachedManagedPolicies", Some(Value::Array(attached)))
        .l("Tags", tags)
        .done()
}

/// One `Policies` entry of `aws iam get-account-authorization-details`, from `get-policy` and
/// `get-policy-version` of its default version.
pub fn managed_policy(
    policy: &aws_sdk_iam::types::Policy,
    version: &aws_sdk_iam::types::PolicyVersion,
) -> Value {
    let v = J::new()
        .v("Document", version.document().map(policy_document))
        .s("VersionId", version.version_id())
        .b("IsDefaultVersion", Some(version.is_default_version()))
        .t("CreateDate", version.create_date())
        .done();
    J::new()
        .s("PolicyName", policy.policy_name())
        .s("PolicyId", policy.policy_id())
        .s("Arn", policy.arn())
        .s("Path", policy.path())
        .s("DefaultVersionId", policy.default_version_id())
        .i("AttachmentCount", i32s(policy.attachment_count()))
        .b("IsAttachable", Some(policy.is_attachable()))
        .v("PolicyVersionList", Some(json!([v])))
        .done()
}

/// `aws iam get-account-authorization-details`, limited to the roles and policies a scan
/// needs.
pub fn authorization_details(roles: &[Value], policies: &[Value]) -> Value {
    json!({
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": policies,
    })
}

/// `aws iam list-access-keys` of several users, merged.
pub fn access_keys(keys: &[aws_sdk_iam::types::AccessKeyMetadata]) -> Value {
    let list: Vec<Value> = keys
        .iter()
        .map(|k| {
            J::new()
                .s("UserName", k.user_name())
                .s("AccessKeyId", k.access_key_id())
                .s("Status", k.status().map(|s| s.as_str()))
                .t("CreateDate", k.create_date())
                .done()
        })
        .collect();
    json!({ "AccessKeyMetadata": list })
}

// ---- ECR ----

/// `aws ecr describe-repositories`.
pub fn repositories(repos: &[aws_sdk_ecr::types::Repository]) -> Value {
    let list: Vec<Value> = repos
        .iter()
        .map(|r| {
            J::new()
                .s("repositoryArn", r.repository_arn())
                .s("registryId", r.registry_id())
                .s("repositoryName", r.repository_name())
                .s("repositoryUri", r.repository_uri())
                .t("createdAt", r.created_at())
                .s(
                    "imageTagMutability",
                    r.image_tag_mutability().map(|m| m.as_str()),
                )
                .v(
                    "imageScanningConfiguration",
                    r.image_scanning_configuration()
                        .map(|s| json!({ "scanOnPush": s.scan_on_push() })),
                )
                .v(
                    "encryptionConfiguration",
                    r.encryption_configuration().map(|e| {
                        J::new()
                            .s("encryptionType", Some(e.encryption_type().as_str()))
                            .s("kmsKey", e.kms_key())
                            .done()
                    }),
                )
                .done()
        })
        .collect();
    json!({ "repositories": list })
}

/// `aws ecr get-lifecycle-policy`.
pub fn lifecycle_policy(
    o: &aws_sdk_ecr::operation::get_lifecycle_policy::GetLifecyclePolicyOutput,
) -> Value {
    J::new()
        .s("registryId", o.registry_id())
        .s("repositoryName", o.repository_name())
        .s("lifecyclePolicyText", o.lifecycle_policy_text())
        .t("lastEvaluatedAt", o.last_evaluated_at())
        .done()
}

/// What `aws ecr get-lifecycle-policy` found for a repository without one
/// (`LifecyclePolicyNotFoundException`): `lifecyclePolicyText` is null. The loader reads it as
/// "lifecycle policies were read, this repository has none".
pub fn no_lifecycle_policy(registry_id: Option<&str>, repository: &str) -> Value {
    no_repository_document(registry_id, repository, "lifecyclePolicyText")
}

/// A repository's ECR document whose `field` is null: what was asked for does not exist.
fn no_repository_document(registry_id: Option<&str>, repository: &str, field: &str) -> Value {
    let mut o = Map::new();
    if let Some(r) = registry_id {
        o.insert("registryId".into(), json!(r));
    }
    o.insert("repositoryName".into(), json!(repository));
    o.insert(field.into(), Value::Null);
    Value::Object(o)
}

/// `aws ecr get-repository-policy`.
pub fn repository_policy(
    o: &aws_sdk_ecr::operation::get_repository_policy::GetRepositoryPolicyOutput,
) -> Value {
    J::new()
        .s("registryId", o.registry_id())
        .s("repositoryName", o.repository_name())
        .s("policyText", o.policy_text())
        .done()
}

/// What `aws ecr get-repository-policy` found for a repository without one
/// (`RepositoryPolicyNotFoundException`): `policyText` is null.
pub fn no_repository_policy(registry_id: Option<&str>, repository: &str) -> Value {
    no_repository_document(registry_id, repository, "policyText")
}

/// `aws ecr get-registry-scanning-configuration`.
pub fn registry_scanning(
    o: &aws_sdk_ecr::operation::get_registry_scanning_configuration::GetRegistryScanningConfigurationOutput,
    registry_id: Option<&str>,
) -> Value {
    let cfg = o.scanning_configuration().map(|c| {
        let rules: Vec<Value> = c
            .rules()
            .iter()
            .map(|r| {
                let filters: Vec<Value> = r
                    .repository_filters()
                    .iter()
                    .map(|f| json!({ "filter": f.filter(), "filterType": f.filter_type().as_str() }))
                    .collect();
                json!({ "scanFrequency": r.scan_frequency().as_str(), "repositoryFilters": filters })
            })
            .collect();
        J::new()
            .s("scanType", c.scan_type().map(|t| t.as_str()))
            .v("rules", Some(Value::Array(rules)))
            .done()
    });
    json!({
        "registryId": o.registry_id().or(registry_id).unwrap_or_default(),
        "scanningConfiguration": cfg.unwrap_or_else(|| json!({ "rules": [] })),
    })
}

// ---- KMS, GuardDuty, CloudWatch Logs ----

/// `aws kms describe-key`.
pub fn key_metadata(k: &aws_sdk_kms::types::KeyMetadata) -> Value {
    let algs: Vec<Value> = k
        .encryption_algorithms()
        .iter()
        .map(|a| json!(a.as_str()))
        .collect();
    let meta = J::new()
        .s("AWSAccountId", k.aws_account_id())
        .s("KeyId", Some(k.key_id()))
        .s("Arn", k.arn())
        .t("CreationDate", k.creation_date())
        .b("Enabled", Some(k.enabled()))
        .s("Description", k.description())
        .s("KeyUsage", k.key_usage().map(|x| x.as_str()))
        .s("KeyState", k.key_state().map(|x| x.as_str()))
        .t("DeletionDate", k.deletion_date())
        .s("Origin", k.origin().map(|x| x.as_str()))
        .s("KeyManager", k.key_manager().map(|x| x.as_str()))
        .s("KeySpec", k.key_spec().map(|x| x.as_str()))
        .l("EncryptionAlgorithms", algs)
        .b("MultiRegion", k.multi_region())
        .done();
    json!({ "KeyMetadata": meta })
}

/// `aws kms get-key-rotation-status`; `key` names the key when the response does not.
pub fn key_rotation(
    o: &aws_sdk_kms::operation::get_key_rotation_status::GetKeyRotationStatusOutput,
    key: &str,
) -> Value {
    J::new()
        .b("KeyRotationEnabled", Some(o.key_rotation_enabled()))
        .s("KeyId", Some(o.key_id().unwrap_or(key)))
        .i("RotationPeriodInDays", i32s(o.rotation_period_in_days()))
        .t("NextRotationDate", o.next_rotation_date())
        .done()
}

/// `aws guardduty get-detector`, with the `DetectorId` the CLI output lacks.
pub fn detector(
    id: &str,
    o: &aws_sdk_guardduty::operation::get_detector::GetDetectorOutput,
) -> Value {
    let features: Vec<Value> = o
        .features()
        .iter()
        .map(|f| {
            let extra: Vec<Value> = f
                .additional_configuration()
                .iter()
                .map(|a| {
                    J::new()
                        .s("Name", a.name().map(|x| x.as_str()))
                        .s("Status", a.status().map(|x| x.as_str()))
                        .t("UpdatedAt", a.updated_at())
                        .done()
                })
                .collect();
            J::new()
                .s("Name", f.name().map(|x| x.as_str()))
                .s("Status", f.status().map(|x| x.as_str()))
                .t("UpdatedAt", f.updated_at())
                .l("AdditionalConfiguration", extra)
                .done()
        })
        .collect();
    J::new()
        .s("DetectorId", Some(id))
        .s("CreatedAt", o.created_at())
        .s(
            "FindingPublishingFrequency",
            o.finding_publishing_frequency().map(|x| x.as_str()),
        )
        .s("ServiceRole", o.service_role())
        .s("Status", o.status().map(|x| x.as_str()))
        .s("UpdatedAt", o.updated_at())
        .v("Features", Some(Value::Array(features)))
        .map("Tags", o.tags())
        .done()
}

/// `aws logs describe-log-groups`.
pub fn log_groups(groups: &[aws_sdk_cloudwatchlogs::types::LogGroup]) -> Value {
    let list: Vec<Value> = groups
        .iter()
        .map(|g| {
            J::new()
                .s("logGroupName", g.log_group_name())
                .i("creationTime", g.creation_time())
                .i("retentionInDays", i32s(g.retention_in_days()))
                .i("metricFilterCount", i32s(g.metric_filter_count()))
                .s("arn", g.arn())
                .i("storedBytes", g.stored_bytes())
                .s("kmsKeyId", g.kms_key_id())
                .s("logGroupClass", g.log_group_class().map(|x| x.as_str()))
                .s("logGroupArn", g.log_group_arn())
                .done()
        })
        .collect();
    json!({ "logGroups": list })
}
