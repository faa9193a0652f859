// The list screen and editor frame shared by point actions, triggers, groups and stages:
// header with tabs and the trash switch, loading/error/empty states, a table whose last
// column edits, deletes or restores, and a dialog form with field errors.
import { Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { type Key, useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";
import { fieldErrors } from "../contacts/ContactPage";
import { PointsHeader } from "./shared";

export interface ListColumn<T> {
  header: Key;
  cell: (x: T) => ReactNode;
}

export interface DefListProps<T extends { id: string; name: string }> {
  path: string;
  title: Key;
  newLabel: Key;
  empty: Key;
  emptyHint: Key;
  queryKey: string;
  testId: string;
  list: (trash: boolean) => Promise<T[]>;
  del: (id: string) => Promise<unknown>;
  restore: (id: string) => Promise<unknown>;
  blank: () => T;
  columns: ListColumn<T>[];
  /** editor renders the dialog for x; done(msg) closes it, refreshes and says msg. */
  editor: (x: T, close: () => void, done: (msg: Key) => void) => ReactNode;
}

export function DefList<T extends { id: string; name: string }>(p: DefListProps<T>) {
  const { t, te } = useI18n();
  const [trash, setTrash] = useState(false);
  const [editing, setEditing] = useState<T | null>(null);
  const q = useQuery({ queryKey: [p.queryKey, trash], queryFn: () => p.list(trash) });
  const run = async (op: Promise<unknown>, msg: Key) => {
    try {
      await op;
      notifications.show({ message: t(msg) });
      void q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <PointsHeader current={p.path} title={t(p.title)} trash={trash} onTrash={setTrash}>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(p.blank())}>
          {t(p.newLabel)}
        </Button>
      </PointsHeader>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data?.length === 0 && !trash && (
        <EmptyState title={t(p.empty)} hint={t(p.emptyHint)}>
          <Button onClick={() => setEditing(p.blank())}>{t(p.newLabel)}</Button>
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid={p.testId}>
          <Table.Thead>
            <Table.Tr>
              {p.columns.map((c) => (
                <Table.Th key={c.header}>{t(c.header)}</Table.Th>
              ))}
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((x) => (
              <Table.Tr key={x.id}>
                {p.columns.map((c) => (
                  <Table.Td key={c.header}>{c.cell(x)}</Table.Td>
                ))}
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {trash ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => void run(p.restore(x.id), "points.restored")}
                      >
                        {t("points.restore")}
                      </Button>
                    ) : (
                      <>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing(x)}
                          aria-label={t("points.editNamed", { name: x.name })}
                        >
                          {t("common.edit")}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => void run(p.del(x.id), "points.deleted")}
                          aria-label={t("points.deleteNamed", { name: x.name })}
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
      {editing &&
        p.editor(
          editing,
          () => setEditing(null),
          (msg) => {
            setEditing(null);
            notifications.show({ color: "green", message: t(msg) });
            void q.refetch();
          },
        )}
    </Stack>
  );
}

/** useSave runs a save, turning its failure into per-field errors or one message. */
export function useSave() {
  const { te, lang } = useI18n();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (fn: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setError("");
    try {
      await fn();
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(fe);
      if (Object.keys(fe).length === 0) setError(te(e));
    } finally {
      setBusy(false);
    }
  };
  return { errors, error, busy, submit };
}

/** EditorFrame is the dialog form of an editor: fields, the error, Cancel and Save. */
export function EditorFrame({
  title,
  size,
  onClose,
  onSubmit,
  busy,
  error,
  children,
}: {
  title: string;
  size?: string;
  onClose: () => void;
  onSubmit: () => void;
  busy: boolean;
  error: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
        noValidate
      >
        <Stack>
          {children}
          {error && (
            <Text c="red" role="alert">
              {error}
            </Text>
          )}
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
