// The point trigger editor: threshold (main points or a group), colour, "trigger for
// existing contacts", and its events (tags, segments, campaigns, emails, stage).
import {
  ActionIcon,
  Button,
  Card,
  Checkbox,
  ColorInput,
  Group,
  Menu,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconX } from "@tabler/icons-react";
import { useState } from "react";
import {
  blankTriggerEvent,
  Points,
  type PointTrigger,
  type PointTriggerEvent,
  triggerEventTypes,
} from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { EditorFrame, useSave } from "./DefList";
import { Publishing, useOptions } from "./shared";

export function TriggerEditor({
  trigger,
  onClose,
  onSaved,
}: {
  trigger: PointTrigger;
  onClose: () => void;
  onSaved: (t: PointTrigger) => void;
}) {
  const { t } = useI18n();
  const opts = useOptions();
  const [x, setX] = useState<PointTrigger>(trigger);
  const { errors, error, busy, submit } = useSave();
  const set = (patch: Partial<PointTrigger>) => setX((v) => ({ ...v, ...patch }));
  const setEvent = (i: number, patch: Partial<PointTriggerEvent>) =>
    setX((v) => ({ ...v, events: v.events.map((e, j) => (j === i ? { ...e, ...patch } : e)) }));
  const save = () =>
    submit(async () => {
      onSaved(await Points.SaveTrigger(x));
    });
  return (
    <EditorFrame
      title={x.id ? t("points.triggers.edit") : t("points.triggers.new")}
      size="lg"
      onClose={onClose}
      busy={busy}
      error={error}
      onSubmit={() => void save()}
    >
      <TextInput
        label={t("points.name")}
        value={x.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        error={errors.name}
        required
        data-autofocus
      />
      <Group grow>
        <NumberInput
          label={t("points.threshold")}
          value={x.points}
          onChange={(v) => set({ points: typeof v === "number" ? v : Number.parseInt(v, 10) || 0 })}
        />
        <Select
          label={t("points.group")}
          placeholder={t("points.mainPoints")}
          data={opts.groups}
          value={x.groupId || null}
          onChange={(v) => set({ groupId: v ?? "" })}
          clearable
          error={errors.groupId}
        />
        <ColorInput label={t("points.color")} value={x.color} onChange={(v) => set({ color: v })} />
      </Group>
      <Switch
        label={t("points.triggerExisting")}
        checked={x.triggerExisting}
        onChange={(e) => set({ triggerExisting: e.currentTarget.checked })}
      />
      <Publishing value={x} set={set} error={errors.publishDown} />
      <Text fw={500}>{t("points.triggers.events")}</Text>
      {x.events.length === 0 && <Text c="dimmed">{t("points.triggers.noEvents")}</Text>}
      {x.events.map((e, i) => (
        <Card withBorder key={e.id || `new-${i}`} p="sm">
          <Group justify="space-between" mb="xs">
            <Text fw={500} size="sm">
              {t(`points.event.${e.type}` as Key)}
            </Text>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t("points.triggers.removeEvent", { n: i + 1 })}
              onClick={() => set({ events: x.events.filter((_, j) => j !== i) })}
            >
              <IconX size={16} aria-hidden />
            </ActionIcon>
          </Group>
          {e.type === "lead.changetags" && (
            <Group grow>
              <TagsInput
                label={t("points.addTags")}
                value={e.addTags}
                onChange={(v) => setEvent(i, { addTags: v })}
                error={errors[`events.${i}.addTags`]}
              />
              <TagsInput
                label={t("points.removeTags")}
                value={e.removeTags}
                onChange={(v) => setEvent(i, { removeTags: v })}
              />
            </Group>
          )}
          {e.type === "lead.changelists" && (
            <AddRemove
              kind="Segments"
              data={opts.segments}
              event={e}
              error={errors[`events.${i}.addSegments`]}
              onChange={(patch) => setEvent(i, patch)}
            />
          )}
          {e.type === "email.send" && (
            <Select
              label={t("points.email")}
              data={opts.emails}
              value={e.email || null}
              onChange={(v) => setEvent(i, { email: v ?? "" })}
              error={errors[`events.${i}.email`]}
              searchable
            />
          )}
          {e.type === "email.send_to_user" && (
            <Stack gap="xs">
              <Select
                label={t("points.email")}
                data={opts.emails}
                value={e.email || null}
                onChange={(v) => setEvent(i, { email: v ?? "" })}
                error={errors[`events.${i}.email`]}
                searchable
              />
              <Checkbox
                label={t("points.useOwner")}
                checked={e.useOwner}
                onChange={(ev) => setEvent(i, { useOwner: ev.currentTarget.checked })}
              />
              <Group grow>
                <MultiSelect
                  label={t("points.users")}
                  data={opts.users}
                  value={e.users}
                  onChange={(v) => setEvent(i, { users: v })}
                  error={errors[`events.${i}.users`]}
                  searchable
                />
                <TagsInput
                  label={t("points.to")}
                  description={t("points.toHint")}
                  value={e.to}
                  onChange={(v) => setEvent(i, { to: v })}
                  error={errors[`events.${i}.to`]}
                />
              </Group>
            </Stack>
          )}
          {e.type === "campaign.changecampaign" && (
            <AddRemove
              kind="Campaigns"
              data={opts.campaigns}
              event={e}
              error={errors[`events.${i}.addCampaigns`]}
              onChange={(patch) => setEvent(i, patch)}
            />
          )}
          {e.type === "stage.change" && (
            <Select
              label={t("points.stage")}
              data={opts.stages}
              value={e.stage || null}
              onChange={(v) => setEvent(i, { stage: v ?? "" })}
              error={errors[`events.${i}.stage`]}
            />
          )}
        </Card>
      ))}
      <Menu>
        <Menu.Target>
          <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} w="fit-content">
            {t("points.triggers.addEvent")}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {triggerEventTypes.map((typ) => (
            <Menu.Item key={typ} onClick={() => set({ events: [...x.events, blankTriggerEvent(typ)] })}>
              {t(`points.event.${typ}` as Key)}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
    </EditorFrame>
  );
}

// AddRemove is the pair of pickers of a "change segments" / "change campaigns" event.
function AddRemove({
  kind,
  data,
  event,
  error,
  onChange,
}: {
  kind: "Segments" | "Campaigns";
  data: { value: string; label: string }[];
  event: PointTriggerEvent;
  error?: string;
  onChange: (patch: Partial<PointTriggerEvent>) => void;
}) {
  const { t } = useI18n();
  const add = `add${kind}` as const;
  const remove = `remove${kind}` as const;
  return (
    <Group grow>
      <MultiSelect
        label={t(`points.${add}`)}
        data={data}
        value={event[add]}
        onChange={(v) => onChange({ [add]: v })}
        error={error}
        searchable
      />
      <MultiSelect
        label={t(`points.${remove}`)}
        data={data}
        value={event[remove]}
        onChange={(v) => onChange({ [remove]: v })}
        searchable
      />
    </Group>
  );
}
