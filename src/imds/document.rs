//! The JSON documents of the metadata service, written as it writes them: two-space indents and
//! `" : "` between a key and its value (the credentials and `iam/info` samples of the EC2 User
//! Guide, "Retrieve security credentials from instance metadata", and of the identity document,
//! "Instance identity documents"). Text that needs escaping goes through `serde_json`, so any text
//! is safe.

use crate::model::{Instance, InstanceMetadata};

/// A flat JSON object, written as fields are added, into one buffer.
pub(crate) struct Json {
    out: String,
}

impl Json {
    pub(crate) fn new() -> Json {
        Json { out: String::with_capacity(768) }
    }

    /// Appends `text` as a JSON string. Text needing no escape (ids, keys, times: the usual
    /// case) is copied as is; anything else goes through `serde_json`.
    fn quoted(&mut self, text: &str) {
        if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f) {
            self.out.push('"');
            self.out.push_str(text);
            self.out.push('"');
        } else {
            self.out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned()));
        }
    }

    fn key(&mut self, key: &str) {
        self.out.push_str(if self.out.is_empty() { "{\n  " } else { ",\n  " });
        self.quoted(key);
        self.out.push_str(" : ");
    }

    pub(crate) fn string(mut self, key: &str, value: &str) -> Json {
        self.key(key);
        self.quoted(value);
        self
    }

    pub(crate) fn null(mut self, key: &str) -> Json {
        self.key(key);
        self.out.push_str("null");
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push_str(if self.out.is_empty() { "{\n}" } else { "\n}" });
        self.out
    }
}

/// The architecture of an instance type: Graviton types carry a `g` after their generation
/// (`t4g`, `m6gd`, `c7gn`); GPU families start with one (`g5`) and are x86.
fn architecture(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let after_generation =
        family.trim_start_matches(|c: char| c.is_ascii_alphabetic()).trim_start_matches(|c: char| c.is_ascii_digit());
    if after_generation.contains('g') { "arm64" } else { "x86_64" }
}

/// `dynamic/instance-identity/document`, with the fields of the sample in "Instance identity
/// documents", in its order.
pub(super) fn identity_document(instance: &Instance, metadata: &InstanceMetadata) -> String {
    Json::new()
        .null("devpayProductCodes")
        .null("marketplaceProductCodes")
        .string("availabilityZone", &metadata.availability_zone)
        .string("privateIp", &metadata.private_ip.to_string())
        .string("version", "2017-09-30")
        .string("instanceId", &instance.id)
        .null("billingProducts")
        .string("instanceType", &metadata.instance_type)
        .string("accountId", instance.account.as_str())
        .string("imageId", &metadata.image_id)
        .string("pendingTime", &crate::clock::format_rfc3339(metadata.launched_at))
        .string("architecture", architecture(&metadata.instance_type))
        .null("kernelId")
        .null("ramdiskId")
        .string("region", &instance.region)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_written_as_the_metadata_service_writes_them() {
        assert_eq!(Json::new().finish(), "{\n}");
        let unicode = Json::new().string("k", "é\u{1}").finish();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&unicode).unwrap()["k"], "é\u{1}");
        let json = Json::new().string("Code", "Success").string("Token", "a\"b<&>").null("kernelId").finish();
        assert_eq!(json, "{\n  \"Code\" : \"Success\",\n  \"Token\" : \"a\\\"b<&>\",\n  \"kernelId\" : null\n}");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["Token"], "a\"b<&>");
    }

    #[test]
    fn graviton_types_are_arm64() {
        for (t, arch) in [
            ("t3.micro", "x86_64"),
            ("t4g.nano", "arm64"),
            ("m6gd.large", "arm64"),
            ("g5.xlarge", "x86_64"),
            ("c7gn.2xlarge", "arm64"),
            ("p4d.24xlarge", "x86_64"),
        ] {
            assert_eq!(architecture(t), arch, "{t}");
        }
    }
}
