// #/points/groups and #/stages: small definitions edited in a dialog.
import {
  Button,
  Group,
  Modal,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type PointGroup, Points, type Stage } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";
import { fieldErrors } from "../contacts/ContactPage";
import { PointsHeader } from "./shared";

interface Def {
  id: string;
  name: string;
  description: string;
  published: boolean;
  deleted: boolean;
  contacts: number;
  weight?: number;
}

interface Kind {
  path: string;
  title: Key;
  newLabel: Key;
  empty: Key;
  emptyHint: Key;
  count: Key;
  queryKey: string;
  list: (trash: boolean) => Promise<Def[]>;
  save: (d: Def) => Promise<unknown>;
  del: (id: string) => Promise<void>;
  restore: (id: string) => Promise<void>;
  weighted: boolean;
}

const groupsKind: Kind = {
  path: "/points/groups",
  title: "points.groups.title",
  newLabel: "points.groups.new",
  empty: "points.groups.empty",
  emptyHint: "points.groups.emptyHint",
  count: "points.groups.contacts",
  queryKey: "pointGroups",
  list: (trash) => Points.Groups(trash),
  save: (d) => Points.SaveGroup(d as PointGroup),
  del: (id) => Points.DeleteGroup(id),
  restore: (id) => Points.RestoreGroup(id),
  weighted: false,
};

const stagesKind: Kind = {
  path: "/stages",
  title: "points.stages.title",
  newLabel: "points.stages.new",
  empty: "points.stages.empty",
  emptyHint: "points.stages.emptyHint",
  count: "points.stages.contacts",
  queryKey: "stages",
  list: (trash) => Points.Stages(trash),
  save: (d) => Points.SaveStage({ ...d, weight: d.weight ?? 0 } as Stage),
  del: (id) => Points.DeleteStage(id),
  restore: (id) => Points.RestoreStage(id),
  weighted: true,
};

export const GroupsScreen = () => <Defs kind={groupsKind} />;
export const StagesScreen = () => <Defs kind={stagesKind} />;

function Defs({ kind }: { kind: Kind }) {
  const { t, te } = useI18n();
  const [trash, setTrash] = useState(false);
  const [editing, setEditing] = useState<Def | null>(null);
  const q = useQuery({ queryKey: [kind.queryKey, trash], queryFn: () => kind.list(trash) });
  const blank: Def = {
    id: "",
    name: "",
    description: "",
    published: true,
    deleted: false,
    contacts: 0,
    weight: 0,
  };
  const run = async (p: Promise<unknown>, msg: Key) => {
    try {
      await p;
      notifications.show({ message: t(msg) });
      void q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <PointsHeader current={kind.path} title={t(kind.title)} trash={trash} onTrash={setTrash}>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(blank)}>
          {t(kind.newLabel)}
        </Button>
      </PointsHeader>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data?.length === 0 && !trash && (
        <EmptyState title={t(kind.empty)} hint={t(kind.emptyHint)}>
          <Button onClick={() => setEditing(blank)}>{t(kind.newLabel)}</Button>
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid={`${kind.queryKey}-list`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("points.name")}</Table.Th>
              {kind.weighted && <Table.Th>{t("points.weight")}</Table.Th>}
              <Table.Th>{t(kind.count)}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Text fw={500}>{d.name}</Text>
                  {d.description && (
                    <Text size="xs" c="dimmed">
                      {d.description}
                    </Text>
                  )}
                </Table.Td>
                {kind.weighted && <Table.Td>{d.weight}</Table.Td>}
                <Table.Td>{d.contacts.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {trash ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => void run(kind.restore(d.id), "points.restored")}
                      >
                        {t("points.restore")}
                      </Button>
                    ) : (
                      <>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing(d)}
                          aria-label={t("points.editNamed", { name: d.name })}
                        >
                          {t("common.edit")}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => void run(kind.del(d.id), "points.deleted")}
                          aria-label={t("points.deleteNamed", { name: d.name })}
                        >
                          {t("common.delete")}
                        </Button>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && (
        <DefEditor
          kind={kind}
          def={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            notifications.show({ color: "green", message: t("points.saved") });
            void q.refetch();
          }}
        />
      )}
    </Stack>
  );
}

function DefEditor({
  kind,
  def,
  onClose,
  onSaved,
}: {
  kind: Kind;
  def: Def;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t, te, lang } = useI18n();
  const [d, setD] = useState(def);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      await kind.save(d);
      onSaved();
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(Object.keys(fe).length ? fe : { name: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={d.id ? d.name : t(kind.newLabel)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <Stack>
          <TextInput
            label={t("points.name")}
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
            error={errors.name}
            required
            data-autofocus
          />
          {kind.weighted && (
            <NumberInput
              label={t("points.weight")}
              description={t("points.weightHint")}
              value={d.weight ?? 0}
              onChange={(v) =>
                setD({ ...d, weight: typeof v === "number" ? v : Number.parseInt(v, 10) || 0 })
              }
            />
          )}
          <Textarea
            label={t("points.description")}
            value={d.description}
            onChange={(e) => setD({ ...d, description: e.currentTarget.value })}
            autosize
            minRows={2}
          />
          <Switch
            label={t("points.published")}
            checked={d.published}
            onChange={(e) => setD({ ...d, published: e.currentTarget.checked })}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
