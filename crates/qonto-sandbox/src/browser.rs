//! A simulated browser for the sandbox's consent page: loads it, ticks organizations, presses
//! Allow or Deny and follows the redirect to the app's callback, as a person would.
//!
//! Used by `--demo` when no real browser can be opened (SSH, CI), and by tests.

use anyhow::{Context, bail};

/// Which organizations to tick.
#[derive(Debug, Clone)]
pub enum Tick {
    All,
    /// Those already ticked (the current consent), unchanged.
    AsPresented,
    Only(Vec<String>),
}

/// One `<input>` of the consent form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormInput {
    pub kind: String,
    pub name: String,
    pub value: String,
    pub checked: bool,
}

/// The inputs of an HTML page, read leniently (enough for the sandbox's own page).
pub fn form_inputs(html: &str) -> Vec<FormInput> {
    let mut inputs = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<input") {
        rest = &rest[start + 6..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let attr = |name: &str| -> Option<String> {
            let key = format!("{name}=\"");
            let i = tag.find(&key)? + key.len();
            let j = tag[i..].find('"')? + i;
            Some(unescape(&tag[i..j]))
        };
        inputs.push(FormInput {
            kind: attr("type").unwrap_or_default(),
            name: attr("name").unwrap_or_default(),
            value: attr("value").unwrap_or_default(),
            checked: tag.split_whitespace().any(|w| w == "checked"),
        });
    }
    inputs
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Answers the consent page at `authorize_url` and returns where the sandbox redirects to
/// (the app's callback URL with `code` and `state`, or `error`). Does not follow it.
pub async fn answer_consent(
    authorize_url: &str,
    tick: &Tick,
    allow: bool,
) -> anyhow::Result<String> {
    let http = client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()?;
    let page = http
        .get(authorize_url)
        .send()
        .await
        .context("the consent page did not load")?;
    if !page.status().is_success() {
        let status = page.status();
        let body = page.text().await.unwrap_or_default();
        bail!("the consent page answered {status}: {body}");
    }
    let html = page.text().await?;
    let inputs = form_inputs(&html);
    let mut form: Vec<(String, String)> = Vec::new();
    for input in &inputs {
        match input.kind.as_str() {
            "hidden" => form.push((input.name.clone(), input.value.clone())),
            "checkbox" => {
                let ticked = match tick {
                    Tick::All => true,
                    Tick::AsPresented => input.checked,
                    Tick::Only(ids) => ids.contains(&input.value),
                };
                if ticked {
                    form.push((input.name.clone(), input.value.clone()));
                }
            }
            _ => {}
        }
    }
    form.push((
        "decision".into(),
        if allow { "allow" } else { "deny" }.into(),
    ));
    let mut action = reqwest::Url::parse(authorize_url)?;
    action.set_query(None);
    let answer = http
        .post(action)
        .form(&form)
        .send()
        .await
        .context("the consent form could not be sent")?;
    if !answer.status().is_redirection() {
        let status = answer.status();
        bail!("the consent page did not redirect (status {status})");
    }
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("the consent redirect has no Location")?;
    Ok(location.to_string())
}

/// Answers the consent page and delivers the redirect to the app's loopback callback.
pub async fn complete_consent(authorize_url: &str, tick: &Tick, allow: bool) -> anyhow::Result<()> {
    let location = answer_consent(authorize_url, tick, allow).await?;
    let http = client_builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()?;
    http.get(&location)
        .send()
        .await
        .context("the app's callback did not answer")?;
    Ok(())
}

/// A client builder with ring as the TLS provider (reqwest is built without one of its own).
fn client_builder() -> reqwest::ClientBuilder {
    // An error means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    #[allow(clippy::disallowed_methods)] // The provider is installed on the line above.
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_checkboxes_hidden_fields_and_checked_state() {
        let html = r#"<form><input type="hidden" name="challenge" value="a&amp;b">
            <input type="checkbox" name="organization_id" value="o1" checked>
            <input type="checkbox" name="organization_id" value="o2"></form>"#;
        let inputs = form_inputs(html);
        assert_eq!(inputs.len(), 3);
        assert_eq!(inputs[0].value, "a&b");
        assert!(inputs[1].checked);
        assert!(!inputs[2].checked);
    }
}
