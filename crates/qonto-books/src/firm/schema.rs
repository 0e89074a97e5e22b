//! The firm's books on PostgreSQL: versioned migrations, each run once in one transaction, the
//! version kept in `qonto.schema_version`. Every table that holds an organization's data has
//! `org_id` and row-level security, enabled and forced; the policies read `qonto.grants`, which
//! only the firm's admin role may change. Staff are login roles in the group `qonto_staff`.

/// The group every staff member's login role belongs to.
pub const STAFF_GROUP: &str = "qonto_staff";

/// The tables that hold an organization's data, with the column that names it.
pub const ORGANIZATION_TABLES: [(&str, &str); 5] = [
    ("organizations", "id"),
    ("accounts", "org_id"),
    ("transactions", "org_id"),
    ("actions", "org_id"),
    ("review_items", "org_id"),
];

/// The migrations, in order: migration N brings the schema to version N.
pub const MIGRATIONS: [&str; 8] = [
    // 1: organizations, accounts, transactions, the grants that open them to staff, and the
    // actions staff ask the firm's service to carry out. A staff role reads what it was granted,
    // asks actions for those organizations only, and changes nothing else.
    r#"
    CREATE TABLE qonto.organizations (
        id TEXT PRIMARY KEY,
        name TEXT,
        legal_name TEXT,
        membership_role TEXT,
        via TEXT NOT NULL DEFAULT 'user',
        synced_at BIGINT
    );
    CREATE TABLE qonto.accounts (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES qonto.organizations(id) ON DELETE CASCADE,
        name TEXT,
        iban TEXT,
        currency TEXT,
        balance_cents BIGINT,
        authorized_balance_cents BIGINT,
        status TEXT,
        main BOOLEAN NOT NULL DEFAULT false
    );
    CREATE INDEX accounts_by_org ON qonto.accounts(org_id);
    CREATE TABLE qonto.transactions (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES qonto.organizations(id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        amount_cents BIGINT,
        currency TEXT,
        side TEXT,
        status TEXT,
        operation_type TEXT,
        counterparty TEXT,
        label TEXT,
        reference TEXT,
        note TEXT,
        emitted_at TEXT,
        settled_at TEXT,
        updated_at TEXT,
        sort_at TEXT,
        missing_receipt BOOLEAN NOT NULL DEFAULT false,
        counterparty_iban TEXT
    );
    CREATE INDEX transactions_by_org ON qonto.transactions(org_id, sort_at DESC);
    CREATE INDEX transactions_by_date ON qonto.transactions(sort_at DESC, id DESC);
    -- Who may see which organization: changed by the firm's admin only.
    CREATE TABLE qonto.grants (
        staff NAME NOT NULL,
        org_id TEXT NOT NULL,
        PRIMARY KEY (staff, org_id)
    );
    -- What a staff member asks the service to do (attach, categorize, decline), carried out
    -- with that staff member's own Qonto credential.
    CREATE TABLE qonto.actions (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT NOT NULL,
        staff NAME NOT NULL DEFAULT current_user,
        kind TEXT NOT NULL,
        payload JSONB NOT NULL DEFAULT '{}',
        asked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        state TEXT NOT NULL DEFAULT 'asked'
    );

    -- Nothing for PUBLIC; staff read, and ask actions; the admin (the owner) does the rest.
    REVOKE ALL ON ALL TABLES IN SCHEMA qonto FROM PUBLIC;
    REVOKE ALL ON SCHEMA qonto FROM PUBLIC;
    GRANT USAGE ON SCHEMA qonto TO qonto_staff;
    GRANT SELECT ON qonto.organizations, qonto.accounts, qonto.transactions, qonto.grants
        TO qonto_staff;
    GRANT SELECT, INSERT ON qonto.actions TO qonto_staff;
    GRANT USAGE ON SEQUENCE qonto.actions_id_seq TO qonto_staff;

    -- Row-level security on every table, forced for the owner too (the service role that
    -- writes the books bypasses it by its BYPASSRLS attribute, never by ownership).
    ALTER TABLE qonto.organizations ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.organizations FORCE ROW LEVEL SECURITY;
    ALTER TABLE qonto.accounts ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.accounts FORCE ROW LEVEL SECURITY;
    ALTER TABLE qonto.transactions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.transactions FORCE ROW LEVEL SECURITY;
    ALTER TABLE qonto.grants ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.grants FORCE ROW LEVEL SECURITY;
    ALTER TABLE qonto.actions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.actions FORCE ROW LEVEL SECURITY;

    -- A staff member sees their own grants, and through them their organizations.
    CREATE POLICY own_grants ON qonto.grants FOR SELECT TO qonto_staff
        USING (staff = current_user);
    CREATE POLICY granted ON qonto.organizations FOR SELECT TO qonto_staff
        USING (id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user));
    CREATE POLICY granted ON qonto.accounts FOR SELECT TO qonto_staff
        USING (org_id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user));
    CREATE POLICY granted ON qonto.transactions FOR SELECT TO qonto_staff
        USING (org_id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user));
    CREATE POLICY granted ON qonto.actions FOR SELECT TO qonto_staff
        USING (org_id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user));
    -- An action is asked in one's own name, for a granted organization, as just asked.
    CREATE POLICY ask ON qonto.actions FOR INSERT TO qonto_staff
        WITH CHECK (
            staff = current_user
            AND state = 'asked'
            AND org_id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user)
        );
    "#,
    // 2: search. `words` is the counterparty, label, reference and note as the SQLite copy's
    // full-text index sees them (folded: lower case, no accents; split on what is not a letter
    // or digit), written by the app; `search` is its tsvector, so a word is a prefix query on a
    // GIN index, with the same answers as on SQLite. Categories, labels and receipts, as a
    // search lists them.
    r#"
    ALTER TABLE qonto.transactions
        ADD COLUMN words TEXT NOT NULL DEFAULT '',
        ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED,
        ADD COLUMN cashflow_category TEXT,
        ADD COLUMN cashflow_subcategory TEXT,
        ADD COLUMN label_ids JSONB NOT NULL DEFAULT '[]',
        ADD COLUMN attachment_ids JSONB NOT NULL DEFAULT '[]';
    CREATE INDEX transactions_search ON qonto.transactions USING GIN (search);
    "#,
    // 3: intents carried out. An attach carries its file (at most Qonto's 15 MiB), named, and
    // the transaction in its payload; staff may give only those columns, so the state, who
    // asked and what came of it are the service's. What the service did is kept beside: when,
    // the write journal's number on the service, and the outcome in words.
    r#"
    ALTER TABLE qonto.actions
        ADD COLUMN file BYTEA,
        ADD COLUMN file_name TEXT,
        ADD COLUMN done_at TIMESTAMPTZ,
        ADD COLUMN write_id BIGINT,
        ADD COLUMN outcome TEXT,
        ADD CONSTRAINT actions_kind CHECK (kind IN ('attach')),
        ADD CONSTRAINT actions_state CHECK (state IN ('asked', 'working', 'done', 'failed')),
        ADD CONSTRAINT actions_attach CHECK (
            kind <> 'attach' OR (
                jsonb_typeof(payload -> 'transaction') = 'string'
                AND file IS NOT NULL AND octet_length(file) BETWEEN 1 AND 15728640
                AND file_name IS NOT NULL AND length(file_name) BETWEEN 1 AND 255
            )
        );
    REVOKE INSERT ON qonto.actions FROM qonto_staff;
    GRANT INSERT (org_id, kind, payload, file, file_name) ON qonto.actions TO qonto_staff;
    CREATE INDEX actions_waiting ON qonto.actions(id) WHERE state IN ('asked', 'working');
    "#,
    // 4: each organization, account and transaction as Qonto last gave it (its JSON), so a
    // staff member's machine can keep an exact local copy of what it may see; the accounts in
    // Qonto's order, each with the newest change of the last whole pass over it (the service's
    // next pass asks Qonto only what changed since); and the order such a copy is brought up to
    // date in (what changed since its newest change).
    r#"
    ALTER TABLE qonto.organizations ADD COLUMN qonto JSONB;
    ALTER TABLE qonto.accounts ADD COLUMN qonto JSONB, ADD COLUMN position INTEGER,
        ADD COLUMN synced_through TEXT;
    ALTER TABLE qonto.transactions ADD COLUMN qonto JSONB;
    CREATE INDEX transactions_changed
        ON qonto.transactions(account_id, (coalesce(updated_at, '')), id);
    -- A search's order is the SQLite copy's, byte by byte ("C"), newest first with the undated
    -- last: the columns compare so and the indexes are in that very order, so that a page is
    -- read down an index instead of sorting every row a staff member may see.
    DROP INDEX qonto.transactions_by_org, qonto.transactions_by_date;
    ALTER TABLE qonto.transactions
        ALTER COLUMN id TYPE TEXT COLLATE "C",
        ALTER COLUMN sort_at TYPE TEXT COLLATE "C";
    CREATE INDEX transactions_by_org
        ON qonto.transactions(org_id, sort_at DESC NULLS LAST, id DESC);
    CREATE INDEX transactions_by_date
        ON qonto.transactions(sort_at DESC NULLS LAST, id DESC);
    -- `sort:amount` read down an index too: the largest first, then by date, as on SQLite
    -- (where an amount that is not known sorts last).
    CREATE INDEX transactions_by_size
        ON qonto.transactions((abs(amount_cents)) DESC NULLS LAST, sort_at DESC NULLS LAST, id DESC);
    "#,
    // 5: `category:` searched as on SQLite, by the beginning of the folded name of the category
    // or the subcategory (written by the service, which folds as the copy does; every account
    // is read whole on the next pass to fill them in). And a second kind of intent, filing
    // transactions under a cash-flow category: up to 100
    // transactions of the organization (Qonto's most per call), each named by its id, and the
    // category by its name (`Category / Subcategory`, or null for none), which the service
    // looks up in the organization's own tree. It carries no file.
    r#"
    ALTER TABLE qonto.transactions ADD COLUMN category_key TEXT, ADD COLUMN subcategory_key TEXT;
    UPDATE qonto.accounts SET synced_through = NULL;
    ALTER TABLE qonto.actions
        DROP CONSTRAINT actions_kind,
        ADD CONSTRAINT actions_kind CHECK (kind IN ('attach', 'categorize')),
        ADD CONSTRAINT actions_categorize CHECK (
            kind <> 'categorize' OR (
                jsonb_typeof(payload -> 'transactions') = 'array'
                AND jsonb_array_length(payload -> 'transactions') BETWEEN 1 AND 100
                AND NOT jsonb_path_exists(payload, '$.transactions[*] ? (@.type() != "string")')
                AND payload ? 'category'
                AND jsonb_typeof(payload -> 'category') IN ('string', 'null')
                AND coalesce(length(payload ->> 'category'), 0) <= 300
                AND file IS NULL AND file_name IS NULL
            )
        );
    "#,
    // 6: the staff of these books. Roles and their group are the cluster's, shared by every
    // database on it: who works on this firm's books is kept here (added by `add-staff`, or
    // when granted an organization), for the admin's eyes only.
    r#"
    CREATE TABLE qonto.staff (
        name NAME PRIMARY KEY,
        added_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    REVOKE ALL ON qonto.staff FROM PUBLIC, qonto_staff;
    INSERT INTO qonto.staff (name) SELECT DISTINCT staff FROM qonto.grants;
    "#,
    // 7: what waits for a decision, as the copy keeps it: each organization's members'
    // requests and supplier invoices as Qonto last listed them to the service (the client's
    // reading of each, as JSON), replaced whole at each pass; read by the staff granted the
    // organization, like the rest.
    r#"
    CREATE TABLE qonto.review_items (
        org_id TEXT NOT NULL REFERENCES qonto.organizations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('request', 'supplier_invoice')),
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        body JSONB NOT NULL,
        synced_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, kind, id)
    );
    REVOKE ALL ON qonto.review_items FROM PUBLIC;
    GRANT SELECT ON qonto.review_items TO qonto_staff;
    ALTER TABLE qonto.review_items ENABLE ROW LEVEL SECURITY;
    ALTER TABLE qonto.review_items FORCE ROW LEVEL SECURITY;
    CREATE POLICY granted ON qonto.review_items FOR SELECT TO qonto_staff
        USING (org_id IN (SELECT g.org_id FROM qonto.grants g WHERE g.staff = current_user));
    "#,
    // 8: a third kind of intent, declining a member's request: the request by its id and the
    // note Qonto shows the member (at most Qonto's 500 characters; the staff member confirmed
    // it first, the question naming the organization, counterparty and amount). No file.
    r#"
    ALTER TABLE qonto.actions
        DROP CONSTRAINT actions_kind,
        ADD CONSTRAINT actions_kind CHECK (kind IN ('attach', 'categorize', 'decline')),
        ADD CONSTRAINT actions_decline CHECK (
            kind <> 'decline' OR (
                jsonb_typeof(payload -> 'request') = 'string'
                AND length(payload ->> 'request') BETWEEN 1 AND 100
                AND jsonb_typeof(payload -> 'note') = 'string'
                AND length(payload ->> 'note') BETWEEN 1 AND 500
                AND file IS NULL AND file_name IS NULL
            )
        );
    "#,
];
