//! PKCE (RFC 7636, S256 only) and the `state` value that binds a callback to its request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::random::random_urlsafe;

/// A code verifier and its S256 challenge.
#[derive(Clone)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl Pkce {
    /// A fresh verifier of 43 characters (256 bits).
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self::from_verifier(random_urlsafe(32)?))
    }

    pub fn from_verifier(verifier: String) -> Self {
        let challenge = s256(&verifier);
        Self {
            verifier,
            challenge,
        }
    }

    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state` of 256 bits.
pub fn new_state() -> Result<String, getrandom::Error> {
    random_urlsafe(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn generated_verifier_is_long_enough_and_unique() {
        let a = Pkce::generate().unwrap();
        assert_eq!(a.verifier().len(), 43);
        assert_ne!(a.verifier(), Pkce::generate().unwrap().verifier());
        assert!(!format!("{a:?}").contains(a.verifier()));
    }
}
