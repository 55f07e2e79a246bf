"""The canonical tables, created and migrated in one place.

Each migration is a list of SQL statements applied once, in order; the applied version is kept in
``ddj_meta``. Add a new migration at the end to change the schema: never edit an applied one.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: the canonical model of DESIGN.md
    [
        """
        CREATE TABLE ingest_batch (
            batch_id        VARCHAR PRIMARY KEY,
            source          VARCHAR NOT NULL,
            system          VARCHAR NOT NULL,
            format          VARCHAR NOT NULL,
            profile         VARCHAR,
            path            VARCHAR NOT NULL,
            file_sha256     VARCHAR NOT NULL,
            started_at      TIMESTAMP NOT NULL,
            finished_at     TIMESTAMP,
            rows_read       INTEGER DEFAULT 0,
            records_added   INTEGER DEFAULT 0,
            records_changed INTEGER DEFAULT 0,
            events_added    INTEGER DEFAULT 0,
            events_changed  INTEGER DEFAULT 0,
            rows_quarantined INTEGER DEFAULT 0,
            status          VARCHAR NOT NULL
        )
        """,
        """
        CREATE TABLE source_record (
            record_key       VARCHAR NOT NULL,   -- source || '|' || source_person_id
            version          INTEGER NOT NULL,
            is_current       BOOLEAN NOT NULL,
            source           VARCHAR NOT NULL,
            system           VARCHAR NOT NULL,
            source_person_id VARCHAR NOT NULL,
            first_name       VARCHAR,
            middle_name      VARCHAR,
            last_name        VARCHAR,
            suffix           VARCHAR,
            dob              DATE,
            dob_quality      VARCHAR,            -- full | approximate | unknown
            sex              VARCHAR,            -- F | M | X | U
            ssn              VARCHAR,            -- 9 digits, x for unknown digits
            ssn_last4        VARCHAR,
            address          VARCHAR,
            city             VARCHAR,
            state            VARCHAR,
            zip              VARCHAR,
            phone            VARCHAR,
            other_ids        MAP(VARCHAR, VARCHAR),
            dq_codes         MAP(VARCHAR, VARCHAR),
            part2            BOOLEAN NOT NULL DEFAULT FALSE,
            batch_id         VARCHAR NOT NULL,
            row_hash         VARCHAR NOT NULL,
            valid_from       TIMESTAMP NOT NULL,
            valid_to         TIMESTAMP,
            PRIMARY KEY (record_key, version)
        )
        """,
        """
        CREATE TABLE record_alias (
            source           VARCHAR NOT NULL,
            source_person_id VARCHAR NOT NULL,
            record_key       VARCHAR NOT NULL,
            first_name       VARCHAR,
            last_name        VARCHAR,
            dob              DATE,
            batch_id         VARCHAR NOT NULL,
            alias_hash       VARCHAR PRIMARY KEY  -- idempotence: the same alias is stored once
        )
        """,
        """
        CREATE TABLE event (
            event_key        VARCHAR NOT NULL,   -- source || '|' || source event id
            version          INTEGER NOT NULL,
            is_current       BOOLEAN NOT NULL,
            source           VARCHAR NOT NULL,
            system           VARCHAR NOT NULL,
            source_person_id VARCHAR NOT NULL,
            record_key       VARCHAR NOT NULL,
            event_type       VARCHAR NOT NULL,
            start_at         TIMESTAMP NOT NULL,
            end_at           TIMESTAMP,
            location         VARCHAR,
            charges          VARCHAR[],
            diagnosis_codes  VARCHAR[],
            call_type        VARCHAR,
            disposition      VARCHAR,
            project_type     VARCHAR,
            details          JSON,
            cost             DOUBLE,
            part2            BOOLEAN NOT NULL DEFAULT FALSE,
            batch_id         VARCHAR NOT NULL,
            row_hash         VARCHAR NOT NULL,
            valid_from       TIMESTAMP NOT NULL,
            valid_to         TIMESTAMP,
            PRIMARY KEY (event_key, version)
        )
        """,
        """
        CREATE TABLE quarantine (
            quarantine_id    VARCHAR PRIMARY KEY,
            batch_id         VARCHAR NOT NULL,
            source           VARCHAR NOT NULL,
            file             VARCHAR NOT NULL,
            row_number       INTEGER,            -- 1 = the first data row after the header
            field            VARCHAR,
            value            VARCHAR,
            reason           VARCHAR NOT NULL,
            created_at       TIMESTAMP NOT NULL
        )
        """,
        """
        CREATE TABLE link_run (
            run_id           VARCHAR PRIMARY KEY,
            started_at       TIMESTAMP NOT NULL,
            finished_at      TIMESTAMP,
            engine           VARCHAR NOT NULL,
            n_records        INTEGER,
            n_pairs_scored   BIGINT,
            n_links          BIGINT,
            n_persons        INTEGER,
            threshold        DOUBLE,
            model_json       JSON
        )
        """,
        """
        CREATE TABLE person (
            person_id        VARCHAR PRIMARY KEY,
            created_run      VARCHAR NOT NULL,
            updated_run      VARCHAR NOT NULL,
            n_records        INTEGER NOT NULL,
            n_systems        INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE person_record (
            record_key       VARCHAR PRIMARY KEY,
            person_id        VARCHAR NOT NULL,
            source           VARCHAR NOT NULL,
            source_person_id VARCHAR NOT NULL,
            run_id           VARCHAR NOT NULL
        )
        """,
        """
        CREATE TABLE person_id_change (
            run_id           VARCHAR NOT NULL,
            old_person_id    VARCHAR NOT NULL,
            new_person_id    VARCHAR NOT NULL,
            kind             VARCHAR NOT NULL,   -- merge | split
            n_records        INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE link_pair (
            run_id           VARCHAR NOT NULL,
            record_key_l     VARCHAR NOT NULL,
            record_key_r     VARCHAR NOT NULL,
            match_weight     DOUBLE NOT NULL,
            match_probability DOUBLE NOT NULL
        )
        """,
        """
        CREATE TABLE identify_run (
            run_id           VARCHAR PRIMARY KEY,
            ran_at           TIMESTAMP NOT NULL,
            as_of            DATE NOT NULL,
            rules_json       JSON NOT NULL
        )
        """,
        """
        CREATE TABLE cohort_member (
            run_id           VARCHAR NOT NULL,
            cohort           VARCHAR NOT NULL,
            person_id        VARCHAR NOT NULL,
            total_contacts   INTEGER NOT NULL,
            n_systems        INTEGER NOT NULL,
            qualifying_counts JSON NOT NULL,     -- {"jail_booking": 5, "shelter_stay": 7, ...}
            reason           VARCHAR NOT NULL,
            PRIMARY KEY (run_id, cohort, person_id)
        )
        """,
    ],
    # 2: the review queue's decisions, which no automatic run undoes
    [
        """
        CREATE TABLE review_decision (
            record_key_l     VARCHAR NOT NULL,   -- the smaller key of the pair
            record_key_r     VARCHAR NOT NULL,
            decision         VARCHAR NOT NULL,   -- link | not_link
            reviewer         VARCHAR NOT NULL,
            decided_at       TIMESTAMP NOT NULL,
            note             VARCHAR,
            match_probability DOUBLE             -- the model's score when the reviewer decided
        )
        """,
    ],
    # 3: the prepared linkage input, kept so a new batch only prepares its own records
    [
        """
        CREATE TABLE link_input (
            unique_id        VARCHAR PRIMARY KEY,   -- record_key
            basis_hash       VARCHAR NOT NULL,      -- the record's row_hash and its aliases
            source           VARCHAR,
            system           VARCHAR,
            first_name       VARCHAR,
            last_name        VARCHAR,
            first_variants   VARCHAR[],
            first_phonetic   VARCHAR,
            last_phonetic    VARCHAR,
            dob              DATE,
            sex              VARCHAR,
            ssn              VARCHAR,
            ssn_last4        VARCHAR,
            zip              VARCHAR,
            address          VARCHAR,
            phone            VARCHAR
        )
        """,
    ],
    # 4: incident numbers shared by an EMS run and a police call, as linkage evidence
    ["ALTER TABLE link_input ADD COLUMN incidents VARCHAR[]"],
    # 5: every full name a record goes by (its own and its aliases'), for matching through aliases
    ["ALTER TABLE link_input ADD COLUMN full_names VARCHAR[]", "DELETE FROM link_input"],
    # 6: needs flags with their evidence; the dashboard's local accounts and sessions
    [
        """
        CREATE TABLE need_flag (
            run_id           VARCHAR NOT NULL,   -- the identify_run that flagged it
            person_id        VARCHAR NOT NULL,
            need             VARCHAR NOT NULL,   -- mental_illness, substance_use, homelessness, ...
            evidence_count   INTEGER NOT NULL,
            first_at         TIMESTAMP,
            last_at          TIMESTAMP,
            part2            BOOLEAN NOT NULL,   -- some evidence comes from a 42 CFR Part 2 record
            evidence         JSON NOT NULL,  -- [{event_key, source, system, at, code, why}, ...]
            PRIMARY KEY (run_id, person_id, need)
        )
        """,
        """
        CREATE TABLE account (
            username         VARCHAR PRIMARY KEY,
            password_hash    VARCHAR NOT NULL,   -- argon2id
            role             VARCHAR NOT NULL,
            created_at       TIMESTAMP NOT NULL,
            failed_logins    INTEGER NOT NULL DEFAULT 0,
            locked_until     TIMESTAMP,
            disabled         BOOLEAN NOT NULL DEFAULT FALSE
        )
        """,
        """
        CREATE TABLE web_session (
            token_hash       VARCHAR PRIMARY KEY,  -- sha256 of the cookie value; never the value
            username         VARCHAR NOT NULL,
            csrf_token       VARCHAR NOT NULL,
            created_at       TIMESTAMP NOT NULL,
            expires_at       TIMESTAMP NOT NULL,
            ended_at         TIMESTAMP
        )
        """,
    ],
    # 7: 42 CFR Part 2 consents, and API tokens for automation
    [
        """
        CREATE TABLE consent (
            consent_id       VARCHAR PRIMARY KEY,
            record_key       VARCHAR NOT NULL,   -- the Part 2 program's record of the person
            roles            VARCHAR[] NOT NULL, -- who may receive the records (the scope)
            purpose          VARCHAR NOT NULL,
            given_on         DATE NOT NULL,
            expires_on       DATE,
            revoked_on       DATE,
            recorded_by      VARCHAR NOT NULL,
            recorded_at      TIMESTAMP NOT NULL
        )
        """,
        """
        CREATE TABLE api_token (
            token_hash       VARCHAR PRIMARY KEY,  -- sha256 of the token; never the token
            username         VARCHAR NOT NULL,
            name             VARCHAR NOT NULL,
            created_at       TIMESTAMP NOT NULL,
            expires_at       TIMESTAMP NOT NULL,
            revoked_at       TIMESTAMP
        )
        """,
    ],
    # 8: the audit trail: append-only, each row hash-chained to the one before (govern/audit.py)
    [
        """
        CREATE TABLE audit_log (
            seq              BIGINT PRIMARY KEY,  -- 1, 2, 3, ... without gaps
            occurred_at      TIMESTAMP NOT NULL,  -- UTC
            actor            VARCHAR NOT NULL,    -- account name, or the OS user for the CLI
            action           VARCHAR NOT NULL,    -- login, view_person, export, ... (audit.ACTIONS)
            subject_kind     VARCHAR,             -- person, account, pair, policy, file, ...
            subject_id       VARCHAR,             -- an id, never a name or a record's contents
            purpose          VARCHAR,             -- why, as the actor gave it
            details          JSON,                -- ids and counts only
            prev_hash        VARCHAR NOT NULL,    -- row_hash of seq - 1 (64 zeros for seq 1)
            row_hash         VARCHAR NOT NULL     -- sha256(prev_hash, canonical fields)
        )
        """,
    ],
    # 9: a cohort member's cost (weighted contacts) and its rank, for cost-ranked cohorts; every
    # source behind a need flag (its evidence list keeps only the newest items)
    [
        "ALTER TABLE cohort_member ADD COLUMN IF NOT EXISTS cost DOUBLE",
        "ALTER TABLE cohort_member ADD COLUMN IF NOT EXISTS cost_rank INTEGER",
        "ALTER TABLE need_flag ADD COLUMN IF NOT EXISTS sources VARCHAR[]",
    ],
    # 10: the record's city (suburb, town) as linkage evidence beside the ZIP
    ["ALTER TABLE link_input ADD COLUMN IF NOT EXISTS city VARCHAR"],
]

# Views every later stage reads: the current version of each record and event.
VIEWS: list[str] = [
    "CREATE OR REPLACE VIEW current_record AS SELECT * FROM source_record WHERE is_current",
    # A cancelled visit (HL7 A11) stays in history but is no contact.
    """
    CREATE OR REPLACE VIEW current_event AS SELECT * FROM event
    WHERE is_current AND coalesce(json_extract_string(details, '$.cancelled'), 'false') <> 'true'
    """,
    """
    CREATE OR REPLACE VIEW current_quarantine AS
    SELECT q.* FROM quarantine q JOIN ingest_batch b USING (batch_id)
    WHERE b.path LIKE 'mllp://%' OR b.batch_id = (
        SELECT b2.batch_id FROM ingest_batch b2
        WHERE b2.source = b.source AND b2.path = b.path AND b2.status = 'done'
        ORDER BY b2.started_at DESC LIMIT 1)
    """,
    """
    CREATE OR REPLACE VIEW current_review_decision AS
    SELECT * FROM review_decision
    QUALIFY row_number() OVER (PARTITION BY record_key_l, record_key_r
                               ORDER BY decided_at DESC) = 1
    """,
    """
    CREATE OR REPLACE VIEW latest_need_flag AS
    SELECT n.* FROM need_flag n
    WHERE n.run_id = (SELECT run_id FROM identify_run ORDER BY ran_at DESC LIMIT 1)
    """,
    """
    CREATE OR REPLACE VIEW latest_cohort AS
    SELECT m.* FROM cohort_member m
    WHERE m.run_id = (SELECT run_id FROM identify_run ORDER BY ran_at DESC LIMIT 1)
    """,
]
