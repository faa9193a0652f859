// The side panel: configures the selected event — its properties (PropField.tsx), its wait
// (trigger) and its connection (the keyboard alternative to dragging an edge); or the
// selected source.
import {
  Alert,
  Button,
  Chip,
  Group,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import type { CampaignEvent, CampaignSource, EventSpec, Graph, Trigger } from "../../api/campaigns";
import { DETACHED, descendants, events, isBranching } from "./graph";
import { useLabels } from "./labels";
import { type Opt, PropField, usePickers, withMissing } from "./PropField";

/** toLocalInput turns an RFC3339 instant into a datetime-local value. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(v: string): string {
  const d = new Date(v);
  return v && !Number.isNaN(d.getTime()) ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "";
}

/** noPathAtOnce: ev runs immediately on a decision's "no" path, so every contact who has
 * not done it yet takes that path the moment it reaches the decision (Mautic's rule). */
function noPathAtOnce(graph: Graph, ev: CampaignEvent): boolean {
  const mode = ev.trigger?.mode || "immediate";
  if (ev.path !== "no" || mode !== "immediate") return false;
  return events(graph).some((p) => p.id === ev.parent && p.kind === "decision");
}

function TriggerEditor({
  tr,
  onChange,
  readOnly,
}: {
  tr: Trigger;
  onChange: (t: Trigger) => void;
  readOnly: boolean;
}) {
  const { t, tk } = useLabels();
  const set = (p: Partial<Trigger>) => onChange({ ...tr, ...p });
  const restrict = tr.hour ? "hour" : tr.startHour || tr.endHour ? "window" : "none";
  return (
    <Stack gap="xs" data-testid="trigger-editor">
      <Text size="sm" fw={600}>
        {t("campaigns.trigger")}
      </Text>
      <SegmentedControl
        fullWidth
        size="xs"
        aria-label={t("campaigns.trigger")}
        disabled={readOnly}
        value={tr.mode || "immediate"}
        onChange={(m) => set({ mode: m, unit: tr.unit || "d", interval: tr.interval || 1 })}
        data={["immediate", "interval", "date"].map((m) => ({
          value: m,
          label: tk(`campaigns.trigger.${m}`, m),
        }))}
      />
      {tr.mode === "interval" && (
        <>
          <Group grow>
            <NumberInput
              label={t("campaigns.interval")}
              min={0}
              readOnly={readOnly}
              value={tr.interval}
              onChange={(v) => set({ interval: typeof v === "number" ? v : Number(v) || 0 })}
            />
            <Select
              label={t("campaigns.unit")}
              disabled={readOnly}
              value={tr.unit || "d"}
              allowDeselect={false}
              onChange={(u) => set({ unit: u ?? "d" })}
              data={["i", "h", "d", "m", "y"].map((u) => ({ value: u, label: tk(`campaigns.unit.${u}`, u) }))}
            />
          </Group>
          <Select
            label={t("campaigns.restrict")}
            disabled={readOnly}
            allowDeselect={false}
            value={restrict}
            onChange={(r) =>
              set(
                r === "hour"
                  ? { hour: tr.hour || "09:00", startHour: "", endHour: "" }
                  : r === "window"
                    ? { hour: "", startHour: tr.startHour || "09:00", endHour: tr.endHour || "17:00" }
                    : { hour: "", startHour: "", endHour: "" },
              )
            }
            data={["none", "hour", "window"].map((r) => ({
              value: r,
              label: tk(`campaigns.restrict.${r}`, r),
            }))}
          />
          {restrict === "hour" && (
            <TextInput
              type="time"
              label={t("campaigns.hour")}
              readOnly={readOnly}
              value={tr.hour}
              onChange={(e) => set({ hour: e.currentTarget.value })}
            />
          )}
          {restrict === "window" && (
            <Group grow>
              <TextInput
                type="time"
                label={t("campaigns.startHour")}
                readOnly={readOnly}
                value={tr.startHour}
                onChange={(e) => set({ startHour: e.currentTarget.value })}
              />
              <TextInput
                type="time"
                label={t("campaigns.endHour")}
                readOnly={readOnly}
                value={tr.endHour}
                onChange={(e) => set({ endHour: e.currentTarget.value })}
              />
            </Group>
          )}
          <Text size="sm">{t("campaigns.weekdays")}</Text>
          <Chip.Group
            multiple
            value={(tr.weekdays ?? []).map(String)}
            onChange={(v) => set({ weekdays: v.map(Number).sort() })}
          >
            <Group gap={4}>
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <Chip key={d} value={String(d)} size="xs" disabled={readOnly}>
                  {tk(`campaigns.day.${d}`, String(d))}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </>
      )}
      {tr.mode === "date" && (
        <TextInput
          type="datetime-local"
          label={t("campaigns.date")}
          readOnly={readOnly}
          value={toLocalInput(tr.date)}
          onChange={(e) => set({ date: fromLocalInput(e.currentTarget.value) })}
        />
      )}
    </Stack>
  );
}

/** connectOptions lists where an event can hang: off the sources, or under another event
 * (yes/no for decisions and conditions), never under its own branch. */
function connectOptions(
  g: Graph,
  id: string,
  label: (e: CampaignEvent) => string,
  words: { yes: string; no: string; sources: string },
) {
  const { yes, no } = words;
  const own = descendants(g, id);
  const out: Opt[] = [{ value: "root", label: words.sources }];
  for (const e of events(g)) {
    if (own.has(e.id)) continue;
    if (isBranching(e.kind)) {
      out.push({ value: `${e.id}|yes`, label: `${label(e)} → ${yes}` });
      out.push({ value: `${e.id}|no`, label: `${label(e)} → ${no}` });
    } else if (e.type !== "contact.delete") out.push({ value: `${e.id}|`, label: label(e) });
  }
  return out;
}

export function EventPanel({
  campaignId,
  ev,
  spec,
  graph,
  readOnly,
  problems,
  onChange,
  onConnect,
  onRemove,
}: {
  campaignId: string;
  ev: CampaignEvent;
  spec: EventSpec | undefined;
  graph: Graph;
  readOnly: boolean;
  problems: string[];
  onChange: (patch: Partial<CampaignEvent>) => void;
  onConnect: (parent: string | null, path: "" | "yes" | "no") => void;
  onRemove: () => void;
}) {
  const { t, typeLabel, kindLabel } = useLabels();
  const pickers = usePickers(campaignId);
  const label = (e: CampaignEvent) => e.name || typeLabel(e.type);
  const parentValue = ev.parent === null ? "root" : ev.parent === DETACHED ? null : `${ev.parent}|${ev.path}`;
  return (
    <Stack gap="sm" data-testid="event-panel">
      <Title order={3} size="h5">
        {kindLabel(ev.kind)} · {typeLabel(ev.type)}
      </Title>
      {problems.map((p) => (
        <Text key={p} size="xs" c="red" role="alert">
          {p}
        </Text>
      ))}
      <TextInput
        label={t("campaigns.eventName")}
        readOnly={readOnly}
        value={ev.name}
        placeholder={typeLabel(ev.type)}
        onChange={(e) => onChange({ name: e.currentTarget.value })}
        data-panel-first
      />
      <Select
        label={t("campaigns.runsAfter")}
        disabled={readOnly}
        searchable
        data={connectOptions(graph, ev.id, label, {
          yes: t("campaigns.yes"),
          no: t("campaigns.no"),
          sources: t("campaigns.fromSources"),
        })}
        value={parentValue}
        onChange={(v) => {
          if (!v) return;
          if (v === "root") onConnect(null, "");
          else {
            const [p = "", path = ""] = v.split("|");
            onConnect(p, path as "" | "yes" | "no");
          }
        }}
      />
      {(spec?.props ?? []).map((ps) => (
        <PropField
          key={ps.name}
          spec={ps}
          value={ev.props?.[ps.name]}
          pickers={pickers}
          graph={graph}
          selfId={ev.id}
          siblings={ev.props ?? {}}
          readOnly={readOnly}
          onChange={(v) => {
            const props = { ...(ev.props ?? {}) };
            if (v === undefined || (Array.isArray(v) && v.length === 0) || v === "") delete props[ps.name];
            else props[ps.name] = v;
            onChange({ props });
          }}
        />
      ))}
      {ev.kind !== "decision" && (
        <TriggerEditor tr={ev.trigger} readOnly={readOnly} onChange={(trigger) => onChange({ trigger })} />
      )}
      {noPathAtOnce(graph, ev) && (
        <Alert color="yellow" data-testid="no-path-hint">
          {t("campaigns.noPathAtOnce")}
        </Alert>
      )}
      {!readOnly && (
        <Group>
          <Button color="red" variant="light" onClick={onRemove}>
            {t("campaigns.remove")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

export function SourcePanel({
  src,
  readOnly,
  problems,
  onChange,
  onRemove,
}: {
  src: CampaignSource;
  readOnly: boolean;
  problems: string[];
  onChange: (patch: Partial<CampaignSource>) => void;
  onRemove: () => void;
}) {
  const { t } = useLabels();
  const pickers = usePickers("");
  const ids = src.ids ?? [];
  return (
    <Stack gap="sm" data-testid="source-panel">
      <Title order={3} size="h5">
        {src.type === "form" ? t("campaigns.source.form") : t("campaigns.source.segment")}
      </Title>
      {problems.map((p) => (
        <Text key={p} size="xs" c="red" role="alert">
          {p}
        </Text>
      ))}
      {src.type === "form" ? (
        <MultiSelect
          label={t("campaigns.forms")}
          searchable
          disabled={readOnly}
          data={withMissing(pickers.forms, ids)}
          value={ids}
          onChange={(v) => onChange({ ids: v })}
          data-panel-first
        />
      ) : (
        <MultiSelect
          label={t("campaigns.segments")}
          searchable
          disabled={readOnly}
          data={withMissing(pickers.segments, ids)}
          value={ids}
          onChange={(v) => onChange({ ids: v })}
          data-panel-first
        />
      )}
      {!readOnly && (
        <Group>
          <Button color="red" variant="light" onClick={onRemove}>
            {t("campaigns.remove")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
