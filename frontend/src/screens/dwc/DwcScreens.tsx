import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Code,
  Grid,
  Group,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { IconArrowUp, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type SegmentCatalogue, Segments, type SegmentView } from "../../api";
import { blankDWC, DWC, type DWCVariant, type DWCView } from "../../api/pages";
import { EditorFrame, useEditorActions } from "../../components/EditorFrame";
import { ListScreen } from "../../components/ListScreen";
import { UndoButtons, useUndo } from "../../components/Undo";
import { useI18n } from "../../i18n";
import { ErrorBox, Loading, useStarter } from "../common";
import { parseable, QueryEditor } from "../segments/QueryEditor";

/** DwcRoutes: #/dwc, #/dwc/new, #/dwc/ID. */
export function DwcRoutes({ parts }: { parts: string[] }) {
  const id = parts[1];
  if (!id) return <DwcList />;
  return <DwcEditorScreen key={id} id={id} />;
}

function DwcList() {
  const { t } = useI18n();
  return (
    <ListScreen<DWCView>
      title={t("dwc.title")}
      newLabel={t("dwc.new")}
      newPath="/dwc/new"
      queryRoot="dwc"
      list={DWC.List}
      restore={DWC.Restore}
      emptyTitle={t("dwc.empty")}
      emptyHint={t("dwc.emptyHint")}
      testId="dwc-list"
      columns={[
        {
          header: t("dwc.col.name"),
          cell: (s) => (
            <>
              <a href={`#/dwc/${s.id}`}>{s.name}</a>{" "}
              {!s.published && <Badge color="gray">{t("pages.unpublished")}</Badge>}
            </>
          ),
        },
        { header: t("dwc.col.slot"), cell: (s) => <Code>{s.slot}</Code> },
        { header: t("dwc.col.variants"), align: "right", cell: (s) => s.variants.length },
      ]}
    />
  );
}

function DwcEditorScreen({ id }: { id: string }) {
  const isNew = id === "new";
  const starter = useStarter();
  const q = useQuery({ queryKey: ["dwc", id], queryFn: () => DWC.Get(id), enabled: !isNew });
  const cat = useQuery({
    queryKey: ["segmentCatalogue"],
    queryFn: () => Segments.Catalogue(),
    staleTime: 60_000,
  });
  const segs = useQuery({ queryKey: ["segments", false], queryFn: () => Segments.List(false) });
  const err = q.error ?? cat.error ?? segs.error;
  if (err) return <ErrorBox error={err} />;
  if ((!isNew && !q.data) || !cat.data || !segs.data) return <Loading />;
  return (
    <Editor
      initial={isNew ? blankDWC(starter) : (q.data as DWCView)}
      catalogue={cat.data}
      segments={segs.data}
    />
  );
}

interface VariantState extends DWCVariant {
  key: number;
  asJson: boolean; // filters the editor cannot open are edited as JSON text
}

let nextKey = 1;

/** variantStates are an item's variants as the editor holds them. */
function variantStates(d: DWCView): VariantState[] {
  return d.variants.map((v) => ({ ...v, key: nextKey++, asJson: !parseable(v.filters) }));
}

function Editor({
  initial,
  catalogue,
  segments,
}: {
  initial: DWCView;
  catalogue: SegmentCatalogue;
  segments: SegmentView[];
}) {
  const { t } = useI18n();
  // The item and its variants share one undo history (a removed variant comes back).
  const u = useUndo(() => ({ slot: initial, variants: variantStates(initial) }));
  const { slot, variants } = u.value;
  const set = (patch: Partial<DWCView>) => u.set((x) => ({ ...x, slot: { ...x.slot, ...patch } }));
  const setVariants = (f: (vs: VariantState[]) => VariantState[]) =>
    u.set((x) => ({ ...x, variants: f(x.variants) }));
  const setV = (i: number, patch: Partial<VariantState>) =>
    setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));
  const { saving, fieldErrors, errMsg, fe, save, remove } = useEditorActions({
    listPath: "/dwc",
    queryRoot: "dwc",
    savedMsg: "dwc.saved",
    deletedMsg: "dwc.deleted",
    isNew: !initial.id,
    save: () =>
      DWC.Save({
        ...slot,
        variants: variants.map((v) => ({
          id: v.id,
          name: v.name,
          content: v.content,
          filters: v.filters,
        })),
      }),
    remove: () => DWC.Delete(slot.id),
    onSaved: (out) => u.set({ slot: out, variants: variantStates(out) }),
  });
  const move = (i: number) =>
    setVariants((vs) => {
      const out = [...vs];
      const a = out[i - 1];
      const b = out[i];
      if (!a || !b) return vs;
      out[i - 1] = b;
      out[i] = a;
      return out;
    });
  return (
    <EditorFrame
      title={slot.name || t("dwc.new")}
      backLabel={t("dwc.back")}
      backPath="/dwc"
      actions={<UndoButtons u={u} />}
      saving={saving}
      onSave={() => void save()}
      onDelete={slot.id ? () => void remove() : undefined}
    >
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <TextInput
            label={t("dwc.f.name")}
            required
            value={slot.name}
            error={fe("name")}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <TextInput
            label={t("dwc.f.slot")}
            description={t("dwc.f.slotHint")}
            required
            value={slot.slot}
            error={fe("slot")}
            onChange={(e) => set({ slot: e.currentTarget.value })}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Text size="sm" fw={500}>
            {t("dwc.f.snippet")}
          </Text>
          <Code
            block
            tabIndex={0}
          >{`<div data-slot="dwc" data-param-slot-name="${slot.slot || "hero"}"></div>`}</Code>
        </Grid.Col>
      </Grid>
      <Switch
        label={t("dwc.f.published")}
        checked={slot.published}
        onChange={(e) => set({ published: e.currentTarget.checked })}
      />
      <Textarea
        label={t("dwc.f.default")}
        autosize
        minRows={3}
        styles={{ input: { fontFamily: "monospace" } }}
        value={slot.defaultContent}
        onChange={(e) => set({ defaultContent: e.currentTarget.value })}
      />
      <Title order={3}>{t("dwc.variants")}</Title>
      {variants.map((v, i) => (
        <Card withBorder key={v.key} data-testid={`dwc-variant-${i}`}>
          <Stack gap="sm">
            <Group justify="space-between">
              <Text fw={600}>{t("dwc.variant", { n: i + 1 })}</Text>
              <Group gap={4}>
                <ActionIcon
                  variant="subtle"
                  aria-label={t("dwc.variant.up", { n: i + 1 })}
                  disabled={i === 0}
                  onClick={() => move(i)}
                >
                  <IconArrowUp size={16} aria-hidden />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t("dwc.variant.remove", { n: i + 1 })}
                  onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}
                >
                  <IconTrash size={16} aria-hidden />
                </ActionIcon>
              </Group>
            </Group>
            <TextInput
              label={t("dwc.variant.name")}
              value={v.name}
              onChange={(e) => setV(i, { name: e.currentTarget.value })}
            />
            {!v.asJson ? (
              <QueryEditor
                key={u.version}
                initial={v.filters}
                onChange={(filters) => setV(i, { filters })}
                catalogue={catalogue}
                segments={segments}
                selfId=""
              />
            ) : (
              <Textarea
                label={t("segments.json")}
                autosize
                value={v.filters}
                onChange={(e) => setV(i, { filters: e.currentTarget.value })}
              />
            )}
            {fieldErrors[`variants.${i}.filters`] && (
              <Text c="red" size="sm" role="alert">
                {errMsg}
              </Text>
            )}
            <Textarea
              label={t("dwc.variant.content")}
              autosize
              minRows={2}
              styles={{ input: { fontFamily: "monospace" } }}
              value={v.content}
              onChange={(e) => setV(i, { content: e.currentTarget.value })}
            />
          </Stack>
        </Card>
      ))}
      <Group>
        <Button
          variant="default"
          leftSection={<IconPlus size={16} aria-hidden />}
          onClick={() =>
            setVariants((vs) => [
              ...vs,
              { id: "", name: "", filters: "[]", content: "", key: nextKey++, asJson: false },
            ])
          }
        >
          {t("dwc.variant.add")}
        </Button>
      </Group>
      {slot.id && <TryIt slot={slot.slot} />}
    </EditorFrame>
  );
}

function TryIt({ slot }: { slot: string }) {
  const { t, te } = useI18n();
  const [contact, setContact] = useState("");
  const [out, setOut] = useState<string | null>(null);
  const run = async () => {
    try {
      setOut(await DWC.Resolve(contact.trim(), slot));
    } catch (e) {
      setOut(te(e));
    }
  };
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={4}>{t("dwc.try")}</Title>
        <Group align="end">
          <TextInput
            label={t("dwc.tryContact")}
            value={contact}
            onChange={(e) => setContact(e.currentTarget.value)}
            w={380}
          />
          <Button variant="default" onClick={() => void run()}>
            {t("dwc.tryRun")}
          </Button>
        </Group>
        {out !== null && (
          <Code block tabIndex={0}>
            {out}
          </Code>
        )}
      </Stack>
    </Card>
  );
}
