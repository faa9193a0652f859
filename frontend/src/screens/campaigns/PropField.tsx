// A campaign event's properties, edited generically from its Catalogue PropSpecs: pickers for
// emails, segments, fields, tags, campaigns, forms, assets, stages, team members and events;
// field values with the contact form's own inputs.
import { MultiSelect, NumberInput, Select, TagsInput, Textarea, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Contacts, Segments } from "../../api";
import { Campaigns, type Graph, type PropSpec } from "../../api/campaigns";
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
import { events } from "./graph";
import { useLabels } from "./labels";

export type Opt = { value: string; label: string };

/** Field types whose value a field condition picks from a list. */
const pickedTypes = new Set(["select", "boolean", "country", "timezone", "lookup"]);

export function usePickers(campaignId: string) {
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
export function withMissing(opts: Opt[], chosen: string[]): Opt[] {
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

export function PropField({
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
