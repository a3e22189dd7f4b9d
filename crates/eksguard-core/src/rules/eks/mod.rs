//! Control plane: the EKS cluster's endpoint, security group and authentication mode.

pub mod aws_auth_configmap_only_authentication;
pub mod cluster_creator_admin_bootstrapped;
pub mod cluster_security_group_open_to_world;
pub mod private_endpoint_disabled;
pub mod public_endpoint_open_to_world;
