//! The metadata an instance can read: `/`, `/latest/`, `meta-data/…`, `dynamic/…`, `user-data`.
//!
//! A listing (a path to a category, with or without its trailing `/`) answers its items one per
//! line, sub-categories ending in `/`, with no line feed after the last (as `curl` shows them:
//! hence the habit of `; echo`). Anything else is `404 - Not Found`. Every dated version of the
//! metadata answers what `latest` does: iamsim does not model what older builds lacked.

use bytes::Bytes;

use super::document::{self, Json};
use super::{Delivery, Outcome};
use crate::live::{Authorization, Delivered, Live, Mint, SessionKind};
use crate::model::partition;
use crate::model::{Caller, Instance, InstanceMetadata, SessionDetails};
use crate::policy::{Action, Context, Resource};

/// The metadata versions an instance lists at `/` (EC2 User Guide, "Get the available versions
/// of the instance metadata"), oldest first, then `latest`.
const VERSIONS: [&str; 25] = [
    "1.0",
    "2007-01-19",
    "2007-03-01",
    "2007-08-29",
    "2007-10-10",
    "2007-12-15",
    "2008-02-01",
    "2008-09-01",
    "2009-04-04",
    "2011-01-01",
    "2011-05-01",
    "2012-01-12",
    "2014-02-25",
    "2014-11-05",
    "2015-10-20",
    "2016-04-19",
    "2016-06-30",
    "2016-09-02",
    "2018-03-28",
    "2018-08-17",
    "2018-09-24",
    "2019-10-01",
    "2020-10-27",
    "2021-01-03",
    "2021-03-23",
];

/// Whether `v` names a version of the metadata.
pub(super) fn is_version(v: &str) -> bool {
    v == "latest" || VERSIONS.contains(&v)
}

/// How long the instance role's credentials last. EC2 does not document it; six hours is what
/// ECS documents for task role credentials and what instances are seen to receive.
pub(crate) const CREDENTIALS_LIFETIME: u64 = 21_600;

/// The service principal that assumes instance roles.
pub(crate) const EC2_SERVICE: &str = "ec2.amazonaws.com";

/// A node that was found.
enum Found {
    Value(Bytes),
    Listing(Vec<String>),
}

/// Answers a `GET` (or `HEAD`) of `path`.
pub(super) fn get(live: &Live, instance: &Instance, path: &str, delivery: Delivery) -> Outcome {
    let Some(rest) = path.strip_prefix('/') else { return Outcome::error(404) };
    // A single trailing `/` asks for a listing; the path is otherwise taken as sent (an empty
    // segment, `//`, names nothing).
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split('/').collect() };
    let Some(metadata) = live.model().instance_metadata(instance) else { return Outcome::error(404) };
    let Some((version, below)) = segments.split_first() else {
        return listing(VERSIONS.iter().copied().chain(["latest"]).map(str::to_owned).collect());
    };
    if !is_version(version) {
        return Outcome::error(404);
    }
    let found = match below {
        [] => {
            let mut items = vec!["dynamic".to_owned(), "meta-data".to_owned()];
            if metadata.user_data.is_some() {
                items.push("user-data".to_owned());
            }
            Some(Found::Listing(items))
        }
        ["user-data"] => metadata.user_data.as_ref().map(|u| Found::Value(Bytes::from(u.clone()))),
        ["dynamic", rest @ ..] => dynamic(instance, metadata, rest),
        ["meta-data", rest @ ..] => {
            if let ["iam", "security-credentials", role] = rest {
                return security_credentials(live, instance, metadata, role, delivery);
            }
            meta_data(live, instance, metadata, rest)
        }
        _ => None,
    };
    match found {
        Some(Found::Value(bytes)) => Outcome::text(bytes),
        Some(Found::Listing(items)) => listing(items),
        None => Outcome::error(404),
    }
}

fn listing(items: Vec<String>) -> Outcome {
    Outcome::text(items.join("\n"))
}

fn value(text: impl Into<String>) -> Option<Found> {
    Some(Found::Value(Bytes::from(text.into())))
}

fn items(names: &[&str]) -> Option<Found> {
    Some(Found::Listing(names.iter().map(|s| (*s).to_owned()).collect()))
}

fn dynamic(instance: &Instance, metadata: &InstanceMetadata, rest: &[&str]) -> Option<Found> {
    match rest {
        [] => items(&["instance-identity/"]),
        // The signatures (`pkcs7`, `signature`, `rsa2048`) need AWS's private keys; a world
        // cannot make them, so it does not list them.
        ["instance-identity"] => items(&["document"]),
        ["instance-identity", "document"] => value(document::identity_document(instance, metadata)),
        _ => None,
    }
}

fn meta_data(live: &Live, instance: &Instance, metadata: &InstanceMetadata, rest: &[&str]) -> Option<Found> {
    let region = instance.region.as_str();
    let eni = || format!("eni-{}", live.model().ids().opaque_hex("eni", &instance.id, 17));
    let security_group = || format!("sg-{}", live.model().ids().opaque_hex("security-group", &instance.id, 17));
    match rest {
        [] => {
            let mut names = vec![
                "ami-id",
                "ami-launch-index",
                "ami-manifest-path",
                "hostname",
                "iam/",
                "instance-action",
                "instance-id",
                "instance-life-cycle",
                "instance-type",
                "local-hostname",
                "local-ipv4",
                "mac",
                "network/",
                "placement/",
                "profile",
                "reservation-id",
                "security-groups",
                "services/",
                "tags/",
            ];
            // "iam/: If there is an IAM role associated with the instance … Otherwise, not
            // present"; `tags/` only when tags in instance metadata are allowed.
            names.retain(|n| (*n != "iam/" || instance.role.is_some()) && (*n != "tags/" || metadata.metadata_tags));
            items(&names)
        }
        ["ami-id"] => value(metadata.image_id.clone()),
        ["ami-launch-index"] => value("0"),
        ["ami-manifest-path"] => value("(unknown)"),
        ["hostname"] | ["local-hostname"] => value(metadata.hostname(region)),
        ["instance-action"] => value("none"),
        ["instance-id"] => value(instance.id.clone()),
        ["instance-life-cycle"] => value("on-demand"),
        ["instance-type"] => value(metadata.instance_type.clone()),
        ["local-ipv4"] => value(metadata.private_ip.to_string()),
        ["mac"] => value(metadata.mac.clone()),
        ["profile"] => value("default-hvm"),
        ["reservation-id"] => value(metadata.reservation_id.clone()),
        ["security-groups"] => value("default"),
        ["placement"] => items(&["availability-zone", "region"]),
        ["placement", "availability-zone"] => value(metadata.availability_zone.clone()),
        ["placement", "region"] => value(region),
        ["services"] => items(&["domain", "partition"]),
        ["services", "domain"] => {
            value(if partition(region) == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" })
        }
        ["services", "partition"] => value(partition(region)),
        ["network"] => items(&["interfaces/"]),
        ["network", "interfaces"] => items(&["macs/"]),
        ["network", "interfaces", "macs"] => Some(Found::Listing(vec![format!("{}/", metadata.mac)])),
        ["network", "interfaces", "macs", mac, rest @ ..] if *mac == metadata.mac => match rest {
            [] => items(&[
                "device-number",
                "interface-id",
                "local-hostname",
                "local-ipv4s",
                "mac",
                "owner-id",
                "security-group-ids",
                "security-groups",
                "subnet-id",
                "vpc-id",
            ]),
            ["device-number"] => value("0"),
            ["interface-id"] => value(eni()),
            ["local-hostname"] => value(metadata.hostname(region)),
            ["local-ipv4s"] => value(metadata.private_ip.to_string()),
            ["mac"] => value(metadata.mac.clone()),
            ["owner-id"] => value(instance.account.as_str()),
            ["security-group-ids"] => value(security_group()),
            ["security-groups"] => value("default"),
            ["subnet-id"] => value(metadata.subnet_id.clone()),
            ["vpc-id"] => value(metadata.vpc_id.clone()),
            _ => None,
        },
        ["tags"] if metadata.metadata_tags => items(&["instance"]),
        ["tags", "instance"] if metadata.metadata_tags => Some(Found::Listing(metadata.tags.keys().cloned().collect())),
        ["tags", "instance", key] if metadata.metadata_tags => {
            metadata.tags.get(*key).map(|v| Found::Value(Bytes::from(v.clone())))
        }
        ["iam"] if instance.role.is_some() => items(&["info", "security-credentials/"]),
        ["iam", "security-credentials"] => instance.role.as_ref().map(|r| Found::Listing(vec![r.clone()])),
        ["iam", "info"] => instance.role.as_ref().map(|_| Found::Value(Bytes::from(iam_info(live, instance)))),
        _ => None,
    }
}

/// What EC2 asks the role's trust policy when it assumes the role for the instance.
fn trust(live: &Live, role_arn: &str) -> Option<(crate::policy::Decision, Context)> {
    let action: Action = "sts:AssumeRole".parse().ok()?;
    let resource = Resource::parse(role_arn).ok()?;
    let context = Context::new();
    let caller = Caller::Service { name: EC2_SERVICE.to_owned() };
    let decision = live.authorize(&caller, &action, &resource, &context).ok()?;
    Some((decision, context))
}

/// "Amazon EC2 does not have permission to assume the role" (IAM User Guide, "Troubleshoot IAM
/// and Amazon EC2": the `AssumeRoleUnauthorizedAccess` code). AWS's exact message is not
/// documented; this one says what is wrong.
fn unauthorized(role: &str, last_updated: &str) -> String {
    Json::new()
        .string("Code", "AssumeRoleUnauthorizedAccess")
        .string(
            "Message",
            &format!("EC2 cannot assume the role {role}: its trust policy does not allow ec2.amazonaws.com"),
        )
        .string("LastUpdated", last_updated)
        .finish()
}

fn instance_role<'m>(live: &'m Live, instance: &Instance) -> Option<&'m crate::model::Role> {
    live.model().account(instance.account.as_str())?.role(instance.role.as_deref()?)
}

/// `iam/info`: the instance profile, or why EC2 cannot deliver its role's credentials.
fn iam_info(live: &Live, instance: &Instance) -> String {
    let model = live.model();
    let profile = instance.instance_profile.as_deref().and_then(|p| {
        model
            .account(instance.account.as_str())?
            .roles
            .values()
            .find_map(|r| r.instance_profile.as_ref().filter(|ip| ip.name == p))
    });
    let launched = model.instance_metadata(instance).map_or_else(|| live.now(), |m| m.launched_at);
    let Some((role, profile)) = instance_role(live, instance).zip(profile) else {
        return Json::new()
            .string("Code", "InstanceProfileNotFound")
            .string("LastUpdated", &crate::clock::format_rfc3339(launched))
            .finish();
    };
    // `iam/info` does not itself assume the role (no session is minted by reading it); it tells
    // what the last delivery found, as the instance's copy would.
    let allowed = trust(live, role.arn.as_str()).is_some_and(|(d, _)| d.is_allowed());
    let last = crate::clock::format_rfc3339(launched);
    if !allowed {
        return unauthorized(&role.name, &last);
    }
    Json::new()
        .string("Code", "Success")
        .string("LastUpdated", &last)
        .string("InstanceProfileArn", profile.arn.as_str())
        .string("InstanceProfileId", &profile.id)
        .finish()
}

/// `iam/security-credentials/ROLE`: the credentials of the instance role, delivered through
/// IMDSv1 or IMDSv2 (`optional`: "If you retrieve IAM role credentials without a session token,
/// you receive the IMDSv1 role credentials. If you retrieve IAM role credentials using a valid
/// session token, you receive the IMDSv2 role credentials", EC2 API Reference,
/// `InstanceMetadataOptionsRequest.HttpTokens`).
fn security_credentials(
    live: &Live,
    instance: &Instance,
    metadata: &InstanceMetadata,
    role: &str,
    delivery: Delivery,
) -> Outcome {
    let Some(found) = instance_role(live, instance).filter(|r| r.name == role) else { return Outcome::error(404) };
    let holder = format!("ec2/{}/{}", instance.id, delivery.role_delivery());
    let mut authorizations = Vec::new();
    let delivered = live.delivered_credentials(&holder, || {
        let Some((decision, context)) = trust(live, found.arn.as_str()) else { return Err(()) };
        authorizations.push(Authorization::new(&decision, &context));
        if !decision.is_allowed() {
            return Err(());
        }
        let mut session =
            SessionDetails { name: instance.id.clone(), issued_at: Some(live.now()), ..SessionDetails::default() };
        // The keys AWS adds to every request signed with an instance's role credentials (IAM
        // User Guide, "AWS global condition context keys": `aws:Ec2InstanceSourceVpc`,
        // `aws:Ec2InstanceSourcePrivateIPv4`; Service Authorization Reference, Amazon EC2:
        // `ec2:SourceInstanceARN`, `ec2:RoleDelivery`).
        session.context_keys.insert("ec2:SourceInstanceARN".to_owned(), metadata.arn.clone());
        session.context_keys.insert("ec2:RoleDelivery".to_owned(), delivery.role_delivery().to_owned());
        session.context_keys.insert("aws:Ec2InstanceSourceVpc".to_owned(), metadata.vpc_id.clone());
        session.context_keys.insert("aws:Ec2InstanceSourcePrivateIPv4".to_owned(), metadata.private_ip.to_string());
        let caller =
            Caller::RoleSession { account: instance.account.as_str().to_owned(), role: found.name.clone(), session };
        Ok(Mint { kind: SessionKind::AssumeRole, caller, lifetime_secs: CREDENTIALS_LIFETIME })
    });
    let body = match delivered {
        Ok(delivered) => delivered.document(|d: &Delivered| {
            let c = &d.session.credentials;
            let json = Json::new()
                .string("Code", "Success")
                .string("LastUpdated", &crate::clock::format_rfc3339(d.last_updated))
                .string("Type", "AWS-HMAC")
                .string("AccessKeyId", &c.access_key_id)
                .string("SecretAccessKey", &c.secret_access_key)
                .string("Token", &c.session_token)
                .string("Expiration", &crate::clock::format_rfc3339(c.expiration))
                .finish();
            Bytes::from(json)
        }),
        Err(()) => Bytes::from(unauthorized(&found.name, &crate::clock::format_rfc3339(live.now()))),
    };
    let mut outcome = Outcome::text(body);
    outcome.authorizations = authorizations;
    outcome
}
