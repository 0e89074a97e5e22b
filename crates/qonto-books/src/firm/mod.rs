//! A firm's shared books on PostgreSQL, where the database itself keeps each staff member to
//! the organizations granted to them: the schema (`schema`: tables, roles, grants, row-level
//! security), the admin's operations on it (`admin`: set up, add staff, grant, revoke,
//! status), what the service writes (`write`) and the search language over it (`search`, with
//! the SQLite copy's answers). Staff connect as their own login role; the service that writes
//! the books connects as the admin.

pub mod actions;
mod address;
mod admin;
mod pg_books;
pub mod pull;
pub mod schema;
pub mod search;
pub mod sync;
pub mod write;

pub use address::Address;
pub use admin::{Firm, FirmError, FirmStatus, StaffGrants, is_role_name};
pub use pg_books::PgBooks;
