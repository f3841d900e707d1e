-- Accounts hardening: login throttling that an outsider cannot turn into a lockout, and API
-- tokens with a scope and an expiry.

-- The known-device cookie's id when a login attempt came with a valid one: attempts from a
-- browser that logged in as this user before are throttled on their own, so failures made by
-- an outsider against the same email never hold the owner back.
ALTER TABLE login_attempts ADD COLUMN device text;
CREATE INDEX login_attempts_device_idx ON login_attempts (device, at) WHERE device IS NOT NULL;

-- Read-only tokens may only GET; a token past its expiry authenticates nothing.
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'full' CHECK (scope IN ('read', 'full'));
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
