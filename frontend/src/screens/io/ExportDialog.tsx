// Export the current search or selection to CSV or XLSX, with the fields the user picks.
import {
  Button,
  Checkbox,
  Group,
  Modal,
  ScrollArea,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDownload } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { Exports, type Field, isDesktop } from "../../api";
import { useI18n } from "../../i18n";
import { fieldLabel } from "../fields/values";
import { JobProgress } from "../jobs/JobProgress";
import { useJob } from "../jobs/useJob";
import { saveOrDownload } from "./files";

/** exportFields maps grid column ids to export field aliases. */
export function exportFields(columnIds: string[]): string[] {
  const out: string[] = [];
  const add = (x: string) => {
    if (!out.includes(x)) out.push(x);
  };
  for (const id of columnIds) {
    if (id === "name") {
      add("firstname");
      add("lastname");
    } else if (id !== "date_added") add(id);
  }
  return out;
}

interface Props {
  opened: boolean;
  onClose: () => void;
  fields: Field[];
  initial: string[];
  search: string;
  ids: string[];
  count: number;
}

export function ExportDialog({ opened, onClose, fields, initial, search, ids, count }: Props) {
  const { t, te, lang, fmtNumber } = useI18n();
  const [format, setFormat] = useState("csv");
  const [chosen, setChosen] = useState<string[]>(initial);
  const [job, setJob] = useState<string | null>(null);
  const status = useJob(job);
  useEffect(() => {
    if (opened) {
      setJob(null);
      setChosen(initial);
    }
  }, [opened, initial]);
  const start = async () => {
    try {
      setJob(await Exports.Start({ format, fields: chosen, search: ids.length ? "" : search, ids }));
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const save = async () => {
    if (!job) return;
    try {
      const r = await Exports.Result(job);
      const saved = await saveOrDownload(r.path, () => Exports.SaveAs(job));
      if (saved && isDesktop())
        notifications.show({ color: "green", message: t("export.saved", { path: saved }) });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const all = [
    { alias: "tags", label: t("contacts.tags") },
    ...fields.map((f) => ({ alias: f.alias, label: fieldLabel(f, lang) })),
  ];
  return (
    <Modal opened={opened} onClose={onClose} title={t("export.title", { n: fmtNumber(count) })} size="lg">
      {!job ? (
        <Stack>
          <div>
            <Text fw={600} id="export-format" mb={4}>
              {t("export.format")}
            </Text>
            <SegmentedControl
              aria-labelledby="export-format"
              value={format}
              onChange={setFormat}
              data={[
                { value: "csv", label: "CSV" },
                { value: "xlsx", label: "Excel (XLSX)" },
              ]}
            />
          </div>
          <Group justify="space-between">
            <Text fw={600}>{t("export.fields", { n: chosen.length })}</Text>
            <Group gap="xs">
              <Button size="xs" variant="subtle" onClick={() => setChosen(all.map((x) => x.alias))}>
                {t("export.all")}
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setChosen([])}>
                {t("export.none")}
              </Button>
            </Group>
          </Group>
          <ScrollArea.Autosize mah={320}>
            <SimpleGrid cols={2} spacing={6}>
              {all.map((f) => (
                <Checkbox
                  key={f.alias}
                  label={f.label}
                  checked={chosen.includes(f.alias)}
                  onChange={(e) =>
                    setChosen((c) =>
                      e.currentTarget.checked ? [...c, f.alias] : c.filter((x) => x !== f.alias),
                    )
                  }
                />
              ))}
            </SimpleGrid>
          </ScrollArea.Autosize>
          <Text size="xs" c="dimmed">
            {t("export.noneMeansAll")}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button onClick={() => void start()} data-testid="export-start">
              {t("export.start")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <JobProgress status={status} unit={t("import.rows")} />
          {status?.state === "done" && (
            <Button
              leftSection={<IconDownload size={16} aria-hidden />}
              onClick={() => void save()}
              data-testid="export-save"
            >
              {isDesktop() ? t("export.saveAs") : t("export.download")}
            </Button>
          )}
        </Stack>
      )}
    </Modal>
  );
}
