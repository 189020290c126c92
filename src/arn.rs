//! Amazon Resource Names: parsing, display and IAM wildcard matching.
//!
//! An ARN has six colon-separated parts, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; the
//! resource part may itself contain colons and slashes
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>).
//!
//! ```
//! use iamsim::arn::{Arn, Partition};
//!
//! let role: Arn = "arn:aws:iam::111122223333:role/reader".parse()?;
//! assert_eq!(role.partition(), Partition::Aws);
//! assert_eq!(role.service(), "iam");
//! assert_eq!(role.account(), "111122223333");
//! assert_eq!(role.resource(), "role/reader");
//! assert!(role.matches("arn:aws:iam::*:role/read?r"));
//! # Ok::<(), iamsim::arn::ArnError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::wildcard::Glob;

/// The AWS partition an ARN belongs to.
///
/// ```
/// use iamsim::arn::Partition;
/// assert_eq!("aws-cn".parse::<Partition>(), Ok(Partition::AwsCn));
/// assert_eq!(Partition::AwsUsGov.to_string(), "aws-us-gov");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    /// The standard commercial partition, `aws`.
    Aws,
    /// The China regions, `aws-cn`.
    AwsCn,
    /// AWS GovCloud (US), `aws-us-gov`.
    AwsUsGov,
}

impl Partition {
    /// The partition's name as it appears in ARNs.
    ///
    /// ```
    /// assert_eq!(iamsim::arn::Partition::Aws.as_str(), "aws");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Partition {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aws" => Ok(Partition::Aws),
            "aws-cn" => Ok(Partition::AwsCn),
            "aws-us-gov" => Ok(Partition::AwsUsGov),
            other => Err(ArnError::UnknownPartition(other.to_owned())),
        }
    }
}

/// Why a string is not an ARN.
///
/// ```
/// use iamsim::Arn;
/// use iamsim::arn::ArnError;
///
/// assert_eq!(Arn::parse("s3:::photos").unwrap_err(), ArnError::MissingPrefix("s3:::photos".into()));
/// assert!(matches!(Arn::parse("arn:aws:s3"), Err(ArnError::TooFewParts { found: 3, .. })));
/// assert_eq!(Arn::parse("arn:azure:s3:::photos").unwrap_err(), ArnError::UnknownPartition("azure".into()));
/// assert!(Arn::parse("arn:aws:s3:::photos").is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// The text does not begin with `arn:`.
    #[error("`{0}` is not an ARN: it must start with `arn:`")]
    MissingPrefix(String),
    /// Fewer than six colon-separated parts.
    #[error("`{text}` is not an ARN: expected 6 colon-separated parts, found {found}")]
    TooFewParts {
        /// The text that was parsed.
        text: String,
        /// How many parts it had.
        found: usize,
    },
    /// A partition other than `aws`, `aws-cn` and `aws-us-gov`.
    #[error("unknown partition `{0}`: expected `aws`, `aws-cn` or `aws-us-gov`")]
    UnknownPartition(String),
    /// The service part is empty.
    #[error("`{0}` is not an ARN: the service part is empty")]
    EmptyService(String),
    /// The resource part is empty.
    #[error("`{0}` is not an ARN: the resource part is empty")]
    EmptyResource(String),
}

/// A parsed Amazon Resource Name.
///
/// The text is kept as given, so `Display` round-trips exactly; the parts are views into it.
///
/// ```
/// use iamsim::arn::Arn;
/// let bucket: Arn = "arn:aws:s3:::photos".parse()?;
/// assert_eq!(bucket.account(), "");
/// assert_eq!(bucket.to_string(), "arn:aws:s3:::photos");
/// # Ok::<(), iamsim::arn::ArnError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    partition: Partition,
    // Byte offsets of the colons that end the partition, service, region and account parts.
    service_start: usize,
    region_start: usize,
    account_start: usize,
    resource_start: usize,
}

impl Arn {
    /// Parses an ARN.
    ///
    /// ```
    /// use iamsim::arn::Arn;
    /// assert!(Arn::parse("arn:aws:sts::111122223333:assumed-role/reader/alice").is_ok());
    /// let err = Arn::parse("arn:aws:s3").unwrap_err();
    /// assert_eq!(err.to_string(), "`arn:aws:s3` is not an ARN: expected 6 colon-separated parts, found 3");
    /// ```
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        let Some(rest) = text.strip_prefix("arn:") else {
            return Err(ArnError::MissingPrefix(text.to_owned()));
        };
        let mut colons = [0usize; 4];
        let mut found = 0;
        for (i, b) in rest.bytes().enumerate() {
            if b == b':' {
                if let Some(slot) = colons.get_mut(found) {
                    *slot = i + 4;
                }
                found += 1;
                if found == 4 {
                    break;
                }
            }
        }
        if found < 4 {
            return Err(ArnError::TooFewParts { text: text.to_owned(), found: found + 2 });
        }
        let [p_end, s_end, r_end, a_end] = colons;
        let partition: Partition = text.get(4..p_end).unwrap_or_default().parse()?;
        let arn = Arn {
            text: text.to_owned(),
            partition,
            service_start: p_end + 1,
            region_start: s_end + 1,
            account_start: r_end + 1,
            resource_start: a_end + 1,
        };
        if arn.service().is_empty() {
            return Err(ArnError::EmptyService(text.to_owned()));
        }
        if arn.resource().is_empty() {
            return Err(ArnError::EmptyResource(text.to_owned()));
        }
        Ok(arn)
    }

    /// The whole ARN as text.
    ///
    /// ```
    /// let arn: iamsim::arn::Arn = "arn:aws:s3:::photos/a.jpg".parse().unwrap();
    /// assert_eq!(arn.as_str(), "arn:aws:s3:::photos/a.jpg");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    fn part(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// The service namespace, for example `s3` or `iam`.
    pub fn service(&self) -> &str {
        self.part(self.service_start, self.region_start - 1)
    }

    /// The region, empty for global services such as IAM and S3 buckets.
    pub fn region(&self) -> &str {
        self.part(self.region_start, self.account_start - 1)
    }

    /// The account id, empty for S3 buckets and objects, `aws` for AWS managed policies.
    pub fn account(&self) -> &str {
        self.part(self.account_start, self.resource_start - 1)
    }

    /// The resource part: everything after the fifth colon, for example `role/path/reader`.
    pub fn resource(&self) -> &str {
        self.text.get(self.resource_start..).unwrap_or_default()
    }

    /// Whether this ARN matches an IAM `Resource` pattern with `*` and `?` wildcards.
    ///
    /// Matching is case-sensitive; `*` matches any run of characters (in the partition,
    /// service, region and account fields only up to the next `:`, unless it ends the field),
    /// `?` exactly one character
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
    ///
    /// ```
    /// let arn: iamsim::arn::Arn = "arn:aws:s3:::photos/2024/a.jpg".parse().unwrap();
    /// assert!(arn.matches("arn:aws:s3:::photos/*"));
    /// assert!(!arn.matches("arn:aws:s3:::Photos/*"));
    /// assert!(!arn.matches("arn:aws:s3:::photos"));
    /// ```
    pub fn matches(&self, pattern: &str) -> bool {
        Glob::resource(pattern).matches(&self.text)
    }

    /// The six components of an ARN-shaped text, as the `Arn*` condition operators compare them,
    /// or `None` when the text has fewer than six.
    pub(crate) fn components(text: &str) -> Option<[&str; 6]> {
        let mut parts = text.splitn(6, ':');
        let out = [parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?];
        Some(out)
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arn({:?})", self.text)
    }
}

impl FromStr for Arn {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Arn::parse(s)
    }
}

impl TryFrom<&str> for Arn {
    type Error = ArnError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Arn::parse(s)
    }
}

impl AsRef<str> for Arn {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl serde::Serialize for Arn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Arn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Arn::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_part() {
        let arn = Arn::parse("arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/a:b").unwrap();
        assert_eq!(arn.partition(), Partition::AwsUsGov);
        assert_eq!(arn.service(), "logs");
        assert_eq!(arn.region(), "us-gov-west-1");
        assert_eq!(arn.account(), "123456789012");
        assert_eq!(arn.resource(), "log-group:/a:b");
    }

    #[test]
    fn rejects_bad_text_with_precise_errors() {
        assert_eq!(Arn::parse("urn:x").unwrap_err().to_string(), "`urn:x` is not an ARN: it must start with `arn:`");
        assert_eq!(
            Arn::parse("arn:aws-iso:s3:::b").unwrap_err().to_string(),
            "unknown partition `aws-iso`: expected `aws`, `aws-cn` or `aws-us-gov`"
        );
        assert_eq!(
            Arn::parse("arn:aws::::x").unwrap_err().to_string(),
            "`arn:aws::::x` is not an ARN: the service part is empty"
        );
        assert_eq!(
            Arn::parse("arn:aws:s3:::").unwrap_err().to_string(),
            "`arn:aws:s3:::` is not an ARN: the resource part is empty"
        );
        assert!(matches!(Arn::parse("arn:"), Err(ArnError::TooFewParts { found: 2, .. })));
    }

    #[test]
    fn components_split_on_the_first_five_colons() {
        assert_eq!(
            Arn::components("arn:aws:logs:r:1:log-group:x"),
            Some(["arn", "aws", "logs", "r", "1", "log-group:x"])
        );
        assert_eq!(Arn::components("arn:aws:s3"), None);
    }
}
