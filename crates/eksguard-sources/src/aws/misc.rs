//! KMS (the Secrets encryption key), GuardDuty (the region's detectors) and CloudWatch Logs
//! (the control-plane log group).

use eksguard_core::inventory::Input;

use super::{Failure, Run, convert, each, failure, last_segment};

pub(crate) async fn kms(run: &Run<'_>, key: Option<&str>) {
    let Some(key) = key else {
        let why = format!(
            "cluster {} does not encrypt Secrets with a KMS key: there is no key to read",
            run.cluster()
        );
        run.unavailable(Input::KmsKeys, why.clone());
        run.unavailable(Input::KmsKeyRotation, why);
        return;
    };
    let name = last_segment(key).to_string();
    let (described, rotation) = futures::join!(
        async {
            const OP: &str = "kms:DescribeKey";
            run.count(OP);
            run.kms
                .describe_key()
                .key_id(key)
                .send()
                .await
                .map_err(|e| failure(OP, &e))
        },
        async {
            const OP: &str = "kms:GetKeyRotationStatus";
            run.count(OP);
            run.kms
                .get_key_rotation_status()
                .key_id(key)
                .send()
                .await
                .map_err(|e| failure(OP, &e))
        }
    );
    match described {
        Ok(o) => match o.key_metadata() {
            Some(m) => run.doc(
                &format!("kms.describe-key.{name}.json"),
                &convert::key_metadata(m),
            ),
            None => run.unavailable(Input::KmsKeys, "kms:DescribeKey returned no key"),
        },
        Err(f) => run.unavailable(Input::KmsKeys, key_reason(f, key)),
    }
    match rotation {
        Ok(o) => run.doc(
            &format!("kms.get-key-rotation-status.{name}.json"),
            &convert::key_rotation(&o, key),
        ),
        Err(f) => run.unavailable(Input::KmsKeyRotation, key_reason(f, key)),
    }
}

fn key_reason(f: Failure, key: &str) -> String {
    if f.not_found {
        format!(
            "the Secrets encryption key {key} does not exist (or is in another account the caller cannot read)"
        )
    } else {
        f.reason
    }
}

pub(crate) async fn guardduty(run: &Run<'_>) {
    const LIST: &str = "guardduty:ListDetectors";
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        run.count(LIST);
        match run
            .guardduty
            .list_detectors()
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(o) => {
                ids.extend(o.detector_ids().iter().cloned());
                match o.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Err(e) => {
                run.unavailable(Input::GuardDuty, failure(LIST, &e).reason);
                return;
            }
        }
    }
    if ids.is_empty() {
        run.unavailable(
            Input::GuardDuty,
            format!(
                "GuardDuty has no detector in {}: it is not enabled there",
                run.region
            ),
        );
        run.note(format!(
            "GuardDuty is not enabled in {}: no detector exists",
            run.region
        ));
        return;
    }
    let read = each(run.limit(), ids, |id| async move {
        const OP: &str = "guardduty:GetDetector";
        run.count(OP);
        match run.guardduty.get_detector().detector_id(&id).send().await {
            Ok(o) => Ok((id, o)),
            Err(e) => Err(failure(OP, &e)),
        }
    })
    .await;
    match read {
        Ok(list) => {
            for (id, o) in &list {
                run.doc(
                    &format!("guardduty.get-detector.{id}.json"),
                    &convert::detector(id, o),
                );
            }
        }
        Err(f) => run.unavailable(Input::GuardDuty, f.reason),
    }
}

pub(crate) async fn log_groups(run: &Run<'_>) {
    const OP: &str = "logs:DescribeLogGroups";
    let name = format!("/aws/eks/{}/cluster", run.cluster());
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    loop {
        run.count(OP);
        match run
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&name)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(o) => {
                groups.extend(
                    o.log_groups()
                        .iter()
                        .filter(|g| g.log_group_name() == Some(name.as_str()))
                        .cloned(),
                );
                match o.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Err(e) => {
                run.unavailable(Input::LogGroups, failure(OP, &e).reason);
                return;
            }
        }
    }
    run.doc(
        &format!("logs.describe-log-groups.{}.json", run.cluster()),
        &convert::log_groups(&groups),
    );
}
