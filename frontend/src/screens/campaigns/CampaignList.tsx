import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Modal,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconFileImport, IconPlus, IconSearch, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Campaigns } from "../../api/campaigns";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

/** The campaign list: search, published badge, members, new, trash, import. */
export function CampaignList() {
  const { t, te, fmtDate, fmtNumber } = useI18n();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 200);
  const [trash, setTrash] = useState(false);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const list = useQuery({
    queryKey: ["campaigns", q, trash],
    queryFn: () => Campaigns.List({ search: q, limit: 500, offset: 0, trash }),
  });
  const act = async (f: () => Promise<unknown>, ok: string) => {
    try {
      await f();
      notifications.show({ message: ok });
      void list.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const rows = (list.data ?? []).filter((c) => Boolean(c.deleted) === trash);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{trash ? t("campaigns.trash") : t("campaigns.title")}</Title>
        <Group>
          <Switch
            label={t("campaigns.showTrash")}
            checked={trash}
            onChange={(e) => setTrash(e.currentTarget.checked)}
          />
          <Button
            variant="default"
            leftSection={<IconFileImport size={16} aria-hidden />}
            onClick={() => setImporting(true)}
          >
            {t("campaigns.import")}
          </Button>
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            {t("campaigns.new")}
          </Button>
        </Group>
      </Group>
      <TextInput
        leftSection={<IconSearch size={16} aria-hidden />}
        aria-label={t("campaigns.search")}
        placeholder={t("campaigns.search")}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={360}
      />
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && rows.length === 0 && !trash && !q && (
        <EmptyState title={t("campaigns.empty")} hint={t("campaigns.emptyHint")}>
          <Button onClick={() => setCreating(true)}>{t("campaigns.new")}</Button>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <Table striped highlightOnHover data-testid="campaign-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("campaigns.name")}</Table.Th>
              <Table.Th>{t("campaigns.members")}</Table.Th>
              <Table.Th>{t("campaigns.modified")}</Table.Th>
              <Table.Th />
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor href={`#/campaigns/${c.id}`}>{c.name}</Anchor>
                  {c.description && (
                    <Text size="xs" c="dimmed">
                      {c.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-testid="campaign-members">{fmtNumber(c.members)}</Table.Td>
                <Table.Td>{fmtDate(c.updatedAt)}</Table.Td>
                <Table.Td>
                  {c.published ? (
                    <Badge color="teal">{t("campaigns.published")}</Badge>
                  ) : (
                    <Badge color="gray">{t("campaigns.draft")}</Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {trash ? (
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => void act(() => Campaigns.Restore(c.id), t("campaigns.restored"))}
                    >
                      {t("campaigns.restore")}
                    </Button>
                  ) : (
                    <Tooltip label={t("campaigns.delete", { name: c.name })}>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t("campaigns.delete", { name: c.name })}
                        onClick={() => void act(() => Campaigns.Delete(c.id), t("campaigns.deleted"))}
                      >
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NewCampaign opened={creating} onClose={() => setCreating(false)} />
      <ImportCampaign opened={importing} onClose={() => setImporting(false)} />
    </Stack>
  );
}

function NewCampaign({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t, te } = useI18n();
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const create = async () => {
    try {
      const c = await Campaigns.Save({
        id: "",
        name: name.trim(),
        description: "",
        category: "",
        allowRestart: false,
        graph: { sources: [], events: [] },
      });
      onClose();
      navigate(`/campaigns/${c.id}`);
    } catch (e) {
      setError(te(e));
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("campaigns.new")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <Stack>
          <TextInput
            label={t("campaigns.name")}
            required
            data-autofocus
            value={name}
            error={error || undefined}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button type="submit" disabled={!name.trim()}>
              {t("campaigns.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ImportCampaign({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t, te } = useI18n();
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const pick = async (f: File | null) => {
    if (f) setText(await f.text());
  };
  const run = async () => {
    try {
      const c = await Campaigns.Import(text);
      notifications.show({ message: t("campaigns.imported") });
      onClose();
      navigate(`/campaigns/${c.id}`);
    } catch (e) {
      setError(te(e));
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("campaigns.importTitle")} size="lg">
      <Stack>
        <Text size="sm" c="dimmed">
          {t("campaigns.importHint")}
        </Text>
        <FileInput
          label={t("campaigns.importFile")}
          accept="application/json,.json"
          onChange={(f) => void pick(f)}
        />
        <Textarea
          label={t("campaigns.importText")}
          autosize
          minRows={6}
          maxRows={16}
          value={text}
          error={error || undefined}
          onChange={(e) => setText(e.currentTarget.value)}
          styles={{ input: { fontFamily: "monospace", fontSize: 12 } }}
        />
        <Group justify="flex-end">
          <Button onClick={() => void run()} disabled={!text.trim()}>
            {t("campaigns.import")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
