-- Requests to sign in (and to better-auth's other endpoints) per client and path, counted for the
-- rate limit every web process shares (lib/auth/rate-limit.ts). UNLOGGED: a crash losing the counts
-- costs nothing, and they are written on every sign-in attempt.
CREATE UNLOGGED TABLE auth_rate_limits (
  key text PRIMARY KEY,
  count integer NOT NULL,
  window_started_at timestamptz(3) NOT NULL
);
CREATE INDEX auth_rate_limits_window_started_at_idx ON auth_rate_limits (window_started_at);
