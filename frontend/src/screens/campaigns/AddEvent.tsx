// Adding events: the Mautic-style "+" dialog (kind, then type from the Catalogue) and the
// palette (drag onto the canvas, or click / Enter to add after the selected node).
import { Badge, Button, Group, Modal, SimpleGrid, Stack, Text, UnstyledButton } from "@mantine/core";
import { useState } from "react";
import type { EventSpec } from "../../api/campaigns";
import { useLabels } from "./labels";

export const KINDS = ["action", "decision", "condition"] as const;
export const DND_TYPE = "application/x-magpie-campaign-event";

const kindBorder: Record<string, string> = {
  action: "var(--mantine-color-blue-6)",
  decision: "var(--mantine-color-orange-6)",
  condition: "var(--mantine-color-grape-6)",
};

function byGroup(specs: EventSpec[]): [string, EventSpec[]][] {
  const m = new Map<string, EventSpec[]>();
  for (const s of specs) m.set(s.group, [...(m.get(s.group) ?? []), s]);
  return [...m.entries()];
}

export function AddEventModal({
  opened,
  title,
  catalogue,
  onPick,
  onClose,
}: {
  opened: boolean;
  title: string;
  catalogue: EventSpec[];
  onPick: (s: EventSpec) => void;
  onClose: () => void;
}) {
  const { t, typeLabel, kindLabel, groupLabel, tk } = useLabels();
  const [kind, setKind] = useState<string | null>(null);
  const close = () => {
    setKind(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={title} size="lg">
      {kind === null ? (
        <Stack>
          <Text fw={600}>{t("campaigns.pickKind")}</Text>
          <SimpleGrid cols={3}>
            {KINDS.map((k, i) => (
              <Button
                key={k}
                variant="light"
                h="auto"
                py="sm"
                data-autofocus={i === 0 ? true : undefined}
                style={{ borderLeft: `4px solid ${kindBorder[k]}` }}
                onClick={() => setKind(k)}
              >
                <Stack gap={2} align="flex-start">
                  <Text fw={700}>{kindLabel(k)}</Text>
                  <Text size="xs" style={{ whiteSpace: "normal", textAlign: "left" }}>
                    {tk(`campaigns.kindHint.${k}`, "")}
                  </Text>
                </Stack>
              </Button>
            ))}
          </SimpleGrid>
        </Stack>
      ) : (
        <Stack gap="xs">
          <Group justify="space-between">
            <Text fw={600}>{t("campaigns.pickType", { kind: kindLabel(kind).toLowerCase() })}</Text>
            <Button size="xs" variant="subtle" onClick={() => setKind(null)}>
              ←
            </Button>
          </Group>
          {byGroup(catalogue.filter((s) => s.kind === kind)).map(([g, specs]) => (
            <Stack key={g} gap={4}>
              <Text size="xs" c="dimmed" tt="uppercase">
                {groupLabel(g)}
              </Text>
              <SimpleGrid cols={2} spacing={6}>
                {specs.map((s, i) => (
                  <UnstyledButton
                    key={s.type}
                    className="camp-pal-item"
                    style={{ borderLeftColor: kindBorder[s.kind], cursor: "pointer" }}
                    disabled={s.comingSoon}
                    data-autofocus={i === 0 && g === specs[0]?.group ? true : undefined}
                    onClick={() => {
                      onPick(s);
                      close();
                    }}
                  >
                    {typeLabel(s.type)}
                    {s.comingSoon && (
                      <Badge size="xs" ml={6} color="gray">
                        {t("campaigns.comingSoon")}
                      </Badge>
                    )}
                  </UnstyledButton>
                ))}
              </SimpleGrid>
            </Stack>
          ))}
        </Stack>
      )}
    </Modal>
  );
}

/** Palette lists the catalogue; items drag onto the canvas or add after the selection. */
export function Palette({
  catalogue,
  disabled,
  onAdd,
}: {
  catalogue: EventSpec[];
  disabled: boolean;
  onAdd: (s: EventSpec) => void;
}) {
  const { t, typeLabel, kindLabel } = useLabels();
  return (
    <nav className="camp-palette" aria-label={t("campaigns.palette")}>
      <Text fw={700} size="sm">
        {t("campaigns.palette")}
      </Text>
      <Text size="xs" c="dimmed" mb={6}>
        {t("campaigns.paletteHint")}
      </Text>
      {KINDS.map((k) => (
        <div key={k}>
          <Text size="xs" c="dimmed" tt="uppercase" mt={8}>
            {kindLabel(k)}
          </Text>
          {catalogue
            .filter((s) => s.kind === k)
            .map((s) => (
              <button
                key={s.type}
                type="button"
                className="camp-pal-item"
                style={{ borderLeftColor: kindBorder[k] }}
                disabled={disabled || s.comingSoon}
                draggable={!disabled && !s.comingSoon}
                data-testid={`palette-${s.type}`}
                title={s.comingSoon ? t("campaigns.comingSoon") : undefined}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DND_TYPE, s.type);
                  e.dataTransfer.effectAllowed = "copy";
                }}
                onClick={() => onAdd(s)}
              >
                {typeLabel(s.type)}
              </button>
            ))}
        </div>
      ))}
    </nav>
  );
}
