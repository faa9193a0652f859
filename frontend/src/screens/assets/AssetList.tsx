import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Drawer,
  FileInput,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconLink, IconUpload } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { isDesktop, on, upload } from "../../api";
import { type Asset, type AssetInput, Assets, Forms } from "../../api/forms";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

function size(n: number, fmt: (n: number) => string): string {
  if (n >= 1 << 20) return `${fmt(Math.round((n / (1 << 20)) * 10) / 10)} MB`;
  if (n >= 1024) return `${fmt(Math.round(n / 1024))} KB`;
  return `${fmt(n)} B`;
}

export function AssetList({ id }: { id?: string }) {
  const { t, fmtNumber } = useI18n();
  const list = useQuery({ queryKey: ["assets", "list", false], queryFn: () => Assets.List(false) });
  const { refetch } = list;
  const [mode, setMode] = useState<"file" | "remote" | null>(null);
  useEffect(() => {
    const a = on("assets:changed", () => void refetch());
    const b = on("event:changed", () => void refetch());
    return () => {
      a();
      b();
    };
  }, [refetch]);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("assets.title")}</Title>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconLink size={16} aria-hidden />}
            onClick={() => setMode("remote")}
          >
            {t("assets.newRemote")}
          </Button>
          <Button leftSection={<IconUpload size={16} aria-hidden />} onClick={() => setMode("file")}>
            {t("assets.new")}
          </Button>
        </Group>
      </Group>
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void refetch()} />}
      {list.data && list.data.length === 0 && (
        <EmptyState title={t("assets.empty")} hint={t("assets.emptyHint")}>
          <Button onClick={() => setMode("file")}>{t("assets.new")}</Button>
        </EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <Table highlightOnHover data-testid="asset-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("assets.col.title")}</Table.Th>
              <Table.Th>{t("assets.col.type")}</Table.Th>
              <Table.Th ta="right">{t("assets.col.size")}</Table.Th>
              <Table.Th ta="right">{t("assets.col.downloads")}</Table.Th>
              <Table.Th ta="right">{t("assets.col.unique")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <a href={`#/assets/${a.id}`}>{a.title}</a>
                  <Text size="xs" c="dimmed">
                    /asset/{a.slug}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {a.kind === "remote" ? (
                    <Badge variant="light">{t("assets.remote")}</Badge>
                  ) : (
                    <Text size="sm">{a.mime}</Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{a.kind === "remote" ? "" : size(a.size, fmtNumber)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(a.downloads)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(a.uniqueDownloads)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NewAsset mode={mode} onClose={() => setMode(null)} />
      <Drawer
        opened={!!id}
        onClose={() => navigate("/assets")}
        position="right"
        size="lg"
        title={t("assets.detail")}
      >
        {id && <AssetDetail key={id} id={id} />}
      </Drawer>
    </Stack>
  );
}

function useGateForms() {
  const { t } = useI18n();
  const forms = useQuery({ queryKey: ["forms", "list", false], queryFn: () => Forms.List(false) });
  return [
    { value: "", label: t("assets.noGate") },
    ...(forms.data ?? []).map((f) => ({ value: f.id, label: f.name })),
  ];
}

function AssetFields({ input, set }: { input: AssetInput; set: (p: Partial<AssetInput>) => void }) {
  const { t } = useI18n();
  const gates = useGateForms();
  return (
    <>
      <TextInput
        label={t("assets.title.label")}
        required
        value={input.title}
        onChange={(e) => set({ title: e.currentTarget.value })}
      />
      <Group grow>
        <TextInput
          label={t("assets.slug")}
          value={input.slug}
          onChange={(e) => set({ slug: e.currentTarget.value })}
        />
        <TextInput
          label={t("assets.category")}
          value={input.category}
          onChange={(e) => set({ category: e.currentTarget.value })}
        />
      </Group>
      <Select
        label={t("assets.gate")}
        data={gates}
        value={input.gateFormId}
        onChange={(v) => set({ gateFormId: v ?? "" })}
      />
      <Checkbox
        label={t("forms.s.published")}
        checked={input.published}
        onChange={(e) => set({ published: e.currentTarget.checked })}
      />
    </>
  );
}

const blank: AssetInput = {
  id: "",
  title: "",
  slug: "",
  category: "",
  remoteUrl: "",
  gateFormId: "",
  published: true,
};

/** pickAndUpload stores a file as an asset: the native dialog on the desktop, the browser upload otherwise. */
async function pickAndUpload(input: AssetInput, file: File | null): Promise<Asset | null> {
  if (isDesktop()) {
    const path = await Assets.PickFile();
    if (!path) return null;
    return Assets.Upload(input, path, "");
  }
  if (!file) return null;
  const up = await upload(file);
  return Assets.Upload(input, up.path, file.name);
}

function NewAsset({ mode, onClose }: { mode: "file" | "remote" | null; onClose: () => void }) {
  const { t, te } = useI18n();
  const qc = useQueryClient();
  const [input, setInput] = useState<AssetInput>(blank);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const limits = useQuery({ queryKey: ["assets", "limits"], queryFn: () => Assets.Limits() });
  useEffect(() => {
    if (mode) {
      setInput(blank);
      setFile(null);
    }
  }, [mode]);
  const set = (p: Partial<AssetInput>) => setInput({ ...input, ...p });
  const submit = async () => {
    setBusy(true);
    try {
      const a = mode === "remote" ? await Assets.Save(input) : await pickAndUpload(input, file);
      if (a) {
        void qc.invalidateQueries({ queryKey: ["assets"] });
        notifications.show({ color: "green", message: t("assets.uploaded") });
        onClose();
        navigate(`/assets/${a.id}`);
      }
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={!!mode} onClose={onClose} title={t(mode === "remote" ? "assets.newRemote" : "assets.new")}>
      <Stack>
        <AssetFields input={input} set={set} />
        {mode === "remote" ? (
          <TextInput
            label={t("assets.remoteUrl")}
            type="url"
            value={input.remoteUrl}
            onChange={(e) => set({ remoteUrl: e.currentTarget.value })}
          />
        ) : (
          !isDesktop() && (
            <FileInput
              label={t("assets.file")}
              description={t("assets.limit", {
                mb: String(Math.round((limits.data?.maxSize ?? 26214400) / 1048576)),
              })}
              value={file}
              onChange={(f) => {
                setFile(f);
                if (f && !input.title) set({ title: f.name.replace(/\.[^.]+$/, "") });
              }}
            />
          )
        )}
        <Group justify="flex-end">
          <Button
            loading={busy}
            onClick={() => void submit()}
            disabled={mode === "file" && !isDesktop() && !file}
          >
            {mode === "remote" ? t("assets.save") : t("assets.upload")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function AssetDetail({ id }: { id: string }) {
  const { t, te, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["asset", id], queryFn: () => Assets.Get(id) });
  const [input, setInput] = useState<AssetInput | null>(null);
  const [file, setFile] = useState<File | null>(null);
  useEffect(() => {
    if (q.data && !input) {
      const a = q.data;
      setInput({
        id: a.id,
        title: a.title,
        slug: a.slug,
        category: a.category,
        remoteUrl: a.remoteUrl,
        gateFormId: a.gateFormId,
        published: a.published,
      });
    }
  }, [q.data, input]);
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data || !input) return <Loading />;
  const a = q.data;
  const done = (x: Asset | null) => {
    if (!x) return;
    void qc.invalidateQueries({ queryKey: ["assets"] });
    void qc.invalidateQueries({ queryKey: ["asset", id] });
    notifications.show({ color: "green", message: t("assets.uploaded") });
  };
  const run = (fn: () => Promise<Asset | null>) =>
    fn().then(done, (e) => notifications.show({ color: "red", message: te(e) }));
  return (
    <Stack>
      <Text fw={600} data-testid="asset-stats">
        {t("assets.stats", { n: fmtNumber(a.downloads), u: fmtNumber(a.uniqueDownloads) })}
      </Text>
      <div>
        <Text size="sm" fw={500}>
          {t("assets.url")}
        </Text>
        <Code>/asset/{a.slug}</Code>
      </div>
      {a.kind === "remote" ? (
        <Anchor href={a.remoteUrl} target="_blank" rel="noreferrer">
          {a.remoteUrl}
        </Anchor>
      ) : (
        <Text size="sm">
          {a.fileName} · {a.mime} · {fmtNumber(a.size)} B
        </Text>
      )}
      <AssetFields input={input} set={(p) => setInput({ ...input, ...p })} />
      {a.kind === "remote" && (
        <TextInput
          label={t("assets.remoteUrl")}
          value={input.remoteUrl}
          onChange={(e) => setInput({ ...input, remoteUrl: e.currentTarget.value })}
        />
      )}
      <Group>
        <Button
          onClick={() =>
            void run(() => Assets.Save(a.kind === "remote" ? input : { ...input, remoteUrl: "" }))
          }
        >
          {t("assets.save")}
        </Button>
        {a.kind === "file" && !isDesktop() && (
          <FileInput
            aria-label={t("assets.replace")}
            placeholder={t("assets.replace")}
            value={file}
            onChange={setFile}
            w={220}
          />
        )}
        {a.kind === "file" && (isDesktop() || file) && (
          <Button variant="default" onClick={() => void run(() => pickAndUpload(input, file))}>
            {t("assets.replace")}
          </Button>
        )}
        <Button
          variant="default"
          color="red"
          onClick={() =>
            void Assets.Delete(a.id).then(
              () => {
                notifications.show({ message: t("assets.deleted") });
                void qc.invalidateQueries({ queryKey: ["assets"] });
                navigate("/assets");
              },
              (e) => notifications.show({ color: "red", message: te(e) }),
            )
          }
        >
          {t("assets.delete")}
        </Button>
      </Group>
    </Stack>
  );
}
