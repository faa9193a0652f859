// A column's resize handle in the grid header: drag with the mouse (pointer capture), or
// focus it and use ←/→ (Shift for bigger steps); double-click or Delete resets the width.
import { type KeyboardEvent, type PointerEvent, useRef } from "react";
import { useI18n } from "../../i18n";
import { clampWidth, MAX_WIDTH, MIN_WIDTH } from "./columns";

interface Props {
  label: string;
  width: number;
  /** live width while dragging or typing */
  onLive: (w: number) => void;
  /** final width (null = back to the default) */
  onCommit: (w: number | null) => void;
}

export function ColumnResize({ label, width, onLive, onCommit }: Props) {
  const { t } = useI18n();
  const drag = useRef<{ x: number; w: number; last: number } | null>(null);

  const down = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, w: width, last: width };
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    d.last = clampWidth(d.w + e.clientX - d.x);
    onLive(d.last);
  };
  const up = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    drag.current = null;
    e.currentTarget.releasePointerCapture(e.pointerId);
    if (d.last !== d.w) onCommit(d.last);
  };
  const key = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 64 : 16;
    let next: number | null;
    switch (e.key) {
      case "ArrowLeft":
        next = clampWidth(width - step);
        break;
      case "ArrowRight":
        next = clampWidth(width + step);
        break;
      case "Delete":
      case "Backspace":
        next = null;
        break;
      default:
        return;
    }
    // The grid handles arrows for rows: keep them for the handle.
    e.preventDefault();
    e.stopPropagation();
    if (next !== null) onLive(next);
    onCommit(next);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable splitter is role="separator" (WAI-ARIA window splitter); <hr> cannot take focus or children
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={t("ui.col.resize", { name: label })}
      aria-description={t("ui.col.resizeHint")}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      className="grid-resize"
      title={t("ui.col.resizeHint")}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
      onKeyDown={key}
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => {
        e.stopPropagation();
        onCommit(null);
      }}
      data-testid={`resize-${label}`}
    />
  );
}
