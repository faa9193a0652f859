import {
  Badge,
  Card,
  ColorInput,
  Grid,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Forms } from "../../api/forms";
import { blankFocus, Focus, type FocusPublic, type FocusView, focusPositions } from "../../api/pages";
import { EditorFrame, useEditorActions } from "../../components/EditorFrame";
import { ListScreen } from "../../components/ListScreen";
import { UndoButtons, useUndo } from "../../components/Undo";
import { type Key, useI18n } from "../../i18n";
import { ErrorBox, Loading, useStarter } from "../common";
import { FocusStatsCard } from "./FocusStats";

/** FocusRoutes: #/focus, #/focus/new, #/focus/ID. */
export function FocusRoutes({ parts }: { parts: string[] }) {
  const id = parts[1];
  if (!id) return <FocusList />;
  return <FocusEditorScreen key={id} id={id} />;
}

function FocusList() {
  const { t } = useI18n();
  return (
    <ListScreen<FocusView>
      title={t("focus.title")}
      newLabel={t("focus.new")}
      newPath="/focus/new"
      queryRoot="focus"
      list={Focus.List}
      restore={Focus.Restore}
      emptyTitle={t("focus.empty")}
      emptyHint={t("focus.emptyHint")}
      testId="focus-list"
      columns={[
        {
          header: t("focus.col.name"),
          cell: (it) => (
            <>
              <a href={`#/focus/${it.id}`}>{it.name}</a>{" "}
              {!it.published && <Badge color="gray">{t("pages.unpublished")}</Badge>}
            </>
          ),
        },
        { header: t("focus.col.style"), cell: (it) => t(`focus.style.${it.style}` as Key) },
        {
          header: t("focus.col.trigger"),
          cell: (it) => (
            <>
              {t(`focus.trigger.${it.trigger}` as Key)}
              {it.triggerValue ? ` (${it.triggerValue})` : ""} · {t(`focus.freq.${it.frequency}` as Key)}
            </>
          ),
        },
      ]}
    />
  );
}

function FocusEditorScreen({ id }: { id: string }) {
  const isNew = id === "new";
  const starter = useStarter();
  const q = useQuery({ queryKey: ["focus", id], queryFn: () => Focus.Get(id), enabled: !isNew });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!isNew && !q.data) return <Loading />;
  return <Editor initial={isNew ? blankFocus(starter) : (q.data as FocusView)} />;
}

function Editor({ initial }: { initial: FocusView }) {
  const { t } = useI18n();
  const u = useUndo<FocusView>(initial);
  const it = u.value;
  const set = (patch: Partial<FocusView>) => u.set((cur) => ({ ...cur, ...patch }));
  const opts = (prefix: string, values: string[]) =>
    values.map((v) => ({ value: v, label: t(`${prefix}.${v}` as Key) }));
  const { saving, fe, save, remove } = useEditorActions({
    listPath: "/focus",
    queryRoot: "focus",
    savedMsg: "focus.saved",
    deletedMsg: "focus.deleted",
    isNew: !initial.id,
    save: () => Focus.Save(it),
    remove: () => Focus.Delete(it.id),
    onSaved: u.set,
  });
  const positions = focusPositions[it.style] ?? [""];
  return (
    <EditorFrame
      title={it.name || t("focus.new")}
      backLabel={t("focus.back")}
      backPath="/focus"
      actions={<UndoButtons u={u} />}
      saving={saving}
      onSave={() => void save()}
      onDelete={it.id ? () => void remove() : undefined}
    >
      {it.id && <FocusStatsCard id={it.id} />}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack>
            <TextInput
              label={t("focus.f.name")}
              required
              value={it.name}
              error={fe("name")}
              onChange={(e) => set({ name: e.currentTarget.value })}
            />
            <Group grow>
              <Select
                label={t("focus.f.style")}
                data={opts("focus.style", ["bar", "modal", "notification", "page"])}
                value={it.style}
                allowDeselect={false}
                onChange={(v) => set({ style: v ?? "bar", position: focusPositions[v ?? "bar"]?.[0] ?? "" })}
              />
              {it.style !== "page" && (
                <Select
                  label={t("focus.f.position")}
                  data={positions.map((p) => ({ value: p, label: t(`focus.pos.${p}` as Key) }))}
                  value={it.position}
                  error={fe("position")}
                  allowDeselect={false}
                  onChange={(v) => set({ position: v ?? "" })}
                />
              )}
            </Group>
            <Select
              label={t("focus.f.contentType")}
              data={opts("focus.content", ["text", "link", "form"])}
              value={it.contentType}
              allowDeselect={false}
              onChange={(v) => set({ contentType: v ?? "text" })}
            />
            <TextInput
              label={t("focus.f.headline")}
              value={it.headline}
              onChange={(e) => set({ headline: e.currentTarget.value })}
            />
            <Textarea
              label={t("focus.f.body")}
              autosize
              minRows={2}
              value={it.body}
              onChange={(e) => set({ body: e.currentTarget.value })}
            />
            {it.contentType === "form" && (
              <FormPicker value={it.formId} error={fe("formId")} onChange={(formId) => set({ formId })} />
            )}
            {it.contentType !== "text" && (
              <Group grow>
                {it.contentType === "link" && (
                  <TextInput
                    label={t("focus.f.linkUrl")}
                    value={it.linkUrl}
                    error={fe("linkUrl")}
                    onChange={(e) => set({ linkUrl: e.currentTarget.value })}
                  />
                )}
                <TextInput
                  label={t("focus.f.linkText")}
                  value={it.linkText}
                  onChange={(e) => set({ linkText: e.currentTarget.value })}
                />
              </Group>
            )}
            <Group grow>
              <ColorInput
                label={t("focus.f.bg")}
                value={it.colors.background ?? ""}
                error={fe("colors.background")}
                onChange={(v) => set({ colors: { ...it.colors, background: v } })}
              />
              <ColorInput
                label={t("focus.f.text")}
                value={it.colors.text ?? ""}
                error={fe("colors.text")}
                onChange={(v) => set({ colors: { ...it.colors, text: v } })}
              />
            </Group>
            <Group grow>
              <ColorInput
                label={t("focus.f.button")}
                value={it.colors.button ?? ""}
                error={fe("colors.button")}
                onChange={(v) => set({ colors: { ...it.colors, button: v } })}
              />
              <ColorInput
                label={t("focus.f.buttonText")}
                value={it.colors.buttonText ?? ""}
                error={fe("colors.buttonText")}
                onChange={(v) => set({ colors: { ...it.colors, buttonText: v } })}
              />
            </Group>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack>
            <Group grow>
              <Select
                label={t("focus.f.trigger")}
                data={opts("focus.trigger", ["load", "delay", "scroll", "exit"])}
                value={it.trigger}
                allowDeselect={false}
                onChange={(v) =>
                  set({ trigger: v ?? "load", triggerValue: v === "delay" ? 5 : v === "scroll" ? 50 : 0 })
                }
              />
              {(it.trigger === "delay" || it.trigger === "scroll") && (
                <NumberInput
                  label={t(it.trigger === "delay" ? "focus.f.delay" : "focus.f.scroll")}
                  min={1}
                  max={it.trigger === "delay" ? 3600 : 100}
                  value={it.triggerValue}
                  error={fe("triggerValue")}
                  onChange={(v) => set({ triggerValue: Number(v) || 0 })}
                />
              )}
            </Group>
            <Group grow>
              <Select
                label={t("focus.f.frequency")}
                data={opts("focus.freq", ["everypage", "session", "2min", "15min", "hour", "day"])}
                value={it.frequency}
                allowDeselect={false}
                onChange={(v) => set({ frequency: v ?? "everypage" })}
              />
              <NumberInput
                label={t("focus.f.maxPerDay")}
                min={0}
                max={1000}
                value={it.maxPerDay}
                onChange={(v) => set({ maxPerDay: Number(v) || 0 })}
              />
            </Group>
            <Switch
              label={t("focus.f.stopAfterClose")}
              checked={it.stopAfterClose}
              onChange={(e) => set({ stopAfterClose: e.currentTarget.checked })}
            />
            <Switch
              label={t("focus.f.published")}
              checked={it.published}
              onChange={(e) => set({ published: e.currentTarget.checked })}
            />
            <Textarea
              label={t("focus.f.urlInclude")}
              autosize
              minRows={2}
              placeholder="https://www.example.com/shop/*"
              value={it.urlInclude}
              onChange={(e) => set({ urlInclude: e.currentTarget.value })}
            />
            <Textarea
              label={t("focus.f.urlExclude")}
              autosize
              minRows={2}
              placeholder="*/checkout*"
              value={it.urlExclude}
              onChange={(e) => set({ urlExclude: e.currentTarget.value })}
            />
            <Preview item={it} />
          </Stack>
        </Grid.Col>
      </Grid>
    </EditorFrame>
  );
}

/** FormPicker chooses the published form a form item shows (the forms feature's list). */
function FormPicker({
  value,
  error,
  onChange,
}: {
  value: string;
  error?: string;
  onChange: (id: string) => void;
}) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["forms", "picker"], queryFn: () => Forms.List(false) });
  const data = (q.data ?? []).map((f) => ({ value: f.id, label: f.name }));
  return (
    <Select
      label={t("focus.f.formId")}
      data={data}
      value={value || null}
      error={error}
      searchable
      onChange={(v) => onChange(v ?? "")}
    />
  );
}

/** Preview renders the item exactly as mtc.js does: its markup and CSS in a shadow root
 * (contained in a frame-like box so "fixed" positions stay inside the preview). */
function Preview({ item }: { item: FocusView }) {
  const { t } = useI18n();
  const [debounced] = useDebouncedValue(item, 300);
  const q = useQuery({
    queryKey: ["focusPreview", debounced],
    queryFn: () => Focus.Preview(debounced),
    retry: false,
    placeholderData: (p) => p,
  });
  return (
    <Card withBorder p={0}>
      <Title order={4} p="xs">
        {t("focus.preview")}
      </Title>
      {q.data && <ShadowBox pub={q.data} />}
      {q.error && <ErrorBox error={q.error} />}
    </Card>
  );
}

function ShadowBox({ pub }: { pub: FocusPublic }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: "open" });
    // The preview box is the containing block of the item's position: fixed (transform).
    root.innerHTML = `<style>${pub.css}</style>${pub.html}`;
  }, [pub]);
  return (
    <div
      ref={host}
      data-testid="focus-preview"
      style={{
        position: "relative",
        height: 300,
        transform: "translateZ(0)",
        overflow: "hidden",
        background: "#f1f3f5",
      }}
    />
  );
}
