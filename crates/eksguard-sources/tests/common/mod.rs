#![allow(dead_code)]
pub mod kube_server;
