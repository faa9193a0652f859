// The dashboard (issue 8): Mautic's widgets over one date range, arranged on a 12-column grid.
// Arrange mode: drag a handle to move, drag the corner to resize, or use each widget's
// buttons (move up/down/left/right, wider/narrower, taller/shorter, remove) from the
// keyboard; every change is saved for this user. A widget whose query fails shows its
// own error; the others render.
import {
  Alert,
  Button,
  Group,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  useComputedColorScheme,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type PointerEvent as ReactPointerEvent, useEffect, useMemo, useRef, useState } from "react";
import { on } from "../../api";
import { Dashboard as Api } from "../../api/dashboard";
import { type Key, useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";
import * as L from "./layout";
import { ROW_PX, type TileActions, WidgetCard, widgetTitle } from "./WidgetCard";

const PRESETS = ["7", "30", "90", "365"] as const;

export function DashboardScreen() {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={2}>{t("dashboard.title")}</Title>
      <Board />
    </Stack>
  );
}

export function Board() {
  const { t, te, lang, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const dark = useComputedColorScheme("light") === "dark";
  const [preset, setPreset] = useState<string>("30");
  const [range, setRange] = useState(() => L.presetRange(30));
  const [editing, setEditing] = useState(false);
  const [tiles, setTiles] = useState<L.Tile[] | null>(null);
  const [addType, setAddType] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const dragging = useRef<string | null>(null);

  // No cache across mounts: the tiles are local state seeded once from a fresh read (the
  // board may have been saved elsewhere: the other screen, the CLI, another window).
  const layout = useQuery({ queryKey: ["dashboard", "layout"], queryFn: () => Api.Layout(), gcTime: 0 });
  const types = useQuery({
    queryKey: ["dashboard", "types"],
    queryFn: () => Api.Types(),
    staleTime: Infinity,
  });
  useEffect(() => {
    if (layout.data && tiles === null) setTiles(layout.data.widgets);
  }, [layout.data, tiles]);

  const save = useMutation({
    mutationFn: (ws: L.Tile[]) => Api.SaveLayout(ws),
    onSuccess: (l) => qc.setQueryData(["dashboard", "layout"], l),
    onError: (e) => notifications.show({ color: "red", message: te(e) }),
  });
  const apply = (next: L.Tile[]) => {
    setTiles(next);
    save.mutate(next);
  };

  // The board query depends on which widgets are shown, not on their sizes or order.
  const shown = useMemo(
    () => (tiles ?? []).map((w) => ({ ...w, w: 6, h: 1 })).sort((a, b) => a.id.localeCompare(b.id)),
    [tiles],
  );
  const validRange = range.from !== "" && range.to !== "";
  const board = useQuery({
    queryKey: [
      "dashboard",
      "board",
      range.from,
      range.to,
      lang,
      shown.map((w) => `${w.id}:${w.type}`).join(","),
    ],
    queryFn: () => Api.Run(shown, range.from, range.to, lang),
    enabled: tiles !== null && validRange,
    placeholderData: (prev) => prev,
    refetchInterval: (q) => ((q.state.data?.pending ?? 0) > 0 ? 3000 : false),
  });

  // New events and contacts refresh the board (at most every 2 s).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const kick = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void qc.invalidateQueries({ queryKey: ["dashboard", "board"] });
      }, 2000);
    };
    const offs = ["event:changed", "contacts:changed", "segments:changed"].map((topic) => on(topic, kick));
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [qc]);

  const byId = useMemo(() => new Map((board.data?.results ?? []).map((r) => [r.id, r])), [board.data]);

  const resizeStart = (id: string, e: ReactPointerEvent) => {
    const g = grid.current;
    const tile = tiles?.find((x) => x.id === id);
    if (!g || !tile || !tiles) return;
    e.preventDefault();
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const y0 = e.clientY;
    const col = g.clientWidth / 12;
    let latest = tiles;
    const onMove = (ev: PointerEvent) => {
      latest = L.resize(tiles, id, tile.w + (ev.clientX - x0) / col, tile.h + (ev.clientY - y0) / ROW_PX);
      setTiles(latest);
    };
    const onUp = () => {
      target.removeEventListener("pointermove", onMove);
      target.removeEventListener("pointerup", onUp);
      target.removeEventListener("pointercancel", onUp);
      save.mutate(latest);
    };
    target.addEventListener("pointermove", onMove);
    target.addEventListener("pointerup", onUp);
    target.addEventListener("pointercancel", onUp);
  };

  const actions: TileActions = {
    move: (id, dir) => tiles && apply(L.move(tiles, id, dir)),
    step: (id, d) => tiles && apply(L.step(tiles, id, d)),
    tall: (id, d) => {
      const tile = tiles?.find((x) => x.id === id);
      if (tiles && tile) apply(L.resize(tiles, id, tile.w, tile.h + d));
    },
    remove: (id) => tiles && apply(L.remove(tiles, id)),
    dragStart: (id) => {
      dragging.current = id;
    },
    drop: (targetId) => {
      const from = dragging.current;
      dragging.current = null;
      if (!tiles || !from || from === targetId) return;
      apply(
        L.moveTo(
          tiles,
          tiles.findIndex((x) => x.id === from),
          tiles.findIndex((x) => x.id === targetId),
        ),
      );
    },
    resizeStart,
  };

  const reset = async () => {
    try {
      const l = await Api.ResetLayout();
      qc.setQueryData(["dashboard", "layout"], l);
      setTiles(l.widgets);
      notifications.show({ message: t("dashboard.resetDone") });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };

  if (layout.isPending || tiles === null) return <Loading />;
  if (layout.isError) return <ErrorBox error={layout.error} onRetry={() => void layout.refetch()} />;

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Group align="flex-end" wrap="wrap" gap="xs">
          <Select
            label={t("dashboard.preset")}
            w={170}
            allowDeselect={false}
            value={preset}
            data={[
              ...PRESETS.map((p) => ({ value: p, label: t(`dashboard.preset.${p}` as Key) })),
              { value: "custom", label: t("dashboard.preset.custom") },
            ]}
            onChange={(v) => {
              if (!v) return;
              setPreset(v);
              if (v !== "custom") setRange(L.presetRange(Number(v)));
            }}
          />
          <TextInput
            type="date"
            label={t("dashboard.from")}
            value={range.from}
            onChange={(e) => {
              setPreset("custom");
              setRange({ ...range, from: e.currentTarget.value });
            }}
          />
          <TextInput
            type="date"
            label={t("dashboard.to")}
            value={range.to}
            onChange={(e) => {
              setPreset("custom");
              setRange({ ...range, to: e.currentTarget.value });
            }}
          />
          <Button variant="default" onClick={() => void board.refetch()} loading={board.isFetching}>
            {t("dashboard.refresh")}
          </Button>
        </Group>
        <Group align="flex-end" gap="xs">
          {editing && (
            <>
              <Select
                label={t("dashboard.add")}
                w={230}
                value={addType}
                onChange={setAddType}
                data={(types.data ?? []).map((ty) => ({ value: ty, label: widgetTitle(t, ty) }))}
                searchable
              />
              <Button
                variant="light"
                disabled={!addType}
                onClick={() => {
                  if (addType) apply(L.add(tiles, addType));
                  setAddType(null);
                }}
              >
                {t("dashboard.addButton")}
              </Button>
              <Button variant="subtle" onClick={() => void reset()}>
                {t("dashboard.reset")}
              </Button>
            </>
          )}
          <Button
            variant={editing ? "filled" : "default"}
            onClick={() => setEditing(!editing)}
            data-testid="dash-edit"
          >
            {editing ? t("dashboard.done") : t("dashboard.edit")}
          </Button>
        </Group>
      </Group>
      {editing && (
        <Text size="sm" c="dimmed">
          {t("dashboard.editHint")}
        </Text>
      )}
      {board.isError && <ErrorBox error={board.error} onRetry={() => void board.refetch()} />}
      {(board.data?.pending ?? 0) > 0 && (
        <Alert color="blue" variant="light" role="status" data-testid="dash-pending">
          {t("dashboard.pending", { n: fmtNumber(board.data?.pending ?? 0) })}
        </Alert>
      )}
      {tiles.length === 0 ? (
        <EmptyState title={t("dashboard.emptyBoard")} hint={t("dashboard.emptyBoardHint")}>
          <Button variant="default" onClick={() => void reset()}>
            {t("dashboard.reset")}
          </Button>
        </EmptyState>
      ) : (
        <div
          ref={grid}
          data-testid="dash-grid"
          style={{
            display: "grid",
            gridTemplateColumns: "repeat(12, minmax(0, 1fr))",
            gridAutoRows: `${ROW_PX}px`,
            gap: "var(--mantine-spacing-md)",
          }}
        >
          {tiles.map((tile) => (
            <WidgetCard
              key={tile.id}
              tile={tile}
              result={byId.get(tile.id)}
              loading={board.isFetching}
              editing={editing}
              dark={dark}
              actions={actions}
            />
          ))}
        </div>
      )}
      {board.data && (
        <Text size="xs" c="dimmed" ta="right" data-testid="dash-board-ms">
          {t("dashboard.boardTiming", { ms: fmtNumber(Math.round(board.data.ms)) })}
        </Text>
      )}
    </Stack>
  );
}
