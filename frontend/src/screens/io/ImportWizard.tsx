// The CSV import wizard: file → detection and mapping (with a preview) → progress with rows/s
// and cancel → result with the rejected rows.

import type { ComboboxData } from "@mantine/core";
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  ScrollArea,
  Select,
  Stack,
  Stepper,
  Table,
  TagsInput,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconFileUpload } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type ImportAnalysis, Imports, isDesktop, type Rejection, upload } from "../../api";
import { type Key, type Lang, translate, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorBox } from "../common";
import { JobProgress } from "../jobs/JobProgress";
import { useJob } from "../jobs/useJob";
import { delimiterNames, saveOrDownload } from "./files";
import { displayName, ImportHistory } from "./ImportHistory";

/**
 * targetOptions groups the mapping targets: contact fields (and tags, points), then company
 * fields ("company:<alias>", labelled "Company · City" so the chosen value reads clearly).
 */
export function targetOptions(
  targets: { value: string; label: string; labelFr: string }[],
  lang: string,
  words: { skip: string; contact: string; company: string },
): ComboboxData {
  const label = (x: { label: string; labelFr: string }) => (lang === "fr" && x.labelFr) || x.label;
  const contact = targets.filter((x) => !x.value.startsWith("company:"));
  const company = targets.filter((x) => x.value.startsWith("company:"));
  const short = (s: string) => s.replace(/^Company\s+/i, "").replace(/\s+de la société$/i, "");
  return [
    { value: "", label: words.skip },
    { group: words.contact, items: contact.map((x) => ({ value: x.value, label: label(x) })) },
    ...(company.length > 0
      ? [
          {
            group: words.company,
            items: company.map((x) => ({ value: x.value, label: `${words.company} · ${short(label(x))}` })),
          },
        ]
      : []),
  ];
}

/** duplicateTargets lists targets mapped from more than one column (tags may repeat). */
export function duplicateTargets(mapping: string[]): string[] {
  const seen = new Map<string, number>();
  for (const m of mapping) if (m && m !== "tags") seen.set(m, (seen.get(m) ?? 0) + 1);
  return [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
}

function PickStep({ onAnalyzed }: { onAnalyzed: (a: ImportAnalysis) => void }) {
  const { t, te } = useI18n();
  const [busy, setBusy] = useState(false);
  const analyze = async (get: () => Promise<string>) => {
    setBusy(true);
    try {
      const path = await get();
      if (path) onAnalyzed(await Imports.Analyze(path));
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack maw={560}>
      <Text>{t("import.pickHint")}</Text>
      {isDesktop() ? (
        <Button
          leftSection={<IconFileUpload size={16} aria-hidden />}
          loading={busy}
          onClick={() => void analyze(() => Imports.PickFile())}
        >
          {t("import.choose")}
        </Button>
      ) : (
        <FileInput
          label={t("import.file")}
          placeholder={t("import.choose")}
          accept=".csv,.tsv,.txt,text/csv"
          leftSection={<IconFileUpload size={16} aria-hidden />}
          disabled={busy}
          onChange={(f) => {
            if (f) void analyze(async () => (await upload(f)).path);
          }}
          data-testid="import-file"
        />
      )}
    </Stack>
  );
}

function MapStep({
  analysis: a,
  onStarted,
  onReanalyzed,
}: {
  analysis: ImportAnalysis;
  onStarted: (id: string) => void;
  onReanalyzed: (a: ImportAnalysis) => void;
}) {
  const { t, te, lang } = useI18n();
  const targets = useQuery({ queryKey: ["import-targets"], queryFn: () => Imports.Targets() });
  const [mapping, setMapping] = useState<string[]>(a.mapping);
  const [tags, setTags] = useState<string[]>([]);
  const [update, setUpdate] = useState(true);
  const [dateOrder, setDateOrder] = useState("dmy");
  const [delimiter, setDelimiter] = useState(a.delimiter);
  const [encoding, setEncoding] = useState(a.encoding);
  const [busy, setBusy] = useState(false);
  const dups = duplicateTargets(mapping);
  // A different delimiter or encoding re-reads the file: new columns, preview and mapping.
  const reread = async (d: string, enc: string) => {
    setDelimiter(d);
    setEncoding(enc);
    try {
      const next = await Imports.AnalyzeWith(a.path, d, enc);
      setMapping(next.mapping);
      onReanalyzed(next);
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const options = targetOptions(targets.data ?? [], lang, {
    skip: t("import.skip"),
    contact: t("ui.import.contactGroup"),
    company: t("ui.import.companyGroup"),
  });
  const start = async () => {
    setBusy(true);
    try {
      onStarted(
        await Imports.Start({
          path: a.path,
          options: { delimiter, encoding, mapping, tags, updateExisting: update, dateOrder },
        }),
      );
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack>
      <Group gap="sm">
        <Badge variant="light">{displayName(a.fileName)}</Badge>
        <Select
          label={t("import.delimiter")}
          data-testid="import-delimiter"
          w={170}
          value={delimiter}
          onChange={(v) => reread(v ?? a.delimiter, encoding)}
          allowDeselect={false}
          data={Object.entries(delimiterNames).map(([v, n]) => ({
            value: v,
            label: t(`import.delim.${n}` as Key),
          }))}
        />
        <Select
          label={t("import.encoding")}
          w={170}
          value={encoding}
          onChange={(v) => reread(delimiter, v ?? a.encoding)}
          allowDeselect={false}
          data={["utf-8", "utf-8-bom", "windows-1252"]}
        />
        <Select
          label={t("import.dateOrder")}
          w={200}
          value={dateOrder}
          onChange={(v) => setDateOrder(v ?? "dmy")}
          allowDeselect={false}
          data={[
            { value: "dmy", label: t("import.dmy") },
            { value: "mdy", label: t("import.mdy") },
          ]}
        />
      </Group>
      <Text size="sm" c="dimmed" data-testid="import-detected">
        {t("import.detected", {
          delimiter: t(`import.delim.${delimiterNames[a.delimiter] ?? "comma"}` as Key),
          encoding: a.encoding,
          n: a.columns.length,
        })}
      </Text>
      {targets.isError && <ErrorBox error={targets.error} />}
      <ScrollArea>
        <Table withTableBorder data-testid="mapping">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("import.column")}</Table.Th>
              <Table.Th>{t("import.field")}</Table.Th>
              <Table.Th>{t("import.preview")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {a.columns.map((col, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional and names may repeat
              <Table.Tr key={`${i}-${col}`}>
                <Table.Td fw={600}>{col}</Table.Td>
                <Table.Td miw={220}>
                  <Select
                    aria-label={t("import.mapColumn", { column: col })}
                    data={options}
                    value={mapping[i] ?? ""}
                    onChange={(v) => setMapping((m) => m.map((x, j) => (j === i ? (v ?? "") : x)))}
                    searchable
                    allowDeselect={false}
                    error={mapping[i] && dups.includes(mapping[i] ?? "") ? t("import.dup") : undefined}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed" lineClamp={1}>
                    {a.preview
                      .slice(0, 3)
                      .map((r) => r[i] ?? "")
                      .join(" · ")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <TagsInput label={t("import.tags")} value={tags} onChange={setTags} maw={560} />
      <Checkbox
        label={t("import.updateExisting")}
        checked={update}
        onChange={(e) => setUpdate(e.currentTarget.checked)}
      />
      <Group>
        <Button
          onClick={() => void start()}
          loading={busy}
          disabled={dups.length > 0 || mapping.every((m) => !m)}
        >
          {t("import.start")}
        </Button>
      </Group>
    </Stack>
  );
}

// ImportResult follows import job id; onState hears each state it reaches ("" until the
// first status arrives).
export function ImportResult({ id, onState }: { id: string; onState?: (state: string) => void }) {
  const { t, te, fmtNumber, lang } = useI18n();
  const qc = useQueryClient();
  const status = useJob(id);
  const finished = status !== null && status.state !== "running";
  const state = status?.state ?? "";
  useEffect(() => {
    onState?.(state);
    // The history below lists this import: show its final status and counts now.
    if (state !== "" && state !== "running") void qc.invalidateQueries({ queryKey: ["imports"] });
  }, [state, onState, qc]);
  const rec = useQuery({
    queryKey: ["import", id, status?.state],
    queryFn: () => Imports.Get(id),
    enabled: finished,
  });
  const rejected = useQuery({
    queryKey: ["import", id, "rejected"],
    queryFn: () => Imports.Rejected(id, 0),
    enabled: finished && (rec.data?.failed ?? 0) > 0,
  });
  const download = async () => {
    try {
      const path = isDesktop() ? "" : await Imports.RejectedCSV(id);
      const saved = await saveOrDownload(path, () => Imports.SaveRejected(id));
      if (saved && isDesktop())
        notifications.show({ color: "green", message: t("export.saved", { path: saved }) });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const r = rec.data;
  const rows = r ? r.inserted + r.updated + r.ignored + r.failed : 0;
  const secs = r?.startedAt ? (Date.now() - Date.parse(r.startedAt)) / 1000 : 0;
  const text = r
    ? `${t("jobs.done", { done: fmtNumber(rows), unit: t("import.rows") })}${
        !finished && secs > 0
          ? ` · ${t("jobs.rate", { rate: fmtNumber(Math.round(rows / secs)), unit: t("import.rows") })}`
          : ""
      }`
    : undefined;
  return (
    <Stack>
      <JobProgress status={status} unit={t("import.rows")} text={text} />
      {r && finished && (
        <Card withBorder data-testid="import-result">
          <Group gap="xl">
            <Text>{t("import.inserted", { n: fmtNumber(r.inserted) })}</Text>
            <Text>{t("import.updated", { n: fmtNumber(r.updated) })}</Text>
            <Text>{t("import.ignored", { n: fmtNumber(r.ignored) })}</Text>
            <Text c={r.failed ? "red" : undefined} data-testid="import-failed">
              {t("import.failed", { n: fmtNumber(r.failed) })}
            </Text>
          </Group>
          {r.error && (
            <Alert color="red" mt="sm">
              {r.error}
            </Alert>
          )}
        </Card>
      )}
      {r && r.failed > 0 && (
        <Stack>
          <Group justify="space-between">
            <Title order={4}>{t("import.rejected")}</Title>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
              onClick={() => void download()}
            >
              {t("import.downloadRejected")}
            </Button>
          </Group>
          <Table withTableBorder data-testid="rejected">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("import.line")}</Table.Th>
                <Table.Th>{t("import.reason")}</Table.Th>
                <Table.Th>{t("import.raw")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(rejected.data ?? []).slice(0, 100).map((x) => (
                <Table.Tr key={x.line}>
                  <Table.Td>{x.line}</Table.Td>
                  <Table.Td>{rejectionText(lang, x)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" lineClamp={1}>
                      {x.raw}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      {finished && (
        <Group>
          <Button onClick={() => navigate("/contacts")}>{t("home.browseContacts")}</Button>
        </Group>
      )}
    </Stack>
  );
}

/** rejectionText is why a row was rejected, in lang: each cell's field and problem (the
 *  backend's English reason for a malformed line). */
export function rejectionText(lang: Lang, x: Pick<Rejection, "reason" | "problems">): string {
  if (!x.problems?.length) return x.reason;
  return x.problems
    .map((p) =>
      translate(lang, "import.problem", { label: p.label, problem: translate(lang, p.key), value: p.value }),
    )
    .join(translate(lang, "import.problemSep"));
}

export function ImportWizard() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [analysis, setAnalysis] = useState<ImportAnalysis | null>(null);
  const [job, setJob] = useState<string | null>(null);
  const [state, setState] = useState("");
  // A finished import completes the last step; a running one shows it loading.
  const step = job ? (state === "done" ? 3 : 2) : analysis ? 1 : 0;
  const open = (id: string | null) => {
    setState("");
    setJob(id);
  };
  return (
    <Stack>
      <Title order={2}>{t("import.title")}</Title>
      <Stepper active={step} size="sm">
        <Stepper.Step label={t("import.step.file")}>
          <PickStep onAnalyzed={setAnalysis} />
        </Stepper.Step>
        <Stepper.Step label={t("import.step.map")}>
          {analysis && <MapStep analysis={analysis} onStarted={open} onReanalyzed={setAnalysis} />}
        </Stepper.Step>
        <Stepper.Step
          label={t("import.step.run")}
          loading={job !== null && (state === "" || state === "running")}
        />
      </Stepper>
      {job && <ImportResult id={job} onState={setState} />}
      {step > 0 && (
        <Group>
          <Button
            variant="subtle"
            onClick={() => {
              setAnalysis(null);
              open(null);
              void qc.invalidateQueries({ queryKey: ["imports"] });
            }}
          >
            {t("import.another")}
          </Button>
        </Group>
      )}
      <ImportHistory onOpen={open} />
    </Stack>
  );
}
