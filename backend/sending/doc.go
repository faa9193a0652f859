// Package sending delivers prepared email messages over SMTP: a pool of reused connections,
// per-second and per-hour rate limits as ESPs impose them, and a classification of failures
// into temporary (retry with backoff) and permanent (a hard bounce).
//
// What to send and to whom (emails, tokens, segments) is the business of the emails
// package; the durable queue that makes sends exactly-once-or-flagged lives there too and
// calls Mailer.
package sending
