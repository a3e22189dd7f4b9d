//! Secrets and encryption: envelope encryption, KMS keys, credentials in the wrong places,
//! encrypted volumes.

pub mod aws_credentials_in_secret;
pub mod credential_in_configmap;
pub mod credential_in_env_value;
pub mod efs_volume_without_tls;
pub mod kms_key_not_usable;
pub mod kms_key_rotation_disabled;
pub mod legacy_service_account_token_secret;
pub mod projected_token_long_expiration;
pub mod secret_in_env_var;
pub mod secrets_not_envelope_encrypted;
pub mod static_aws_keys_in_env;
pub mod storage_class_unencrypted;
