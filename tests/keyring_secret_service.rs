//! A real Secret Service round trip (gnome-keyring inside the private D-Bus session that
//! scripts/test starts). It fails, not skips, when no Secret Service is reachable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qonto_client::secret::Secret;
use qonto_client::store::{KeyringStore, StoredTokens, TokenStore};

#[test]
fn tokens_persist_in_the_secret_service_across_connections() {
    let namespace = format!("test-{}", qonto_client::random::random_hex(8).unwrap());
    let tokens = StoredTokens {
        access_token: Secret::new(format!(
            "ory_at_{}",
            qonto_client::random::random_urlsafe(32).unwrap()
        )),
        refresh_token: Some(Secret::new(format!(
            "ory_rt_{}",
            qonto_client::random::random_urlsafe(32).unwrap()
        ))),
        expires_at: 1_900_000_000,
        lifetime_secs: 3600,
        scope: "offline_access user_organization.read organization.read".into(),
    };
    let writer = KeyringStore::open(&namespace);
    assert!(
        writer.describe().to_lowercase().contains("secret"),
        "{}",
        writer.describe()
    );
    writer
        .save(&tokens)
        .expect("a Secret Service is reachable (run the tests with scripts/test)");
    drop(writer);

    // A separate connection reads back exactly what was written: it really persisted.
    let reader = KeyringStore::open(&namespace);
    assert_eq!(reader.load().unwrap(), Some(tokens));
    reader.delete().unwrap();
    assert_eq!(KeyringStore::open(&namespace).load().unwrap(), None);
    reader.delete().unwrap();
}
