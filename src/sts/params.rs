//! The awsQuery form: `Action=AssumeRole&Version=2011-06-15&RoleArn=…`, from a POST body or a
//! GET query, with list members (`PolicyArns.member.1.arn`, `Tags.member.2.Key`).

use std::collections::BTreeMap;

use super::error::StsError;
use crate::wire::WireRequest;

/// The parameters of one STS request.
///
/// ```
/// use iamsim::sts::Params;
///
/// let params = Params::parse(b"Action=AssumeRole&RoleSessionName=ci+run&Tags.member.1.Key=team&Tags.member.1.Value=web\
///     &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess");
/// assert_eq!(params.get("RoleSessionName"), Some("ci run"));
/// assert_eq!(params.tags(), [("team".to_owned(), "web".to_owned())]);
/// assert_eq!(params.list("PolicyArns", ".arn"), ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
/// assert_eq!(params.get("DurationSeconds"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Reads the parameters from the body of a form POST, or from the query of a GET.
    pub fn from_request(request: &WireRequest) -> Result<Params, StsError> {
        let is_form = request
            .header("content-type")
            .is_some_and(|t| t.get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded")));
        let source: &[u8] = if request.parts.method == http::Method::POST && is_form {
            &request.body
        } else {
            request.query().as_bytes()
        };
        Ok(Params::parse(source))
    }

    /// Parses `k=v&k=v` (percent-decoded, `+` as space). A later duplicate replaces an earlier
    /// one.
    pub fn parse(form: &[u8]) -> Params {
        Params { values: form_urlencoded::parse(form).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The members of a list parameter: `NAME.member.1`, `NAME.member.2`, … (with `suffix`
    /// `.Key` or `.arn` for structures), in order, stopping at the first gap as AWS does.
    pub fn list(&self, name: &str, suffix: &str) -> Vec<&str> {
        if !self.has_members(name) {
            return Vec::new();
        }
        (1..).map_while(|i| self.values.get(&format!("{name}.member.{i}{suffix}")).map(String::as_str)).collect()
    }

    /// Whether any parameter is named `NAME.member.…` (found in the sorted keys without
    /// formatting a name: most requests have no list parameter at all).
    fn has_members(&self, name: &str) -> bool {
        use std::ops::Bound;
        self.values
            .range::<str, _>((Bound::Included(name), Bound::Unbounded))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(name))
            .any(|k| k.get(name.len()..).is_some_and(|rest| rest.starts_with(".member.")))
    }

    /// How many members a list parameter has, counting any with the prefix (so a list with a
    /// gap is still counted for the limit checks).
    pub fn count(&self, name: &str) -> usize {
        if !self.has_members(name) {
            return 0;
        }
        let prefix = format!("{name}.member.");
        let mut indexes: Vec<&str> = self
            .values
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('.').next().unwrap_or_default())
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes.len()
    }

    /// Session tags: `Tags.member.N.Key` / `.Value` pairs.
    pub fn tags(&self) -> Vec<(String, String)> {
        if !self.has_members("Tags") {
            return Vec::new();
        }
        (1..)
            .map_while(|i| {
                let key = self.values.get(&format!("Tags.member.{i}.Key"))?;
                let value = self.values.get(&format!("Tags.member.{i}.Value")).cloned().unwrap_or_default();
                Some((key.clone(), value))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_tags_are_read_in_order() {
        let p = Params::parse(
            b"Action=AssumeRole&Tags.member.1.Key=team&Tags.member.1.Value=blue+green&Tags.member.2.Key=env\
              &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX&TransitiveTagKeys.member.1=team",
        );
        assert_eq!(p.get("Action"), Some("AssumeRole"));
        assert_eq!(p.tags(), vec![("team".into(), "blue green".into()), ("env".into(), String::new())]);
        assert_eq!(p.list("PolicyArns", ".arn"), vec!["arn:aws:iam::aws:policy/X"]);
        assert_eq!(p.list("TransitiveTagKeys", ""), vec!["team"]);
        assert_eq!(p.count("Tags"), 2);
        assert_eq!(p.count("PolicyArns"), 1);
        assert!(p.list("Policy", ".arn").is_empty());
        assert_eq!(p.count("Policy"), 0);
        assert_eq!(p.count("Tag"), 0);
        let none = Params::parse(b"Action=AssumeRole&PolicyArnsX.member.1.arn=x&Tags=1&Tagsmember.1.Key=k");
        assert!(none.list("PolicyArns", ".arn").is_empty());
        assert_eq!(none.count("PolicyArns"), 0);
        assert!(none.tags().is_empty());
        assert_eq!(none.count("Tags"), 0);
    }
}
