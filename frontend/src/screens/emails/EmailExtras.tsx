// Email editor extras (issue 6): category with suggestions, attachments from the asset
// store, A/B variants and translations of a parent email.
import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  FileButton,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPaperclip, IconPlus, IconTrash, IconUpload } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isDesktop, upload } from "../../api";
import { blankEmail, Emails, type EmailView } from "../../api/emails";
import { type Asset, Assets } from "../../api/forms";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { useEmailI18n } from "./errors";

type Setter = <K extends keyof EmailView>(k: K, v: EmailView[K]) => void;

/** CategoryInput is the email's category with the categories already in use as suggestions. */
export function CategoryInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  const cats = useQuery({ queryKey: ["emails", "categories"], queryFn: () => Emails.Categories() });
  return (
    <Autocomplete
      label={t("emails.field.category")}
      description={t("emails.field.categoryHelp")}
      data={cats.data ?? []}
      value={value}
      onChange={onChange}
    />
  );
}

async function uploadNew(file: File | null): Promise<Asset | null> {
  const input = {
    id: "",
    title: "",
    slug: "",
    category: "",
    remoteUrl: "",
    gateFormId: "",
    published: false,
  };
  if (isDesktop()) {
    const path = await Assets.PickFile();
    if (!path) return null;
    return Assets.Upload(input, path, "");
  }
  if (!file) return null;
  const up = await upload(file);
  return Assets.Upload({ ...input, title: file.name }, up.path, file.name);
}

/** Attachments lists the email's attachments: pick an asset or upload a new file (stored as an asset). */
export function Attachments({ draft, set }: { draft: EmailView; set: Setter }) {
  const { t, te } = useEmailI18n();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const assets = useQuery({ queryKey: ["assets", "list", false], queryFn: () => Assets.List(false) });
  const files = (assets.data ?? []).filter((a) => a.kind === "file");
  const attached = new Set(draft.attachments.map((a) => a.assetId).filter(Boolean));
  const add = (a: Asset) => {
    if (attached.has(a.id)) return;
    set("attachments", [
      ...draft.attachments,
      { name: a.fileName || a.title, assetId: a.id, contentType: a.mime },
    ]);
  };
  const onUpload = async (file: File | null) => {
    setBusy(true);
    try {
      const a = await uploadNew(file);
      if (a) {
        add(a);
        qc.invalidateQueries({ queryKey: ["assets"] });
      }
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    } finally {
      setBusy(false);
    }
  };
  const uploadButton = (props: { onClick?: () => void }) => (
    <Button variant="default" leftSection={<IconUpload size={16} aria-hidden />} loading={busy} {...props}>
      {t("emails.attach.upload")}
    </Button>
  );
  return (
    <Stack gap="xs" data-testid="email-attachments">
      <Title order={4}>{t("emails.attach.title")}</Title>
      {draft.attachments.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("emails.attach.none")}
        </Text>
      ) : (
        draft.attachments.map((a, i) => (
          <Group key={a.assetId || a.path || a.name} gap="xs">
            <IconPaperclip size={16} aria-hidden />
            <Text size="sm">{a.name}</Text>
            {a.contentType && (
              <Badge size="xs" variant="light">
                {a.contentType}
              </Badge>
            )}
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t("emails.attach.remove", { name: a.name })}
              onClick={() =>
                set(
                  "attachments",
                  draft.attachments.filter((_, j) => j !== i),
                )
              }
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))
      )}
      <Group align="end">
        <Select
          label={t("emails.attach.pick")}
          placeholder={files.length ? t("emails.attach.pickPlaceholder") : t("emails.attach.noAssets")}
          data={files
            .filter((a) => !attached.has(a.id))
            .map((a) => ({ value: a.id, label: `${a.title} (${a.fileName})` }))}
          value={null}
          onChange={(id) => {
            const a = files.find((x) => x.id === id);
            if (a) add(a);
          }}
          searchable
          w={320}
        />
        {isDesktop() ? (
          uploadButton({ onClick: () => void onUpload(null) })
        ) : (
          <FileButton onChange={(f) => void onUpload(f)}>{(props) => uploadButton(props)}</FileButton>
        )}
      </Group>
    </Stack>
  );
}

/** Variants shows a parent email's A/B settings, variants and translations, and adds new ones. */
export function Variants({ draft, set }: { draft: EmailView; set: Setter }) {
  const { t, te, fmtNumber } = useEmailI18n();
  const qc = useQueryClient();
  const [lang, setLang] = useState("");
  const family = useQuery({
    queryKey: ["emails", "family", draft.id],
    queryFn: () => Emails.Family(draft.id),
    enabled: !!draft.id,
  });
  if (draft.variantParentId || draft.translationParentId) {
    const parent = draft.variantParentId || draft.translationParentId;
    return (
      <Stack gap="xs">
        <Title order={4}>
          {t(draft.variantParentId ? "emails.ab.isVariant" : "emails.ab.isTranslation")}
        </Title>
        {draft.variantParentId && (
          <NumberInput
            label={t("emails.ab.weight")}
            min={0}
            max={100}
            suffix=" %"
            value={draft.variantWeight}
            onChange={(v) => set("variantWeight", Number(v) || 0)}
            w={200}
          />
        )}
        <Button variant="subtle" onClick={() => navigate(`/emails/${parent}`)} w="fit-content">
          {t("emails.ab.openParent")}
        </Button>
      </Stack>
    );
  }
  const children = (family.data ?? []).slice(1);
  const variants = children.filter((e) => e.variantParentId);
  const parentWeight = Math.max(0, 100 - variants.reduce((s, v) => s + v.variantWeight, 0));
  const create = async (kind: "variant" | "translation") => {
    try {
      const child: EmailView = {
        ...blankEmail(draft.kind === "list" ? "list" : "template"),
        name: `${draft.name} – ${kind === "variant" ? "B" : lang}`,
        subject: draft.subject,
        preheader: draft.preheader,
        html: draft.html,
        source: draft.source,
        category: draft.category,
        variantParentId: kind === "variant" ? draft.id : "",
        variantWeight: kind === "variant" ? 50 : 0,
        translationParentId: kind === "translation" ? draft.id : "",
        language: kind === "translation" ? lang : "",
      };
      const saved = await Emails.Save(child);
      qc.invalidateQueries({ queryKey: ["emails"] });
      navigate(`/emails/${saved.id}`);
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };
  return (
    <Stack gap="xs" data-testid="email-variants">
      <Title order={4}>{t("emails.ab.title")}</Title>
      <Group align="end">
        <Select
          label={t("emails.ab.criteria")}
          data={[
            { value: "", label: t("emails.ab.none") },
            { value: "open_rate", label: t("emails.ab.openRate") },
            { value: "click_rate", label: t("emails.ab.clickRate") },
          ]}
          value={draft.winnerCriteria}
          onChange={(v) => set("winnerCriteria", v ?? "")}
          allowDeselect={false}
          w={220}
        />
        <NumberInput
          label={t("emails.ab.afterHours")}
          min={0}
          value={draft.winnerAfterHours}
          onChange={(v) => set("winnerAfterHours", Number(v) || 0)}
          disabled={!draft.winnerCriteria}
          w={200}
        />
        {draft.kind === "list" && (
          <NumberInput
            label={t("emails.ab.sample")}
            description={t("emails.ab.sampleHelp")}
            min={0}
            max={100}
            suffix=" %"
            value={draft.abSample}
            onChange={(v) => set("abSample", Number(v) || 0)}
            disabled={!draft.winnerCriteria}
            w={260}
          />
        )}
      </Group>
      {!draft.id ? (
        <Text size="sm" c="dimmed">
          {t("emails.ab.saveFirst")}
        </Text>
      ) : (
        <>
          <Table withTableBorder maw={700}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("emails.ab.email")}</Table.Th>
                <Table.Th>{t("emails.ab.kind")}</Table.Th>
                <Table.Th>{t("emails.ab.weight")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Td>{draft.name}</Table.Td>
                <Table.Td>{t("emails.ab.parent")}</Table.Td>
                <Table.Td>{variants.length ? `${fmtNumber(parentWeight)} %` : "—"}</Table.Td>
              </Table.Tr>
              {children.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => navigate(`/emails/${c.id}`)}>
                      {c.name}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    {c.variantParentId
                      ? t("emails.ab.variant")
                      : `${t("emails.ab.translation")} (${c.language})`}
                  </Table.Td>
                  <Table.Td>{c.variantParentId ? `${fmtNumber(c.variantWeight)} %` : "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group align="end">
            <Button
              variant="default"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => void create("variant")}
            >
              {t("emails.ab.addVariant")}
            </Button>
            <TextInput
              label={t("emails.ab.language")}
              placeholder="fr"
              value={lang}
              onChange={(e) => setLang(e.currentTarget.value)}
              w={120}
            />
            <Button
              variant="default"
              leftSection={<IconPlus size={16} aria-hidden />}
              disabled={!lang.trim()}
              onClick={() => void create("translation")}
            >
              {t("emails.ab.addTranslation")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
