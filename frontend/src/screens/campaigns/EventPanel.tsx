// The side panel: configures the selected event generically from its Catalogue PropSpecs
// (pickers for emails, segments, fields, tags, campaigns, events), its wait (trigger) and its
// connection (the keyboard alternative to dragging an edge); or the selected source.
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
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Contacts, Segments } from "../../api";
import {
  type CampaignEvent,
  type CampaignSource,
  Campaigns,
  type EventSpec,
  type Graph,
  type PropSpec,
  type Trigger,
} from "../../api/campaigns";
import { Emails } from "../../api/emails";
import { Assets, Forms } from "../../api/forms";
import { useFields } from "../../api/hooks";
import { DWC } from "../../api/pages";
import { Points } from "../../api/points";
import { useI18n } from "../../i18n";
import { FieldInput } from "../fields/FieldInput";
import { fieldLabel } from "../fields/values";
import { useTeam } from "../TeamMembers";
import { FieldValues } from "./FieldValues";
import { DETACHED, descendants, events, isBranching } from "./graph";
import { useLabels } from "./labels";

type Opt = { value: string; label: string };

/** Field types whose value a field condition picks from a list. */
const pickedTypes = new Set(["select", "boolean", "country", "timezone", "lookup"]);

function usePickers(campaignId: string) {
  const { lang } = useI18n();
  const segments = useQuery({
    queryKey: ["segments", false],
    queryFn: () => Segments.List(false),
    staleTime: 30_000,
  });
  const emails = useQuery({
    queryKey: ["emails", "campaign-picker"],
    queryFn: () => Emails.List({ search: "", kind: "template", deleted: false }),
    staleTime: 30_000,
  });
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => Contacts.Tags(), staleTime: 30_000 });
  const campaigns = useQuery({
    queryKey: ["campaigns", "picker"],
    queryFn: () => Campaigns.List({ search: "", limit: 500, offset: 0, trash: false }),
    staleTime: 30_000,
  });
  const fields = useFields("contact");
  const forms = useQuery({ queryKey: ["forms", false], queryFn: () => Forms.List(false), staleTime: 30_000 });
  const assets = useQuery({
    queryKey: ["assets", false],
    queryFn: () => Assets.List(false),
    staleTime: 30_000,
  });
  const dwc = useQuery({ queryKey: ["dwc", false], queryFn: () => DWC.List(false), staleTime: 30_000 });
  const stages = useQuery({
    queryKey: ["stages", false],
    queryFn: () => Points.Stages(false),
    staleTime: 30_000,
  });
  const team = useTeam();
  const segCat = useQuery({
    queryKey: ["segmentCatalogue"],
    queryFn: () => Segments.Catalogue(),
    staleTime: 30_000,
  });
  return {
    segments: (segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
    emails: (emails.data ?? []).map((e) => ({ value: e.id, label: e.name })),
    tags: (tags.data ?? []).map((x) => x.name),
    campaigns: (campaigns.data ?? [])
      .filter((c) => c.id !== campaignId)
      .map((c) => ({ value: c.id, label: c.name })),
    fields: (fields.data ?? []).map((f) => ({ value: f.alias, label: fieldLabel(f, lang) || f.alias })),
    fieldDefs: fields.data ?? [],
    users: (team.data ?? []).map((u) => ({ value: u.id, label: u.name })),
    /** operator code → its name in the UI language (the segment editor's names) */
    operators: new Map(
      (segCat.data?.operators ?? []).map((o) => [o.code, lang === "fr" ? o.labelFr : o.label]),
    ),
    stages: (stages.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    forms: (forms.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    assets: (assets.data ?? []).map((x) => ({ value: x.id, label: x.title })),
    dwc: (dwc.data ?? []).map((x) => ({ value: x.id, label: x.name })),
  };
}

/** withMissing keeps chosen values that are not in the options (deleted objects) visible. */
function withMissing(opts: Opt[], chosen: string[]): Opt[] {
  const have = new Set(opts.map((o) => o.value));
  return [...opts, ...chosen.filter((v) => v && !have.has(v)).map((v) => ({ value: v, label: `${v} (?)` }))];
}

const asList = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : typeof v === "string" && v
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
const asText = (v: unknown): string =>
  v === undefined || v === null ? "" : typeof v === "string" ? v : String(v);

function JsonField({
  label,
  value,
  onChange,
  required,
  readOnly,
}: {
  label: string;
  value: unknown;
  onChange: (v: unknown) => void;
  required: boolean;
  readOnly: boolean;
}) {
  const { t } = useLabels();
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState(false);
  return (
    <Textarea
      label={label}
      required={required}
      readOnly={readOnly}
      autosize
      minRows={3}
      value={text}
      error={bad ? t("campaigns.jsonInvalid") : undefined}
      styles={{ input: { fontFamily: "monospace", fontSize: 12 } }}
      onChange={(e) => {
        const s = e.currentTarget.value;
        setText(s);
        if (!s.trim()) {
          setBad(false);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(s));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

function PropField({
  spec,
  value,
  onChange,
  pickers,
  graph,
  selfId,
  siblings,
  readOnly,
}: {
  spec: PropSpec;
  value: unknown;
  onChange: (v: unknown) => void;
  pickers: ReturnType<typeof usePickers>;
  graph: Graph;
  selfId: string;
  /** the event's other props (a field condition's value editor follows its field) */
  siblings: Record<string, unknown>;
  readOnly: boolean;
}) {
  const { t, tk, propLabel, typeLabel } = useLabels();
  const label = propLabel(spec.name);
  // "form"/"asset" props named in the singular pick one; plural names ("forms") pick several.
  if ((spec.type === "form" || spec.type === "asset") && !spec.name.endsWith("s"))
    spec = { ...spec, type: `${spec.type}1` };
  const common = { label, required: spec.required, readOnly, disabled: readOnly };
  const list = asList(value);
  switch (spec.type) {
    case "number":
      return (
        <NumberInput
          {...common}
          value={typeof value === "number" ? value : asText(value)}
          onChange={(v) => onChange(typeof v === "number" ? v : v === "" ? undefined : Number(v))}
        />
      );
    case "select":
    case "email":
    case "segment":
    case "field":
    case "stage":
    case "dwc":
    case "event":
    case "form1":
    case "asset1":
    case "user": {
      let data: Opt[] = (spec.options ?? []).map((o) => ({
        value: o.value,
        label:
          spec.name === "operator"
            ? (pickers.operators.get(o.value) ?? tk(`campaigns.op.${o.value}`, o.label))
            : o.label,
      }));
      if (spec.type === "email") data = pickers.emails;
      if (spec.type === "segment") data = pickers.segments;
      if (spec.type === "field") data = pickers.fields;
      if (spec.type === "stage") data = pickers.stages;
      if (spec.type === "dwc") data = pickers.dwc;
      if (spec.type === "form1") data = pickers.forms;
      if (spec.type === "asset1") data = pickers.assets;
      if (spec.type === "user") data = pickers.users;
      if (spec.type === "event")
        data = events(graph)
          .filter((e) => e.id !== selfId)
          .map((e) => ({ value: e.id, label: e.name || typeLabel(e.type) }));
      const v = asText(value);
      return (
        <Select
          {...common}
          searchable
          placeholder={spec.type === "select" && !spec.required ? data[0]?.label : undefined}
          clearable={!spec.required}
          data={withMissing(data, v ? [v] : [])}
          value={v || null}
          onChange={(x) => onChange(x ?? undefined)}
        />
      );
    }
    case "multiselect":
    case "segments":
    case "form":
    case "asset":
    case "users":
    case "campaign": {
      let data: Opt[] = (spec.options ?? []).map((o) => ({ value: o.value, label: o.label }));
      if (spec.type === "segments") data = pickers.segments;
      if (spec.type === "form") data = pickers.forms;
      if (spec.type === "asset") data = pickers.assets;
      if (spec.type === "users") data = pickers.users;
      if (spec.type === "campaign")
        data = [{ value: "this", label: t("campaigns.thisCampaign") }, ...pickers.campaigns];
      return (
        <MultiSelect
          {...common}
          searchable
          data={withMissing(data, list)}
          value={list}
          onChange={(x) => onChange(x)}
        />
      );
    }
    case "tags":
      return (
        <TagsInput
          {...common}
          data={spec.type === "tags" ? pickers.tags : []}
          value={list}
          onChange={(x) => onChange(x)}
        />
      );
    case "fieldvalue": {
      // A field with a list of values (select, country, yes/no …) compared for equality is
      // picked from that list; anything else is typed (like, regexp, dates, numbers).
      const f = pickers.fieldDefs.find((x) => x.alias === siblings.field);
      const op = asText(siblings.operator) || "=";
      if (f && (op === "=" || op === "!=") && pickedTypes.has(f.type))
        return (
          <FieldInput
            field={{ ...f, label, labelFr: label, required: false }}
            value={asText(value)}
            disabled={readOnly}
            onChange={(x) => onChange(x)}
          />
        );
      return (
        <TextInput {...common} value={asText(value)} onChange={(e) => onChange(e.currentTarget.value)} />
      );
    }
    case "contactvalues":
    case "companyvalues":
      return (
        <FieldValues
          object={spec.type === "companyvalues" ? "company" : "contact"}
          label={label}
          value={value}
          onChange={onChange}
          readOnly={readOnly}
        />
      );
    case "json":
      return (
        <JsonField
          label={label}
          value={value}
          onChange={onChange}
          required={spec.required}
          readOnly={readOnly}
        />
      );
    default:
      return (
        <TextInput {...common} value={asText(value)} onChange={(e) => onChange(e.currentTarget.value)} />
      );
  }
}

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
