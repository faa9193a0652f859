// Package emails is Magpie's email channel: template and segment emails (variants,
// translations, UTM tags, attachments, versions), their personalised rendering through
// package tokens with tracked links, open pixel, web view and one-click unsubscribe, the
// durable send queue and the statistics.
//
// The send queue (table email_sends) is exactly-once as far as SMTP allows:
//   - queueing a segment email is one INSERT … SELECT, unique per (email, contact), so a
//     contact in several segments or a repeated "send" gets it once;
//   - a row is claimed (state sending) with a fixed Message-ID, committed before any SMTP
//     traffic (the intent);
//   - just before the SMTP transaction the sender's journal file gets "D <id>" (one
//     write(2)), and after the server's 250 "<id> <variant> <address>"; the batch's states
//     then commit together and the journal is truncated;
//   - on restart, rows left "sending" by a dead sender are settled from its journal:
//     accepted → sent (never resent); never transmitted (no D line) → queued again, certainly
//     not delivered; transmitted but no acceptance recorded → queued again with reason
//     resend_uncertain and counted (metric resent_uncertain): the server may hold it;
//   - 4xx and network errors retry with backoff; 5xx on the recipient is a hard bounce (DNC
//     bounced); DNC, deleted contacts and invalid addresses are skipped and counted;
//     contacts over a frequency rule wait.
//
// Every resend carries the same Message-ID as the first attempt, so a receiver (or maildev
// in the e2e test) sees one Message-ID per recipient. The window that SMTP itself leaves open
// is the moment between the server's 250 reply and the journal write — or a reply lost in
// the network: the server has the message, the client cannot know. A kill there resends that
// message (at most one per SMTP connection in flight) with the same Message-ID; it is counted
// as resent_uncertain. The journal is written without fsync: it survives a killed process
// (page cache) but not a power cut, where the in-flight batch is resent the same way.
package emails
