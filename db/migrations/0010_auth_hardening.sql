-- Accounts hardening: login throttling that an outsider cannot turn into a lockout, passwords
-- that must be changed at the next login, and API tokens with a scope and an expiry.

-- The known-device cookie's id when a login attempt came with a valid one: attempts from a
-- browser that logged in as this user before are throttled on their own, so failures made by
-- an outsider against the same email never hold the owner back.
ALTER TABLE login_attempts ADD COLUMN device text;
CREATE INDEX login_attempts_device_idx ON login_attempts (device, at) WHERE device IS NOT NULL;

-- A password set by an admin (or printed once by `user add`) must be replaced at the next login.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

-- Read-only tokens may only GET; a token past its expiry authenticates nothing.
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'full' CHECK (scope IN ('read', 'full'));
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
