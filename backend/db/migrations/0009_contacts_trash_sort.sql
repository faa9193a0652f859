-- The trash of contacts is listed newest deletion first (`coalesce(deleted_at, 0) DESC, id
-- DESC`), and its pages, like the live grid's, are read by keyset from anchors: the
-- contacts_deleted index (deleted_at alone) cannot give that order, so every trash page,
-- and each step of the trash's sparse anchor index (backend/listing), sorted the whole
-- trash. This index gives the order and covers the page query (deleted appended, as in
-- 0008). Additive; index definitions are local.
CREATE INDEX IF NOT EXISTS contacts_trash_sort ON contacts(coalesce(deleted_at, 0), id, deleted) WHERE deleted = 1;
