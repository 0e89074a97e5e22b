//! Property tests over the fuzzing entry points (CI cannot run libFuzzer): API model decoding,
//! callback and pasted-URL parsing, config parsing and log redaction never panic, and the
//! parsers accept what they must.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use qonto_client::api::models::*;
use qonto_client::oauth::callback::{CallbackOutcome, evaluate_pasted_url, evaluate_target};

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("organizations".to_string()),
                        Just("transactions".to_string()),
                        Just("meta".to_string()),
                        Just("amount_cents".to_string()),
                        Just("amount".to_string()),
                        Just("side".to_string()),
                        Just("next_page".to_string()),
                        Just("id".to_string()),
                        Just("bank_accounts".to_string()),
                        Just("organization".to_string()),
                        Just("errors".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn model_decoding_never_panics_on_json(v in json_value()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let _ = serde_json::from_slice::<UserOrganizations>(&bytes);
        let _ = serde_json::from_slice::<OrganizationEnvelope>(&bytes);
        if let Ok(p) = serde_json::from_slice::<TransactionsPage>(&bytes) {
            for t in &p.transactions {
                let _ = (t.signed_cents(), t.counterparty(), t.date());
            }
            let _ = p.meta.next(1);
        }
        let _ = serde_json::from_slice::<MembershipsPage>(&bytes);
        let _ = qonto_client::api::error::describe_error_body(&bytes, None);
    }

    #[test]
    fn model_decoding_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = serde_json::from_slice::<TransactionsPage>(&bytes);
        let _ = qonto_client::api::error::describe_error_body(&bytes, Some("t".into()));
    }

    #[test]
    fn callback_parsing_never_panics(text in "\\PC{0,200}") {
        let _ = evaluate_target(&text, "/callback", "state-value");
        let _ = evaluate_pasted_url(&text, "http://127.0.0.1:18920/callback", "state-value");
    }

    #[test]
    fn a_well_formed_callback_yields_its_code(code in "[A-Za-z0-9_.~-]{1,60}", state in "[A-Za-z0-9_-]{8,43}") {
        let target = format!("/callback?code={code}&state={state}");
        prop_assert_eq!(evaluate_target(&target, "/callback", &state), CallbackOutcome::Code(code.clone()));
        let pasted = format!("http://127.0.0.1:18920{target}");
        prop_assert_eq!(evaluate_pasted_url(&pasted, "http://127.0.0.1:18920/callback", &state).unwrap(), CallbackOutcome::Code(code));
        prop_assert_eq!(evaluate_target(&target, "/callback", "another-state"), CallbackOutcome::WrongState);
    }

    #[test]
    fn config_parsing_never_panics(text in "\\PC{0,200}") {
        let _ = qonto_tui::config::parse_config(&text);
    }

    #[test]
    fn redaction_removes_registered_secrets_and_ibans(prefix in "[ -~]{0,40}", suffix in "[ -~]{0,40}", secret in "[A-Za-z0-9_-]{12,40}") {
        qonto_client::redact::register_secret(&secret);
        let line = format!("{prefix}{secret}{suffix} iban FR7616798000010000005663951 Bearer ory_at_{secret}x");
        let clean = qonto_client::redact::redact(&line);
        prop_assert!(!clean.contains(&secret), "{}", clean);
        prop_assert!(!clean.contains("16798000010000005663951"), "{}", clean);
    }
}

/// One token of a search, as people type them (and some noise).
fn query_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zà-ÿA-Z]{1,8}",
        "[<>]=?[0-9]{1,6}(\\.[0-9]{1,2})?",
        "[0-9]{1,5}\\.\\.[0-9]{1,5}",
        "2026-(0[1-9]|1[0-2])(-[0-2][1-9])?",
        "2026-10-0[1-9]\\.\\.2026-11-0[1-9]",
        "(side:(debit|credit)|status:(pending|completed|declined)|missing:receipt|sort:(org|date))",
        "(org|account|label|type):[a-z]{1,6}",
        "(org|label):\"[a-zé. ]{1,12}\"",
        "\\PC{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The search form is the query's other face: a query that parses fills the form, and the
    /// form written back means the same (and nothing panics on the way).
    #[test]
    fn a_query_means_the_same_after_the_form(tokens in proptest::collection::vec(query_token(), 0..6)) {
        use qonto_tui::app::search_form::Form;
        let text = tokens.join(" ");
        if let Ok(query) = qonto_books::query::parse(&text) {
            let form = Form::from_text(&text);
            prop_assert!(form.is_some(), "{text:?} parses but fills no form");
            let back = form.map(|f| f.to_text()).unwrap_or_default();
            prop_assert_eq!(qonto_books::query::parse(&back).ok(), Some(query), "{:?} → {:?}", text, back);
        }
    }
}
