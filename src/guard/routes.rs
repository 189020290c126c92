//! REST routes: how a REST service's request (method and path) names its IAM action and
//! resource, which the guard cannot read from the request itself as it reads `Action=` or
//! `X-Amz-Target`.
//!
//! A path template is made of `/`-separated segments: literal text, `{name}` (one segment) or,
//! last, `{name+}` (the rest of the path). The resource template may use the captured names and
//! `{region}` (the signature's region) and `{account}` (the caller's account).
//!
//! wiremock hands the guard a path its URL parser has already normalized (`/a/./b` and
//! `/a/x/../b` arrive as `/a/b`), so a template never sees dot segments.

use super::Protocol;

/// One REST operation: method and path template to action and resource template.
///
/// ```
/// use iamsim::guard::{Protocol, Route};
/// let invoke = Route::new("POST", "/2015-03-31/functions/{name}/invocations",
///     "lambda:InvokeFunction", "arn:aws:lambda:{region}:{account}:function:{name}");
/// assert_eq!(invoke.protocol(), Protocol::RestJson);
/// let matched = invoke.matches("POST", "/2015-03-31/functions/thumbnailer/invocations").expect("matches");
/// assert_eq!(matched.resource("us-east-1", "111111111111"), "arn:aws:lambda:us-east-1:111111111111:function:thumbnailer");
/// assert!(invoke.matches("GET", "/2015-03-31/functions/thumbnailer/invocations").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    method: String,
    segments: Vec<Segment>,
    action: String,
    resource: String,
    protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    One(String),
    Rest(String),
}

/// A route that matched a request, with the path's captured values (percent-decoded).
///
/// ```
/// use iamsim::guard::Route;
///
/// let get = Route::new("GET", "/functions/{name}/code/{path+}", "lambda:GetFunction",
///     "arn:aws:lambda:{region}:{account}:function:{name}");
/// let matched = get.matches("GET", "/functions/resize%20images/code/src/main.py").expect("matches");
/// assert_eq!(matched.route().action(), "lambda:GetFunction");
/// // Captures are percent-decoded.
/// assert_eq!(matched.resource("eu-west-1", "111111111111"), "arn:aws:lambda:eu-west-1:111111111111:function:resize images");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch<'r> {
    route: &'r Route,
    captures: Vec<(&'r str, String)>,
}

impl Route {
    /// A route answering in the REST-JSON protocol ([`Route::with_protocol`] changes it). The
    /// method is compared without regard to case.
    pub fn new(method: &str, path: &str, action: &str, resource: &str) -> Route {
        let segments = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match name.strip_suffix('+') {
                    Some(name) => Segment::Rest(name.to_owned()),
                    None => Segment::One(name.to_owned()),
                },
                None => Segment::Literal(s.to_owned()),
            })
            .collect();
        Route {
            method: method.to_ascii_uppercase(),
            segments,
            action: action.to_owned(),
            resource: resource.to_owned(),
            protocol: Protocol::RestJson,
        }
    }

    /// The protocol the service speaks, for the shape of its errors.
    pub fn with_protocol(mut self, protocol: Protocol) -> Route {
        self.protocol = protocol;
        self
    }

    /// The protocol the service speaks.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The IAM action, as given (`lambda:InvokeFunction`).
    pub fn action(&self) -> &str {
        &self.action
    }

    /// Whether `method` and `path` (as sent, percent-encoded) are this route's.
    pub fn matches(&self, method: &str, path: &str) -> Option<RouteMatch<'_>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let mut parts = path.trim_start_matches('/').split('/');
        let mut captures = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Rest(name) => {
                    let rest: Vec<&str> = parts.by_ref().collect();
                    if rest.is_empty() || rest.iter().all(|p| p.is_empty()) {
                        return None;
                    }
                    captures.push((name.as_str(), percent_decode(&rest.join("/"))));
                }
                Segment::Literal(text) => {
                    if parts.next() != Some(text.as_str()) {
                        return None;
                    }
                }
                Segment::One(name) => match parts.next() {
                    Some(part) if !part.is_empty() => captures.push((name.as_str(), percent_decode(part))),
                    _ => return None,
                },
            }
        }
        if parts.next().is_some() {
            return None;
        }
        Some(RouteMatch { route: self, captures })
    }
}

impl RouteMatch<'_> {
    /// The route.
    pub fn route(&self) -> &Route {
        self.route
    }

    /// The resource template with the captures, `{region}` and `{account}` filled in; a name
    /// the template uses but nothing supplies stays as written.
    pub fn resource(&self, region: &str, account: &str) -> String {
        let mut out = self.route.resource.clone();
        for (name, value) in
            self.captures.iter().map(|(n, v)| (*n, v.as_str())).chain([("region", region), ("account", account)])
        {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Decodes each `%XX` once; anything else stays as sent.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_segment_captures_are_decoded_and_must_not_be_empty() {
        let route = Route::new("get", "/queues/{name}", "x:Get", "arn:aws:x:{region}:{account}:q/{name}");
        let m = route.matches("GET", "/queues/a%20b").unwrap();
        assert_eq!(m.resource("eu-west-1", "222222222222"), "arn:aws:x:eu-west-1:222222222222:q/a b");
        assert!(route.matches("GET", "/queues/").is_none());
        assert!(route.matches("GET", "/queues/a/b").is_none());
        assert!(route.matches("GET", "/queue/a").is_none());
    }

    #[test]
    fn a_greedy_capture_takes_the_rest_of_the_path() {
        let route =
            Route::new("PUT", "/objects/{key+}", "x:Put", "arn:aws:x:::o/{key}").with_protocol(Protocol::RestXml);
        let m = route.matches("put", "/objects/dir/sub/file%2Etxt").unwrap();
        assert_eq!(m.resource("r", "a"), "arn:aws:x:::o/dir/sub/file.txt");
        assert!(route.matches("PUT", "/objects").is_none());
        assert_eq!(route.protocol(), Protocol::RestXml);
    }

    #[test]
    fn unknown_placeholders_stay_as_written() {
        let route = Route::new("GET", "/", "x:List", "arn:aws:x:{region}:{account}:{nothing}");
        assert_eq!(route.matches("GET", "/").unwrap().resource("r", "a"), "arn:aws:x:r:a:{nothing}");
    }
}
