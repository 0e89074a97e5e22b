//! The HTML consent page: one form, a checkbox per organization, Allow and Deny buttons
//! (the contract tests and scripts drive like a browser).

use crate::data::Org;
use crate::state::PendingConsent;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub struct ConsentView<'a> {
    pub challenge: &'a str,
    pub pending: &'a PendingConsent,
    pub orgs: Vec<&'a Org>,
    pub checked: &'a [String],
    pub user_name: &'a str,
    pub problem: Option<&'a str>,
    pub autosubmit: bool,
}

pub fn render(view: &ConsentView<'_>) -> String {
    let mut rows = String::new();
    for org in &view.orgs {
        let checked = if view.checked.iter().any(|id| id == &org.id) {
            " checked"
        } else {
            ""
        };
        rows.push_str(&format!(
            "<label class=\"org\"><input type=\"checkbox\" name=\"organization_id\" value=\"{id}\"{checked}> \
             <strong>{name}</strong> <span>{legal} &middot; {role}</span></label>\n",
            id = escape(&org.id),
            name = escape(&org.name),
            legal = escape(&org.legal_name),
            role = escape(&org.membership_role),
        ));
    }
    let how_many = if view.pending.user_flow {
        "Tick every organization you want to share. You can change this later by signing in again."
    } else {
        "Tick the one organization you want to share."
    };
    let problem = view
        .problem
        .map(|p| format!("<p class=\"problem\" role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default();
    let scopes: String = view
        .pending
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    // Test-only: a headless browser answers by itself. Ticks everything when nothing is ticked,
    // and never answers a page that shows a problem (that would loop).
    let autosubmit = if view.autosubmit && view.problem.is_none() {
        "<script>window.addEventListener('load',function(){var b=document.querySelectorAll('input[name=organization_id]');\
         if(!Array.prototype.some.call(b,function(x){return x.checked;})){b.forEach(function(x){x.checked=true;});}\
         document.querySelector('button[value=allow]').click();});</script>"
    } else {
        ""
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Qonto sandbox: share organizations</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}\
         label.org{{display:block;padding:.5rem;border:1px solid #ccc;border-radius:6px;margin:.4rem 0}}\
         span{{color:#666}}.problem{{color:#b00020}}button{{padding:.5rem 1.2rem;margin-right:.6rem}}</style>\
         </head><body>\n<h1>Share your organizations</h1>\n\
         <p>Signed in as <strong>{user}</strong>. The application <code>{client}</code> asks to read:</p><ul>{scopes}</ul>\n\
         {problem}<p>{how_many}</p>\n\
         <form method=\"post\" action=\"/oauth2/auth\">\n<input type=\"hidden\" name=\"challenge\" value=\"{challenge}\">\n\
         {rows}<p><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p>\n</form>\n{autosubmit}</body></html>\n",
        user = escape(view.user_name),
        client = escape(&view.pending.client_id),
        challenge = escape(view.challenge),
    )
}
