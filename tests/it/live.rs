//! A world that lives: state shared by clones, safe under concurrent requests, never shared
//! between two worlds.

use aws_sdk_sts::error::ProvideErrorMetadata;
use iamsim::World;

const FIXTURE: &str = "examples/fixtures/trust-policies.yaml";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_of_two_worlds_see_only_their_own_world() {
    // Requests arrive from many tasks in no fixed order: the logs are no reproducible record.
    let a = World::from_fixture(FIXTURE).unwrap().without_recording();
    let b = World::from_yaml(&std::fs::read_to_string(FIXTURE).unwrap().replace("accounts:", "seed: 9\naccounts:"))
        .unwrap()
        .without_recording();
    let mut tasks = Vec::new();
    for (w, world) in [&a, &b].into_iter().enumerate() {
        for t in 0..8 {
            // A clone of the world, as an application would hold one per task.
            let world = world.clone();
            tasks.push(tokio::spawn(async move {
                let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
                let mut keys = Vec::new();
                for i in 0..10 {
                    let name = format!("w{w}-t{t}-{i}");
                    let out = sts
                        .assume_role()
                        .role_arn("arn:aws:iam::111111111111:role/deployer")
                        .role_session_name(&name)
                        .send()
                        .await
                        .unwrap();
                    let c = out.credentials().unwrap();
                    keys.push((
                        w,
                        name,
                        c.access_key_id().to_owned(),
                        c.secret_access_key().to_owned(),
                        c.session_token().to_owned(),
                    ));
                }
                keys
            }));
        }
    }
    let mut sessions = Vec::new();
    for task in tasks {
        sessions.extend(task.await.unwrap());
    }
    // Every request is in its own world's log, none in the other's, none lost.
    assert_eq!(a.access_log().len(), 80);
    assert_eq!(b.access_log().len(), 80);
    let mut ids: Vec<&str> = sessions.iter().map(|s| s.2.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 160, "no two sessions share a key");

    // A session works in the world that issued it, as the session it is, and nowhere else.
    for (w, name, key, secret, token) in sessions.iter().step_by(7) {
        let (home, other) = if *w == 0 { (&a, &b) } else { (&b, &a) };
        let creds = aws_credential_types::Credentials::new(key, secret, Some(token.clone()), None, "t");
        let me = home.sts_client(creds.clone()).get_caller_identity().send().await.unwrap();
        assert_eq!(me.arn().unwrap(), format!("arn:aws:sts::111111111111:assumed-role/deployer/{name}"));
        let err = other.sts_client(creds).get_caller_identity().send().await.unwrap_err();
        assert_eq!(err.code(), Some("InvalidClientTokenId"));
    }
}

#[tokio::test]
async fn the_same_calls_give_the_same_keys_and_log_in_every_run() {
    async fn run() -> (String, String) {
        let world = World::from_fixture(FIXTURE).unwrap();
        let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
        let out = sts
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/deployer")
            .role_session_name("same")
            .send()
            .await
            .unwrap();
        let key = out.credentials().unwrap().access_key_id().to_owned();
        (key, serde_json::to_string(&world.access_log()).unwrap())
    }
    assert_eq!(run().await, run().await);
}
