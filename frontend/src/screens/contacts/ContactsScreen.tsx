import { Badge, Button, Group, Menu, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconChevronDown, IconPlus, IconSearch } from "@tabler/icons-react";
import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { type ContactRow, Contacts, on, type Selection } from "../../api";
import { useFields } from "../../api/hooks";
import { useI18n } from "../../i18n";
import { usePrefs } from "../../prefs";
import { navigate, useRoute } from "../../router";
import { EmptyState, ErrorBox } from "../common";
import { ExportDialog, exportFields } from "../io/ExportDialog";
import { BatchDialog, type BatchKind } from "./BatchActions";
import { ColumnChooser } from "./ColumnChooser";
import { backendColumns, buildColumns, pickColumns, setWidth, withWidths } from "./columns";
import { Grid, type GridSelection, type SortState } from "./Grid";
import { Pager } from "./pager";

export function ContactsScreen({
  companyId = "",
  embedded = false,
}: {
  companyId?: string;
  embedded?: boolean;
}) {
  const { t, lang, fmtNumber } = useI18n();
  const { prefs, update } = usePrefs();
  const route = useRoute();
  const fields = useFields("contact");
  const [search, setSearch] = useState(embedded ? "" : (route.query.get("q") ?? ""));
  const [debounced] = useDebouncedValue(search, 120);
  const [sort, setSort] = useState<SortState>({ key: "date_added", desc: true });
  const [selection, setSelection] = useState<GridSelection>({ all: false, ids: new Set() });
  const [active, setActive] = useState(0);
  const [batch, setBatch] = useState<BatchKind>(null);
  const [exporting, setExporting] = useState(false);
  const [version, bump] = useReducer((x: number) => x + 1, 0);

  const allColumns = useMemo(
    () =>
      buildColumns(fields.data ?? [], lang, {
        name: t("contacts.name"),
        tags: t("contacts.tags"),
        dateAdded: t("contacts.dateAdded"),
      }),
    [fields.data, lang, t],
  );
  const columns = withWidths(pickColumns(allColumns, prefs.gridColumns), prefs.gridWidths);
  const want = backendColumns(columns).join(",");
  const columnIds = columns.map((c) => c.id).join(",");
  const exportIds = useMemo(() => exportFields(columnIds.split(",")), [columnIds]);

  const query = useRef({ search: debounced, sort, want });
  query.current = { search: debounced, sort, want };
  const pagerRef = useRef<Pager<ContactRow> | null>(null);
  if (!pagerRef.current) {
    pagerRef.current = new Pager<ContactRow>(async (offset, limit) => {
      const q = query.current;
      return Contacts.List({
        search: q.search,
        sort: q.sort.key,
        desc: q.sort.desc,
        offset,
        limit,
        columns: q.want ? q.want.split(",") : ["email"],
        deleted: false,
        companyId,
      });
    }, bump);
  }
  const pager = pagerRef.current;

  // Every sort's jump index gets ready in the background once the grid is open (stored ones
  // are read, missing ones built one by one), so a sort picked later jumps at once.
  useEffect(() => {
    if (!companyId) void Contacts.WarmSorts().catch(() => undefined);
  }, [companyId]);

  // A new search, sort or column set starts over from the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query ref carries the values
  useEffect(() => {
    pager.reset(undefined, true);
    setActive(0);
    setSelection({ all: false, ids: new Set() });
    void pager.ensure(0, 60);
    bump();
  }, [pager, debounced, sort.key, sort.desc, want]);

  // Backend changes (imports, edits, other windows) refresh what is on screen.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void pager.refresh(Math.max(0, active - 80), active + 80);
      }, 300);
    };
    const offs = ["contacts", "contact_tags", "dnc", "company_contacts"].map((x) =>
      on(`${x}:changed`, refresh),
    );
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [pager, active]);

  const total = pager.total;
  const count = selection.all ? (total ?? 0) : selection.ids.size;
  const sel: Selection = selection.all
    ? { ids: [], all: true, search: debounced }
    : { ids: [...selection.ids], all: false, search: "" };
  const afterBatch = () => {
    setBatch(null);
    setSelection({ all: false, ids: new Set() });
    void pager.refresh(Math.max(0, active - 80), active + 80);
  };

  const empty = total === 0 && debounced === "" && !pager.error;
  return (
    <Stack h={embedded ? 520 : "calc(100dvh - 52px - 2 * var(--mantine-spacing-md))"} gap="sm">
      {!embedded && (
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={2}>{t("nav.contacts")}</Title>
            {total !== null && (
              <Badge variant="light" size="lg" data-testid="contact-total">
                {fmtNumber(total)}
              </Badge>
            )}
          </Group>
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/contacts/new")}>
            {t("contacts.new")}
          </Button>
        </Group>
      )}
      <Group gap="sm" wrap="nowrap">
        <TextInput
          style={{ flex: 1 }}
          leftSection={<IconSearch size={16} aria-hidden />}
          placeholder={t("contacts.searchPlaceholder")}
          aria-label={t("common.search")}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          data-testid="contact-search"
        />
        {count > 0 && (
          <Group gap="xs" wrap="nowrap" data-testid="selection-bar">
            <Text size="sm" fw={600} aria-live="polite">
              {t("contacts.selected", { n: fmtNumber(count) })}
            </Text>
            <Menu position="bottom-end">
              <Menu.Target>
                <Button rightSection={<IconChevronDown size={14} aria-hidden />}>
                  {t("contacts.batch.actions")}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => setBatch("tag")}>{t("contacts.batch.tag")}</Menu.Item>
                <Menu.Item onClick={() => setBatch("segments")}>{t("contacts.batch.segments")}</Menu.Item>
                <Menu.Item onClick={() => setBatch("dnc")}>{t("contacts.batch.dnc")}</Menu.Item>
                <Menu.Item onClick={() => setExporting(true)}>{t("contacts.batch.export")}</Menu.Item>
                <Menu.Item
                  // Mantine colours a theme-named item with shade 6 (3.3:1 on white).
                  color="var(--mantine-color-red-text)"
                  onClick={() => setBatch("delete")}
                >
                  {t("contacts.batch.delete")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        )}
        {count === 0 && !companyId && (
          <Button variant="default" onClick={() => setExporting(true)} disabled={!total}>
            {t("contacts.export")}
          </Button>
        )}
        <ColumnChooser
          all={allColumns}
          chosen={columns.map((c) => c.id)}
          onChange={(ids) => void update({ gridColumns: ids })}
        />
      </Group>
      {pager.error !== null && (
        <ErrorBox error={pager.error} onRetry={() => void pager.ensure(0, 60).then(bump)} />
      )}
      {fields.isError && <ErrorBox error={fields.error} onRetry={() => void fields.refetch()} />}
      {empty ? (
        <EmptyState title={t("contacts.empty")} hint={t("contacts.emptyHint")}>
          <Group>
            <Button onClick={() => navigate("/import")}>{t("home.import")}</Button>
            <Button variant="default" onClick={() => navigate("/")}>
              {t("home.loadDemo")}
            </Button>
          </Group>
        </EmptyState>
      ) : total === 0 ? (
        <Text c="dimmed" p="md" data-testid="no-match">
          {t("contacts.noMatch", { q: debounced })}
        </Text>
      ) : (
        <Grid
          pager={pager}
          version={version}
          columns={columns}
          sort={sort}
          onSort={setSort}
          selection={selection}
          onSelection={(s) => {
            // Inside a company page "all" means the company's rows, which Selection cannot
            // express: select the loaded ones explicitly.
            if (s.all && companyId) {
              const ids = new Set<string>();
              for (let i = 0; i < (total ?? 0); i++) {
                const r = pager.get(i);
                if (r) ids.add(r.id);
              }
              setSelection({ all: false, ids });
            } else setSelection(s);
          }}
          active={active}
          onActive={setActive}
          onOpen={(row) => navigate(`/contacts/${row.id}`)}
          label={t("nav.contacts")}
          resetKey={`${debounced}|${sort.key}|${sort.desc}|${want}`}
          onResize={(id, w) => void update({ gridWidths: setWidth(prefs.gridWidths, id, w) })}
        />
      )}
      <Text size="xs" c="dimmed">
        {t("contacts.keyboardHint")}
      </Text>
      <ExportDialog
        opened={exporting}
        onClose={() => setExporting(false)}
        fields={fields.data ?? []}
        initial={exportIds}
        search={debounced}
        ids={selection.all ? [] : [...selection.ids]}
        count={count || (total ?? 0)}
      />
      <BatchDialog
        kind={batch}
        selection={sel}
        count={count}
        onClose={() => setBatch(null)}
        onDone={afterBatch}
      />
    </Stack>
  );
}
