import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDeviceFloppy, IconDownload, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { on } from "../../api";
import { blankForm, type Form, Forms } from "../../api/forms";
import { UndoButtons, useUndo } from "../../components/Undo";
import { useI18n } from "../../i18n";
import { navigate, useRoute } from "../../router";
import { ErrorBox, Loading } from "../common";
import { saveOrDownload } from "../io/files";
import { ActionsPanel } from "./ActionsPanel";
import { FieldsPanel } from "./FieldsPanel";

export function FormBuilder({ id }: { id: string }) {
  const { t, te } = useI18n();
  const route = useRoute();
  const qc = useQueryClient();
  const isNew = id === "new";
  const q = useQuery({ queryKey: ["form", id], queryFn: () => Forms.Get(id), enabled: !isNew });
  // The whole form (fields, actions, settings) with undo: a removed field comes back.
  const u = useUndo<Form | null>(isNew ? blankForm() : null);
  const form = u.value;
  const { reset } = u;
  const [tab, setTab] = useState<string | null>(route.query.get("tab") ?? "fields");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (q.data && !form) reset(q.data);
  }, [q.data, form, reset]);
  if (!isNew && q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (!form) return <Loading />;
  const set = (p: Partial<Form>) => u.set((f) => (f ? { ...f, ...p } : f));
  const save = async () => {
    setBusy(true);
    try {
      const saved = await Forms.Save(form);
      u.set(saved);
      setProblems({});
      void qc.invalidateQueries({ queryKey: ["forms"] });
      notifications.show({ color: "green", message: t("forms.saved") });
      if (isNew) navigate(`/forms/${saved.id}`);
    } catch (e) {
      const f = (e as { fields?: Record<string, string> }).fields;
      if (f) setProblems(f);
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await Forms.Delete(form.id);
      notifications.show({ message: t("forms.deleted") });
      navigate("/forms");
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const problemList = Object.entries(problems);
  return (
    <Stack>
      <Group justify="space-between">
        <Stack gap={0}>
          <Anchor href="#/forms" size="sm">
            ← {t("forms.back")}
          </Anchor>
          <Title order={2}>{form.name || t("forms.new")}</Title>
        </Stack>
        <Group gap="xs">
          <UndoButtons u={u} />
          {!isNew && (
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => void remove()}
            >
              {t("forms.delete")}
            </Button>
          )}
          <Button
            leftSection={<IconDeviceFloppy size={16} aria-hidden />}
            loading={busy}
            onClick={() => void save()}
          >
            {t("forms.save")}
          </Button>
        </Group>
      </Group>
      {problemList.length > 0 && (
        <Alert color="red" role="alert" title={t("errors.title")}>
          {problemList.map(([k, v]) => (
            <Text size="sm" key={k}>
              {k}: {t(v as never)}
            </Text>
          ))}
        </Alert>
      )}
      <TextInput
        label={t("forms.s.name")}
        value={form.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        error={problems.name ? t("forms.s.name") : undefined}
        maw={480}
        required
      />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="fields">{t("forms.tab.fields")}</Tabs.Tab>
          <Tabs.Tab value="actions">{t("forms.tab.actions")}</Tabs.Tab>
          <Tabs.Tab value="settings">{t("forms.tab.settings")}</Tabs.Tab>
          <Tabs.Tab value="preview">{t("forms.tab.preview")}</Tabs.Tab>
          <Tabs.Tab value="embed">{t("forms.tab.embed")}</Tabs.Tab>
          <Tabs.Tab value="results">{t("forms.tab.results")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="fields" pt="md">
          <FieldsPanel fields={form.fields} onChange={(fields) => set({ fields })} />
        </Tabs.Panel>
        <Tabs.Panel value="actions" pt="md">
          <ActionsPanel actions={form.actions} onChange={(actions) => set({ actions })} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <SettingsPanel form={form} set={set} />
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="md">
          <Preview form={form} />
        </Tabs.Panel>
        <Tabs.Panel value="embed" pt="md">
          {isNew ? <Text c="dimmed">{t("forms.embed.saveFirst")}</Text> : <EmbedPanel id={form.id} />}
        </Tabs.Panel>
        <Tabs.Panel value="results" pt="md">
          {isNew ? <Text c="dimmed">{t("forms.results.empty")}</Text> : <ResultsPanel form={form} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function SettingsPanel({ form, set }: { form: Form; set: (p: Partial<Form>) => void }) {
  const { t } = useI18n();
  return (
    <Stack maw={560}>
      <Textarea
        label={t("forms.s.description")}
        value={form.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
      />
      <TextInput
        label={t("forms.s.submitLabel")}
        value={form.submitLabel}
        onChange={(e) => set({ submitLabel: e.currentTarget.value })}
      />
      <div>
        <Text size="sm" fw={500} id="post-action">
          {t("forms.s.postAction")}
        </Text>
        <SegmentedControl
          aria-labelledby="post-action"
          value={form.postAction}
          onChange={(v) => set({ postAction: v })}
          data={[
            { value: "message", label: t("forms.s.postMessage") },
            { value: "redirect", label: t("forms.s.postRedirect") },
          ]}
        />
      </div>
      <TextInput
        label={t("forms.s.postValue")}
        value={form.postValue}
        onChange={(e) => set({ postValue: e.currentTarget.value })}
      />
      <NumberInput
        label={t("forms.s.minSeconds")}
        min={0}
        max={3600}
        value={form.minSeconds}
        onChange={(v) => set({ minSeconds: typeof v === "number" ? v : 0 })}
        w={200}
      />
      <Checkbox
        label={t("forms.s.kiosk")}
        checked={form.kiosk}
        onChange={(e) => set({ kiosk: e.currentTarget.checked })}
      />
      <Checkbox
        label={t("forms.s.published")}
        checked={form.published}
        onChange={(e) => set({ published: e.currentTarget.checked })}
      />
    </Stack>
  );
}

function Preview({ form }: { form: Form }) {
  const { t } = useI18n();
  const html = useQuery({
    queryKey: ["form-preview", JSON.stringify(form)],
    queryFn: () => Forms.Preview(form),
  });
  if (!html.data) return <Loading />;
  return (
    <Paper withBorder>
      <iframe
        title={t("forms.preview.title")}
        srcDoc={html.data}
        sandbox=""
        style={{ border: 0, width: "100%", minHeight: 520, background: "#fff" }}
      />
    </Paper>
  );
}

function EmbedPanel({ id }: { id: string }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["form-embed", id], queryFn: () => Forms.Embed(id) });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading />;
  const codes = [
    { label: t("forms.embed.script"), code: q.data.script },
    { label: t("forms.embed.iframe"), code: q.data.iframe },
    { label: t("forms.embed.html"), code: q.data.html },
  ];
  return (
    <Stack>
      {!q.data.configured && <Alert color="yellow">{t("forms.embed.noTracker")}</Alert>}
      {codes.map((c) => (
        <Stack gap={4} key={c.label}>
          <Group justify="space-between">
            <Text fw={600}>{c.label}</Text>
            <CopyButton value={c.code}>
              {({ copied, copy }) => (
                <Button
                  size="xs"
                  variant="light"
                  onClick={copy}
                  aria-label={`${t("forms.embed.copy")}: ${c.label}`}
                >
                  {copied ? t("forms.embed.copied") : t("forms.embed.copy")}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Code block tabIndex={0} style={{ maxHeight: 200, overflow: "auto", whiteSpace: "pre-wrap" }}>
            {c.code}
          </Code>
        </Stack>
      ))}
    </Stack>
  );
}

function ResultsPanel({ form }: { form: Form }) {
  const { t, te, fmtNumber, fmtDate } = useI18n();
  const [limit, setLimit] = useState(100);
  const q = useQuery({
    queryKey: ["form-results", form.id, limit],
    queryFn: () => Forms.Results(form.id, 0, limit),
  });
  const { refetch } = q;
  useEffect(() => on("form_results:changed", () => void refetch()), [refetch]);
  const cols = form.fields.filter((f) => !["freetext", "freehtml", "pagebreak", "captcha"].includes(f.type));
  const exportAs = async (format: string) => {
    try {
      const r = await Forms.ExportResults(form.id, format);
      await saveOrDownload(r.path, () => Forms.SaveResultsAs(r.path));
      notifications.show({ color: "green", message: t("forms.results.exported", { n: fmtNumber(r.rows) }) });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const download = async (fileId: string) => {
    try {
      const r = await Forms.ExportFile(fileId);
      await saveOrDownload(r.path, () => Forms.SaveResultsAs(r.path));
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void refetch()} />;
  if (!q.data) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={600}>{t("forms.results.total", { n: fmtNumber(q.data.total) })}</Text>
        <Group gap="xs">
          {["csv", "xlsx"].map((f) => (
            <Button
              key={f}
              size="xs"
              variant="default"
              leftSection={<IconDownload size={14} aria-hidden />}
              onClick={() => void exportAs(f)}
            >
              {t("forms.results.export", { format: f.toUpperCase() })}
            </Button>
          ))}
        </Group>
      </Group>
      {q.data.rows.length === 0 ? (
        <Text c="dimmed">{t("forms.results.empty")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={600}>
          <Table striped data-testid="form-results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("forms.results.date")}</Table.Th>
                <Table.Th>{t("forms.results.contact")}</Table.Th>
                {cols.map((c) => (
                  <Table.Th key={c.alias}>{c.label || c.alias}</Table.Th>
                ))}
                <Table.Th>{t("forms.results.issues")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.data.rows.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{fmtDate(new Date(r.at).toISOString())}</Table.Td>
                  <Table.Td>
                    <a href={`#/contacts/${r.contactId}`}>{r.contact || r.contactId.slice(0, 8)}</a>
                  </Table.Td>
                  {cols.map((c) => {
                    const file = r.files.find((f) => f.field === c.alias);
                    return (
                      <Table.Td key={c.alias}>
                        {file ? (
                          <Anchor
                            component="button"
                            type="button"
                            onClick={() => void download(file.id)}
                            aria-label={t("forms.results.download", { name: file.name })}
                          >
                            {file.name} ({fmtNumber(Math.ceil(file.size / 1024))} KB)
                          </Anchor>
                        ) : (
                          (r.values[c.alias] ?? "")
                        )}
                      </Table.Td>
                    );
                  })}
                  <Table.Td>{r.issues.join("; ")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {q.data.total > q.data.rows.length && (
        <Button variant="subtle" onClick={() => setLimit(limit + 100)}>
          {t("forms.results.more")}
        </Button>
      )}
    </Stack>
  );
}
