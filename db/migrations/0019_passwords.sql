-- Passwords: a password an admin reset is a one-time password; until its owner picks a new one,
-- every page leads to the change-password form and the API refuses with PASSWORD_CHANGE_REQUIRED.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
