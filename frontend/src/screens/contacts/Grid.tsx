// The virtualised contact grid: rows come page by page from the backend (keyset paging and
// sorting server-side), only the visible ones are in the DOM, and the scroll height is scaled
// above the browsers' element-height cap so a million rows scroll end to end.
import { Checkbox, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp } from "@tabler/icons-react";
import {
  elementScroll,
  observeElementOffset,
  useVirtualizer,
  type Virtualizer,
} from "@tanstack/react-virtual";
import { type KeyboardEvent, memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ContactRow } from "../../api";
import { useI18n } from "../../i18n";
import { useCountryLabel } from "../../i18n/countries";
import { ColumnResize } from "./ColumnResize";
import { type Column, cellText } from "./columns";
import type { Pager } from "./pager";
import { realHeight, rowTop, scaleFor } from "./scaled";

export const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 38;
const CHECK_WIDTH = 44;

export interface SortState {
  key: string;
  desc: boolean;
}

export interface GridSelection {
  all: boolean;
  ids: Set<string>;
}

interface Props {
  pager: Pager<ContactRow>;
  version: number; // bumps when pager content changes
  columns: Column[];
  sort: SortState;
  onSort: (s: SortState) => void;
  selection: GridSelection;
  onSelection: (s: GridSelection) => void;
  active: number;
  onActive: (i: number) => void;
  onOpen: (row: ContactRow) => void;
  label: string;
  /** a new value (new search or sort) scrolls back to the top */
  resetKey: string;
  /** a column was resized (null = back to its default width) */
  onResize?: (id: string, width: number | null) => void;
}

export function Grid(p: Props) {
  const { t, lang, fmtDate, fmtNumber } = useI18n();
  const country = useCountryLabel(lang);
  const scrollRef = useRef<HTMLDivElement>(null);
  const total = p.pager.total ?? 0;
  const scale = useRef(1);
  const viewport = scrollRef.current?.clientHeight ?? 600;
  scale.current = scaleFor(total * ROW_HEIGHT, viewport - HEADER_HEIGHT);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    observeElementOffset: (inst: Virtualizer<HTMLDivElement, Element>, cb) =>
      observeElementOffset(inst, (off, scrolling) => cb(off * scale.current, scrolling)),
    scrollToFn: (off, opts, inst) => elementScroll(off / scale.current, opts, inst),
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: resetKey is the trigger
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [p.resetKey]);

  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  // Fetch the pages the viewport shows once the scroll settles for a moment, so dragging the
  // scrollbar across a million rows does not request every page on the way.
  const { pager, version } = p;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version re-runs it after a reset
  useEffect(() => {
    if (last < 0) return;
    const timer = setTimeout(() => void pager.ensure(first, last), 40);
    return () => clearTimeout(timer);
  }, [pager, first, last, version]);

  // While a column is dragged its width lives here; the parent saves the final one.
  const [live, setLive] = useState<{ id: string; w: number } | null>(null);
  const columns = useMemo(
    () => (live ? p.columns.map((c) => (c.id === live.id ? { ...c, width: live.w } : c)) : p.columns),
    [p.columns, live],
  );
  const totalWidth = CHECK_WIDTH + columns.reduce((s, c) => s + c.width, 0);
  const realOffset = scrollRef.current?.scrollTop ?? 0;
  const virtualOffset = virtualizer.scrollOffset ?? 0;

  const move = useCallback(
    (i: number) => {
      const n = Math.max(0, Math.min(total - 1, i));
      p.onActive(n);
      virtualizer.scrollToIndex(n, { align: "auto" });
    },
    [p, total, virtualizer],
  );

  const toggle = (row: ContactRow) => {
    const ids = new Set(p.selection.all ? [] : p.selection.ids);
    if (ids.has(row.id)) ids.delete(row.id);
    else ids.add(row.id);
    p.onSelection({ all: false, ids });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const pageRows = Math.max(1, Math.floor((viewport - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const row = p.pager.get(p.active);
    switch (e.key) {
      case "ArrowDown":
        move(p.active + 1);
        break;
      case "ArrowUp":
        move(p.active - 1);
        break;
      case "PageDown":
        move(p.active + pageRows);
        break;
      case "PageUp":
        move(p.active - pageRows);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(total - 1);
        break;
      case "Enter":
        if (row) p.onOpen(row);
        break;
      case " ":
        if (row) toggle(row);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  // Rows are memoised; they reach the latest callbacks through this stable object.
  const handlers = useRef<RowHandlers>({} as RowHandlers).current;
  handlers.toggle = toggle;
  handlers.activate = p.onActive;
  handlers.open = p.onOpen;
  handlers.fmtDate = fmtDate;
  handlers.fmtNumber = fmtNumber;
  handlers.anonymous = t("contacts.anonymous");
  handlers.selectLabel = (name) => t("contacts.selectRow", { name });

  const allChecked = p.selection.all;
  const someChecked = !allChecked && p.selection.ids.size > 0;

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label={p.label}
      aria-rowcount={total + 1}
      aria-colcount={p.columns.length + 1}
      aria-activedescendant={total > 0 ? `row-${p.active}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="contact-grid"
    >
      <div
        style={{
          width: totalWidth,
          height: realHeight(total * ROW_HEIGHT) + HEADER_HEIGHT,
          position: "relative",
        }}
      >
        <div
          className="grid-header"
          role="row"
          aria-rowindex={1}
          style={{ height: HEADER_HEIGHT, width: totalWidth }}
        >
          <div className="grid-cell grid-check" role="columnheader" style={{ width: CHECK_WIDTH }}>
            <Checkbox
              size="xs"
              aria-label={t("contacts.selectAll")}
              checked={allChecked}
              indeterminate={someChecked}
              onChange={() => p.onSelection({ all: !allChecked && !someChecked, ids: new Set() })}
            />
          </div>
          {columns.map((c) => {
            const sorted = c.sort && p.sort.key === c.sort;
            return (
              <div
                key={c.id}
                className="grid-cell"
                role="columnheader"
                style={{ width: c.width }}
                aria-sort={sorted ? (p.sort.desc ? "descending" : "ascending") : undefined}
              >
                {c.sort ? (
                  <UnstyledButton
                    className="grid-sort"
                    onClick={() => p.onSort({ key: c.sort ?? "", desc: sorted ? !p.sort.desc : false })}
                    title={t("contacts.sortBy", { column: c.label })}
                  >
                    {c.label}
                    {sorted &&
                      (p.sort.desc ? (
                        <IconArrowDown size={14} aria-hidden />
                      ) : (
                        <IconArrowUp size={14} aria-hidden />
                      ))}
                  </UnstyledButton>
                ) : (
                  <span>{c.label}</span>
                )}
                {p.onResize && (
                  <ColumnResize
                    label={c.label}
                    width={c.width}
                    onLive={(w) => setLive({ id: c.id, w })}
                    onCommit={(w) => {
                      setLive(null);
                      p.onResize?.(c.id, w);
                    }}
                  />
                )}
              </div>
            );
          })}
        </div>
        {items.map((vi) => {
          const row = p.pager.get(vi.index);
          return (
            <Row
              key={vi.index}
              index={vi.index}
              row={row}
              checked={row ? allChecked || p.selection.ids.has(row.id) : false}
              active={vi.index === p.active}
              top={
                HEADER_HEIGHT + (scale.current === 1 ? vi.start : rowTop(vi.start, virtualOffset, realOffset))
              }
              width={totalWidth}
              columns={columns}
              handlers={handlers}
              country={country}
            />
          );
        })}
      </div>
    </div>
  );
}

interface RowHandlers {
  toggle: (row: ContactRow) => void;
  activate: (i: number) => void;
  open: (row: ContactRow) => void;
  fmtDate: (iso: string) => string;
  fmtNumber: (n: number) => string;
  anonymous: string;
  selectLabel: (name: string) => string;
}

interface RowProps {
  index: number;
  row: ContactRow | undefined;
  checked: boolean;
  active: boolean;
  top: number;
  width: number;
  columns: Column[];
  handlers: RowHandlers;
  /** country names in the UI language (a new function once the table loads re-renders rows) */
  country: (v: string) => string;
}

// Plain elements only: a row renders on every scroll step, so it stays cheap.
const Row = memo(function Row({
  index,
  row,
  checked,
  active,
  top,
  width,
  columns,
  handlers: h,
  country,
}: RowProps) {
  return (
    <div
      id={`row-${index}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={checked}
      className={`grid-row${active ? " grid-active" : ""}${checked ? " grid-checked" : ""}`}
      style={{ height: ROW_HEIGHT, width, transform: `translateY(${top}px)` }}
      onClick={() => h.activate(index)}
      onDoubleClick={() => row && h.open(row)}
    >
      <div className="grid-cell grid-check" role="gridcell" style={{ width: CHECK_WIDTH }}>
        {row && (
          <input
            type="checkbox"
            className="grid-checkbox"
            tabIndex={-1}
            aria-label={h.selectLabel(row.name || row.id)}
            checked={checked}
            onChange={() => h.toggle(row)}
            onClick={(e) => e.stopPropagation()}
          />
        )}
      </div>
      {columns.map((c, ci) => (
        <div key={c.id} className="grid-cell" role="gridcell" style={{ width: c.width }}>
          {!row ? (
            <span className="grid-skeleton" />
          ) : ci === 0 ? (
            <a
              href={`#/contacts/${row.id}`}
              tabIndex={-1}
              onClick={(e) => e.stopPropagation()}
              className={row.anonymous ? "grid-anon" : undefined}
            >
              {cellText(row, c, h.fmtDate, h.fmtNumber, h.anonymous, country) || "—"}
            </a>
          ) : (
            cellText(row, c, h.fmtDate, h.fmtNumber, h.anonymous, country)
          )}
        </div>
      ))}
    </div>
  );
});
