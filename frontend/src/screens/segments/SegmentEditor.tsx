import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  List,
  Loader,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, Contacts, type SegmentField, Segments, type SegmentView, toApiError } from "../../api";
import { UndoButtons, useUndo } from "../../components/Undo";
import { type Lang, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorBox, Loading } from "../common";
import { parseable, QueryEditor } from "./QueryEditor";
import { SegmentBadge } from "./SegmentsScreen";

/** SegmentEditor loads a segment (or starts a new one) and shows the editor. */
export function SegmentEditor({ id }: { id: string }) {
  const isNew = id === "new";
  const seg = useQuery({ queryKey: ["segment", id], queryFn: () => Segments.Get(id), enabled: !isNew });
  const cat = useQuery({
    queryKey: ["segmentCatalogue"],
    queryFn: () => Segments.Catalogue(),
    staleTime: 60_000,
  });
  const all = useQuery({ queryKey: ["segments", false], queryFn: () => Segments.List(false) });
  const err = seg.error ?? cat.error ?? all.error;
  if (err) return <ErrorBox error={err} />;
  if ((!isNew && !seg.data) || !cat.data || !all.data) return <Loading />;
  return <Editor key={seg.data?.version ?? 0} seg={isNew ? null : (seg.data ?? null)} />;
}

/** withFieldLabel names a filter's field by its label in lang in a filter error (the backend
 * names it by alias). */
function withFieldLabel(e: unknown, fields: SegmentField[], lang: Lang): unknown {
  const err = toApiError(e);
  const f = fields.find((x) => x.alias === err.params.field);
  if (err.key !== "segments.errors.filter" || !f) return err;
  const field = lang === "fr" ? f.labelFr : f.label;
  return new ApiError({
    code: err.code,
    key: err.key,
    message: err.message,
    params: { ...err.params, field },
  });
}

function Editor({ seg }: { seg: SegmentView | null }) {
  const { t, te, lang } = useI18n();
  const client = useQueryClient();
  const cat = client.getQueryData<Awaited<ReturnType<typeof Segments.Catalogue>>>(["segmentCatalogue"]);
  const all = client.getQueryData<SegmentView[]>(["segments", false]) ?? [];
  const initial = seg?.filters ?? "[]";
  // Name, description, state and filters: one undo history (a removed filter comes back).
  const u = useUndo(() => ({
    name: seg?.name ?? "",
    description: seg?.description ?? "",
    published: seg?.published ?? true,
    filters: initial,
  }));
  const { name, description, published, filters: edited } = u.value;
  const edit = (p: Partial<typeof u.value>) => u.set((v) => ({ ...v, ...p }));
  const [json, setJson] = useState(parseable(initial) ? null : initial);
  const [busy, setBusy] = useState(false);
  const filters = json ?? edited;
  const [debounced] = useDebouncedValue(filters, 350);
  const preview = useQuery({
    queryKey: ["segmentPreview", debounced, seg?.id ?? ""],
    queryFn: () => Segments.Preview(debounced, seg?.id ?? "", 8),
    retry: false,
    placeholderData: (prev) => prev,
  });
  const save = async () => {
    setBusy(true);
    try {
      const s = await Segments.Save({
        id: seg?.id ?? "",
        name,
        alias: seg?.alias ?? "",
        description,
        filters,
        published,
      });
      notifications.show({ message: t("segments.saved") });
      void client.invalidateQueries({ queryKey: ["segments"] });
      if (!seg) navigate(`/segments/${s.id}`);
      else void client.invalidateQueries({ queryKey: ["segment", s.id] });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!seg) return;
    try {
      await Segments.Delete(seg.id);
      notifications.show({ message: t("segments.deleted") });
      void client.invalidateQueries({ queryKey: ["segments"] });
      navigate("/segments");
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (!cat) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Anchor href="#/segments" aria-label={t("segments.title")}>
            <IconArrowLeft size={18} aria-hidden />
          </Anchor>
          <Title order={2}>{seg ? seg.name : t("segments.new")}</Title>
          {seg && <SegmentBadge s={seg} />}
        </Group>
        <Group>
          <UndoButtons u={u} />
          {seg && (
            <Button
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => void remove()}
            >
              {t("common.delete")}
            </Button>
          )}
          <Button onClick={() => void save()} loading={busy}>
            {t("common.save")}
          </Button>
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <TextInput
            label={t("segments.name")}
            value={name}
            onChange={(e) => edit({ name: e.currentTarget.value })}
            required
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <TextInput
            label={t("segments.description")}
            value={description}
            onChange={(e) => edit({ description: e.currentTarget.value })}
          />
        </Grid.Col>
      </Grid>
      <Switch
        label={t("segments.published")}
        checked={published}
        onChange={(e) => edit({ published: e.currentTarget.checked })}
      />
      <Tabs defaultValue="filters" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="filters">{t("segments.tab.filters")}</Tabs.Tab>
          {seg && <Tabs.Tab value="members">{t("segments.tab.members")}</Tabs.Tab>}
          {seg && <Tabs.Tab value="versions">{t("segments.tab.versions")}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="filters" pt="md">
          <Grid>
            <Grid.Col span={{ base: 12, lg: 8 }}>
              {json === null ? (
                <QueryEditor
                  key={u.version}
                  initial={edited}
                  onChange={(f) => edit({ filters: f })}
                  catalogue={cat}
                  segments={all}
                  selfId={seg?.id ?? ""}
                />
              ) : (
                <Stack gap="xs">
                  <Text c="dimmed">{t("segments.nested")}</Text>
                  <Textarea
                    label={t("segments.json")}
                    autosize
                    minRows={6}
                    value={json}
                    onChange={(e) => setJson(e.currentTarget.value)}
                  />
                </Stack>
              )}
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 4 }}>
              <Card withBorder aria-live="polite">
                {preview.error ? (
                  <Text c="red" data-testid="segment-preview-error">
                    {te(withFieldLabel(preview.error, cat?.fields ?? [], lang))}
                  </Text>
                ) : preview.data ? (
                  <Stack gap={4}>
                    <Group gap="xs">
                      <Text fw={700} size="xl" data-testid="segment-count">
                        {t("segments.count", { n: preview.data.count.toLocaleString() })}
                      </Text>
                      {(preview.isFetching || debounced !== filters) && <Loader size="xs" />}
                    </Group>
                    <Text size="xs" c="dimmed" data-testid="segment-count-ms">
                      {t("segments.countMs", { ms: preview.data.ms })}
                    </Text>
                    {preview.data.sample.length > 0 && (
                      <>
                        <Text size="sm" mt="xs">
                          {t("segments.sample")}
                        </Text>
                        <List size="sm" data-testid="segment-sample">
                          {preview.data.sample.map((m) => (
                            <List.Item key={m.id}>
                              <Anchor href={`#/contacts/${m.id}`}>{m.name || m.email || m.id}</Anchor>
                            </List.Item>
                          ))}
                        </List>
                      </>
                    )}
                  </Stack>
                ) : (
                  <Stack gap={4}>
                    {seg && (
                      // The stored membership shows at once; the live count replaces it.
                      <Text fw={700} size="xl" data-testid="segment-stored-count">
                        {t("segments.membersN", { n: seg.members.toLocaleString() })}
                      </Text>
                    )}
                    <Group gap="xs">
                      <Loader size="xs" />
                      <Text c="dimmed">{t("segments.counting")}</Text>
                    </Group>
                  </Stack>
                )}
              </Card>
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        {seg && (
          <Tabs.Panel value="members" pt="md">
            <Members seg={seg} />
          </Tabs.Panel>
        )}
        {seg && (
          <Tabs.Panel value="versions" pt="md">
            <Versions seg={seg} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}

function Members({ seg }: { seg: SegmentView }) {
  const { t, te, fmtDate } = useI18n();
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ["segment", seg.id, "members"],
    queryFn: () => Segments.Members(seg.id, 0, 200),
  });
  const [email, setEmail] = useState("");
  const fail = (e: unknown) => notifications.show({ color: "red", message: te(e) });
  const add = async () => {
    try {
      const want = email.trim().toLowerCase();
      const page = await Contacts.List({
        search: want,
        sort: "",
        desc: false,
        offset: 0,
        limit: 20,
        columns: ["email"],
        deleted: false,
        companyId: "",
      });
      // The search matches prefixes: only the contact with exactly this email is added.
      const c = page.rows.find((r) => String(r.values.email ?? "").toLowerCase() === want);
      if (!c) {
        notifications.show({ color: "red", message: t("segments.noSuchEmail", { email: email.trim() }) });
        return;
      }
      await Segments.AddMembers(seg.id, [c.id]);
      setEmail("");
      notifications.show({ message: t("segments.added") });
      void q.refetch();
      void client.invalidateQueries({ queryKey: ["segments"] });
    } catch (e) {
      fail(e);
    }
  };
  const remove = async (id: string) => {
    try {
      await Segments.RemoveMembers(seg.id, [id]);
      notifications.show({ message: t("segments.removed") });
      void q.refetch();
      void client.invalidateQueries({ queryKey: ["segments"] });
    } catch (e) {
      fail(e);
    }
  };
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  return (
    <Stack>
      <Group align="flex-end">
        <TextInput
          label={t("segments.addByEmail")}
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          w={320}
        />
        <Button onClick={() => void add()} disabled={!email.trim()}>
          {t("segments.add")}
        </Button>
        <Text c="dimmed" data-testid="segment-member-total">
          {t("segments.membersN", { n: q.data.total.toLocaleString() })}
        </Text>
      </Group>
      <Table striped data-testid="segment-members-table">
        <Table.Tbody>
          {q.data.rows.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor href={`#/contacts/${m.id}`}>{m.name || m.email}</Anchor>
              </Table.Td>
              <Table.Td>{m.email}</Table.Td>
              <Table.Td>{m.manuallyAdded && <Badge variant="light">{t("segments.manual")}</Badge>}</Table.Td>
              <Table.Td>{fmtDate(m.dateAdded)}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="subtle"
                  color="red"
                  aria-label={t("segments.removeMember", { name: m.name || m.email })}
                  onClick={() => void remove(m.id)}
                >
                  {t("segments.remove")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Versions({ seg }: { seg: SegmentView }) {
  const { t, te, fmtDate } = useI18n();
  const client = useQueryClient();
  const q = useQuery({ queryKey: ["segment", seg.id, "versions"], queryFn: () => Segments.Versions(seg.id) });
  const revert = async (v: number) => {
    try {
      await Segments.Revert(seg.id, v);
      notifications.show({ message: t("segments.reverted") });
      void client.invalidateQueries({ queryKey: ["segment", seg.id] });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (!q.data) return <Loading />;
  return (
    <Table data-testid="segment-versions">
      <Table.Tbody>
        {q.data.map((v) => (
          <Table.Tr key={v.version}>
            <Table.Td>{t("segments.version", { n: v.version })}</Table.Td>
            <Table.Td>{v.name}</Table.Td>
            <Table.Td>{fmtDate(v.at)}</Table.Td>
            <Table.Td>
              {v.version !== seg.version && (
                <Button size="xs" variant="light" onClick={() => void revert(v.version)}>
                  {t("segments.revert")}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
