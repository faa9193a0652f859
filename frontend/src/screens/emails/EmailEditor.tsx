import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Checkbox,
  Grid,
  Group,
  List,
  Menu,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconBraces, IconDeviceFloppy, IconSend, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useRef, useState } from "react";
import { Contacts, Fields } from "../../api";
import {
  blankEmail,
  type EmailIssue,
  EmailSegments,
  Emails,
  type EmailView,
  SPECIAL_TOKENS,
  starterHTML,
} from "../../api/emails";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorBox, Loading } from "../common";
import { Attachments, CategoryInput, Variants } from "./EmailExtras";
import { EmailSend } from "./EmailSend";
import { EmailStatsView } from "./EmailStats";
import { emailFieldErrors, FieldErrors, issueText, useEmailI18n, useFieldError } from "./errors";
import { starterWords, THEMES } from "./themes";

const MjmlBuilder = lazy(() => import("./MjmlBuilder"));

/** EmailEditor edits one email: #/emails/ID, or #/emails/new/list|template. */
export function EmailEditor({ id, newKind }: { id?: string; newKind?: "list" | "template" }) {
  const { t, lang } = useEmailI18n();
  // A new email starts in the UI's language: its sample text, and its language (which picks
  // the unsubscribe and web view texts).
  const fresh = () => ({
    ...blankEmail(newKind ?? "template"),
    html: starterHTML(starterWords(t)),
    language: lang,
  });
  const loaded = useQuery({
    queryKey: ["emails", "get", id ?? `new-${newKind}-${lang}`],
    queryFn: () => (id ? Emails.Get(id) : Promise.resolve(fresh())),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (loaded.isLoading) return <Loading />;
  if (loaded.error) return <ErrorBox error={loaded.error} onRetry={() => void loaded.refetch()} />;
  if (!loaded.data) return null;
  return <Editor key={loaded.data.id || "new"} initial={loaded.data} />;
}

function Editor({ initial }: { initial: EmailView }) {
  const { t, te, lang } = useEmailI18n();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<EmailView>(initial);
  const [tab, setTab] = useState<string | null>("content");
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof EmailView>(k: K, v: EmailView[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const [errs, setErrs] = useState<Record<string, string>>({});

  const save = async () => {
    setSaving(true);
    try {
      const saved = await Emails.Save(draft);
      setErrs({});
      setDraft(saved);
      qc.invalidateQueries({ queryKey: ["emails"] });
      notifications.show({ message: t("emails.saved", { n: saved.revision }), color: "green" });
      if (!initial.id) navigate(`/emails/${saved.id}`);
    } catch (e) {
      const fe = emailFieldErrors(lang, e);
      setErrs(fe);
      if (fe.name || fe.subject) setTab("content");
      else if (Object.keys(fe).length > 0) setTab("settings");
      notifications.show({ message: te(e), color: "red" });
    } finally {
      setSaving(false);
    }
  };
  useHotkeys([["mod+S", () => void save()]], [], true);

  const trash = async () => {
    try {
      await Emails.Delete(draft.id);
      notifications.show({ message: t("emails.deleted") });
      navigate("/emails");
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={2}>
            {draft.name || t(draft.kind === "list" ? "emails.newSegment" : "emails.newTemplate")}
          </Title>
          <Badge variant="light">
            {t(draft.kind === "list" ? "emails.kind.list" : "emails.kind.template")}
          </Badge>
        </Group>
        <Group gap="xs">
          {draft.id && (
            <Button
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => void trash()}
            >
              {t("emails.delete")}
            </Button>
          )}
          <Button
            leftSection={<IconDeviceFloppy size={16} aria-hidden />}
            loading={saving}
            onClick={() => void save()}
          >
            {t("emails.save")}
          </Button>
        </Group>
      </Group>
      <FieldErrors.Provider value={errs}>
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="content">{t("emails.tab.content")}</Tabs.Tab>
            <Tabs.Tab value="settings">{t("emails.tab.settings")}</Tabs.Tab>
            <Tabs.Tab value="send">{t("emails.tab.send")}</Tabs.Tab>
            <Tabs.Tab value="stats" disabled={!draft.id}>
              {t("emails.tab.stats")}
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="content" pt="md">
            <Content draft={draft} set={set} />
          </Tabs.Panel>
          <Tabs.Panel value="settings" pt="md">
            <SettingsTab draft={draft} set={set} />
          </Tabs.Panel>
          <Tabs.Panel value="send" pt="md">
            <EmailSend draft={draft} />
          </Tabs.Panel>
          <Tabs.Panel value="stats" pt="md">
            {draft.id && <EmailStatsView id={draft.id} />}
          </Tabs.Panel>
        </Tabs>
      </FieldErrors.Provider>
    </Stack>
  );
}

type Setter = <K extends keyof EmailView>(k: K, v: EmailView[K]) => void;

function Content({ draft, set }: { draft: EmailView; set: Setter }) {
  const { t, te } = useEmailI18n();
  const fe = useFieldError();
  const area = useRef<HTMLTextAreaElement>(null);
  const [width, setWidth] = useState("desktop");
  const [mode, setMode] = useState(draft.source.trim().startsWith("<mjml") ? "visual" : "code");
  const [mjmlErrors, setMjmlErrors] = useState<string[]>([]);
  const [builderKey, setBuilderKey] = useState(0);
  const [contact, setContact] = useState<string | null>(null);
  const [contactSearch, setContactSearch] = useState("");
  const [to, setTo] = useState("");
  const [debounced] = useDebouncedValue(draft, 400);
  const preview = useQuery({
    queryKey: ["emails", "preview", debounced, contact],
    queryFn: () => Emails.Preview(debounced, contact ?? ""),
    placeholderData: (prev) => prev,
  });
  const fields = useQuery({ queryKey: ["fields", "contact"], queryFn: () => Fields.List("contact") });
  const people = useQuery({
    queryKey: ["emails", "preview-contacts", contactSearch],
    queryFn: () =>
      Contacts.List({
        search: contactSearch,
        sort: "",
        desc: false,
        offset: 0,
        limit: 20,
        columns: ["firstname", "lastname", "email"],
        deleted: false,
        companyId: "",
      }),
  });

  const insert = (token: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : draft.html.length;
    const next = draft.html.slice(0, at) + token + draft.html.slice(el ? el.selectionEnd : at);
    set("html", next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };
  const tokens = [...(fields.data ?? []).map((f) => `{contactfield=${f.alias}}`), ...SPECIAL_TOKENS];
  const sendTest = async () => {
    try {
      await Emails.SendTest(draft, to);
      notifications.show({ message: t("emails.test.sent", { to }), color: "green" });
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };

  return (
    <Grid>
      {mode === "visual" && (
        <Grid.Col span={12} order={2}>
          <Suspense fallback={<Loading />}>
            <MjmlBuilder
              key={builderKey}
              source={draft.source}
              onChange={(c) => {
                set("source", c.mjml);
                if (c.html) set("html", c.html);
                setMjmlErrors(c.errors);
              }}
            />
          </Suspense>
        </Grid.Col>
      )}
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Stack gap="sm">
          <TextInput
            label={t("emails.field.name")}
            error={fe("name")}
            required
            value={draft.name}
            onChange={(e) => set("name", e.currentTarget.value)}
          />
          <TextInput
            label={t("emails.field.subject")}
            error={fe("subject")}
            value={draft.subject}
            onChange={(e) => set("subject", e.currentTarget.value)}
          />
          <TextInput
            label={t("emails.field.preheader")}
            value={draft.preheader}
            onChange={(e) => set("preheader", e.currentTarget.value)}
          />
          <Group justify="space-between" align="flex-end">
            <SegmentedControl
              aria-label={t("emails.editorMode")}
              value={mode}
              onChange={setMode}
              data={[
                { value: "code", label: t("emails.mode.code") },
                { value: "visual", label: t("emails.mode.visual") },
              ]}
            />
            <Menu shadow="md" position="bottom-end" withinPortal>
              <Menu.Target>
                <Button size="xs" variant="default" leftSection={<IconBraces size={14} aria-hidden />}>
                  {t("emails.insertToken")}
                </Button>
              </Menu.Target>
              <Menu.Dropdown mah={320} style={{ overflowY: "auto" }}>
                {tokens.map((tok) => (
                  <Menu.Item key={tok} onClick={() => insert(tok)} ff="monospace" fz="xs">
                    {tok}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          </Group>
          {mode === "code" ? (
            <>
              <Text fw={500} size="sm" id="html-label">
                {t("emails.field.html")}
              </Text>
              <Textarea
                ref={area}
                aria-labelledby="html-label"
                data-testid="html-editor"
                value={draft.html}
                onChange={(e) => set("html", e.currentTarget.value)}
                autosize
                minRows={18}
                maxRows={30}
                styles={{ input: { fontFamily: "monospace", fontSize: 12 } }}
                spellCheck={false}
              />
              <Text size="xs" c="dimmed">
                {t("emails.editorNote")}
              </Text>
            </>
          ) : (
            <Stack gap={4}>
              <Select
                label={t("emails.theme")}
                placeholder={t("emails.themePick")}
                data={THEMES.map((th) => ({ value: th.id, label: th.label }))}
                value={null}
                onChange={(v) => {
                  const th = THEMES.find((x) => x.id === v);
                  if (!th) return;
                  set("source", th.mjml);
                  setBuilderKey((k) => k + 1);
                }}
              />
              <Text size="xs" c="dimmed">
                {t("emails.visualNote")}
              </Text>
              {mjmlErrors.map((e) => (
                <Text key={e} size="xs" c="red">
                  {e}
                </Text>
              ))}
            </Stack>
          )}
          <Checkbox
            label={t("emails.field.plainAuto")}
            checked={draft.plainTextAuto}
            onChange={(e) => set("plainTextAuto", e.currentTarget.checked)}
          />
          {!draft.plainTextAuto && (
            <Textarea
              label={t("emails.field.plainText")}
              value={draft.plainText}
              onChange={(e) => set("plainText", e.currentTarget.value)}
              autosize
              minRows={6}
            />
          )}
          <Group align="flex-end">
            <TextInput
              label={t("emails.test.to")}
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
              placeholder="me@example.com"
            />
            <Button
              variant="default"
              leftSection={<IconSend size={16} aria-hidden />}
              onClick={() => void sendTest()}
              disabled={!to}
            >
              {t("emails.test.send")}
            </Button>
          </Group>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 6 }} order={1}>
        <Stack gap="sm">
          <Group justify="space-between">
            <SegmentedControl
              aria-label={t("emails.preview")}
              value={width}
              onChange={setWidth}
              data={[
                { value: "desktop", label: t("emails.previewDesktop") },
                { value: "mobile", label: t("emails.previewMobile") },
              ]}
            />
            <Select
              aria-label={t("emails.previewAs")}
              placeholder={t("emails.previewAsNone")}
              searchable
              clearable
              w={260}
              value={contact}
              onChange={setContact}
              onSearchChange={setContactSearch}
              data={(people.data?.rows ?? []).map((c) => ({
                value: c.id,
                label: [c.name, c.values.email].filter(Boolean).join(" · ") || c.id,
              }))}
            />
          </Group>
          {preview.error && <ErrorBox error={preview.error} />}
          <Text size="sm" fw={600} data-testid="preview-subject">
            {preview.data?.subject}
          </Text>
          <iframe
            title={t("emails.preview")}
            data-testid="preview-frame"
            sandbox=""
            srcDoc={preview.data?.html ?? ""}
            style={{
              width: width === "mobile" ? 360 : "100%",
              height: 560,
              border: "1px solid var(--mantine-color-default-border)",
              background: "#fff",
            }}
          />
          <Issues issues={preview.data?.issues ?? []} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

function Issues({ issues }: { issues: EmailIssue[] }) {
  const { t, lang } = useI18n();
  if (issues.length === 0)
    return (
      <Alert color="green" title={t("emails.issues")} data-testid="email-issues">
        {t("emails.noIssues")}
      </Alert>
    );
  return (
    <Alert color="orange" title={t("emails.issues")} data-testid="email-issues">
      <List size="sm">
        {issues.map((i) => (
          <List.Item key={`${i.code}:${i.detail}`}>
            <Badge size="xs" color={i.severity === "error" ? "red" : "orange"} mr="xs">
              {t(i.severity === "error" ? "emails.severity.error" : "emails.severity.warning")}
            </Badge>
            {issueText(lang, i)}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function SettingsTab({ draft, set }: { draft: EmailView; set: Setter }) {
  const { t } = useI18n();
  const fe = useFieldError();
  const utm = (k: string, v: string) => set("utmTags", { ...draft.utmTags, [k]: v });
  const segments = useQuery({ queryKey: ["segments", "list"], queryFn: () => EmailSegments.List(false) });
  const known = new Map((segments.data ?? []).map((sg) => [sg.id, sg.name]));
  for (const id of [...draft.segments, ...draft.excludedSegments]) if (!known.has(id)) known.set(id, id);
  const options = [...known].map(([value, label]) => ({ value, label }));
  return (
    <Grid maw={900}>
      <Grid.Col span={6}>
        <TextInput
          label={t("emails.field.fromName")}
          value={draft.fromName}
          onChange={(e) => set("fromName", e.currentTarget.value)}
        />
      </Grid.Col>
      <Grid.Col span={6}>
        <TextInput
          label={t("emails.field.fromAddress")}
          error={fe("fromAddress")}
          value={draft.fromAddress}
          onChange={(e) => set("fromAddress", e.currentTarget.value)}
        />
      </Grid.Col>
      <Grid.Col span={6}>
        <TextInput
          label={t("emails.field.replyTo")}
          error={fe("replyTo")}
          value={draft.replyTo}
          onChange={(e) => set("replyTo", e.currentTarget.value)}
        />
      </Grid.Col>
      <Grid.Col span={6}>
        <TextInput
          label={t("emails.field.bcc")}
          error={fe("bcc")}
          value={draft.bcc}
          onChange={(e) => set("bcc", e.currentTarget.value)}
        />
      </Grid.Col>
      {draft.kind === "list" && (
        <>
          <Grid.Col span={6}>
            <MultiSelect
              label={t("emails.field.segments")}
              data={options}
              value={draft.segments}
              onChange={(v) => set("segments", v)}
              searchable
            />
          </Grid.Col>
          <Grid.Col span={6}>
            <MultiSelect
              label={t("emails.field.excluded")}
              data={options}
              value={draft.excludedSegments}
              onChange={(v) => set("excludedSegments", v)}
              searchable
            />
          </Grid.Col>
        </>
      )}
      <Grid.Col span={6}>
        <CategoryInput value={draft.category} onChange={(v) => set("category", v)} />
      </Grid.Col>
      <Grid.Col span={6}>
        <Autocomplete
          label={t("emails.field.language")}
          description={t("emails.field.languageHint")}
          data={[
            "en",
            "fr",
            "de",
            "es",
            "it",
            "nl",
            "pt",
            "en_US",
            "en_GB",
            "fr_FR",
            "fr_BE",
            "fr_CA",
            "fr_CH",
          ]}
          value={draft.language}
          onChange={(v) => set("language", v)}
        />
      </Grid.Col>
      {(["utm_source", "utm_medium", "utm_campaign", "utm_content"] as const).map((k) => (
        <Grid.Col span={3} key={k}>
          <TextInput
            label={k}
            value={draft.utmTags[k] ?? ""}
            onChange={(e) => utm(k, e.currentTarget.value)}
          />
        </Grid.Col>
      ))}
      <Grid.Col span={12}>
        <Checkbox
          label={t("emails.field.published")}
          checked={draft.published}
          onChange={(e) => set("published", e.currentTarget.checked)}
        />
      </Grid.Col>
      <Grid.Col span={12}>
        <Attachments draft={draft} set={set} />
      </Grid.Col>
      <Grid.Col span={12}>
        <Variants draft={draft} set={set} />
      </Grid.Col>
    </Grid>
  );
}
