import {
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { blankPage, Pages, type PageView } from "../../api/pages";
import { EditorFrame, useEditorActions } from "../../components/EditorFrame";
import { type Key, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorBox, Loading, useStarter } from "../common";

const PageBuilder = lazy(() => import("./PageBuilder"));

/** PageEditorScreen: #/pages/new, #/pages/new/variant|translation/PARENT, #/pages/ID. */
export function PageEditorScreen({ id, kind, parent }: { id: string; kind?: string; parent?: string }) {
  const isNew = id === "new";
  const starter = useStarter();
  const q = useQuery({ queryKey: ["page", id], queryFn: () => Pages.Get(id), enabled: !isNew });
  const p = useQuery({
    queryKey: ["page", parent],
    queryFn: () => Pages.Get(parent ?? ""),
    enabled: !!parent,
  });
  const err = q.error ?? p.error;
  if (err) return <ErrorBox error={err} />;
  if ((!isNew && !q.data) || (parent && !p.data)) return <Loading />;
  const start =
    isNew && parent && p.data
      ? blankPage(
          { id: parent, kind: kind === "translation" ? "translation" : "variant", from: p.data },
          starter,
        )
      : isNew
        ? blankPage(undefined, starter)
        : (q.data as PageView);
  return <Editor key={start.id || `new-${kind}-${parent}`} initial={start} />;
}

function Editor({ initial }: { initial: PageView }) {
  const { t } = useI18n();
  const [page, setPage] = useState<PageView>(initial);
  const set = (patch: Partial<PageView>) => setPage((cur) => ({ ...cur, ...patch }));
  const isChild = !!(page.variantParentId || page.translationParentId);
  const publicUrl = useQuery({ queryKey: ["pages", "publicUrl"], queryFn: () => Pages.PublicURL() });
  const { saving, fe, save, remove } = useEditorActions({
    listPath: "/pages",
    queryRoot: "pages",
    savedMsg: "pages.saved",
    deletedMsg: "pages.deleted",
    isNew: !initial.id,
    save: () => Pages.Save(page),
    remove: () => Pages.Delete(page.id),
    onSaved: setPage,
  });
  const live =
    publicUrl.data && page.id && !page.variantParentId
      ? `${publicUrl.data}${page.customPath || `/p/${page.alias}`}`
      : "";
  return (
    <EditorFrame
      title={page.title || t("pages.new")}
      backLabel={t("pages.back")}
      backPath="/pages"
      saving={saving}
      onSave={() => void save()}
      onDelete={page.id ? () => void remove() : undefined}
      actions={
        live && (
          <Anchor href={live} target="_blank" rel="noreferrer">
            {t("pages.openLive")}
          </Anchor>
        )
      }
    >
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <TextInput
            label={t("pages.f.title")}
            required
            value={page.title}
            error={fe("title")}
            onChange={(e) => set({ title: e.currentTarget.value })}
          />
        </Grid.Col>
        {!page.variantParentId && (
          <Grid.Col span={{ base: 12, md: 4 }}>
            <TextInput
              label={t("pages.f.alias")}
              description={t("pages.f.aliasHint")}
              value={page.alias}
              error={fe("alias")}
              onChange={(e) => set({ alias: e.currentTarget.value })}
            />
          </Grid.Col>
        )}
        {!isChild && (
          <Grid.Col span={{ base: 12, md: 4 }}>
            <TextInput
              label={t("pages.f.customPath")}
              description={t("pages.f.customPathHint")}
              value={page.customPath}
              error={fe("customPath")}
              onChange={(e) => set({ customPath: e.currentTarget.value })}
            />
          </Grid.Col>
        )}
        <Grid.Col span={{ base: 12, md: 2 }}>
          <TextInput
            label={t("pages.f.language")}
            value={page.language}
            error={fe("language")}
            onChange={(e) => set({ language: e.currentTarget.value })}
          />
        </Grid.Col>
        {page.variantParentId && (
          <Grid.Col span={{ base: 12, md: 2 }}>
            <NumberInput
              label={t("pages.f.weight")}
              min={0}
              max={100}
              value={page.variantWeight}
              error={fe("variantWeight")}
              onChange={(v) => set({ variantWeight: Number(v) || 0 })}
            />
          </Grid.Col>
        )}
      </Grid>
      <Group>
        <Switch
          label={t("pages.f.published")}
          checked={page.published}
          onChange={(e) => set({ published: e.currentTarget.checked })}
        />
        <Switch
          label={t("pages.f.noIndex")}
          checked={page.noIndex}
          onChange={(e) => set({ noIndex: e.currentTarget.checked })}
        />
        {!isChild && (
          <Switch
            label={t("pages.f.prefCenter")}
            checked={page.preferenceCenter}
            onChange={(e) => set({ preferenceCenter: e.currentTarget.checked })}
          />
        )}
      </Group>
      <Tabs defaultValue="content" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="content">{t("pages.tab.content")}</Tabs.Tab>
          <Tabs.Tab value="seo">{t("pages.tab.seo")}</Tabs.Tab>
          <Tabs.Tab value="preview">{t("pages.tab.preview")}</Tabs.Tab>
          {page.id && <Tabs.Tab value="family">{t("pages.tab.family")}</Tabs.Tab>}
          {page.id && <Tabs.Tab value="stats">{t("pages.tab.stats")}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="content" pt="md">
          <Stack>
            <SegmentedControl
              aria-label={t("pages.f.mode")}
              value={page.mode}
              onChange={(v) => set({ mode: v })}
              data={[
                { value: "builder", label: t("pages.mode.builder") },
                { value: "html", label: t("pages.mode.html") },
              ]}
              w={260}
            />
            <Text size="sm" c="dimmed">
              {t("pages.htmlHint")}
            </Text>
            {page.mode === "builder" ? (
              <Suspense fallback={<Loading />}>
                <PageBuilder
                  source={page.source}
                  html={page.html}
                  onChange={(c) => set({ source: c.source, html: c.html })}
                />
              </Suspense>
            ) : (
              <Textarea
                label={t("pages.f.html")}
                autosize
                minRows={16}
                styles={{ input: { fontFamily: "monospace" } }}
                value={page.html}
                error={fe("html")}
                onChange={(e) => set({ html: e.currentTarget.value, source: "" })}
              />
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="seo" pt="md">
          <Stack maw={640}>
            <TextInput
              label={t("pages.f.seoTitle")}
              value={page.seoTitle}
              onChange={(e) => set({ seoTitle: e.currentTarget.value })}
            />
            <Textarea
              label={t("pages.f.metaDescription")}
              autosize
              minRows={2}
              maxLength={300}
              value={page.metaDescription}
              onChange={(e) => set({ metaDescription: e.currentTarget.value })}
            />
            <TextInput
              label={t("pages.f.socialImage")}
              value={page.socialImage}
              error={fe("socialImage")}
              onChange={(e) => set({ socialImage: e.currentTarget.value })}
            />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="md">
          <Preview page={page} />
        </Tabs.Panel>
        {page.id && (
          <Tabs.Panel value="family" pt="md">
            <Family page={page} set={set} />
          </Tabs.Panel>
        )}
        {page.id && (
          <Tabs.Panel value="stats" pt="md">
            <Stats id={page.variantParentId || page.translationParentId || page.id} />
          </Tabs.Panel>
        )}
      </Tabs>
    </EditorFrame>
  );
}

/** Preview shows the rendered page in a sandboxed frame (no script runs in it). */
function Preview({ page }: { page: PageView }) {
  const q = useQuery({
    queryKey: ["pagePreview", page.html, page.seoTitle, page.title],
    queryFn: () => Pages.Preview(page),
    retry: false,
  });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading />;
  return (
    <iframe
      title={page.title || "preview"}
      sandbox=""
      srcDoc={q.data}
      style={{
        width: "100%",
        height: 560,
        border: "1px solid var(--mantine-color-default-border)",
        borderRadius: 6,
        background: "#fff",
      }}
    />
  );
}

function Family({ page, set }: { page: PageView; set: (patch: Partial<PageView>) => void }) {
  const { t } = useI18n();
  const rootId = page.variantParentId || page.translationParentId || page.id;
  const q = useQuery({ queryKey: ["pageStats", rootId], queryFn: () => Pages.Stats(rootId) });
  const rows = q.data ?? [];
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t("pages.familyHint")}
      </Text>
      {!page.variantParentId && (
        <Group>
          <Button variant="default" onClick={() => navigate(`/pages/new/variant/${page.id}`)}>
            {t("pages.addVariant")}
          </Button>
          {!page.translationParentId && (
            <Button variant="default" onClick={() => navigate(`/pages/new/translation/${page.id}`)}>
              {t("pages.addTranslation")}
            </Button>
          )}
        </Group>
      )}
      {!page.variantParentId && !page.translationParentId && <AutoWinner page={page} set={set} />}
      {q.error && <ErrorBox error={q.error} />}
      {rows.length <= 1 && <Text c="dimmed">{t("pages.noFamily")}</Text>}
      {rows.length > 1 && (
        <Table>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <a href={`#/pages/${r.id}`}>{r.title}</a>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light">{t(`pages.role.${r.role}` as Key)}</Badge>
                </Table.Td>
                <Table.Td>{r.language}</Table.Td>
                <Table.Td>{r.role === "variant" ? `${r.weight} %` : ""}</Table.Td>
                <Table.Td>
                  {r.id === page.abWinnerId && page.abCriteria && (
                    <Badge color="green">{t("pages.ab.winner")}</Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** AutoWinner sets Mautic's A/B winner criterion: after the given hours the best candidate is
 * chosen (backend/pages/abtest.go) and served alone. */
function AutoWinner({ page, set }: { page: PageView; set: (patch: Partial<PageView>) => void }) {
  const { t } = useI18n();
  return (
    <Stack gap="xs" data-testid="ab-winner">
      <Group align="flex-end">
        <Select
          label={t("pages.ab.criteria")}
          w={320}
          data={[
            { value: "", label: t("pages.ab.none") },
            { value: "conversions", label: t("pages.ab.conversions") },
            { value: "bounce", label: t("pages.ab.bounce") },
          ]}
          value={page.abCriteria}
          allowDeselect={false}
          onChange={(v) => set({ abCriteria: v ?? "", abHours: v ? page.abHours || 72 : 0 })}
        />
        {page.abCriteria && (
          <NumberInput
            label={t("pages.ab.hours")}
            min={1}
            max={8784}
            value={page.abHours}
            onChange={(v) => set({ abHours: Number(v) || 0 })}
          />
        )}
      </Group>
      {page.abCriteria && (
        <Text size="sm" c="dimmed">
          {page.abWinnerId ? t("pages.ab.decided", { at: page.abDecidedAt }) : t("pages.ab.pending")}
        </Text>
      )}
    </Stack>
  );
}

function Stats({ id }: { id: string }) {
  const { t, fmtNumber } = useI18n();
  const q = useQuery({ queryKey: ["pageStats", id], queryFn: () => Pages.Stats(id) });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading />;
  return (
    <Table data-testid="page-stats">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("pages.col.title")}</Table.Th>
          <Table.Th ta="right">{t("pages.col.hits")}</Table.Th>
          <Table.Th ta="right">{t("pages.col.unique")}</Table.Th>
          <Table.Th ta="right">{t("pages.col.conversions")}</Table.Th>
          <Table.Th ta="right">{t("pages.rate")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {q.data.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td>
              {r.title} <Badge variant="light">{t(`pages.role.${r.role}` as Key)}</Badge>
            </Table.Td>
            <Table.Td ta="right">{fmtNumber(r.counter.hits)}</Table.Td>
            <Table.Td ta="right">{fmtNumber(r.counter.uniqueHits)}</Table.Td>
            <Table.Td ta="right">{fmtNumber(r.counter.conversions)}</Table.Td>
            <Table.Td ta="right">{(r.rate * 100).toFixed(1)} %</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
