//! The files behind attachments and statements, served on loopback as Qonto serves them from
//! storage: a short-lived signed URL (30 minutes, on the sandbox's clock), refused once expired
//! or tampered with. Each file is a small, real PDF.

#![allow(clippy::result_large_err)]

use sha2::{Digest, Sha256};

use super::*;

/// How long a file URL works, as Qonto's attachment URLs.
pub(super) const URL_LIFETIME_SECS: i64 = 30 * 60;

fn signature(state: &SandboxState, kind: &str, id: &str, expires: i64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(state.client.secret.as_bytes());
    hasher.update(format!("|{kind}|{id}|{expires}").as_bytes());
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A URL for a file of `kind` (`attachments`, `statements`), valid for 30 minutes from now,
/// on the host the caller reached the sandbox by.
pub(super) fn signed_url(
    state: &SandboxState,
    headers: &HeaderMap,
    kind: &str,
    id: &str,
) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let expires = state.clock.now().timestamp() + URL_LIFETIME_SECS;
    let signature = signature(state, kind, id, expires);
    format!("http://{host}/_sandbox/files/{kind}/{id}?expires={expires}&signature={signature}")
}

/// `GET /_sandbox/files/{kind}/{id}?expires=…&signature=…`
pub async fn file(
    State(state): Shared,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let expires = params.get("expires").and_then(|e| e.parse::<i64>().ok());
    let presented = params.get("signature").unwrap_or_default();
    let Some(expires) = expires else {
        return denied("Query-string authentication requires the expires parameter");
    };
    if !constant_time_eq(
        presented.as_bytes(),
        signature(&state, &kind, &id, expires).as_bytes(),
    ) {
        return denied("The request signature does not match");
    }
    if state.clock.now().timestamp() > expires {
        return denied("Request has expired");
    }
    let (body, content_type) = if kind == "uploads" {
        match state.receipts.find(&id) {
            Some(file) => (file.bytes.to_vec(), file.content_type),
            None => return not_found("No such file"),
        }
    } else {
        match file_bytes(&kind, &id) {
            Some(body) => (body, "application/pdf"),
            None => return not_found("No such file"),
        }
    };
    let mut response = body.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(content_type),
    );
    response
}

/// The bytes of a file of `kind` (`attachments`, `statements`).
pub(crate) fn file_bytes(kind: &str, id: &str) -> Option<Vec<u8>> {
    match kind {
        "attachments" => Some(pdf(&format!("Receipt {id}"))),
        "statements" => Some(pdf(&format!("Account statement {id}"))),
        _ => None,
    }
}

/// As object storage refuses an expired or altered presigned URL: 403 with an XML body.
fn denied(message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    );
    let mut response = (StatusCode::FORBIDDEN, body).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/xml"),
    );
    response
}

/// A one-page PDF that says `title`: valid enough for any reader (objects, xref, trailer).
pub(crate) fn pdf(title: &str) -> Vec<u8> {
    pdf_lines(&[title])
}

/// A one-page PDF with one line of text per entry (printable ASCII), top to bottom.
pub(crate) fn pdf_lines(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 770 Td 16 TL");
    for line in lines {
        let text: String = line
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .filter(|c| !matches!(c, '(' | ')' | '\\'))
            .collect();
        content.push_str(&format!(" ({text}) Tj T*"));
    }
    content.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
