//! The firm's PostgreSQL address, as a person writes it (`postgres://…` or `host=… user=…`),
//! read for what tokio-postgres does not take: `sslmode` and `sslrootcert`. A server on this
//! machine may be reached in the clear; any other only with `sslmode=verify-full`, its
//! certificate checked against `sslrootcert` (default `~/.postgresql/root.crt`, as libpq) and
//! its name against the host.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_postgres::config::Host;

use super::FirmError;

/// The largest CA file read.
const MAX_ROOT_CERT_BYTES: u64 = 1 << 20;

/// An address taken apart: what tokio-postgres reads, and how the connection is secured.
#[derive(Debug)]
pub struct Address {
    pub config: tokio_postgres::Config,
    /// `Some`: TLS, the server's certificate checked against these roots and the host's name.
    pub verify_full: Option<PathBuf>,
}

fn refused(why: impl Into<String>) -> FirmError {
    FirmError::Refused(why.into())
}

impl Address {
    pub fn parse(text: &str) -> Result<Address, FirmError> {
        let (rest, sslmode, root) =
            if text.starts_with("postgres://") || text.starts_with("postgresql://") {
                split_url(text)?
            } else {
                split_words(text)?
            };
        let config: tokio_postgres::Config = rest
            .parse()
            .map_err(|e| refused(format!("the PostgreSQL address cannot be read: {e}")))?;
        let verify_full = match sslmode.as_deref() {
            Some("verify-full") => Some(match root {
                Some(path) => PathBuf::from(path),
                None => directories::BaseDirs::new()
                    .map(|d| d.home_dir().join(".postgresql/root.crt"))
                    .ok_or_else(|| refused("sslmode=verify-full needs sslrootcert=CA.pem"))?,
            }),
            None | Some("disable") => None,
            Some(other) => {
                return Err(refused(format!(
                    "sslmode={other} is not taken: use sslmode=verify-full (the server's certificate checked against sslrootcert, and its name against the host), or none on this machine"
                )));
            }
        };
        let local = config.get_hosts().iter().all(|host| match host {
            Host::Unix(_) => true,
            Host::Tcp(name) => {
                name == "localhost"
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        });
        if verify_full.is_none() && !local {
            return Err(refused(
                "a PostgreSQL off this machine is reached only with sslmode=verify-full (and sslrootcert=CA.pem): its connection would not be encrypted or its server checked",
            ));
        }
        Ok(Address {
            config,
            verify_full,
        })
    }

    /// Which books, as whom, without the password: `user@host:port/database`, to name what a
    /// staff member's machine keeps of them. `None` for an address that cannot be read.
    pub fn label(text: &str) -> Option<String> {
        let address = Address::parse(text).ok()?;
        let c = &address.config;
        let hosts: Vec<String> = c
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let ports: Vec<String> = c.get_ports().iter().map(u16::to_string).collect();
        Some(format!(
            "{}@{}:{}/{}",
            c.get_user().unwrap_or(""),
            hosts.join(","),
            ports.join(","),
            c.get_dbname().unwrap_or("")
        ))
    }

    /// The TLS settings of `verify_full`: the roots read from `path`, ring's crypto.
    pub fn tls(path: &std::path::Path) -> Result<rustls::ClientConfig, FirmError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let unreadable = |e: &dyn std::fmt::Display| {
            refused(format!(
                "the CA file {} (sslrootcert) cannot be read: {e}",
                path.display()
            ))
        };
        let size = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
        if size > MAX_ROOT_CERT_BYTES {
            return Err(unreadable(&"it is over a megabyte"));
        }
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
            let cert = cert.map_err(|e| unreadable(&e))?;
            roots.add(cert).map_err(|e| unreadable(&e))?;
        }
        if roots.is_empty() {
            return Err(unreadable(&"it holds no certificate"));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| refused(format!("TLS cannot be set up: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth())
    }
}

type Split = (String, Option<String>, Option<String>);

/// `postgres://…?sslmode=…&sslrootcert=…`: the URL without those two, and their values.
fn split_url(text: &str) -> Result<Split, FirmError> {
    let mut url = url::Url::parse(text)
        .map_err(|e| refused(format!("the PostgreSQL address cannot be read: {e}")))?;
    let (mut sslmode, mut root) = (None, None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter_map(|(k, v)| match k.as_ref() {
            "sslmode" => {
                sslmode = Some(v.into_owned());
                None
            }
            "sslrootcert" => {
                root = Some(v.into_owned());
                None
            }
            _ => Some((k.into_owned(), v.into_owned())),
        })
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok((url.to_string(), sslmode, root))
}

/// `host=… sslmode=… sslrootcert=…`: the words without those two, and their values. Quoted
/// values are not read (the `postgres://` form takes any value).
fn split_words(text: &str) -> Result<Split, FirmError> {
    if text.contains('\'') || text.contains('\\') {
        return Err(refused(
            "quoted values in the PostgreSQL address are not read: write it as postgres://…",
        ));
    }
    let (mut sslmode, mut root) = (None, None);
    let mut kept = Vec::new();
    for word in text.split_whitespace() {
        match word.split_once('=') {
            Some(("sslmode", v)) => sslmode = Some(v.to_string()),
            Some(("sslrootcert", v)) => root = Some(v.to_string()),
            _ => kept.push(word),
        }
    }
    Ok((kept.join(" "), sslmode, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_off_this_machine_needs_verify_full_and_the_rest_is_taken_apart() {
        let local = Address::parse("host=127.0.0.1 port=5433 user=alice dbname=firm").unwrap();
        assert!(local.verify_full.is_none());
        assert_eq!(local.config.get_user(), Some("alice"));
        for off in [
            "host=db.example.org user=alice",
            "postgres://alice@db.example.org/firm",
            "postgres://alice@db.example.org/firm?sslmode=require",
        ] {
            assert!(Address::parse(off).is_err(), "{off}");
        }
        let url = Address::parse(
            "postgres://alice@db.example.org:6000/firm?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(
            url.verify_full.as_deref(),
            Some(std::path::Path::new("/etc/ca.pem"))
        );
        assert_eq!(url.config.get_ports(), [6000]);
        assert_eq!(url.config.get_application_name(), Some("x"));
        let words = Address::parse(
            "host=db.example.org user=alice sslmode=verify-full sslrootcert=/ca.pem",
        )
        .unwrap();
        assert_eq!(
            words.verify_full.as_deref(),
            Some(std::path::Path::new("/ca.pem"))
        );
        let err = Address::parse("host=localhost sslmode=verify-ca").unwrap_err();
        assert!(err.to_string().contains("sslmode=verify-full"), "{err}");
        assert!(Address::parse("host=localhost password='a b'").is_err());
    }
}
