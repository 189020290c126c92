//! MFA and web identity through the real SDK: a TOTP code computed at the world's clock, and
//! OIDC tokens from the world's issuers exchanged by `AssumeRoleWithWebIdentity` and by
//! aws-config's web identity provider.

use std::time::Duration;

use aws_sdk_sts::error::ProvideErrorMetadata;
use iamsim::World;
use iamsim::idp::TokenClaims;

const DEV: &str = "111111111111";

fn session(c: &aws_sdk_sts::types::Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    )
}

#[tokio::test]
async fn the_admin_role_needs_an_mfa_session_and_a_valid_code_gives_one() {
    let world = World::from_fixture("examples/fixtures/mfa-assume-role.yaml").unwrap();
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let admin = "arn:aws:iam::111111111111:role/admin";

    // Without MFA the trust policy's condition fails.
    let err = sts.assume_role().role_arn(admin).role_session_name("no-mfa").send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // A wrong code is refused with AWS's message.
    let serial = world.mfa_serial(DEV, "alice");
    let err = sts
        .assume_role()
        .role_arn(admin)
        .role_session_name("bad")
        .serial_number(&serial)
        .token_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(err.message(), Some("MultiFactorAuthentication failed with invalid MFA one time pass code."));

    // The current code works, directly on AssumeRole…
    let code = world.mfa_code(DEV, "alice");
    sts.assume_role()
        .role_arn(admin)
        .role_session_name("mfa")
        .serial_number(&serial)
        .token_code(&code)
        .send()
        .await
        .unwrap();

    // …and through GetSessionToken, whose MFA session may then assume the role.
    world.clock().advance(Duration::from_secs(30));
    let code = world.mfa_code(DEV, "alice");
    let token = sts.get_session_token().serial_number(&serial).token_code(&code).send().await.unwrap();
    let mfa_session = world.sts_client(session(token.credentials().unwrap()));
    let out = mfa_session.assume_role().role_arn(admin).role_session_name("via-session").send().await.unwrap();
    assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::111111111111:assumed-role/admin/via-session");
}

#[tokio::test]
async fn a_fixture_secret_gives_the_codes_oathtool_gives() {
    let world = World::from_yaml(
        "accounts:\n  \"111111111111\":\n    users:\n      alice: { mfa: { secret: JBSWY3DPEHPK3PXP } }\n",
    )
    .unwrap();
    // `oathtool --totp -b JBSWY3DPEHPK3PXP --now '2026-01-01 00:00:00 UTC'` prints 339436.
    assert_eq!(world.clock().to_rfc3339(), "2026-01-01T00:00:00Z");
    assert_eq!(
        world.mfa_code(DEV, "alice"),
        iamsim::idp::Totp::from_base32("JBSWY3DPEHPK3PXP").unwrap().code_at(world.clock().now())
    );
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let out = sts
        .get_session_token()
        .serial_number(world.mfa_serial(DEV, "alice"))
        .token_code(world.mfa_code(DEV, "alice"))
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let expires = std::time::SystemTime::try_from(*out.credentials().unwrap().expiration()).unwrap();
    assert_eq!(expires, world.clock().now() + Duration::from_secs(900));
}

const GITHUB: &str = r#"
accounts:
  "111111111111":
    oidc_providers:
      token.actions.githubusercontent.com: { audiences: [sts.amazonaws.com] }
    roles:
      deploy:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
              Action: sts:AssumeRoleWithWebIdentity
              Condition:
                StringEquals: { "token.actions.githubusercontent.com:aud": sts.amazonaws.com }
                StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" }
"#;

#[tokio::test]
async fn a_github_actions_token_from_main_assumes_the_deploy_role_and_a_branch_token_does_not() {
    let world = World::from_yaml(GITHUB).unwrap();
    // AssumeRoleWithWebIdentity is unsigned: no credentials at all.
    let sts = world.sts_client(aws_credential_types::Credentials::new("unused", "unused", None, None, "none"));
    let provider = "token.actions.githubusercontent.com";
    let main = world.web_identity_token(
        DEV,
        provider,
        &TokenClaims::github_actions("acme/app", "refs/heads/main", world.clock().now()),
    );
    let out = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::111111111111:role/deploy")
        .role_session_name("gha")
        .web_identity_token(&main)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some("repo:acme/app:ref:refs/heads/main"));
    assert_eq!(out.audience(), Some("sts.amazonaws.com"));
    assert_eq!(out.provider(), Some("https://token.actions.githubusercontent.com"));
    let me = world.sts_client(session(out.credentials().unwrap())).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/deploy/gha"));

    let branch = world.web_identity_token(
        DEV,
        provider,
        &TokenClaims::github_actions("acme/app", "refs/heads/dev", world.clock().now()),
    );
    let err = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::111111111111:role/deploy")
        .role_session_name("gha")
        .web_identity_token(&branch)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(err.message(), Some("Not authorized to perform sts:AssumeRoleWithWebIdentity"));
}

#[tokio::test]
async fn tokens_are_checked_for_audience_expiry_issuer_and_signature() {
    let world = World::from_yaml(GITHUB).unwrap();
    let sts = world.sts_client(aws_credential_types::Credentials::new("unused", "unused", None, None, "none"));
    let provider = "token.actions.githubusercontent.com";
    let issuer = world.oidc_issuer(DEV, provider);
    let call = |token: String| {
        sts.assume_role_with_web_identity()
            .role_arn("arn:aws:iam::111111111111:role/deploy")
            .role_session_name("gha")
            .web_identity_token(token)
            .send()
    };
    let now = world.clock().now();
    let wrong_audience =
        issuer.issue(&TokenClaims::new("repo:acme/app:ref:refs/heads/main", ["other"], now, Duration::from_secs(300)));
    let err = call(wrong_audience).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    assert_eq!(err.message(), Some("Incorrect token audience"));

    let expiring = issuer.issue(&TokenClaims::github_actions("acme/app", "refs/heads/main", now));
    world.clock().advance(Duration::from_secs(24 * 3600));
    let err = call(expiring).await.unwrap_err();
    assert_eq!(err.code(), Some("ExpiredTokenException"));
    assert!(err.as_service_error().unwrap().is_expired_token_exception());

    // A token of another world (another seed) does not verify here.
    let other = World::from_yaml(&GITHUB.replace("accounts:", "seed: 42\naccounts:")).unwrap();
    let foreign = other.web_identity_token(
        DEV,
        provider,
        &TokenClaims::github_actions("acme/app", "refs/heads/main", world.clock().now()),
    );
    let err = call(foreign).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));

    let unknown_issuer = iamsim::idp::OidcIssuer::new("https://accounts.example.com", 0).issue(&TokenClaims::new(
        "x",
        ["sts.amazonaws.com"],
        world.clock().now(),
        Duration::from_secs(300),
    ));
    let err = call(unknown_issuer).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    assert_eq!(err.message(), Some("No OpenIDConnect provider found in your account for https://accounts.example.com"));
}

#[tokio::test]
async fn aws_configs_web_identity_provider_reads_the_token_file_from_the_injected_environment() {
    let world = World::from_yaml(GITHUB).unwrap();
    let token = world.web_identity_token(
        DEV,
        "token.actions.githubusercontent.com",
        &TokenClaims::github_actions("acme/app", "refs/heads/main", world.clock().now()),
    );
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/deploy"),
        ("AWS_ROLE_SESSION_NAME", "from-file"),
    ];
    let config = world
        .config_loader(&env)
        .fs(aws_types::os_shim_internal::Fs::from_slice(&[("/var/run/secrets/token", token.as_str())]))
        .load()
        .await;
    let me = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:sts::111111111111:assumed-role/deploy/from-file"));
}

const SAML: &str = r#"
accounts:
  "111111111111":
    saml_providers:
      Okta: {}
    roles:
      engineers:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/Okta" }
              Action: [sts:AssumeRoleWithSAML, sts:TagSession]
              Condition:
                StringEquals: { "saml:aud": "https://signin.aws.amazon.com/saml" }
      admins:
        trust:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/Okta" }
              Action: sts:AssumeRoleWithSAML
              Condition:
                StringEquals: { "saml:sub": "root-admin" }
"#;

#[tokio::test]
async fn a_signed_saml_assertion_assumes_a_role_and_a_changed_one_does_not() {
    let world = World::from_yaml(SAML).unwrap();
    let sts = world.sts_client(aws_credential_types::Credentials::new("unused", "unused", None, None, "none"));
    let response = world.saml_response(DEV, "Okta", "engineers", "alice@example.com");
    let out = sts
        .assume_role_with_saml()
        .role_arn("arn:aws:iam::111111111111:role/engineers")
        .principal_arn("arn:aws:iam::111111111111:saml-provider/Okta")
        .saml_assertion(&response)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject(), Some("alice@example.com"));
    assert_eq!(out.subject_type(), Some("persistent"));
    assert_eq!(out.audience(), Some("https://signin.aws.amazon.com/saml"));
    assert_eq!(out.issuer(), Some("https://idp.iamsim.test/saml/Okta"));
    assert_eq!(
        out.name_qualifier(),
        Some(iamsim::idp::name_qualifier("https://idp.iamsim.test/saml/Okta", DEV, "Okta").as_str())
    );
    assert_eq!(
        out.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::111111111111:assumed-role/engineers/alice@example.com"
    );

    // The trust policy of `admins` wants another subject.
    let err = sts
        .assume_role_with_saml()
        .role_arn("arn:aws:iam::111111111111:role/admins")
        .principal_arn("arn:aws:iam::111111111111:saml-provider/Okta")
        .saml_assertion(world.saml_response(DEV, "Okta", "admins", "alice@example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // One character of the signed XML changed: the signature no longer holds.
    use base64::Engine;
    let xml = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&response).unwrap()).unwrap();
    let forged =
        base64::engine::general_purpose::STANDARD.encode(xml.replace("alice@example.com", "alicf@example.com"));
    let err = sts
        .assume_role_with_saml()
        .role_arn("arn:aws:iam::111111111111:role/engineers")
        .principal_arn("arn:aws:iam::111111111111:saml-provider/Okta")
        .saml_assertion(forged)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"), "{err:?}");

    // Five minutes later the assertion has expired.
    world.clock().advance(Duration::from_secs(301));
    let err = sts
        .assume_role_with_saml()
        .role_arn("arn:aws:iam::111111111111:role/engineers")
        .principal_arn("arn:aws:iam::111111111111:saml-provider/Okta")
        .saml_assertion(&response)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ExpiredTokenException"), "{err:?}");
}
