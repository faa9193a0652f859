import { ActionIcon, Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconColumns } from "@tabler/icons-react";
import { useI18n } from "../../i18n";
import type { Column } from "./columns";
import { defaultColumns } from "./columns";

/** moveItem returns ids with ids[i] moved by delta (clamped). */
export function moveItem(ids: string[], i: number, delta: number): string[] {
  const j = Math.max(0, Math.min(ids.length - 1, i + delta));
  const out = [...ids];
  const [x] = out.splice(i, 1);
  if (x !== undefined) out.splice(j, 0, x);
  return out;
}

export function ColumnChooser({
  all,
  chosen,
  onChange,
}: {
  all: Column[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const byId = new Map(all.map((c) => [c.id, c]));
  const rest = all.filter((c) => !chosen.includes(c.id));
  return (
    <Popover position="bottom-end" width={320} trapFocus shadow="md">
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns size={16} aria-hidden />}>
          {t("contacts.columns")}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <ScrollArea.Autosize mah={420}>
          <Stack gap={6} role="group" aria-label={t("contacts.columns")}>
            {chosen.map((id, i) => (
              <Group key={id} gap={4} wrap="nowrap">
                <Checkbox
                  style={{ flex: 1 }}
                  label={byId.get(id)?.label ?? id}
                  checked
                  disabled={chosen.length === 1}
                  onChange={() => onChange(chosen.filter((x) => x !== id))}
                />
                <ActionIcon
                  variant="subtle"
                  size="sm"
                  aria-label={t("contacts.moveUp", { column: byId.get(id)?.label ?? id })}
                  disabled={i === 0}
                  onClick={() => onChange(moveItem(chosen, i, -1))}
                >
                  <IconArrowUp size={14} aria-hidden />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  size="sm"
                  aria-label={t("contacts.moveDown", { column: byId.get(id)?.label ?? id })}
                  disabled={i === chosen.length - 1}
                  onClick={() => onChange(moveItem(chosen, i, 1))}
                >
                  <IconArrowDown size={14} aria-hidden />
                </ActionIcon>
              </Group>
            ))}
            {rest.length > 0 && (
              <Text size="xs" c="dimmed" mt="xs">
                {t("contacts.moreColumns")}
              </Text>
            )}
            {rest.map((c) => (
              <Checkbox
                key={c.id}
                label={c.label}
                checked={false}
                onChange={() => onChange([...chosen, c.id])}
              />
            ))}
          </Stack>
        </ScrollArea.Autosize>
        <Button mt="sm" size="xs" variant="subtle" onClick={() => onChange(defaultColumns)}>
          {t("contacts.resetColumns")}
        </Button>
      </Popover.Dropdown>
    </Popover>
  );
}
