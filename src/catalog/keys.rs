//! Condition keys: which names a policy's `Condition` may use, and a "did you mean" for the ones
//! it misspells.
//!
//! IAM accepts any key in a policy; an unknown one is simply absent from every request, so a
//! misspelt `aws:SourceIpp` makes its condition fail (or, with `…IfExists`, always pass) without
//! a word. What is known: the global keys (AWS's list below) and the keys of the services the
//! catalog has details for. Keys of other services, and the keys of identity providers
//! (`accounts.google.com:aud`, `token.actions.githubusercontent.com:sub`, `saml:sub`, …), cannot
//! be told from typos and are never questioned.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::Catalog;

/// The global condition keys, as the IAM User Guide lists them ("AWS global condition context
/// keys", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>),
/// including the cross-service keys of a role session (`ec2:SourceInstanceArn`, …), which any
/// service's policy may use. `${TagKey}` stands for any tag key.
const GLOBAL_KEYS: &[&str] = &[
    // Properties of the principal.
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    // Properties of a role session.
    "aws:AssumedRoot",
    "aws:FederatedProvider",
    "aws:TokenIssueTime",
    "aws:SignInSessionArn",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity",
    "ec2:RoleDelivery",
    "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy",
    "glue:CredentialIssuingService",
    "codebuild:BuildArn",
    "codebuild:ProjectArn",
    "lambda:SourceFunctionArn",
    "ssm:SourceInstanceArn",
    "identitystore:UserId",
    // Properties of the network.
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:VpcSourceIp",
    // Properties of the resource.
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    // Properties of the request.
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CalledViaAWSMCP",
    "aws:ViaAWSService",
    "aws:ViaAWSMCPService",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:TagKeys",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:UserAgent",
    "aws:IsMcpServiceAction",
];

/// One known key: a name, or a template such as `aws:RequestTag/${TagKey}` or
/// `s3:ExistingObjectTag/<key>` that stands for every key starting with its literal part
/// (`aws:RequestTag/`).
#[derive(Clone, Debug)]
struct KnownKey {
    name: &'static str,
    /// The lowercase literal part: the whole name, or the part before `${` of a template.
    literal: String,
    template: bool,
}

impl KnownKey {
    fn new(name: &'static str) -> KnownKey {
        // The reference writes a placeholder as `${TagKey}` or `<key>`.
        match name.find("${").into_iter().chain(name.find('<')).min() {
            Some(at) => KnownKey { name, literal: name.get(..at).unwrap_or(name).to_ascii_lowercase(), template: true },
            None => KnownKey { name, literal: name.to_ascii_lowercase(), template: false },
        }
    }

    /// Whether `key` (lowercase) is this key: the same name, or the template's literal part and
    /// something after it.
    fn matches(&self, key: &str) -> bool {
        if self.template {
            key.len() > self.literal.len() && key.starts_with(&self.literal)
        } else {
            key == self.literal
        }
    }

    /// How far `key` (lowercase, as written in `original`) is from this key, and the key to
    /// suggest: a template keeps what the policy wrote after its literal part (the tag key).
    fn distance(&self, key: &str, original: &str) -> (usize, String) {
        if !self.template {
            return (strsim::damerau_levenshtein(key, &self.literal), self.name.to_owned());
        }
        // `aws:RequestTags/team` → compare `aws:requesttags/` with `aws:requesttag/`, suggest
        // `aws:RequestTag/team`.
        let head_len = key.find('/').map_or(key.len(), |slash| slash + 1);
        let head = key.get(..head_len).unwrap_or(key);
        let tail = original.get(head_len..).unwrap_or_default();
        let distance = strsim::damerau_levenshtein(head.trim_end_matches('/'), self.literal.trim_end_matches('/'));
        let literal = self.name.get(..self.literal.len()).unwrap_or(self.name);
        let suggestion = if tail.is_empty() { self.name.to_owned() } else { format!("{literal}{tail}") };
        (distance, suggestion)
    }
}

/// The known keys by lowercase prefix (`aws`, `s3`, …), for the prefixes the catalog knows all
/// keys of: `aws` and every service with details.
struct KeyIndex {
    by_prefix: HashMap<String, Vec<KnownKey>>,
    /// Every service prefix, lowercase, detailed or not.
    services: HashSet<String>,
}

impl KeyIndex {
    fn new(catalog: &Catalog) -> KeyIndex {
        let mut by_prefix: HashMap<String, Vec<KnownKey>> = HashMap::new();
        by_prefix.insert("aws".to_owned(), Vec::new());
        for service in catalog.services().filter(|s| s.has_details()) {
            by_prefix.entry(service.prefix().to_ascii_lowercase()).or_default();
        }
        let names = GLOBAL_KEYS
            .iter()
            .copied()
            .chain(catalog.services().filter_map(|s| s.condition_keys()).flatten().map(super::ConditionKey::name));
        for name in names {
            let Some((prefix, _)) = name.split_once(':') else { continue };
            // Keys of other prefixes (identity providers, services without details) are not
            // indexed: their lists are not complete.
            if let Some(keys) = by_prefix.get_mut(&prefix.to_ascii_lowercase())
                && !keys.iter().any(|k| k.name.eq_ignore_ascii_case(name))
            {
                keys.push(KnownKey::new(name));
            }
        }
        let services = catalog.services().map(|s| s.prefix().to_ascii_lowercase()).collect();
        KeyIndex { by_prefix, services }
    }

    fn check(&self, name: &str) -> Option<bool> {
        let lower = name.to_ascii_lowercase();
        let (prefix, _) = lower.split_once(':')?;
        let keys = self.by_prefix.get(prefix)?;
        Some(keys.iter().any(|k| k.matches(&lower)))
    }

    fn suggest(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let (prefix, _) = lower.split_once(':')?;
        let candidates: Vec<&KnownKey> = match self.by_prefix.get(prefix) {
            Some(keys) if keys.iter().any(|k| k.matches(&lower)) => return None,
            Some(keys) => keys.iter().collect(),
            // No service and no identity provider has this prefix: perhaps a misspelt one.
            None if plain_prefix(name) && !self.services.contains(prefix) => {
                self.by_prefix.values().flatten().collect()
            }
            None => return None,
        };
        let longest = lower.chars().count();
        // As for actions: one edit for short names, else up to a quarter of the name.
        let allowed = if longest <= 4 { 1 } else { 2.max(longest / 4) };
        candidates
            .into_iter()
            .map(|k| k.distance(&lower, name))
            .filter(|(distance, _)| *distance <= allowed)
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.len().cmp(&b.1.len())).then_with(|| a.1.cmp(&b.1)))
            .map(|(_, suggestion)| suggestion)
    }
}

/// A prefix that could be a misspelt `aws` or service prefix: letters, digits and `-` only.
/// Identity providers' keys have dots or slashes (`accounts.google.com:aud`); `saml:` keys are
/// SAML attributes.
fn plain_prefix(name: &str) -> bool {
    match name.split_once(':') {
        Some((prefix, _)) => {
            !prefix.is_empty()
                && !prefix.eq_ignore_ascii_case("saml")
                && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
    }
}

static INDEX: LazyLock<KeyIndex> = LazyLock::new(|| KeyIndex::new(Catalog::global()));

impl Catalog {
    fn key_index<T>(&self, f: impl FnOnce(&KeyIndex) -> T) -> T {
        if std::ptr::eq(self, Catalog::global()) { f(&INDEX) } else { f(&KeyIndex::new(self)) }
    }

    /// Whether `name` is a condition key AWS knows, ignoring case: a global key (`aws:…`, with
    /// any tag key after `aws:RequestTag/`, `aws:ResourceTag/` and `aws:PrincipalTag/`) or a key
    /// of a service the catalog has details for (`s3:prefix`, `s3:ExistingObjectTag/…`).
    /// `None` when the catalog cannot tell: keys of services without details and of identity
    /// providers (`accounts.google.com:aud`).
    ///
    /// ```
    /// # use iamsim::catalog::Catalog;
    /// let catalog = Catalog::global();
    /// assert_eq!(catalog.is_known_condition_key("aws:SourceIp"), Some(true));
    /// assert_eq!(catalog.is_known_condition_key("AWS:PrincipalTag/team"), Some(true));
    /// assert_eq!(catalog.is_known_condition_key("s3:ExistingObjectTag/owner"), Some(true));
    /// assert_eq!(catalog.is_known_condition_key("aws:SourceIpp"), Some(false));
    /// assert_eq!(catalog.is_known_condition_key("aws:RequestTag/"), Some(false));
    /// assert_eq!(catalog.is_known_condition_key("accounts.google.com:aud"), None);
    /// ```
    #[must_use]
    pub fn is_known_condition_key(&self, name: &str) -> Option<bool> {
        self.key_index(|index| index.check(name))
    }

    /// A "did you mean" for an unknown condition key: the closest known key of the same prefix
    /// (a template keeps the tag key written after it), or for a prefix that is neither `aws`
    /// nor a detailed service but looks like a misspelt one (`asw:`), the closest key of any
    /// of them. `None` for known keys and when nothing is close.
    ///
    /// ```
    /// # use iamsim::catalog::Catalog;
    /// let catalog = Catalog::global();
    /// assert_eq!(catalog.suggest_condition_key("aws:SourceIpp").as_deref(), Some("aws:SourceIp"));
    /// assert_eq!(catalog.suggest_condition_key("aws:RequestTags/team").as_deref(), Some("aws:RequestTag/team"));
    /// assert_eq!(catalog.suggest_condition_key("s3:prefx").as_deref(), Some("s3:prefix"));
    /// assert_eq!(catalog.suggest_condition_key("asw:SourceIp").as_deref(), Some("aws:SourceIp"));
    /// assert_eq!(catalog.suggest_condition_key("aws:SourceIp"), None);
    /// assert_eq!(catalog.suggest_condition_key("cognito-identity.amazonaws.com:amrr"), None);
    /// ```
    #[must_use]
    pub fn suggest_condition_key(&self, name: &str) -> Option<String> {
        self.key_index(|index| index.suggest(name))
    }
}
