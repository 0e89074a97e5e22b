//! The firm's books over TLS with `sslmode=verify-full`: a PostgreSQL 15 of the test's own
//! (initdb and pg_ctl, on 127.0.0.1, `ssl = on` with a certificate for `localhost` signed by a
//! CA the test makes with the openssl command) is reached encrypted when the address names that
//! CA, and refused when it names another CA or a name the certificate does not carry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use qonto_books::firm::Firm;

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (its certificate in `dir/NAME-ca.pem`) and, when `server` is set, a key and certificate
/// for `localhost` and 127.0.0.1 signed by it.
fn authority(dir: &Path, name: &str, server: bool) -> PathBuf {
    let ca_key = dir.join(format!("{name}-ca.key"));
    let ca = dir.join(format!("{name}-ca.pem"));
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={name} test CA"))
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca));
    if server {
        let csr = dir.join("server.csr");
        run(Command::new("openssl")
            .args([
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-keyout",
            ])
            .arg(dir.join("server.key"))
            .arg("-out")
            .arg(&csr));
        let ext = dir.join("san.ext");
        std::fs::write(&ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
        run(Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&ca)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-CAcreateserial")
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(dir.join("server.pem")));
    }
    ca
}

/// A PostgreSQL with TLS, stopped when dropped.
struct Server {
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl Server {
    fn command(&self, program: &str) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", program]);
            c
        } else {
            Command::new(program)
        }
    }

    fn start(dir: tempfile::TempDir) -> Server {
        // PostgreSQL will not run as root: then the cluster is the postgres user's.
        let root = String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout)
            .trim()
            == "0";
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Server {
            data: dir.path().join("data"),
            port,
            as_postgres: root,
            _dir: dir,
        };
        let base = server.data.parent().unwrap().to_path_buf();
        if root {
            run(Command::new("chown").arg("-R").arg("postgres").arg(&base));
        }
        run(server
            .command("initdb")
            .arg(format!("--pgdata={}", server.data.display()))
            .args(["--username=postgres", "--auth=trust", "--no-sync"]));
        let conf = format!(
            "ssl = on\nssl_cert_file = '{0}/server.pem'\nssl_key_file = '{0}/server.key'\n",
            base.display()
        );
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(server.data.join("postgresql.conf"))
            .unwrap();
        std::io::Write::write_all(&mut file, conf.as_bytes()).unwrap();
        run(server
            .command("pg_ctl")
            .arg(format!("--pgdata={}", server.data.display()))
            .arg(format!("--log={}/server.log", base.display()))
            .args(["--wait", "--silent", "-o"])
            .arg(format!(
                "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={} -c fsync=off",
                base.display()
            ))
            .arg("start"));
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg(format!("--pgdata={}", self.data.display()))
            .args(["--mode=immediate", "--wait", "--silent", "stop"])
            .output();
    }
}

/// Whether the connection `firm` holds is encrypted, as the server sees it.
async fn encrypted(firm: &Firm) -> bool {
    firm.client()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get::<_, bool>(0)
}

#[tokio::test]
async fn verify_full_encrypts_with_the_named_ca_and_refuses_another_or_another_name() {
    let dir = tempfile::tempdir().unwrap();
    let ca = authority(dir.path(), "firm", true);
    let other = authority(dir.path(), "other", false);
    // The key readable by its owner only, as PostgreSQL requires.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let server = Server::start(dir);
    let port = server.port;
    // Both forms of the address, verified: encrypted.
    for address in [
        format!(
            "host=localhost port={port} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}",
            ca.display()
        ),
        format!(
            "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={}",
            ca.display()
        ),
    ] {
        let firm = Firm::connect(&address).await.unwrap();
        assert!(encrypted(&firm).await, "{address}");
    }
    // In the clear on this machine, as before.
    let plain = Firm::connect(&format!(
        "host=127.0.0.1 port={port} user=postgres dbname=postgres"
    ))
    .await
    .unwrap();
    assert!(!encrypted(&plain).await);
    // Another CA: refused, said.
    let refused = Firm::connect(&format!(
        "host=localhost port={port} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}",
        other.display()
    ))
    .await
    .err()
    .expect("a certificate from another CA is refused");
    assert!(refused.to_string().contains("UnknownIssuer"), "{refused}");
    // A name the certificate does not carry (it names localhost and 127.0.0.1): refused.
    let elsewhere = Firm::connect(&format!(
        "host=127.0.0.2 hostaddr=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}",
        ca.display()
    ))
    .await;
    let elsewhere = elsewhere
        .err()
        .expect("a certificate for another name is refused");
    assert!(
        elsewhere.to_string().contains("not valid for name"),
        "{elsewhere}"
    );
    // A CA file that is not one: said in words.
    let not_a_ca = Firm::connect(&format!(
        "host=localhost port={port} user=postgres sslmode=verify-full sslrootcert=/dev/null"
    ))
    .await
    .err()
    .unwrap();
    assert!(not_a_ca.to_string().contains("sslrootcert"), "{not_a_ca}");
    drop(server);
}
