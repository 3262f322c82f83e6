-- The installation's index and token keys, sealed by the master data key
-- (envelope encryption): rotating VERDANT_DATA_KEY re-seals them and never
-- changes an HMAC lookup index, a client-secret hash or a token signature.

-- +goose Up
CREATE TABLE vault_secrets (
    name       TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
-- Forward-only.
