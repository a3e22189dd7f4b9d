//! Secrets and encryption: envelope encryption, KMS keys, credentials in the wrong places,
//! encrypted volumes.

pub mod credential_in_configmap;
pub mod credential_in_env_value;
pub mod kms_key_not_usable;
pub mod kms_key_rotation_disabled;
pub mod secret_in_env_var;
pub mod secrets_not_envelope_encrypted;
pub mod storage_class_unencrypted;
