-- Issue #11: sign-in limits that count every attempt, rotated refresh tokens, idempotency keys
-- scoped to their caller and route, the last sign-in of each user, and the activity log.

-- Failed sign-ins counted per key (`email:<key>`, `address:<ip>`, `pair:<key>|<ip>`) in fixed
-- windows: an attempt is counted before its password is checked and uncounted if it succeeds.
DROP TABLE login_failures;
CREATE TABLE sign_in_limits (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    failures     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sign_in_limits_by_window ON sign_in_limits (window_start);

-- Every refresh token issued; a used one is replaced by its successor in the same family (one
-- sign-in), and using it again revokes the family.
CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    family     TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);

-- Keys are scoped by tenant, user, method and route; what they hold is transient (24 hours).
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    method      TEXT NOT NULL,
    route       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, method, route, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;

-- Who did what, written in the transaction of the change it records. Rows outlive the customers
-- and users they name: the target's label and the actor's email are kept as they were.
CREATE TABLE activity (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    actor_id       INTEGER,
    actor_email    TEXT NOT NULL,
    action         TEXT NOT NULL,
    target_type    TEXT NOT NULL,
    target_id      INTEGER,
    target_label   TEXT NOT NULL,
    details        TEXT NOT NULL,
    client_address TEXT
);
CREATE INDEX activity_by_tenant ON activity (tenant_id, id);
CREATE INDEX activity_by_target ON activity (tenant_id, target_type, target_id, id);
CREATE INDEX activity_by_actor ON activity (tenant_id, actor_id, id);
CREATE INDEX activity_by_action ON activity (tenant_id, action, id);
