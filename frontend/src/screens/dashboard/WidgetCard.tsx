// One tile of the board: title, its answer (chart, table, empty state or its own error) and,
// while arranging, a drag handle, a resize corner and button alternatives for both.
import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  Tooltip,
} from "@mantine/core";
import {
  IconArrowDown,
  IconArrowLeft,
  IconArrowRight,
  IconArrowsMaximize,
  IconArrowsMinimize,
  IconArrowUp,
  IconGripVertical,
  IconX,
} from "@tabler/icons-react";
import type { ReactNode, PointerEvent as ReactPointerEvent } from "react";
import { toApiError } from "../../api";
import type { DashResult, DashTable } from "../../api/dashboard";
import { EChart } from "../../charts/EChart";
import { isKey, type Key, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { DemoLoader } from "../Demo";
import type { Direction, Tile } from "./layout";

export const ROW_PX = 250;

export interface TileActions {
  move: (id: string, dir: Direction) => void;
  step: (id: string, delta: 1 | -1) => void;
  tall: (id: string, delta: 1 | -1) => void;
  remove: (id: string) => void;
  dragStart: (id: string) => void;
  drop: (targetId: string) => void;
  resizeStart: (id: string, e: ReactPointerEvent) => void;
}

export function widgetTitle(t: (k: Key) => string, type: string): string {
  const k = `dashboard.w.${type}` as Key;
  const s = t(k);
  return s === k ? type : s;
}

interface Props {
  tile: Tile;
  result?: DashResult;
  loading: boolean;
  editing: boolean;
  dark: boolean;
  actions: TileActions;
}

export function WidgetCard({ tile, result, loading, editing, dark, actions }: Props) {
  const { t, fmtNumber } = useI18n();
  const name = widgetTitle(t, tile.type);
  const ctl = (label: Key, icon: ReactNode, onClick: () => void) => (
    <Tooltip label={t(label, { name })} withArrow openDelay={400}>
      <ActionIcon variant="subtle" size="sm" aria-label={t(label, { name })} onClick={onClick}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
  return (
    <Card
      withBorder
      padding="sm"
      data-testid="dash-widget"
      data-type={tile.type}
      data-state={
        result?.error
          ? "error"
          : result
            ? result.chart
              ? "chart"
              : result.table
                ? "table"
                : "empty"
            : "loading"
      }
      style={{
        gridColumn: `span ${tile.w}`,
        gridRow: `span ${tile.h}`,
        display: "flex",
        flexDirection: "column",
        minWidth: 0,
        position: "relative",
      }}
      aria-label={name}
      component="section"
      onDragOver={editing ? (e) => e.preventDefault() : undefined}
      onDrop={
        editing
          ? (e) => {
              e.preventDefault();
              actions.drop(tile.id);
            }
          : undefined
      }
    >
      <Group justify="space-between" wrap="nowrap" gap={4} mb={4}>
        <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
          {editing && (
            <ActionIcon
              variant="subtle"
              size="sm"
              draggable
              aria-label={t("dashboard.drag", { name })}
              onDragStart={(e) => {
                e.dataTransfer.setData("text/plain", tile.id);
                e.dataTransfer.effectAllowed = "move";
                actions.dragStart(tile.id);
              }}
              style={{ cursor: "grab" }}
              data-testid="dash-drag"
            >
              <IconGripVertical size={16} aria-hidden />
            </ActionIcon>
          )}
          <Text fw={600} size="sm" truncate component="h3" m={0}>
            {name}
          </Text>
        </Group>
        {editing ? (
          <Group gap={0} wrap="nowrap">
            {ctl("dashboard.moveLeft", <IconArrowLeft size={14} aria-hidden />, () =>
              actions.move(tile.id, "left"),
            )}
            {ctl("dashboard.moveUp", <IconArrowUp size={14} aria-hidden />, () =>
              actions.move(tile.id, "up"),
            )}
            {ctl("dashboard.moveDown", <IconArrowDown size={14} aria-hidden />, () =>
              actions.move(tile.id, "down"),
            )}
            {ctl("dashboard.moveRight", <IconArrowRight size={14} aria-hidden />, () =>
              actions.move(tile.id, "right"),
            )}
            {ctl("dashboard.narrower", <IconArrowsMinimize size={14} aria-hidden />, () =>
              actions.step(tile.id, -1),
            )}
            {ctl("dashboard.wider", <IconArrowsMaximize size={14} aria-hidden />, () =>
              actions.step(tile.id, 1),
            )}
            {ctl("dashboard.shorter", <Text size="xs">↥</Text>, () => actions.tall(tile.id, -1))}
            {ctl("dashboard.taller", <Text size="xs">↧</Text>, () => actions.tall(tile.id, 1))}
            {ctl("dashboard.remove", <IconX size={14} aria-hidden />, () => actions.remove(tile.id))}
          </Group>
        ) : (
          result && (
            <Text size="xs" c="dimmed" data-testid="dash-ms">
              {t("dashboard.timing", { ms: fmtNumber(Math.round(result.ms * 10) / 10) })}
            </Text>
          )
        )}
      </Group>
      <div style={{ flex: 1, minHeight: 0 }}>
        <Body tile={tile} result={result} loading={loading} dark={dark} name={name} />
      </div>
      {editing && (
        // Pointer-only resize; the wider/narrower/taller/shorter buttons are the keyboard way.
        <div
          data-testid="dash-resize"
          title={t("dashboard.resize", { name })}
          onPointerDown={(e) => actions.resizeStart(tile.id, e)}
          style={{
            position: "absolute",
            right: 2,
            bottom: 2,
            width: 16,
            height: 16,
            cursor: "nwse-resize",
            borderRight: "3px solid var(--mantine-color-blue-5)",
            borderBottom: "3px solid var(--mantine-color-blue-5)",
            touchAction: "none",
          }}
        />
      )}
    </Card>
  );
}

function Body({
  tile,
  result,
  loading,
  dark,
  name,
}: {
  tile: Tile;
  result?: DashResult;
  loading: boolean;
  dark: boolean;
  name: string;
}) {
  const { t, te } = useI18n();
  if (tile.type === "welcome") return <Welcome />;
  if (!result) {
    return (
      <Text size="sm" c="dimmed" role="status">
        {loading ? t("app.loading") : ""}
      </Text>
    );
  }
  if (result.error) {
    return (
      <Alert
        color="red"
        variant="light"
        title={t("dashboard.widgetError")}
        role="alert"
        data-testid="dash-error"
      >
        <Text size="sm">{te(toApiError(result.error))}</Text>
      </Alert>
    );
  }
  if (result.chart) {
    return <EChart option={result.chart} label={name} dark={dark} height={tile.h * ROW_PX - 60} />;
  }
  if (result.table) return <WidgetTable table={result.table} name={name} />;
  return (
    <Stack h="100%" justify="center" align="center">
      <Text size="sm" c="dimmed" ta="center" data-testid="dash-empty">
        {t((result.empty || "dashboard.empty.noData") as Key)}
      </Text>
    </Stack>
  );
}

function WidgetTable({ table, name }: { table: DashTable; name: string }) {
  const { t, fmtNumber, fmtDate } = useI18n();
  const cell = (kind: string, v: unknown) => {
    switch (kind) {
      case "number":
        return fmtNumber(Number(v));
      case "time":
        return fmtDate(new Date(Number(v)).toISOString());
      case "event": {
        const k = `event.${String(v)}`;
        return isKey(k) ? t(k) : String(v);
      }
      case "contact": {
        const [id, label] = Array.isArray(v) ? (v as string[]) : ["", String(v)];
        return id ? (
          <Anchor size="sm" href={`#/contacts/${encodeURIComponent(id)}`}>
            {label}
          </Anchor>
        ) : (
          label
        );
      }
      default:
        return String(v ?? "");
    }
  };
  return (
    // A region that scrolls takes the keyboard focus so that it can be scrolled without a mouse.
    <ScrollArea h="100%" type="auto" viewportProps={{ tabIndex: 0, role: "region", "aria-label": name }}>
      <Table striped highlightOnHover fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            {table.columns.map((c) => (
              <Table.Th key={c.key} ta={c.kind === "number" ? "right" : undefined}>
                {t(`dashboard.col.${c.key}` as Key)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional (a ranked list)
            <Table.Tr key={i}>
              {table.columns.map((c, j) => (
                <Table.Td
                  key={c.key}
                  ta={c.kind === "number" ? "right" : undefined}
                  style={{
                    maxWidth: 320,
                    overflow: "hidden",
                    textOverflow: "ellipsis",
                    whiteSpace: "nowrap",
                  }}
                  title={c.kind === "url" || c.kind === "text" ? String(row[j] ?? "") : undefined}
                >
                  {cell(c.kind, row[j])}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

function Welcome() {
  const { t } = useI18n();
  return (
    <ScrollArea h="100%" type="auto">
      <Stack gap="xs" data-testid="dash-welcome">
        <Text size="sm">{t("dashboard.welcome.text")}</Text>
        <DemoLoader />
        <Group>
          <Button variant="default" size="xs" onClick={() => navigate("/import")}>
            {t("dashboard.welcome.import")}
          </Button>
          <Button variant="default" size="xs" onClick={() => navigate("/segments/new")}>
            {t("dashboard.welcome.segment")}
          </Button>
        </Group>
      </Stack>
    </ScrollArea>
  );
}
