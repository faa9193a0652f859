-- Landing pages, the preference center, dynamic web content and focus items (issue 9).
-- Definitions are synced (trash via tombstones); the tracker reads them from its store.

-- A landing page, an A/B variant (variant_parent_id) or a translation (translation_parent_id),
-- as Mautic's pages table.
CREATE TABLE pages(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  alias TEXT NOT NULL DEFAULT '' COLLATE NOCASE,   -- slug: served at /p/{alias}
  custom_path TEXT NOT NULL DEFAULT '',            -- optional other path, e.g. /offers/spring
  mode TEXT NOT NULL DEFAULT 'builder',            -- builder (GrapesJS) | html
  html TEXT NOT NULL DEFAULT '',                   -- sanitised body/document served
  source TEXT NOT NULL DEFAULT '',                 -- builder project JSON
  seo_title TEXT NOT NULL DEFAULT '',
  meta_description TEXT NOT NULL DEFAULT '',
  social_image TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  translation_parent_id TEXT,
  variant_parent_id TEXT,
  variant_weight INTEGER NOT NULL DEFAULT 0,
  is_preference_center INTEGER NOT NULL DEFAULT 0,
  no_index INTEGER NOT NULL DEFAULT 0,
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX pages_title ON pages(title, id) WHERE deleted = 0;
CREATE INDEX pages_alias ON pages(alias) WHERE deleted = 0;
CREATE INDEX pages_custom_path ON pages(custom_path) WHERE deleted = 0 AND custom_path <> '';
CREATE INDEX pages_translation ON pages(translation_parent_id) WHERE deleted = 0 AND translation_parent_id IS NOT NULL;
CREATE INDEX pages_variant ON pages(variant_parent_id) WHERE deleted = 0 AND variant_parent_id IS NOT NULL;

-- Segments a contact may join or leave on the preference center. id = ids.Derived("segment_pref", segment_id).
CREATE TABLE segment_prefs(
  id TEXT PRIMARY KEY,
  segment_id TEXT NOT NULL,
  visible INTEGER NOT NULL DEFAULT 1,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);

-- Dynamic web content: a named slot with default content, and filter variants tried in order.
CREATE TABLE dwc_slots(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  slot TEXT NOT NULL DEFAULT '' COLLATE NOCASE,    -- data-param-slot-name on the site
  default_content TEXT NOT NULL DEFAULT '',
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX dwc_slots_slot ON dwc_slots(slot) WHERE deleted = 0;

CREATE TABLE dwc_variants(
  id TEXT PRIMARY KEY,
  slot_id TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  filters TEXT NOT NULL DEFAULT '[]',              -- segment filters (JSON)
  content TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX dwc_variants_slot ON dwc_variants(slot_id, position) WHERE deleted = 0;

-- Focus items (Mautic's focus plugin).
CREATE TABLE focus_items(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  style TEXT NOT NULL DEFAULT 'bar',               -- bar | modal | notification | page
  position TEXT NOT NULL DEFAULT '',               -- top|bottom (bar), top|middle|bottom (modal), corners (notification)
  content_type TEXT NOT NULL DEFAULT 'text',       -- form | link | text
  headline TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',                   -- sanitised HTML
  form_id TEXT NOT NULL DEFAULT '',
  link_url TEXT NOT NULL DEFAULT '',
  link_text TEXT NOT NULL DEFAULT '',
  colors TEXT NOT NULL DEFAULT '{}',               -- JSON {"background","text","button","buttonText"}
  trigger_kind TEXT NOT NULL DEFAULT 'load',       -- load | delay | scroll | exit
  trigger_value INTEGER NOT NULL DEFAULT 0,        -- seconds (delay) or percent (scroll)
  frequency TEXT NOT NULL DEFAULT 'everypage',     -- everypage | session | 2min | 15min | hour | day
  max_per_day INTEGER NOT NULL DEFAULT 0,          -- 0 = no daily cap
  stop_after_close INTEGER NOT NULL DEFAULT 0,
  url_include TEXT NOT NULL DEFAULT '',            -- newline-separated wildcard patterns
  url_exclude TEXT NOT NULL DEFAULT '',
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX focus_items_name ON focus_items(name, id) WHERE deleted = 0;
