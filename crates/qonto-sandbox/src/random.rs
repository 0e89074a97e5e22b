//! Unpredictable random strings from the operating system for the sandbox's client secret,
//! codes, tokens and trace ids, and a constant-time compare for secrets it is presented.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the OS, base64url without padding.
pub(crate) fn random_urlsafe(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// `bytes` random bytes from the OS as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A random version-4 UUID (an upload's id), as Qonto's ids look.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    // Without OS randomness the time makes it unique enough for a fake server's id.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Whether two secrets are equal, in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_uniqueness_and_comparison() {
        let a = random_urlsafe(24).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_urlsafe(24).unwrap());
        assert_eq!(random_hex(16).unwrap().len(), 32);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        let id = uuid_v4();
        assert_eq!((id.len(), &id[14..15]), (36, "4"));
        assert_ne!(id, uuid_v4());
    }
}
