// Package tokens renders Mautic's personalisation tokens in emails, pages and messages:
//
//	{contactfield=firstname}             a contact field (company fields fall back to the
//	                                     contact's primary company); {leadfield=…} is the
//	                                     legacy spelling
//	{contactfield=firstname|friend}      with a default used when the value is empty
//	{contactfield=email|true}            URL-encoded value (empty stays empty)
//	{contactfield=birthday|date}         formatted with the configured date/time formats
//	{ownerfield=email}                   the contact owner's fields
//	{unsubscribe_url} {webview_url} {tracking_pixel} {subject} {signature} {today} …
//
// Braces may arrive URL-encoded (%7B…%7D) inside href attributes, as editors encode them.
//
// It is a hand-rolled scanner, not text/template: what users write never becomes
// executable. Values are HTML-escaped in HTML output (except the few tokens whose value is
// markup by design, e.g. {tracking_pixel}); unknown tokens are left intact and reported by
// Lint, never dropped silently.
package tokens
