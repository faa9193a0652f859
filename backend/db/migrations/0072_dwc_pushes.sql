-- Campaign "Push dynamic content" (issue 9, MAUTIC.md §6.4): per contact and slot, the dynamic
-- content item a campaign pushed; the tracker shows it in that slot instead of the item chosen
-- by filters. Synced, so every tracker of a team (web replica) shows the same.
CREATE TABLE dwc_pushes(
  id TEXT PRIMARY KEY,                          -- ids.Derived("dwc_push", contact, lower(slot))
  contact_id TEXT NOT NULL,
  slot TEXT NOT NULL COLLATE NOCASE,
  dwc_id TEXT NOT NULL,                         -- dwc_slots.id
  at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX dwc_pushes_contact ON dwc_pushes(contact_id, slot) WHERE deleted = 0;
