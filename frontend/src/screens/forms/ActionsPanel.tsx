import {
  ActionIcon,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Segments } from "../../api";
import { ACTION_TYPES, Assets, type FormAction, FormEmails, moveItem } from "../../api/forms";
import { Points } from "../../api/points";
import { type Key, useI18n } from "../../i18n";

const csv = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The builder's actions tab: submit actions in order, each with its own settings. */
export function ActionsPanel({
  actions,
  onChange,
}: {
  actions: FormAction[];
  onChange: (a: FormAction[]) => void;
}) {
  const { t } = useI18n();
  const [newType, setNewType] = useState<string>("tags");
  const label = (ty: string) => t(`forms.act.${ty}` as Key);
  return (
    <Stack>
      <div>
        <Text fw={600}>{t("forms.actions")}</Text>
        <Text size="sm" c="dimmed">
          {t("forms.actionsHint")}
        </Text>
      </div>
      {actions.length === 0 && <Text c="dimmed">{t("forms.noActions")}</Text>}
      {actions.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: actions have no id; their position is their identity
        <Paper key={`${a.type}-${i}`} withBorder p="sm" data-testid="form-action">
          <Group justify="space-between" mb="xs">
            <Text fw={600}>
              {i + 1}. {label(a.type)}
            </Text>
            <Group gap={4}>
              <ActionIcon
                variant="subtle"
                aria-label={t("forms.moveUp", { name: label(a.type) })}
                disabled={i === 0}
                onClick={() => onChange(moveItem(actions, i, i - 1))}
              >
                <IconArrowUp size={16} />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                aria-label={t("forms.moveDown", { name: label(a.type) })}
                disabled={i === actions.length - 1}
                onClick={() => onChange(moveItem(actions, i, i + 1))}
              >
                <IconArrowDown size={16} />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("forms.remove", { name: label(a.type) })}
                onClick={() => onChange(actions.filter((_, k) => k !== i))}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          </Group>
          <ActionEditor action={a} onChange={(x) => onChange(actions.map((y, k) => (k === i ? x : y)))} />
        </Paper>
      ))}
      <Group gap="xs" align="flex-end">
        <Select
          label={t("forms.actionType")}
          data={ACTION_TYPES.map((ty) => ({ value: ty, label: label(ty) }))}
          value={newType}
          onChange={(v) => setNewType(v ?? "tags")}
          allowDeselect={false}
          w={320}
        />
        <Button
          leftSection={<IconPlus size={16} aria-hidden />}
          onClick={() =>
            onChange([
              ...actions,
              newType === "dnc" ? { type: newType, dnc: "add", channel: "email" } : { type: newType },
            ])
          }
        >
          {t("forms.addAction")}
        </Button>
      </Group>
    </Stack>
  );
}

function ActionEditor({ action: a, onChange }: { action: FormAction; onChange: (a: FormAction) => void }) {
  const { t } = useI18n();
  const set = (p: Partial<FormAction>) => onChange({ ...a, ...p });
  const segs = useQuery({
    queryKey: ["segments", "list", false],
    queryFn: () => Segments.List(false),
    enabled: a.type === "segments",
  });
  const emails = useQuery({
    queryKey: ["emails", "list", ""],
    queryFn: () => FormEmails.List({ search: "", kind: "", deleted: false }),
    enabled: a.type.startsWith("email."),
  });
  const assets = useQuery({
    queryKey: ["assets", "list", false],
    queryFn: () => Assets.List(false),
    enabled: a.type === "asset",
  });
  const stages = useQuery({
    queryKey: ["stages", "list"],
    queryFn: () => Points.Stages(false),
    enabled: a.type === "stage",
  });
  const segData = (segs.data ?? []).map((s) => ({ value: s.id, label: s.name }));
  switch (a.type) {
    case "tags":
      return (
        <Group grow>
          <TextInput
            label={t("forms.a.addTags")}
            value={(a.add ?? []).join(", ")}
            onChange={(e) => set({ add: csv(e.currentTarget.value) })}
          />
          <TextInput
            label={t("forms.a.removeTags")}
            value={(a.remove ?? []).join(", ")}
            onChange={(e) => set({ remove: csv(e.currentTarget.value) })}
          />
        </Group>
      );
    case "segments":
      return (
        <Group grow>
          <MultiSelect
            label={t("forms.a.addSegments")}
            data={segData}
            value={a.add ?? []}
            onChange={(v) => set({ add: v })}
            searchable
          />
          <MultiSelect
            label={t("forms.a.removeSegments")}
            data={segData}
            value={a.remove ?? []}
            onChange={(v) => set({ remove: v })}
            searchable
          />
        </Group>
      );
    case "points":
      return (
        <NumberInput
          label={t("forms.a.points")}
          value={a.points ?? 0}
          onChange={(v) => set({ points: typeof v === "number" ? v : 0 })}
          w={200}
        />
      );
    case "email.contact":
    case "email.user":
      return (
        <Group grow>
          <Select
            label={t("forms.a.email")}
            data={(emails.data ?? []).map((e) => ({ value: e.id, label: e.name }))}
            value={a.emailId ?? null}
            onChange={(v) => set({ emailId: v ?? "" })}
            searchable
          />
          {a.type === "email.user" && (
            <TextInput
              label={t("forms.a.to")}
              type="email"
              value={a.to ?? ""}
              onChange={(e) => set({ to: e.currentTarget.value })}
            />
          )}
        </Group>
      );
    case "asset":
      return (
        <Select
          label={t("forms.a.asset")}
          data={(assets.data ?? []).map((x) => ({ value: x.id, label: x.title }))}
          value={a.assetId ?? null}
          onChange={(v) => set({ assetId: v ?? "" })}
          searchable
        />
      );
    case "redirect":
    case "webhook":
      return (
        <TextInput
          label={t("forms.a.url")}
          type="url"
          value={a.url ?? ""}
          onChange={(e) => set({ url: e.currentTarget.value })}
        />
      );
    case "message":
      return (
        <Textarea
          label={t("forms.a.message")}
          value={a.message ?? ""}
          onChange={(e) => set({ message: e.currentTarget.value })}
        />
      );
    case "campaign":
      return (
        <TextInput
          label={t("forms.a.campaign")}
          value={a.campaignId ?? ""}
          onChange={(e) => set({ campaignId: e.currentTarget.value })}
        />
      );
    case "stage":
      return (
        <Select
          label={t("forms.a.stage")}
          data={(stages.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
          value={a.stageId ?? null}
          onChange={(v) => set({ stageId: v ?? "" })}
          searchable
        />
      );
    case "dnc":
      return (
        <Group align="flex-end">
          <div>
            <Text size="sm" fw={500} id="dnc-mode">
              {t("forms.a.dnc")}
            </Text>
            <SegmentedControl
              aria-labelledby="dnc-mode"
              value={a.dnc ?? "add"}
              onChange={(v) => set({ dnc: v })}
              data={[
                { value: "add", label: t("forms.a.dncAdd") },
                { value: "remove", label: t("forms.a.dncRemove") },
              ]}
            />
          </div>
          <Select
            label={t("forms.a.channel")}
            data={["email", "sms", "notification"]}
            value={a.channel ?? "email"}
            onChange={(v) => set({ channel: v ?? "email" })}
            allowDeselect={false}
          />
        </Group>
      );
  }
  return null;
}
