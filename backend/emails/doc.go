// Package emails is Magpie's email channel: template and segment emails (variants,
// translations, UTM tags, attachments, versions), their personalised rendering through
// package tokens with tracked links, open pixel, web view and one-click unsubscribe, the
// durable send queue and the statistics.
//
// The send queue (table email_sends) is exactly-once as far as SMTP allows:
//   - queueing a segment email is one INSERT … SELECT, unique per (email, contact), so a
//     contact in several segments or a repeated "send" gets it once;
//   - a row is claimed (state sending) with a fixed Message-ID before the SMTP transaction;
//   - after the server's 250 the Message-ID goes to the sender's journal file with one
//     write(2), and the batch's states commit together;
//   - on restart, rows left "sending" by a dead sender are settled from its journal: accepted
//     → sent, others → queued again with the same Message-ID;
//   - 4xx and network errors retry with backoff; 5xx on the recipient is a hard bounce (DNC
//     bounced); DNC, deleted contacts and invalid addresses are skipped and counted;
//     contacts over a frequency rule wait.
//
// The only window left is between the server's 250 reply and the journal write (µs); a kill
// there resends one message with the same Message-ID, which receivers can deduplicate.
package emails
