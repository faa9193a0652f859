// DeleteButton moves one record to the trash, then offers "Undo" in the notification: the
// restore brings the record back and reopens its page. Used by the contact and company pages.
import { Button, Group } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useI18n } from "../i18n";
import { navigate } from "../router";

export interface DeleteButtonProps {
  remove: () => Promise<unknown>;
  restore: () => Promise<unknown>;
  /** Where to go after the delete (the list) and after an undo (the record's page). */
  listPath: string;
  pagePath: string;
}

export function DeleteButton({ remove, restore, listPath, pagePath }: DeleteButtonProps) {
  const { t, te } = useI18n();
  const onDelete = () =>
    void remove().then(
      () => {
        notifications.show({
          message: (
            <Group gap="xs">
              {t("trash.moved")}
              <Button
                size="compact-xs"
                variant="light"
                onClick={() => void restore().then(() => navigate(pagePath))}
              >
                {t("common.undo")}
              </Button>
            </Group>
          ),
        });
        navigate(listPath);
      },
      (e: unknown) => notifications.show({ color: "red", message: te(e) }),
    );
  return (
    <Button
      variant="default"
      color="red"
      leftSection={<IconTrash size={16} aria-hidden />}
      onClick={onDelete}
    >
      {t("common.delete")}
    </Button>
  );
}
