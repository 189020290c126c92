//! Requests signed by `aws-sigv4` itself (the signer inside every Rust SDK client), parsed and
//! verified; AWS's documented example as an independent vector; every error's AWS answer
//! pinned.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use http::request::Parts;

use super::*;

pub(super) const AKID: &str = "AKIDEXAMPLE";
pub(super) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// `2026-11-22T20:43:22Z`.
pub(super) const T0: u64 = 1_795_380_202;

pub(super) fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// How to sign a test request.
#[derive(Clone)]
pub(super) struct Sign {
    pub(super) service: &'static str,
    pub(super) region: &'static str,
    pub(super) secret: &'static str,
    pub(super) token: Option<&'static str>,
    pub(super) time: SystemTime,
    /// S3 settings: single encoding, no normalization, `x-amz-content-sha256`.
    pub(super) s3: bool,
    /// `Some`: presign with this expiry.
    pub(super) presign: Option<Duration>,
    /// Sign this literal payload hash instead of the body (S3 streaming, UNSIGNED-PAYLOAD).
    pub(super) payload: Option<&'static str>,
}

impl Sign {
    pub(super) fn sts() -> Sign {
        Sign {
            service: "sts",
            region: "us-east-1",
            secret: SECRET,
            token: None,
            time: at(T0),
            s3: false,
            presign: None,
            payload: None,
        }
    }

    pub(super) fn s3() -> Sign {
        Sign { service: "s3", s3: true, ..Sign::sts() }
    }

    /// Signs `request` in place, exactly as the SDK's signer does.
    pub(super) fn apply(&self, request: &mut http::Request<Vec<u8>>) {
        let identity: Identity =
            Credentials::new(AKID, self.secret, self.token.map(str::to_owned), None, "test").into();
        let mut settings = SigningSettings::default();
        if self.s3 {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            if self.presign.is_none() {
                settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            }
        }
        if let Some(expires) = self.presign {
            settings.signature_location = aws_sigv4::http_request::SignatureLocation::QueryParams;
            settings.expires_in = Some(expires);
        }
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.time)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let uri = request.uri().to_string();
        let headers: Vec<(String, String)> =
            request.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
        let body = match (self.payload, self.s3 && self.presign.is_some()) {
            (Some(literal), _) => SignableBody::Precomputed(literal.to_owned()),
            (None, true) => SignableBody::UnsignedPayload,
            (None, false) => SignableBody::Bytes(request.body()),
        };
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            body,
        )
        .unwrap();
        let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(request);
    }
}

pub(super) fn split(request: http::Request<Vec<u8>>) -> (Parts, Vec<u8>) {
    request.into_parts()
}

/// An STS AssumeRole request as the SDK sends it, signed.
fn sts_request(sign: &Sign) -> (Parts, Vec<u8>) {
    let body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=sess1".to_vec();
    let mut request = http::Request::post("http://127.0.0.1:4566/")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", body.len().to_string())
        .header("x-amz-user-agent", "aws-sdk-rust/1.7.0 ua/2.1 api/sts/1.124.0")
        .body(body)
        .unwrap();
    sign.apply(&mut request);
    split(request)
}

/// An S3 PutObject request for `path` (already encoded once, as the SDK sends it), signed.
fn s3_put(sign: &Sign, path: &str, body: &[u8]) -> (Parts, Vec<u8>) {
    let mut request = http::Request::put(format!("http://127.0.0.1:1{path}?x-id=PutObject"))
        .header("content-type", "text/plain")
        .header("content-length", body.len().to_string())
        .header("x-amz-checksum-crc32", "DUoRhQ==")
        .body(body.to_vec())
        .unwrap();
    sign.apply(&mut request);
    split(request)
}

fn parsed(parts: &Parts) -> SignedRequest {
    parse(parts).unwrap().expect("signed")
}

fn verify_with(parts: &Parts, body: &[u8], secret: &str, uri: CanonicalUri) -> Result<(), AuthError> {
    let signed = parse(parts)?.expect("signed");
    verify(&signed, parts, body, secret, uri)
}

fn parts_of(builder: http::request::Builder) -> Parts {
    builder.body(()).unwrap().into_parts().0
}

#[test]
fn aws_documentation_example_verifies() {
    // "Signature Version 4 signing process" example (IAM ListUsers), computed by AWS, not by
    // aws-sigv4: an independent vector.
    let parts = parts_of(
        http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
            .header("host", "iam.amazonaws.com")
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("x-amz-date", "20150830T123600Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            ),
    );
    verify_with(&parts, b"", SECRET, CanonicalUri::Standard).unwrap();
    let signed = parsed(&parts);
    let AuthError::SignatureDoesNotMatch { string_to_sign, .. } =
        verify(&signed, &parts, b"", "wrong", CanonicalUri::Standard).unwrap_err()
    else {
        panic!()
    };
    // The string to sign of AWS's documentation.
    assert_eq!(
        string_to_sign,
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
}

#[test]
fn sts_request_signed_by_aws_sigv4_verifies_and_a_wrong_secret_is_rejected() {
    let (parts, body) = sts_request(&Sign::sts());
    let signed = parsed(&parts);
    assert_eq!(signed.access_key_id, AKID);
    assert_eq!(
        signed.scope,
        CredentialScope { date: "20261122".into(), region: "us-east-1".into(), service: "sts".into() }
    );
    assert_eq!(signed.signed_headers, ["content-length", "content-type", "host", "x-amz-date", "x-amz-user-agent"]);
    assert_eq!(signed.amz_date, at(T0));
    assert_eq!(signed.location, SignatureLocation::Header);
    verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap();
    let error =
        verify(&signed, &parts, &body, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", CanonicalUri::Standard).unwrap_err();
    assert!(matches!(error, AuthError::SignatureDoesNotMatch { .. }), "{error}");
    let sts = error.aws_error("sts");
    assert_eq!((sts.status, sts.code), (403, "SignatureDoesNotMatch"));
    assert_eq!(
        sts.message,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
}

#[test]
fn the_canonical_request_in_the_error_is_the_one_aws_sigv4_signed() {
    let (parts, body) = sts_request(&Sign::sts());
    let signed = parsed(&parts);
    let AuthError::SignatureDoesNotMatch { canonical_request, access_key_id, .. } =
        verify(&signed, &parts, &body, "x", CanonicalUri::Standard).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(access_key_id, AKID);
    let expected = format!(
        "POST\n/\n\ncontent-length:{}\ncontent-type:application/x-www-form-urlencoded\nhost:127.0.0.1:4566\nx-amz-date:20261122T204322Z\nx-amz-user-agent:aws-sdk-rust/1.7.0 ua/2.1 api/sts/1.124.0\n\ncontent-length;content-type;host;x-amz-date;x-amz-user-agent\n{}",
        body.len(),
        canonical::sha256_hex(&body)
    );
    assert_eq!(canonical_request, expected);
}

#[test]
fn session_tokens_are_parsed_and_covered_by_the_signature() {
    let sign = Sign { token: Some("FwoGZXIvYXdzEXAMPLE//token+="), ..Sign::sts() };
    let (mut parts, body) = sts_request(&sign);
    let signed = parsed(&parts);
    assert_eq!(signed.security_token.as_deref(), Some("FwoGZXIvYXdzEXAMPLE//token+="));
    assert!(signed.signed_headers.contains(&"x-amz-security-token".to_owned()));
    verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap();
    parts.headers.insert("x-amz-security-token", "FwoGZXIvYXdzEXAMPLE//token+=X".parse().unwrap());
    let tampered = parsed(&parts);
    assert_eq!(tampered.security_token.as_deref(), Some("FwoGZXIvYXdzEXAMPLE//token+=X"));
    assert!(matches!(
        verify(&tampered, &parts, &body, SECRET, CanonicalUri::Standard),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn s3_keys_with_awkward_characters_verify_on_the_raw_path() {
    for path in [
        "/demo/hello.txt",
        "/demo/x/../y.txt",
        "/demo/./z.txt",
        "/demo/a//b",
        "/demo/dir/a%20b%2Bc%25~%21%2A%27%28%29%24%40%3D%3B%3A%2C%26.txt",
        "/demo/%D0%BA%D0%BB%D1%8E%D1%87/%C3%BC.txt",
        "/demo/..",
        "/demo/.",
    ] {
        let (parts, body) = s3_put(&Sign::s3(), path, b"hello");
        assert_eq!(parts.uri.path(), path);
        let signed = parsed(&parts);
        assert_eq!(signed.content_sha256.as_deref(), Some(canonical::sha256_hex(b"hello").as_str()));
        verify(&signed, &parts, &body, SECRET, CanonicalUri::S3).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(verify(&signed, &parts, &body, "wrong", CanonicalUri::S3).is_err(), "{path}");
    }
}

#[test]
fn s3_requires_the_raw_path_not_a_normalized_one() {
    // Verified as a standard service, the dot segments would be removed: the signature no
    // longer matches. This is why S3 must not be normalized.
    let (parts, body) = s3_put(&Sign::s3(), "/demo/x/../y.txt", b"hello");
    assert!(matches!(
        verify_with(&parts, &body, SECRET, CanonicalUri::Standard),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn a_missing_host_header_is_taken_from_the_uri_without_a_default_port() {
    for uri in ["http://example.com:80/", "https://example.com:443/", "http://example.com/", "http://127.0.0.1:4566/"] {
        let mut request = http::Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"Action=GetCallerIdentity&Version=2011-06-15".to_vec())
            .unwrap();
        Sign::sts().apply(&mut request);
        let (parts, body) = split(request);
        assert!(parts.headers.get("host").is_none());
        verify_with(&parts, &body, SECRET, CanonicalUri::Standard).unwrap_or_else(|e| panic!("{uri}: {e}"));
        // A Host header, when present, wins over the URI.
        let mut with_host = parts.clone();
        with_host.headers.insert("host", "other.example".parse().unwrap());
        assert!(verify_with(&with_host, &body, SECRET, CanonicalUri::Standard).is_err(), "{uri}");
    }
}

#[test]
fn repeated_headers_and_runs_of_spaces_are_canonicalized_like_aws_sigv4() {
    let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
    let mut request = http::Request::post("http://127.0.0.1:1/")
        .header("x-amz-meta-a", "  one   two  ")
        .header("x-amz-meta-a", "three")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap();
    Sign::sts().apply(&mut request);
    let (parts, body) = split(request);
    let signed = parsed(&parts);
    verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap();
    let AuthError::SignatureDoesNotMatch { canonical_request, .. } =
        verify(&signed, &parts, &body, "x", CanonicalUri::Standard).unwrap_err()
    else {
        panic!()
    };
    assert!(canonical_request.contains("\nx-amz-meta-a:one two,three\n"), "{canonical_request}");
}

#[test]
fn presigned_s3_urls_verify_and_expire() {
    let sign = Sign { presign: Some(Duration::from_secs(300)), token: Some("FAKE//TOKEN+="), ..Sign::s3() };
    let mut request =
        http::Request::get("http://127.0.0.1:1/demo/dir/hello%20world.txt?x-id=GetObject").body(Vec::new()).unwrap();
    sign.apply(&mut request);
    let (parts, body) = split(request);
    let query = parts.uri.query().unwrap();
    assert!(query.contains("X-Amz-Signature=") && query.contains("X-Amz-Security-Token="), "{query}");
    let signed = parsed(&parts);
    assert_eq!(signed.location, SignatureLocation::Query { expires: Duration::from_secs(300) });
    assert_eq!(signed.security_token.as_deref(), Some("FAKE//TOKEN+="));
    assert_eq!(signed.signed_headers, ["host"]);
    verify(&signed, &parts, &body, SECRET, CanonicalUri::S3).unwrap();
    assert!(matches!(
        verify(&signed, &parts, &body, "wrong", CanonicalUri::S3),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));

    check_time(&signed, at(T0)).unwrap();
    check_time(&signed, at(T0 + 300)).unwrap();
    check_time(&signed, at(T0 - 900)).unwrap();
    let expired = check_time(&signed, at(T0 + 301)).unwrap_err();
    assert_eq!(
        expired.aws_error("s3"),
        AwsError {
            status: 403,
            code: "AccessDenied",
            message: "Request has expired".into(),
            extra_fields: vec![
                ("X-Amz-Expires", "300".into()),
                ("Expires", "2026-11-22T20:48:22Z".into()),
                ("ServerTime", "2026-11-22T20:48:23Z".into())
            ],
        }
    );
    let early = check_time(&signed, at(T0 - 901)).unwrap_err();
    assert_eq!(
        early.aws_error("s3"),
        AwsError {
            status: 403,
            code: "AccessDenied",
            message: "Request is not yet valid".into(),
            extra_fields: vec![
                ("X-Amz-Date", "20261122T204322Z".into()),
                ("Expires", "2026-11-22T20:48:22Z".into()),
                ("ServerTime", "2026-11-22T20:28:21Z".into())
            ],
        }
    );
}

#[test]
fn presigned_sts_requests_ignore_expires_and_use_the_skew_window() {
    let sign = Sign { presign: Some(Duration::from_secs(60)), ..Sign::sts() };
    let mut request = http::Request::get("https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15")
        .header("x-k8s-aws-id", "cluster")
        .body(Vec::new())
        .unwrap();
    sign.apply(&mut request);
    let (parts, body) = split(request);
    let signed = parsed(&parts);
    assert_eq!(signed.signed_headers, ["host", "x-k8s-aws-id"]);
    verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap();
    check_time(&signed, at(T0 + 600)).unwrap();
    let late = check_time(&signed, at(T0 + 901)).unwrap_err();
    assert_eq!(
        late.aws_error("sts").message,
        "Signature expired: 20261122T204322Z is now earlier than 20261122T204323Z (20261122T205823Z - 15 min.)"
    );
}

#[test]
fn header_signed_requests_allow_fifteen_minutes_of_skew_either_way() {
    let (parts, _) = s3_put(&Sign::s3(), "/demo/k", b"");
    let signed = parsed(&parts);
    check_time(&signed, at(T0 + 900)).unwrap();
    check_time(&signed, at(T0 - 900)).unwrap();
    let late = check_time(&signed, at(T0 + 901)).unwrap_err();
    assert_eq!(
        late.aws_error("s3"),
        AwsError {
            status: 403,
            code: "RequestTimeTooSkewed",
            message: "The difference between the request time and the current time is too large.".into(),
            extra_fields: vec![
                ("RequestTime", "20261122T204322Z".into()),
                ("ServerTime", "2026-11-22T20:58:23Z".into()),
                ("MaxAllowedSkewMilliseconds", "900000".into())
            ],
        }
    );
    let early = check_time(&signed, at(T0 - 901)).unwrap_err();
    assert_eq!(
        early.aws_error("sts").message,
        "Signature not yet current: 20261122T204322Z is still later than 20261122T204321Z (20261122T202821Z + 15 min.)"
    );
    assert_eq!(early.aws_error("sts").status, 403);
}

#[test]
fn a_date_header_stands_in_for_x_amz_date() {
    let parts = parts_of(
        http::Request::get("http://127.0.0.1:1/")
            .header("date", "Sun, 22 Nov 2026 20:43:22 GMT")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature=00"),
    );
    let signed = parsed(&parts);
    assert_eq!(signed.amz_date, at(T0));
    let AuthError::SignatureDoesNotMatch { string_to_sign, canonical_request, .. } =
        verify(&signed, &parts, b"", SECRET, CanonicalUri::Standard).unwrap_err()
    else {
        panic!()
    };
    assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20261122T204322Z\n20261122/us-east-1/sts/aws4_request\n"));
    assert!(canonical_request.contains("\ndate:Sun, 22 Nov 2026 20:43:22 GMT\nhost:127.0.0.1:1\n"));
}

#[test]
fn unsigned_requests_are_anonymous() {
    let parts = parts_of(
        http::Request::post("http://127.0.0.1:1/").header("content-type", "application/x-www-form-urlencoded"),
    );
    assert_eq!(parse(&parts).unwrap(), None);
    let parts =
        parts_of(http::Request::get("http://127.0.0.1:1/bucket/key?x-id=GetObject&X-Amz-Date=20261122T204322Z"));
    assert_eq!(parse(&parts).unwrap(), None);
}

/// Tampering with any signed part of a request is rejected.
mod tamper {
    use super::*;

    fn sts_rejects(change: impl FnOnce(&mut Parts, &mut Vec<u8>)) -> AuthError {
        let sign = Sign { token: Some("SESSIONTOKEN"), ..Sign::sts() };
        let (mut parts, mut body) = sts_request(&sign);
        verify_with(&parts, &body, SECRET, CanonicalUri::Standard).unwrap();
        change(&mut parts, &mut body);
        match parse(&parts) {
            Ok(Some(signed)) => verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap_err(),
            Ok(None) => panic!("the tampered request became anonymous"),
            Err(error) => error,
        }
    }

    fn s3_rejects(change: impl FnOnce(&mut Parts, &mut Vec<u8>)) -> AuthError {
        let (mut parts, mut body) =
            s3_put(&Sign { token: Some("SESSIONTOKEN"), ..Sign::s3() }, "/demo/dir/a%20b.txt", b"hello");
        verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap();
        change(&mut parts, &mut body);
        match parse(&parts) {
            Ok(Some(signed)) => verify(&signed, &parts, &body, SECRET, CanonicalUri::S3).unwrap_err(),
            Ok(None) => panic!("the tampered request became anonymous"),
            Err(error) => error,
        }
    }

    fn mismatch(error: &AuthError) -> bool {
        matches!(error, AuthError::SignatureDoesNotMatch { .. })
    }

    #[test]
    fn method() {
        assert!(mismatch(&sts_rejects(|p, _| p.method = http::Method::PUT)));
        assert!(mismatch(&s3_rejects(|p, _| p.method = http::Method::POST)));
    }

    #[test]
    fn path() {
        assert!(mismatch(&sts_rejects(|p, _| p.uri = "http://127.0.0.1:4566/x".parse().unwrap())));
        assert!(mismatch(&s3_rejects(
            |p, _| p.uri = "http://127.0.0.1:1/demo/dir/a%20c.txt?x-id=PutObject".parse().unwrap()
        )));
        assert!(mismatch(&s3_rejects(
            |p, _| p.uri = "http://127.0.0.1:1/demo/dir/a+b.txt?x-id=PutObject".parse().unwrap()
        )));
    }

    #[test]
    fn query() {
        assert!(mismatch(&sts_rejects(|p, _| p.uri = "http://127.0.0.1:4566/?a=b".parse().unwrap())));
        assert!(mismatch(&s3_rejects(
            |p, _| p.uri = "http://127.0.0.1:1/demo/dir/a%20b.txt?x-id=GetObject".parse().unwrap()
        )));
        assert!(mismatch(&s3_rejects(
            |p, _| p.uri = "http://127.0.0.1:1/demo/dir/a%20b.txt?x-id=PutObject&acl".parse().unwrap()
        )));
        assert!(mismatch(&s3_rejects(|p, _| p.uri = "http://127.0.0.1:1/demo/dir/a%20b.txt".parse().unwrap())));
    }

    #[test]
    fn host() {
        assert!(mismatch(&sts_rejects(|p, _| p.uri = "http://127.0.0.1:4567/".parse().unwrap())));
        assert!(mismatch(&s3_rejects(|p, _| {
            p.headers.insert("host", "evil.example".parse().unwrap());
        })));
    }

    #[test]
    fn each_signed_header_changed_or_removed() {
        let (parts, _) = sts_request(&Sign { token: Some("SESSIONTOKEN"), ..Sign::sts() });
        let signed = parsed(&parts);
        for name in signed.signed_headers.iter().filter(|n| *n != "host" && *n != "x-amz-date") {
            let changed = sts_rejects(|p, _| {
                let old = p.headers.get(name.as_str()).unwrap().to_str().unwrap().to_owned();
                p.headers
                    .insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), format!("{old}x").parse().unwrap());
            });
            assert!(mismatch(&changed), "{name}: {changed}");
            let removed = sts_rejects(|p, _| {
                p.headers.remove(name.as_str());
            });
            assert!(mismatch(&removed), "{name}: {removed}");
        }
        let (parts, _) = s3_put(&Sign { token: Some("SESSIONTOKEN"), ..Sign::s3() }, "/demo/k", b"hello");
        let signed = parsed(&parts);
        assert!(signed.signed_headers.contains(&"x-amz-checksum-crc32".to_owned()));
        for name in
            signed.signed_headers.iter().filter(|n| *n != "host" && *n != "x-amz-date" && *n != "x-amz-content-sha256")
        {
            let changed = s3_rejects(|p, _| {
                p.headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), "tampered".parse().unwrap());
            });
            assert!(mismatch(&changed), "{name}: {changed}");
        }
    }

    #[test]
    fn body() {
        // STS: the payload hash is the body's, so any change breaks the signature.
        assert!(mismatch(&sts_rejects(|_, b| b.extend_from_slice(b"&DurationSeconds=43200"))));
        // S3: the signed x-amz-content-sha256 no longer matches the body.
        let error = s3_rejects(|_, b| b.push(b'!'));
        assert!(matches!(error, AuthError::ContentSha256Mismatch { .. }), "{error}");
        let s3 = error.aws_error("s3");
        assert_eq!((s3.status, s3.code), (400, "XAmzContentSHA256Mismatch"));
        assert_eq!(s3.extra_fields[1], ("S3ComputedContentSHA256", canonical::sha256_hex(b"hello!")));
        // Changing the declared hash along with the body breaks the signature instead.
        let error = s3_rejects(|p, b| {
            b.push(b'!');
            p.headers.insert("x-amz-content-sha256", canonical::sha256_hex(b).parse().unwrap());
        });
        assert!(mismatch(&error), "{error}");
    }

    #[test]
    fn date() {
        assert!(mismatch(&sts_rejects(|p, _| {
            p.headers.insert("x-amz-date", "20261122T204323Z".parse().unwrap());
        })));
        let error = s3_rejects(|p, _| {
            p.headers.insert("x-amz-date", "20261123T000000Z".parse().unwrap());
        });
        assert!(matches!(error, AuthError::CredentialDateMismatch { .. }), "{error}");
    }

    #[test]
    fn signature() {
        for change in ["0000000000000000000000000000000000000000000000000000000000000000", "", "zz"] {
            let error = sts_rejects(|p, _| {
                let header = p.headers.get("authorization").unwrap().to_str().unwrap();
                let (head, _) = header.rsplit_once("Signature=").unwrap();
                p.headers.insert("authorization", format!("{head}Signature={change}").parse().unwrap());
            });
            assert!(mismatch(&error), "{change}: {error}");
        }
        // Uppercase hex is not what was signed.
        let error = sts_rejects(|p, _| {
            let header = p.headers.get("authorization").unwrap().to_str().unwrap().to_owned();
            let (head, signature) = header.rsplit_once("Signature=").unwrap();
            p.headers.insert(
                "authorization",
                format!("{head}Signature={}", signature.to_ascii_uppercase()).parse().unwrap(),
            );
        });
        assert!(mismatch(&error), "{error}");
    }

    #[test]
    fn signed_headers_list() {
        let error = sts_rejects(|p, _| {
            let header = p.headers.get("authorization").unwrap().to_str().unwrap();
            p.headers.insert("authorization", header.replace("content-length;", "").parse().unwrap());
        });
        assert!(mismatch(&error), "{error}");
    }

    #[test]
    fn token() {
        assert!(mismatch(&sts_rejects(|p, _| {
            p.headers.insert("x-amz-security-token", "OTHERTOKEN".parse().unwrap());
        })));
        assert!(mismatch(&sts_rejects(|p, _| {
            p.headers.remove("x-amz-security-token");
        })));
    }

    #[test]
    fn access_key_is_bound_by_the_callers_lookup_not_by_the_signature() {
        // SigV4's string to sign holds the scope but not the key id: renaming the key with the
        // same secret still verifies. The caller looks the secret up by `access_key_id`, so a
        // renamed key fails there (unknown key, or another key's secret).
        let (mut parts, body) = sts_request(&Sign::sts());
        let header =
            parts.headers.get("authorization").unwrap().to_str().unwrap().replace("AKIDEXAMPLE", "AKIDEXAMPLF");
        parts.headers.insert("authorization", header.parse().unwrap());
        let signed = parsed(&parts);
        assert_eq!(signed.access_key_id, "AKIDEXAMPLF");
        verify(&signed, &parts, &body, SECRET, CanonicalUri::Standard).unwrap();
        assert!(mismatch(
            &verify(&signed, &parts, &body, "the other key's secret", CanonicalUri::Standard).unwrap_err()
        ));
    }

    #[test]
    fn presigned_query() {
        let sign = Sign { presign: Some(Duration::from_secs(300)), token: Some("TOKEN"), ..Sign::s3() };
        let mut request = http::Request::get("http://127.0.0.1:1/demo/k?x-id=GetObject").body(Vec::new()).unwrap();
        sign.apply(&mut request);
        let (parts, body) = split(request);
        verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap();
        let query = parts.uri.query().unwrap().to_owned();
        for (from, to) in [
            ("X-Amz-Expires=300", "X-Amz-Expires=3000"),
            ("x-id=GetObject", "x-id=PutObject"),
            ("X-Amz-Security-Token=TOKEN", "X-Amz-Security-Token=TOKEM"),
            ("X-Amz-Date=20261122T204322Z", "X-Amz-Date=20261122T204323Z"),
        ] {
            assert!(query.contains(from), "{query}");
            let mut tampered = parts.clone();
            tampered.uri = format!("http://127.0.0.1:1/demo/k?{}", query.replace(from, to)).parse().unwrap();
            assert!(
                matches!(
                    verify_with(&tampered, &body, SECRET, CanonicalUri::S3),
                    Err(AuthError::SignatureDoesNotMatch { .. })
                ),
                "{to}"
            );
        }
        let mut tampered = parts.clone();
        tampered.uri = format!("http://127.0.0.1:1/demo/k?{query}&extra=1").parse().unwrap();
        assert!(matches!(
            verify_with(&tampered, &body, SECRET, CanonicalUri::S3),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
        let mut tampered = parts.clone();
        tampered.uri = format!("http://127.0.0.1:1/demo/j?{query}").parse().unwrap();
        assert!(matches!(
            verify_with(&tampered, &body, SECRET, CanonicalUri::S3),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
        let mut tampered = parts.clone();
        tampered.method = http::Method::DELETE;
        assert!(matches!(
            verify_with(&tampered, &body, SECRET, CanonicalUri::S3),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
    }
}

/// S3's own rules: `x-amz-content-sha256` and signed `x-amz-*` headers.
mod s3_rules {
    use super::*;

    #[test]
    fn content_sha256_is_required_valid_and_signed() {
        let (mut parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hello");
        parts.headers.remove("x-amz-content-sha256");
        let error = verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap_err();
        assert_eq!(error, AuthError::MissingContentSha256);
        assert_eq!(
            error.aws_error("s3"),
            AwsError {
                status: 400,
                code: "InvalidRequest",
                message: "Missing required header for this request: x-amz-content-sha256".into(),
                extra_fields: vec![]
            }
        );

        let (mut parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hello");
        parts.headers.insert("x-amz-content-sha256", "GIBBERISH".parse().unwrap());
        let error = verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap_err();
        let s3 = error.aws_error("s3");
        assert_eq!((s3.status, s3.code), (400, "InvalidArgument"));
        assert_eq!(
            s3.extra_fields,
            vec![("ArgumentName", "x-amz-content-sha256".into()), ("ArgumentValue", "GIBBERISH".into())]
        );

        let (mut parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hello");
        let header = parts.headers.get("authorization").unwrap().to_str().unwrap().replace(";x-amz-content-sha256", "");
        parts.headers.insert("authorization", header.parse().unwrap());
        let error = verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap_err();
        assert_eq!(error, AuthError::ContentSha256NotSigned);
        assert_eq!(error.aws_error("s3").message, "header 'x-amz-content-sha256' must be included in signature");
    }

    #[test]
    fn unsigned_amz_headers_are_rejected() {
        let (mut parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hello");
        parts.headers.insert("x-amz-acl", "public-read".parse().unwrap());
        parts.headers.insert("x-amz-meta-b", "1".parse().unwrap());
        let error = verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap_err();
        assert_eq!(error, AuthError::HeadersNotSigned { headers: vec!["x-amz-acl".into(), "x-amz-meta-b".into()] });
        assert_eq!(
            error.aws_error("s3"),
            AwsError {
                status: 403,
                code: "AccessDenied",
                message: "There were headers present in the request which were not signed".into(),
                extra_fields: vec![("HeadersNotSigned", "x-amz-acl, x-amz-meta-b".into())],
            }
        );
        // Headers the SDK adds after signing are not x-amz-*.
        let (mut parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hello");
        parts.headers.insert("amz-sdk-invocation-id", "1".parse().unwrap());
        parts.headers.insert("x-amzn-trace-id", "1".parse().unwrap());
        parts.headers.insert("user-agent", "x".parse().unwrap());
        verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap();
    }

    #[test]
    fn literal_payload_hashes_are_signed_as_is() {
        for literal in
            ["UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"]
        {
            let mut request = http::Request::put("http://127.0.0.1:1/demo/k?x-id=PutObject")
                .header("x-amz-content-sha256", literal)
                .body(b"whatever the body is".to_vec())
                .unwrap();
            let sign = Sign { payload: Some(literal), ..Sign::s3() };
            sign.apply(&mut request);
            let (parts, body) = split(request);
            let signed = parsed(&parts);
            assert_eq!(signed.content_sha256.as_deref(), Some(literal));
            verify(&signed, &parts, &body, SECRET, CanonicalUri::S3).unwrap_or_else(|e| panic!("{literal}: {e}"));
        }
    }

    #[test]
    fn host_must_be_signed() {
        let parts = parts_of(
            http::Request::get("http://127.0.0.1:1/")
                .header("x-amz-date", "20261122T204322Z")
                .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request, SignedHeaders=, Signature=00"),
        );
        let error = verify_with(&parts, b"", SECRET, CanonicalUri::Standard).unwrap_err();
        assert_eq!(error, AuthError::HostNotSigned);
        assert_eq!(
            error.aws_error("sts").message,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        );
        assert_eq!(error.aws_error("s3").extra_fields, vec![("HeadersNotSigned", "host".into())]);
    }
}

/// Malformed signatures: parse errors and AWS's answer to each.
mod malformed {
    use super::*;

    fn header(value: &str) -> AuthError {
        parse(&parts_of(
            http::Request::get("http://127.0.0.1:1/")
                .header("x-amz-date", "20261122T204322Z")
                .header("authorization", value),
        ))
        .unwrap_err()
    }

    fn query(query: &str) -> AuthError {
        parse(&parts_of(http::Request::get(format!("http://127.0.0.1:1/b/k?{query}")))).unwrap_err()
    }

    const GOOD: &str =
        "Credential=AKIDEXAMPLE/20261122/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

    #[test]
    fn other_authorization_schemes() {
        for value in [
            "AWS AKIDEXAMPLE:c2lnbmF0dXJl",
            "Bearer eyJhbGciOi",
            "AWS4-ECDSA-P256-SHA256 Credential=x",
            "AWS4-HMAC-SHA256Credential=x",
        ] {
            let error = header(value);
            assert_eq!(error, AuthError::UnsupportedAlgorithm { value: value.into(), placement: Placement::Header });
            assert_eq!(
                error.aws_error("s3"),
                AwsError {
                    status: 400,
                    code: "InvalidArgument",
                    message: "Unsupported Authorization Type".into(),
                    extra_fields: vec![("ArgumentName", "Authorization".into()), ("ArgumentValue", value.into())],
                }
            );
            let sts = error.aws_error("sts");
            assert_eq!((sts.status, sts.code), (400, "IncompleteSignature"));
            assert_eq!(
                sts.message,
                format!(
                    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={value}"
                )
            );
        }
    }

    #[test]
    fn missing_components() {
        let value = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request";
        let error = header(value);
        assert_eq!(
            error,
            AuthError::IncompleteSignature { missing: vec!["Signature", "SignedHeaders"], header: value.into() }
        );
        assert_eq!(
            error.aws_error("sts").message,
            format!(
                "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={value}"
            )
        );
        assert_eq!(error.aws_error("s3").code, "AuthorizationHeaderMalformed");
        assert_eq!(
            error.aws_error("s3").message,
            "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."
        );
    }

    #[test]
    fn missing_date() {
        let value = format!("AWS4-HMAC-SHA256 {GOOD}");
        let error = parse(&parts_of(http::Request::get("http://127.0.0.1:1/").header("authorization", value.as_str())))
            .unwrap_err();
        assert_eq!(error, AuthError::IncompleteSignature { missing: vec!["Date"], header: value.clone() });
        assert_eq!(
            error.aws_error("s3"),
            AwsError {
                status: 403,
                code: "AccessDenied",
                message: "AWS authentication requires a valid Date or x-amz-date header".into(),
                extra_fields: vec![]
            }
        );
        assert_eq!(
            error.aws_error("sts").message,
            format!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={value}"
            )
        );
    }

    #[test]
    fn invalid_dates() {
        for date in ["2026-11-22T20:43:22Z", "20261122T204322", "garbage", "19691231T235959Z X"] {
            let value = format!("AWS4-HMAC-SHA256 {GOOD}");
            let error = parse(&parts_of(
                http::Request::get("http://127.0.0.1:1/").header("x-amz-date", date).header("authorization", value),
            ))
            .unwrap_err();
            assert_eq!(error, AuthError::InvalidDate { value: date.into(), placement: Placement::Header });
            assert_eq!(error.aws_error("s3").code, "AccessDenied");
            assert_eq!(
                error.aws_error("sts").message,
                format!(
                    "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
                )
            );
        }
    }

    #[test]
    fn component_without_equals() {
        let value =
            "AWS4-HMAC-SHA256 AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00";
        let error = header(value);
        assert_eq!(
            error,
            AuthError::MalformedComponent {
                component: "AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request".into(),
                header: value.into()
            }
        );
        assert_eq!(
            error.aws_error("sts").message,
            format!(
                "'AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
            )
        );
        assert_eq!(
            error.aws_error("s3").message,
            "The authorization header is malformed; the authorization component \"AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request\" is malformed."
        );
    }

    #[test]
    fn malformed_credentials() {
        for credential in [
            "AKIDEXAMPLE/20261122/us-east-1/s3",
            "AKIDEXAMPLE/20261122/us-east-1/s3/aws4_request/x",
            "/20261122/us-east-1/s3/aws4_request",
            "AKIDEXAMPLE/2026-11-22/us-east-1/s3/aws4_request",
            "AKIDEXAMPLE/20261122/us-east-1/s3/aws5_request",
            "AKIDEXAMPLE/20261122//s3/aws4_request",
        ] {
            let error = header(&format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"));
            assert_eq!(
                error,
                AuthError::MalformedCredential { credential: credential.into(), placement: Placement::Header }
            );
            assert_eq!(
                error.aws_error("s3").message,
                "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
            );
        }
    }

    #[test]
    fn credential_date_must_be_the_request_day() {
        let error = header(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
        );
        assert_eq!(
            error.aws_error("s3").message,
            "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
        );
        assert_eq!(
            error.aws_error("sts").message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T204322Z'."
        );
    }

    #[test]
    fn both_mechanisms() {
        let error = parse(&parts_of(
            http::Request::get("http://127.0.0.1:1/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256")
                .header("authorization", format!("AWS4-HMAC-SHA256 {GOOD}")),
        ))
        .unwrap_err();
        assert_eq!(error, AuthError::MultipleAuthMechanisms);
        assert_eq!(error.aws_error("s3").code, "InvalidArgument");
    }

    const PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T204322Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=00";

    #[test]
    fn presigned_urls_parse() {
        let signed =
            parse(&parts_of(http::Request::get(format!("http://127.0.0.1:1/b/k?{PRESIGNED}")))).unwrap().unwrap();
        assert_eq!(signed.access_key_id, AKID);
        assert_eq!(signed.scope.service, "s3");
        assert_eq!(signed.location, SignatureLocation::Query { expires: Duration::from_secs(300) });
        assert_eq!(signed.signature, "00");
        assert_eq!(signed.security_token, None);
    }

    #[test]
    fn presigned_urls_missing_parameters() {
        for drop in PRESIGNED_PARAMETERS {
            let query: Vec<&str> = PRESIGNED.split('&').filter(|p| !p.starts_with(&format!("{drop}="))).collect();
            let error = query_error_for(&query.join("&"));
            assert_eq!(error, AuthError::MissingQueryParameters { missing: vec![drop] }, "{drop}");
            assert_eq!(
                error.aws_error("s3"),
                AwsError {
                    status: 400,
                    code: "AuthorizationQueryParametersError",
                    message: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.".into(),
                    extra_fields: vec![],
                }
            );
        }
        assert_eq!(
            query("X-Amz-Signature="),
            AuthError::MissingQueryParameters { missing: PRESIGNED_PARAMETERS.to_vec() }
        );
    }

    fn query_error_for(q: &str) -> AuthError {
        query(q)
    }

    #[test]
    fn presigned_expires_values() {
        for (value, problem, message) in [
            (
                "604801",
                ExpiresProblem::TooLarge,
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
            ),
            (
                "99999999999999999999999",
                ExpiresProblem::TooLarge,
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
            ),
            ("-1", ExpiresProblem::Negative, "X-Amz-Expires must be non-negative"),
            ("abc", ExpiresProblem::NotANumber, "X-Amz-Expires should be a number"),
            ("1.5", ExpiresProblem::NotANumber, "X-Amz-Expires should be a number"),
            ("-", ExpiresProblem::NotANumber, "X-Amz-Expires should be a number"),
        ] {
            let error = query(&PRESIGNED.replace("X-Amz-Expires=300", &format!("X-Amz-Expires={value}")));
            assert_eq!(error, AuthError::InvalidExpires { value: value.into(), problem }, "{value}");
            assert_eq!(error.aws_error("s3").message, message);
        }
        let week = parse(&parts_of(http::Request::get(format!(
            "http://127.0.0.1:1/b/k?{}",
            PRESIGNED.replace("X-Amz-Expires=300", "X-Amz-Expires=604800")
        ))))
        .unwrap()
        .unwrap();
        assert_eq!(week.location, SignatureLocation::Query { expires: Duration::from_secs(604_800) });
        check_time(&week, at(T0 + 604_800)).unwrap();
        assert!(matches!(check_time(&week, at(T0 + 604_801)), Err(AuthError::PresignedExpired { .. })));
    }

    #[test]
    fn presigned_algorithm_credential_and_date() {
        let error = query(&PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"));
        assert_eq!(
            error,
            AuthError::UnsupportedAlgorithm { value: "AWS4-ECDSA-P256-SHA256".into(), placement: Placement::Query }
        );
        assert_eq!(error.aws_error("s3").message, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        let error = query(&PRESIGNED.replace("%2Fs3%2Faws4_request", "%2Fs3"));
        assert_eq!(error.aws_error("s3").code, "AuthorizationQueryParametersError");
        assert!(matches!(error, AuthError::MalformedCredential { placement: Placement::Query, .. }));
        let error = query(&PRESIGNED.replace("X-Amz-Date=20261122T204322Z", "X-Amz-Date=2026-11-22"));
        assert_eq!(
            error.aws_error("s3").message,
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        );
        let error = query(&PRESIGNED.replace("X-Amz-Date=20261122T204322Z", "X-Amz-Date=20261123T000000Z"));
        assert!(matches!(error, AuthError::CredentialDateMismatch { placement: Placement::Query, .. }));
    }

    #[test]
    fn scope_checks() {
        let signed =
            parse(&parts_of(http::Request::get(format!("http://127.0.0.1:1/b/k?{PRESIGNED}")))).unwrap().unwrap();
        check_scope(&signed, "us-east-1", "s3").unwrap();
        let region = check_scope(&signed, "eu-west-1", "s3").unwrap_err();
        assert_eq!(
            region.aws_error("s3"),
            AwsError {
                status: 400,
                code: "AuthorizationQueryParametersError",
                message: "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'".into(),
                extra_fields: vec![("Region", "eu-west-1".into())],
            }
        );
        assert_eq!(region.aws_error("sts").message, "Credential should be scoped to a valid region, not 'us-east-1'. ");
        let service = check_scope(&signed, "us-east-1", "sts").unwrap_err();
        assert_eq!(
            service.aws_error("sts"),
            AwsError {
                status: 403,
                code: "SignatureDoesNotMatch",
                message: "Credential should be scoped to correct service: 'sts'. ".into(),
                extra_fields: vec![]
            }
        );
    }

    #[test]
    fn s3_signature_mismatch_lists_everything_s3_does() {
        let (parts, body) = s3_put(&Sign::s3(), "/demo/k", b"hi");
        let error = verify_with(&parts, &body, "wrong", CanonicalUri::S3).unwrap_err();
        let s3 = error.aws_error("s3");
        assert_eq!((s3.status, s3.code), (403, "SignatureDoesNotMatch"));
        assert_eq!(
            s3.message,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        );
        let names: Vec<&str> = s3.extra_fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "AWSAccessKeyId",
                "StringToSign",
                "SignatureProvided",
                "StringToSignBytes",
                "CanonicalRequest",
                "CanonicalRequestBytes"
            ]
        );
        assert!(
            s3.extra_fields[3].1.starts_with("41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a 32 30"),
            "{}",
            s3.extra_fields[3].1
        );
        assert_eq!(s3.extra_fields[0].1, AKID);
    }
}

/// Nothing panics on hand-built claims either.
#[test]
fn hand_built_claims_with_impossible_values_do_not_panic() {
    let parts = parts_of(http::Request::get("http://127.0.0.1:1/"));
    let signed = SignedRequest {
        access_key_id: String::new(),
        scope: CredentialScope { date: "nonsense".into(), region: String::new(), service: "s3".into() },
        signed_headers: vec!["host".into(), "Bad Name".into(), "".into()],
        signature: String::new(),
        amz_date: UNIX_EPOCH + Duration::from_secs(u64::MAX / 2),
        location: SignatureLocation::Query { expires: Duration::MAX },
        security_token: None,
        content_sha256: None,
    };
    assert!(verify(&signed, &parts, b"", SECRET, CanonicalUri::S3).is_err());
    assert!(verify(&signed, &parts, b"", SECRET, CanonicalUri::Standard).is_err());
    for now in [UNIX_EPOCH, at(T0), UNIX_EPOCH + Duration::from_secs(u64::MAX / 2)] {
        if let Err(error) = check_time(&signed, now) {
            let _ = (error.to_string(), error.aws_error("s3"), error.aws_error("sts"));
        }
        let header = SignedRequest { location: SignatureLocation::Header, ..signed.clone() };
        if let Err(error) = check_time(&header, now) {
            let _ = (error.to_string(), error.aws_error("s3"), error.aws_error("sts"));
        }
    }
}

/// `aws-chunked` bodies, signed with `aws_sigv4::sign::v4::{sign_chunk, sign_trailer}`.
mod chunked_bodies {
    use aws_smithy_runtime_api::http::Headers;
    use bytes::Bytes;

    use super::*;
    use crate::auth::chunked::{self, DecodedBody};

    const TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    const PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const UNSIGNED: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    fn crc32(data: &[u8]) -> String {
        let mut checksum = aws_smithy_checksums::ChecksumAlgorithm::Crc32.into_impl();
        checksum.update(data);
        aws_smithy_types::base64::encode(checksum.finalize())
    }

    /// A signed upload request (headers as the SDK sends them) and its seed signature.
    fn upload(mode: &'static str, decoded_length: usize, trailer: Option<&str>) -> (Parts, String) {
        let mut builder = http::Request::put("http://127.0.0.1:1/demo/file.bin?x-id=PutObject")
            .header("content-encoding", "aws-chunked")
            .header("x-amz-content-sha256", mode)
            .header("x-amz-decoded-content-length", decoded_length.to_string());
        if let Some(trailer) = trailer {
            builder = builder.header("x-amz-trailer", trailer).header("x-amz-sdk-checksum-algorithm", "CRC32");
        }
        let mut request = builder.body(Vec::new()).unwrap();
        Sign { payload: Some(mode), ..Sign::s3() }.apply(&mut request);
        let (parts, _) = split(request);
        let seed = parsed(&parts).signature;
        (parts, seed)
    }

    /// Encodes `chunks` (plus the final empty chunk) and `trailers`, signing as aws-sigv4 does
    /// when `signed`.
    fn encode(
        seed: &str,
        secret: &'static str,
        chunks: &[&[u8]],
        trailers: Option<&[(&str, &str)]>,
        signed: bool,
    ) -> Vec<u8> {
        let identity: Identity = Credentials::new(AKID, secret, None, None, "test").into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(at(T0))
            .settings(())
            .build()
            .unwrap();
        let mut body = Vec::new();
        let mut previous = seed.to_owned();
        for chunk in chunks.iter().copied().chain([&b""[..]]) {
            if signed {
                let signature = aws_sigv4::sign::v4::sign_chunk(&Bytes::copy_from_slice(chunk), &previous, &params)
                    .unwrap()
                    .into_parts()
                    .1;
                body.extend_from_slice(format!("{:x};chunk-signature={signature}\r\n", chunk.len()).as_bytes());
                previous = signature;
            } else {
                body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            }
            if !chunk.is_empty() {
                body.extend_from_slice(chunk);
                body.extend_from_slice(b"\r\n");
            }
        }
        match trailers {
            Some(trailers) => {
                let mut headers = Headers::new();
                for (name, value) in trailers {
                    body.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
                    headers.insert(name.to_string(), value.to_string());
                }
                if signed {
                    let signature =
                        aws_sigv4::sign::v4::sign_trailer(&headers, &previous, &params).unwrap().into_parts().1;
                    body.extend_from_slice(format!("x-amz-trailer-signature:{signature}\r\n").as_bytes());
                }
                body.extend_from_slice(b"\r\n");
            }
            None => body.extend_from_slice(b"\r\n"),
        }
        body
    }

    fn decode(parts: &Parts, body: &[u8]) -> Result<Option<DecodedBody>, AuthError> {
        chunked::decode(&parsed(parts), parts, body, SECRET)
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect()
    }

    #[test]
    fn signed_chunks_with_a_checksum_trailer_decode() {
        let data = data(200_000);
        let chunks: Vec<&[u8]> = data.chunks(65_536).collect();
        assert_eq!(chunks.len(), 4);
        let (parts, seed) = upload(TRAILER, data.len(), Some("x-amz-checksum-crc32"));
        let checksum = crc32(&data);
        let body = encode(&seed, SECRET, &chunks, Some(&[("x-amz-checksum-crc32", &checksum)]), true);
        verify_with(&parts, &body, SECRET, CanonicalUri::S3).unwrap();
        let decoded = decode(&parts, &body).unwrap().unwrap();
        assert_eq!(decoded.data, data);
        assert_eq!(decoded.trailers, vec![("x-amz-checksum-crc32".to_owned(), checksum)]);
    }

    #[test]
    fn the_sdk_body_shape_of_wire_md_decodes() {
        // `11;chunk-signature=…\r\nhello from a file\r\n0;chunk-signature=…\r\nx-amz-checksum-crc32:bbVOhg==\r\nx-amz-trailer-signature:…\r\n\r\n`
        let (parts, seed) = upload(TRAILER, 17, Some("x-amz-checksum-crc32"));
        let body = encode(&seed, SECRET, &[b"hello from a file"], Some(&[("x-amz-checksum-crc32", "bbVOhg==")]), true);
        assert!(body.starts_with(b"11;chunk-signature="));
        let decoded = decode(&parts, &body).unwrap().unwrap();
        assert_eq!(decoded.data, b"hello from a file");
    }

    #[test]
    fn signed_chunks_without_trailer_decode() {
        let (parts, seed) = upload(PAYLOAD, 11, None);
        let body = encode(&seed, SECRET, &[b"hello", b" world"], None, true);
        assert_eq!(decode(&parts, &body).unwrap().unwrap().data, b"hello world");
        assert!(decode(&parts, &body[..body.len() - 2]).is_err());
    }

    #[test]
    fn unsigned_chunks_with_a_trailer_decode() {
        let (parts, seed) = upload(UNSIGNED, 5, Some("x-amz-checksum-crc32"));
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[("x-amz-checksum-crc32", "NhCmhg==")]), false);
        assert_eq!(body, b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n");
        assert_eq!(decode(&parts, &body).unwrap().unwrap().data, b"hello");
    }

    #[test]
    fn chunks_signed_with_another_secret_are_rejected_at_the_first_chunk() {
        let (parts, seed) = upload(TRAILER, 11, Some("x-amz-checksum-crc32"));
        let body = encode(
            &seed,
            "another secret",
            &[b"hello", b" world"],
            Some(&[("x-amz-checksum-crc32", &crc32(b"hello world"))]),
            true,
        );
        let error = decode(&parts, &body).unwrap_err();
        let AuthError::ChunkSignatureDoesNotMatch { part, string_to_sign, .. } = &error else { panic!("{error}") };
        assert_eq!(part, "chunk 1");
        assert!(string_to_sign.starts_with(&format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n20261122T204322Z\n20261122/us-east-1/s3/aws4_request\n{seed}\n"
        )));
        let s3 = error.aws_error("s3");
        assert_eq!((s3.status, s3.code), (403, "SignatureDoesNotMatch"));
    }

    #[test]
    fn a_changed_data_byte_breaks_that_chunks_signature() {
        let (parts, seed) = upload(TRAILER, 11, Some("x-amz-checksum-crc32"));
        let mut body = encode(
            &seed,
            SECRET,
            &[b"hello", b" world"],
            Some(&[("x-amz-checksum-crc32", &crc32(b"hello world"))]),
            true,
        );
        let at = body.windows(6).position(|w| w == b" world").unwrap();
        body[at + 1] = b'W';
        let error = decode(&parts, &body).unwrap_err();
        assert!(matches!(&error, AuthError::ChunkSignatureDoesNotMatch { part, .. } if part == "chunk 2"), "{error}");
    }

    #[test]
    fn reordered_chunks_break_the_chain() {
        let (parts, seed) = upload(PAYLOAD, 10, None);
        let body = encode(&seed, SECRET, &[b"hello", b"world"], None, true);
        let text = String::from_utf8(body).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // [h1, hello, h2, world, h0, "", ""] → swap the two chunks.
        let swapped = format!("{}\r\n{}\r\n{}\r\n{}\r\n{}\r\n\r\n", lines[2], lines[3], lines[0], lines[1], lines[4]);
        assert!(matches!(decode(&parts, swapped.as_bytes()), Err(AuthError::ChunkSignatureDoesNotMatch { .. })));
    }

    #[test]
    fn trailer_values_and_signatures_are_covered() {
        let (parts, seed) = upload(TRAILER, 5, Some("x-amz-checksum-crc32"));
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[("x-amz-checksum-crc32", "NhCmhg==")]), true);
        decode(&parts, &body).unwrap();
        let text = String::from_utf8(body).unwrap();
        let changed = text.replace("x-amz-checksum-crc32:NhCmhg==", "x-amz-checksum-crc32:AAAAAA==");
        let error = decode(&parts, changed.as_bytes()).unwrap_err();
        assert!(
            matches!(&error, AuthError::ChunkSignatureDoesNotMatch { part, .. } if part == "the trailer"),
            "{error}"
        );
        let (head, signature) = text.rsplit_once("x-amz-trailer-signature:").unwrap();
        let forged = format!("{head}x-amz-trailer-signature:{}{}", "0".repeat(64), &signature[64..]);
        assert!(matches!(decode(&parts, forged.as_bytes()), Err(AuthError::ChunkSignatureDoesNotMatch { .. })));
        let unsigned = format!("{head}\r\n");
        assert!(matches!(decode(&parts, unsigned.as_bytes()), Err(AuthError::MalformedChunkedBody { .. })));
    }

    #[test]
    fn trailer_checksums_are_checked_for_every_algorithm() {
        let crc64 = {
            let mut checksum = aws_smithy_checksums::ChecksumAlgorithm::Crc64Nvme.into_impl();
            checksum.update(b"hello");
            aws_smithy_types::base64::encode(checksum.finalize())
        };
        for (name, good) in [
            ("x-amz-checksum-crc32", "NhCmhg==".to_owned()),
            ("x-amz-checksum-crc32c", "mnG7TA==".to_owned()),
            ("x-amz-checksum-sha1", "qvTGHdzF6KLavt4PO0gs2a6pQ00=".to_owned()),
            ("x-amz-checksum-sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=".to_owned()),
            ("x-amz-checksum-crc64nvme", crc64),
        ] {
            let (parts, seed) = upload(UNSIGNED, 5, Some(name));
            let body = encode(&seed, SECRET, &[b"hello"], Some(&[(name, &good)]), false);
            decode(&parts, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
            let bad = encode(&seed, SECRET, &[b"hellO"], Some(&[(name, &good)]), false);
            let error = decode(&parts, &bad).unwrap_err();
            assert!(matches!(error, AuthError::ChecksumMismatch { .. }), "{name}: {error}");
            let algorithm = name.trim_start_matches("x-amz-checksum-").to_ascii_uppercase();
            assert_eq!(
                error.aws_error("s3"),
                AwsError {
                    status: 400,
                    code: "BadDigest",
                    message: format!("The {algorithm} you specified did not match the calculated checksum."),
                    extra_fields: vec![]
                }
            );
        }
    }

    #[test]
    fn invalid_checksum_values_are_rejected() {
        for value in ["not base64!", "AAAA", "AAAAAAAAAAAA"] {
            let (parts, seed) = upload(UNSIGNED, 5, Some("x-amz-checksum-crc32"));
            let body = encode(&seed, SECRET, &[b"hello"], Some(&[("x-amz-checksum-crc32", value)]), false);
            let error = decode(&parts, &body).unwrap_err();
            assert_eq!(
                error,
                AuthError::InvalidChecksum { header: "x-amz-checksum-crc32".into(), value: value.into() }
            );
            assert_eq!(error.aws_error("s3").message, "Value for x-amz-checksum-crc32 trailing header is invalid.");
        }
    }

    #[test]
    fn declared_lengths_and_trailers_are_enforced() {
        let (parts, seed) = upload(UNSIGNED, 6, Some("x-amz-checksum-crc32"));
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[("x-amz-checksum-crc32", "NhCmhg==")]), false);
        let error = decode(&parts, &body).unwrap_err();
        assert_eq!(error, AuthError::DecodedLengthMismatch { declared: "6".into(), actual: 5 });
        assert_eq!(error.aws_error("s3").code, "IncompleteBody");

        let (parts, seed) = upload(UNSIGNED, 5, Some("x-amz-checksum-sha256"));
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[("x-amz-checksum-crc32", "NhCmhg==")]), false);
        assert_eq!(
            decode(&parts, &body).unwrap_err(),
            AuthError::MissingTrailer { header: "x-amz-checksum-sha256".into() }
        );

        let (parts, seed) = upload(UNSIGNED, 5, Some("x-amz-meta-foo"));
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[]), false);
        let error = decode(&parts, &body).unwrap_err();
        assert_eq!(error, AuthError::UnsupportedTrailer { header: "x-amz-meta-foo".into() });

        let (mut parts, seed) = upload(UNSIGNED, 5, None);
        parts.headers.remove("x-amz-decoded-content-length");
        let body = encode(&seed, SECRET, &[b"hello"], Some(&[]), false);
        let error = decode(&parts, &body).unwrap_err();
        assert_eq!(error, AuthError::MissingDecodedContentLength);
        assert_eq!((error.aws_error("s3").status, error.aws_error("s3").code), (411, "MissingContentLength"));
    }

    #[test]
    fn malformed_framing_is_rejected() {
        let (parts, _) = upload(UNSIGNED, 5, None);
        for body in [
            &b""[..],
            b"5\r\nhel",
            b"5\r\nhello",
            b"5\r\nhelloXX0\r\n\r\n",
            b"zz\r\nhello\r\n0\r\n\r\n",
            b"\r\nhello\r\n0\r\n\r\n",
            b"fffffffffffffffff\r\n",
            b"ffffffffffffffff\r\n",
            b"5\r\nhello\r\n0\r\n\r\nextra",
            b"5\r\nhello\r\n0\r\nno-colon\r\n\r\n",
            b"5\r\nhello\r\n0\r\n\xff:x\r\n\r\n",
            b"5\nhello\n0\n\n",
        ] {
            let error = decode(&parts, body).unwrap_err();
            assert!(
                matches!(error, AuthError::MalformedChunkedBody { .. }),
                "{:?}: {error}",
                String::from_utf8_lossy(body)
            );
        }
        let (parts, seed) = upload(PAYLOAD, 5, None);
        let body = encode(&seed, SECRET, &[b"hello"], None, false);
        assert!(matches!(decode(&parts, &body), Err(AuthError::MalformedChunkedBody { .. })));
    }

    #[test]
    fn other_payload_modes_are_not_aws_chunked() {
        for mode in ["UNSIGNED-PAYLOAD", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"] {
            let (parts, _) = upload(mode, 0, None);
            assert_eq!(decode(&parts, b"raw").unwrap(), None);
        }
        let (parts, _) = upload("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", 0, None);
        let error = decode(&parts, b"").unwrap_err();
        assert_eq!(error.aws_error("s3").code, "NotImplemented");
    }
}

#[test]
fn cached_signing_keys_give_the_same_answers_and_stay_bounded() {
    let keys = SigningKeys::default();
    let (parts, body) = sts_request(&Sign::sts());
    let signed = parsed(&parts);
    for _ in 0..3 {
        super::verify_with(&signed, &parts, &body, SECRET, CanonicalUri::Standard, &keys).unwrap();
    }
    assert_eq!(keys.len(), 1);
    // A wrong secret is derived on its own, never answered with the right secret's key.
    let wrong = super::verify_with(&signed, &parts, &body, "not the secret", CanonicalUri::Standard, &keys);
    assert!(matches!(wrong, Err(AuthError::SignatureDoesNotMatch { .. })));
    assert_eq!(keys.len(), 2);
    // Another day (signed by aws-sigv4 with that day's key) is another key.
    let (next_parts, next_body) = sts_request(&Sign { time: at(T0 + 86_400), ..Sign::sts() });
    super::verify_with(&parsed(&next_parts), &next_parts, &next_body, SECRET, CanonicalUri::Standard, &keys).unwrap();
    assert_eq!(keys.len(), 3);
    // Bounded: many secrets keep at most SIGNING_KEYS_KEPT keys; a forgotten key is derived again.
    for i in 0..(2 * SIGNING_KEYS_KEPT) {
        let secret = format!("secret {i}");
        let _ = super::verify_with(&signed, &parts, &body, &secret, CanonicalUri::Standard, &keys);
    }
    assert_eq!(keys.len(), SIGNING_KEYS_KEPT);
    super::verify_with(&signed, &parts, &body, SECRET, CanonicalUri::Standard, &keys).unwrap();
}
