// The builder's header: name, state, undo/redo, layout, copy, sources, dialogs, publish.
import { Anchor, Badge, Button, Group, Menu, Text, Title } from "@mantine/core";
import { IconChevronDown, IconCopy, IconHierarchy2, IconPlus, IconSettings } from "@tabler/icons-react";
import { IconButton } from "../../components/IconButton";
import { UndoButtons } from "../../components/Undo";
import { useI18n } from "../../i18n";
import type { SaveState } from "./save";

export interface ToolbarProps {
  name: string;
  published: boolean;
  readOnly: boolean;
  /** save is the draft's autosave state; saveError says why the last save failed. */
  save: SaveState;
  saveError: string;
  canUndo: boolean;
  canRedo: boolean;
  canCopy: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onCopy: () => void;
  onAddSource: (type: "segment" | "form") => void;
  onDialog: (d: "versions" | "simulate" | "settings") => void;
  onExport: () => void;
  onPublish: () => void;
  onUnpublish: () => void;
}

export function Toolbar(p: ToolbarProps) {
  const { t } = useI18n();
  return (
    <Group justify="space-between" mb="xs" gap="xs">
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <Anchor href="#/campaigns" size="sm" style={{ whiteSpace: "nowrap" }}>
          {t("campaigns.back")}
        </Anchor>
        <Title
          order={2}
          size="h4"
          style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}
        >
          {p.name}
        </Title>
        {p.published ? (
          <Badge color="teal">{t("campaigns.published")}</Badge>
        ) : (
          <Badge color="gray">{t("campaigns.draft")}</Badge>
        )}
        <Text
          size="xs"
          c={p.save === "failed" ? "red" : "dimmed"}
          data-testid="save-state"
          aria-live="polite"
        >
          {p.save === "saving"
            ? t("campaigns.saving")
            : p.save === "dirty"
              ? t("campaigns.unsaved")
              : p.save === "failed"
                ? p.saveError
                : t("campaigns.saved")}
        </Text>
      </Group>
      <Group gap={6}>
        <UndoButtons
          u={{ undo: p.onUndo, redo: p.onRedo, canUndo: p.canUndo, canRedo: p.canRedo }}
          size="xs"
          disabled={p.readOnly}
        />
        <IconButton
          label={t("campaigns.layout")}
          icon={<IconHierarchy2 size={16} aria-hidden />}
          disabled={p.readOnly}
          onClick={p.onLayout}
        />
        <IconButton
          label={t("campaigns.copy")}
          icon={<IconCopy size={16} aria-hidden />}
          disabled={!p.canCopy}
          onClick={p.onCopy}
        />
        <Menu>
          <Menu.Target>
            <Button
              variant="default"
              size="xs"
              disabled={p.readOnly}
              leftSection={<IconPlus size={14} aria-hidden />}
              rightSection={<IconChevronDown size={14} aria-hidden />}
            >
              {t("campaigns.addSource")}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {(["segment", "form"] as const).map((ty) => (
              <Menu.Item key={ty} onClick={() => p.onAddSource(ty)}>
                {t(ty === "segment" ? "campaigns.addSegmentSource" : "campaigns.addFormSource")}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconSettings size={14} aria-hidden />}
          onClick={() => p.onDialog("settings")}
        >
          {t("campaigns.settings")}
        </Button>
        <Button variant="default" size="xs" onClick={() => p.onDialog("versions")}>
          {t("campaigns.versions")}
        </Button>
        <Button variant="default" size="xs" onClick={() => p.onDialog("simulate")}>
          {t("campaigns.simulate")}
        </Button>
        <Button variant="default" size="xs" onClick={p.onExport}>
          {t("campaigns.export")}
        </Button>
        {p.published && (
          <Button size="xs" color="orange" variant="light" onClick={p.onUnpublish}>
            {t("campaigns.unpublish")}
          </Button>
        )}
        <Button size="xs" color="teal" disabled={p.readOnly} onClick={p.onPublish}>
          {p.published ? t("campaigns.publishChanges") : t("campaigns.publish")}
        </Button>
      </Group>
    </Group>
  );
}
