-- The contact grid's sparse anchor indexes (backend/listing/sparse.go) kept across restarts,
-- so a reopened million-contact store jumps to any page at once instead of walking up to
-- half a sort index for the first jump of every sort. Both tables are local (not synced).

-- A data generation per contact order: triggers bump it in the writing transaction (any
-- process, any write path, crash-safe), so a stored index is used only while no write
-- that may move rows in its order has committed since it was built. k = '*' counts inserts,
-- deletes and tombstone changes (they move every order); the other rows count updates of
-- the columns a sort key of contacts.Sorts is computed from.
CREATE TABLE contacts_order_gen(k TEXT PRIMARY KEY, gen INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO contacts_order_gen(k, gen) VALUES
  ('*', 0), ('date_added', 0), ('date_modified', 0), ('last_active', 0), ('email', 0),
  ('firstname', 0), ('lastname', 0), ('company', 0), ('city', 0), ('country', 0), ('points', 0);

CREATE TRIGGER contacts_order_ins AFTER INSERT ON contacts BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = '*';
END;
CREATE TRIGGER contacts_order_del AFTER DELETE ON contacts BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = '*';
END;
CREATE TRIGGER contacts_order_trash AFTER UPDATE OF deleted, deleted_at ON contacts
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.deleted_at IS NOT NEW.deleted_at BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = '*';
END;
CREATE TRIGGER contacts_order_date_added AFTER UPDATE OF date_added ON contacts
WHEN OLD.date_added IS NOT NEW.date_added BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'date_added';
END;
CREATE TRIGGER contacts_order_date_modified AFTER UPDATE OF date_modified ON contacts
WHEN OLD.date_modified IS NOT NEW.date_modified BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'date_modified';
END;
CREATE TRIGGER contacts_order_last_active AFTER UPDATE OF last_active ON contacts
WHEN OLD.last_active IS NOT NEW.last_active BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'last_active';
END;
CREATE TRIGGER contacts_order_email AFTER UPDATE OF email ON contacts
WHEN OLD.email IS NOT NEW.email BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'email';
END;
CREATE TRIGGER contacts_order_firstname AFTER UPDATE OF firstname_key ON contacts
WHEN OLD.firstname_key IS NOT NEW.firstname_key BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'firstname';
END;
CREATE TRIGGER contacts_order_lastname AFTER UPDATE OF lastname_key ON contacts
WHEN OLD.lastname_key IS NOT NEW.lastname_key BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'lastname';
END;
CREATE TRIGGER contacts_order_company AFTER UPDATE OF company ON contacts
WHEN OLD.company IS NOT NEW.company BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'company';
END;
CREATE TRIGGER contacts_order_city AFTER UPDATE OF city ON contacts
WHEN OLD.city IS NOT NEW.city BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'city';
END;
CREATE TRIGGER contacts_order_country AFTER UPDATE OF country ON contacts
WHEN OLD.country IS NOT NEW.country BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'country';
END;
CREATE TRIGGER contacts_order_points AFTER UPDATE OF points ON contacts
WHEN OLD.points IS NOT NEW.points BEGIN
  UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = 'points';
END;

-- One stored sparse index per order (sig = table|key|trash), valid while gen equals the
-- current contacts_order_gen of '*' plus its sort column's row; n rows in the order when
-- built; anchors = JSON [[offset, key, id], …] of the ascending order.
CREATE TABLE listing_sparse(
  sig TEXT PRIMARY KEY,
  gen INTEGER NOT NULL,
  n INTEGER NOT NULL,
  anchors TEXT NOT NULL
) WITHOUT ROWID;
