// EditorFrame is the frame of a simple domain's editor (landing pages, dynamic web content,
// focus items): back button, title, extra actions, Delete (once saved) and Save, the form-level
// error; useEditorActions holds the save/delete logic they share (field errors from ApiError,
// notifications, cache invalidation, navigation to the new item / back to the list).
import { Alert, Button, Group, Stack, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconDeviceFloppy, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError } from "../api/errors";
import { type Key, useI18n } from "../i18n";
import { navigate } from "../router";

export interface EditorActionsOptions<T extends { id: string }> {
  /** List route, e.g. "/dwc"; a new item goes to `${listPath}/${id}` once saved. */
  listPath: string;
  /** Query key root invalidated after a change. */
  queryRoot: string;
  savedMsg: Key;
  deletedMsg: Key;
  save: () => Promise<T>;
  remove: () => Promise<unknown>;
  /** Called with the saved item (to replace the edited state). */
  onSaved: (saved: T) => void;
  /** Whether the edited item was new when the editor opened. */
  isNew: boolean;
}

export function useEditorActions<T extends { id: string }>(o: EditorActionsOptions<T>) {
  const { t, te } = useI18n();
  const client = useQueryClient();
  const [saving, setSaving] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [errMsg, setErrMsg] = useState("");
  const save = async () => {
    setSaving(true);
    setFieldErrors({});
    setErrMsg("");
    try {
      const out = await o.save();
      o.onSaved(out);
      notifications.show({ message: t(o.savedMsg), color: "green" });
      void client.invalidateQueries({ queryKey: [o.queryRoot] });
      if (o.isNew) navigate(`${o.listPath}/${out.id}`);
    } catch (e) {
      if (e instanceof ApiError) {
        setFieldErrors(e.fields);
        setErrMsg(e.message);
      }
      notifications.show({ message: te(e), color: "red" });
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    try {
      await o.remove();
      notifications.show({ message: t(o.deletedMsg), color: "green" });
      void client.invalidateQueries({ queryKey: [o.queryRoot] });
      navigate(o.listPath);
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };
  /** fe is the translated error of one field (undefined when none). */
  const fe = (f: string) => (fieldErrors[f] ? t(fieldErrors[f] as Key) : undefined);
  return { saving, fieldErrors, errMsg, fe, save, remove };
}

export interface EditorFrameProps {
  title: string;
  backLabel: string;
  backPath: string;
  saving: boolean;
  onSave: () => void;
  /** Shown once the item exists. */
  onDelete?: () => void;
  /** More buttons or links before Delete. */
  actions?: ReactNode;
  /** The form-level error of the last save. */
  error?: string;
  children: ReactNode;
}

export function EditorFrame(p: EditorFrameProps) {
  const { t } = useI18n();
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Button
            variant="subtle"
            leftSection={<IconArrowLeft size={16} aria-hidden />}
            onClick={() => navigate(p.backPath)}
          >
            {p.backLabel}
          </Button>
          <Title order={2}>{p.title}</Title>
        </Group>
        <Group gap="xs">
          {p.actions}
          {p.onDelete && (
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={p.onDelete}
            >
              {t("pages.delete")}
            </Button>
          )}
          <Button
            leftSection={<IconDeviceFloppy size={16} aria-hidden />}
            loading={p.saving}
            onClick={p.onSave}
          >
            {t("pages.save")}
          </Button>
        </Group>
      </Group>
      {p.error && (
        <Alert color="red" role="alert" data-testid="editor-error">
          {p.error}
        </Alert>
      )}
      {p.children}
    </Stack>
  );
}
