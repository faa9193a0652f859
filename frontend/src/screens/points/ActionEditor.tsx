// The point action editor: Mautic's action types, score ± and group, per-type options and
// the url.hit repeat limits.
import {
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useState } from "react";
import { actionTypes, type PointAction, type PointProps, Points } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { EditorFrame, useSave } from "./DefList";
import { Publishing, useOptions } from "./shared";

const num = (v: string | number) => (typeof v === "number" ? v : Number.parseInt(v, 10) || 0);

export function ActionEditor({
  action,
  onClose,
  onSaved,
}: {
  action: PointAction;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const opts = useOptions();
  const [a, setA] = useState<PointAction>(action);
  const { errors, error, busy, submit } = useSave();
  const set = (patch: Partial<PointAction>) => setA((x) => ({ ...x, ...patch }));
  const prop = (patch: Partial<PointProps>) => setA((x) => ({ ...x, props: { ...x.props, ...patch } }));
  const save = () =>
    submit(async () => {
      await Points.SaveAction(a);
      onSaved();
    });
  const p = a.props;
  const typ = a.type;
  return (
    <EditorFrame
      title={a.id ? t("points.actions.edit") : t("points.actions.new")}
      size="lg"
      onClose={onClose}
      busy={busy}
      error={error}
      onSubmit={() => void save()}
    >
      <TextInput
        label={t("points.name")}
        value={a.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        error={errors.name}
        required
        data-autofocus
      />
      <Select
        label={t("points.type")}
        data={actionTypes.map((x) => ({ value: x, label: t(`points.type.${x}` as Key) }))}
        value={typ}
        onChange={(v) => v && set({ type: v })}
        allowDeselect={false}
        error={errors.type}
      />
      <Group grow>
        <NumberInput
          label={t("points.delta")}
          description={t("points.deltaHint")}
          value={a.delta}
          onChange={(v) => set({ delta: num(v) })}
          error={errors.delta}
        />
        <Select
          label={t("points.group")}
          placeholder={t("points.mainPoints")}
          data={opts.groups}
          value={a.groupId || null}
          onChange={(v) => set({ groupId: v ?? "" })}
          clearable
          error={errors.groupId}
        />
      </Group>
      {(typ === "email.open" || typ === "email.send" || typ === "email.click") && (
        <MultiSelect
          label={t("points.emails")}
          placeholder={t("points.any")}
          data={opts.emails}
          value={p.emails}
          onChange={(v) => prop({ emails: v })}
          searchable
        />
      )}
      {(typ === "url.hit" || typ === "email.click") && (
        <TextInput
          label={t("points.url")}
          description={t("points.urlHint")}
          placeholder="https://example.com/pricing*"
          value={p.url}
          onChange={(e) => prop({ url: e.currentTarget.value })}
          error={errors.page_url}
          required={typ === "url.hit"}
        />
      )}
      {typ === "page.hit" && (
        <MultiSelect
          label={t("points.landingPages")}
          placeholder={t("points.any")}
          data={opts.pages}
          value={p.pages}
          onChange={(v) => prop({ pages: v })}
          searchable
        />
      )}
      {typ === "form.submit" && (
        <TagsInput
          label={t("points.forms")}
          placeholder={t("points.any")}
          value={p.forms}
          onChange={(v) => prop({ forms: v })}
        />
      )}
      {typ === "asset.download" && (
        <TagsInput
          label={t("points.assets")}
          placeholder={t("points.any")}
          value={p.assets}
          onChange={(v) => prop({ assets: v })}
        />
      )}
      {typ === "page.visits" && (
        <NumberInput
          label={t("points.pageVisits")}
          min={1}
          value={p.pageHits}
          onChange={(v) => prop({ pageHits: num(v) })}
          error={errors.page_hits}
        />
      )}
      {typ === "url.hit" && (
        <Stack gap="xs" role="group" aria-label={t("points.limits")}>
          <Text fw={500} size="sm">
            {t("points.limits")}
          </Text>
          <Checkbox
            label={t("points.firstTime")}
            checked={p.firstTime}
            onChange={(e) => prop({ firstTime: e.currentTarget.checked })}
          />
          <Group grow>
            <NumberInput
              label={t("points.hitsFrom")}
              min={0}
              value={p.pageHits}
              onChange={(v) => prop({ pageHits: num(v) })}
            />
            <NumberInput
              label={t("points.everyNth")}
              min={0}
              value={p.everyNth}
              onChange={(v) => prop({ everyNth: num(v) })}
            />
          </Group>
          <Group grow>
            <NumberInput
              label={t("points.returnsAfter")}
              min={0}
              value={Math.round(p.returnsAfter / 60)}
              onChange={(v) => prop({ returnsAfter: num(v) * 60 })}
            />
            <NumberInput
              label={t("points.returnsWithin")}
              min={0}
              value={Math.round(p.returnsWithin / 60)}
              onChange={(v) => prop({ returnsWithin: num(v) * 60 })}
            />
          </Group>
        </Stack>
      )}
      <Switch
        label={t("points.repeatableLong")}
        checked={a.repeatable}
        onChange={(e) => set({ repeatable: e.currentTarget.checked })}
      />
      <Publishing value={a} set={set} error={errors.publishDown} />
      <Textarea
        label={t("points.description")}
        value={a.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
        autosize
        minRows={2}
      />
    </EditorFrame>
  );
}
