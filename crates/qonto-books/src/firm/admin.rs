//! The firm admin's operations on the PostgreSQL books: connect (in the clear on this
//! machine, else with `sslmode=verify-full`), set the schema up or bring it to the current
//! version, add a staff member's login role, grant and revoke organizations, and say
//! where things stand.

use tokio_postgres::NoTls;

use super::address::Address;

use super::schema::{MIGRATIONS, STAFF_GROUP};

#[derive(Debug, thiserror::Error)]
pub enum FirmError {
    #[error("{0}")]
    Refused(String),
    /// Said with its causes (a TLS handshake's refusal says why: the certificate's issuer,
    /// its name).
    #[error("PostgreSQL: {}", with_causes(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// The local copy a staff member's machine keeps of the firm's books.
    #[error(transparent)]
    Books(#[from] crate::BooksError),
}

fn with_causes(e: &tokio_postgres::Error) -> String {
    let mut said = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        said.push_str(": ");
        said.push_str(&c.to_string());
        cause = c.source();
    }
    said
}

/// A connection to the firm's books: as its admin, or as a staff member (who then sees and may
/// do only what row-level security allows).
pub struct Firm {
    client: tokio_postgres::Client,
    connection: tokio::task::JoinHandle<()>,
}

/// A staff member and the organizations granted to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffGrants {
    pub staff: String,
    pub organizations: Vec<String>,
}

/// Where the firm's books stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmStatus {
    pub schema_version: u32,
    pub organizations: i64,
    pub transactions: i64,
    /// Unix seconds of the oldest organization's last sync (the lag), if any synced.
    pub oldest_sync: Option<i64>,
    /// Intents not carried out yet (asked, or being carried out), and the oldest one's age in
    /// seconds: how far the service is behind what staff asked.
    pub intents_waiting: i64,
    pub oldest_waiting_secs: Option<i64>,
    /// Intents that failed in the last day (their outcome says why).
    pub intents_failed_today: i64,
    /// The staff of these books (not every staff role of the cluster), with their grants.
    pub staff: Vec<StaffGrants>,
}

/// A name usable as a staff member's role: lower-case letters, digits and `_`, starting with a
/// letter, at most 63 bytes, and not one of PostgreSQL's or ours.
pub fn is_role_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
        && !name.starts_with("pg_")
        && !matches!(name, "public" | "postgres" | STAFF_GROUP)
}

fn check_role(name: &str) -> Result<(), FirmError> {
    if is_role_name(name) {
        Ok(())
    } else {
        Err(FirmError::Refused(format!(
            "{name:?} cannot be a staff member's role: use lower-case letters, digits and _, starting with a letter (at most 63)"
        )))
    }
}

impl Firm {
    /// Connects to `url` (`postgres://…` or `host=… user=…`) as the role it names: in the
    /// clear on this machine, else only with `sslmode=verify-full` (`address`).
    pub async fn connect(url: &str) -> Result<Firm, FirmError> {
        let address = Address::parse(url)?;
        let connection = match &address.verify_full {
            Some(roots) => {
                let mut config = address.config.clone();
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(Address::tls(roots)?);
                let (client, connection) = config.connect(tls).await?;
                (client, tokio::spawn(ended(connection)))
            }
            None => {
                let (client, connection) = address.config.connect(NoTls).await?;
                (client, tokio::spawn(ended(connection)))
            }
        };
        Ok(Firm {
            client: connection.0,
            connection: connection.1,
        })
    }

    /// Creates the schema, the staff group and every table and policy, or brings them to the
    /// current version; each migration in one transaction. Returns the version reached.
    pub async fn init(&mut self) -> Result<u32, FirmError> {
        // Roles are the cluster's: made once, whatever database asks.
        self.client
            .batch_execute(&format!(
                "DO $$ BEGIN
                     CREATE ROLE {STAFF_GROUP} NOLOGIN;
                 EXCEPTION
                     -- Made already, maybe at this moment for another database.
                     WHEN duplicate_object OR unique_violation THEN NULL;
                 END $$;
                 CREATE SCHEMA IF NOT EXISTS qonto;
                 CREATE TABLE IF NOT EXISTS qonto.schema_version (version INTEGER NOT NULL);"
            ))
            .await?;
        let mut version = self.schema_version().await?;
        if version as usize > MIGRATIONS.len() {
            return Err(FirmError::Refused(format!(
                "the firm's books are at schema {version}, newer than this qonto-tui ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.client.transaction().await?;
            tx.batch_execute(migration).await?;
            tx.execute("DELETE FROM qonto.schema_version", &[]).await?;
            tx.execute(
                "INSERT INTO qonto.schema_version (version) VALUES ($1)",
                &[&((i + 1) as i32)],
            )
            .await?;
            tx.commit().await?;
            version = (i + 1) as u32;
        }
        Ok(version)
    }

    async fn schema_version(&self) -> Result<u32, FirmError> {
        let row = self
            .client
            .query_opt("SELECT version FROM qonto.schema_version", &[])
            .await?;
        Ok(row.map_or(0, |r| r.get::<_, i32>(0).max(0) as u32))
    }

    /// Makes `name` a staff member: a login role in the staff group (its password, or how it
    /// authenticates, is the database administrator's to set: `pg_hba.conf`, `\password`).
    pub async fn add_staff(&self, name: &str) -> Result<(), FirmError> {
        check_role(name)?;
        let exists = self
            .client
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])
            .await?
            .is_some();
        if exists {
            return Err(FirmError::Refused(format!(
                "a role named {name} exists already"
            )));
        }
        // The name is checked above: letters, digits and `_` only, so quoting it is enough.
        self.client
            .batch_execute(&format!(
                "CREATE ROLE \"{name}\" LOGIN IN ROLE {STAFF_GROUP}"
            ))
            .await?;
        self.note_staff(name).await
    }

    async fn check_staff(&self, name: &str) -> Result<(), FirmError> {
        check_role(name)?;
        let member = self
            .client
            .query_opt(
                "SELECT 1 FROM pg_auth_members m
                 JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                 WHERE r.rolname = $1 AND g.rolname = $2",
                &[&name, &STAFF_GROUP],
            )
            .await?
            .is_some();
        if member {
            Ok(())
        } else {
            Err(FirmError::Refused(format!(
                "{name} is not a staff member: `qonto-tui serve add-staff {name}` first"
            )))
        }
    }

    /// Notes `name` as one of these books' staff (once).
    async fn note_staff(&self, name: &str) -> Result<(), FirmError> {
        self.client
            .execute(
                "INSERT INTO qonto.staff (name) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&name],
            )
            .await?;
        Ok(())
    }

    /// Opens `orgs` to `staff`; those granted already stay so. Returns how many were new.
    pub async fn grant(&self, staff: &str, orgs: &[String]) -> Result<u64, FirmError> {
        self.check_staff(staff).await?;
        // A role of the cluster made for another database becomes these books' staff too.
        self.note_staff(staff).await?;
        let mut added = 0;
        for org in orgs {
            added += self
                .client
                .execute(
                    "INSERT INTO qonto.grants (staff, org_id) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                    &[&staff, org],
                )
                .await?;
        }
        Ok(added)
    }

    /// Closes `orgs` to `staff`. Returns how many were granted.
    pub async fn revoke(&self, staff: &str, orgs: &[String]) -> Result<u64, FirmError> {
        check_role(staff)?;
        Ok(self
            .client
            .execute(
                "DELETE FROM qonto.grants WHERE staff = $1 AND org_id = ANY($2)",
                &[&staff, &orgs],
            )
            .await?)
    }

    /// The schema's version, what the books hold, and each staff member's grants.
    pub async fn status(&self) -> Result<FirmStatus, FirmError> {
        let schema_version = self.schema_version().await?;
        let counts = self
            .client
            .query_one(
                "SELECT (SELECT count(*) FROM qonto.organizations),
                        (SELECT count(*) FROM qonto.transactions),
                        (SELECT min(synced_at) FROM qonto.organizations),
                        (SELECT count(*) FROM qonto.actions WHERE state IN ('asked', 'working')),
                        (SELECT extract(epoch FROM now() - min(asked_at))::bigint
                         FROM qonto.actions WHERE state IN ('asked', 'working')),
                        (SELECT count(*) FROM qonto.actions
                         WHERE state = 'failed' AND done_at > now() - interval '1 day')",
                &[],
            )
            .await?;
        let rows = self
            .client
            .query(
                "SELECT s.name::text, coalesce(array_agg(g.org_id ORDER BY g.org_id)
                     FILTER (WHERE g.org_id IS NOT NULL), '{}')
                 FROM qonto.staff s
                 LEFT JOIN qonto.grants g ON g.staff = s.name
                 GROUP BY 1 ORDER BY 1",
                &[],
            )
            .await?;
        Ok(FirmStatus {
            schema_version,
            organizations: counts.get(0),
            transactions: counts.get(1),
            oldest_sync: counts.get(2),
            intents_waiting: counts.get(3),
            oldest_waiting_secs: counts.get(4),
            intents_failed_today: counts.get(5),
            staff: rows
                .iter()
                .map(|r| StaffGrants {
                    staff: r.get(0),
                    organizations: r.get(1),
                })
                .collect(),
        })
    }

    /// The admin's client, for the service's writes and for tests.
    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }

    /// The same, to write in transactions (the sync).
    pub fn client_mut(&mut self) -> &mut tokio_postgres::Client {
        &mut self.client
    }
}

/// Waits out a connection, saying in the log why it ended if it failed.
async fn ended<T>(connection: T)
where
    T: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
{
    if let Err(e) = connection.await {
        tracing::warn!("the PostgreSQL connection ended: {e}");
    }
}

impl Drop for Firm {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_role_name_is_plain_and_not_reserved() {
        for good in ["alice", "j_martin", "staff2"] {
            assert!(is_role_name(good), "{good}");
        }
        for bad in [
            "",
            "Alice",
            "2staff",
            "pg_read",
            "postgres",
            "qonto_staff",
            "a-b",
            "a\"; DROP",
            &"a".repeat(64),
        ] {
            assert!(!is_role_name(bad), "{bad}");
        }
    }
}
