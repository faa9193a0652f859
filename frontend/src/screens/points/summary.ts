// Pure helpers of the points screens (unit-tested).
import type { PointAction } from "../../api/points";
import type { Key } from "../../i18n";

type T = (k: Key, p?: Record<string, string | number>) => string;

/** actionSummary is the one-line description of what an action listens for. */
export function actionSummary(a: PointAction, t: T): string {
  const p = a.props;
  const parts: string[] = [];
  if (p.url) parts.push(p.url);
  if (p.firstTime) parts.push(t("points.limit.firstTime"));
  if (p.pageHits > 0)
    parts.push(t(a.type === "page.visits" ? "points.limit.pages" : "points.limit.hits", { n: p.pageHits }));
  if (p.everyNth > 1) parts.push(t("points.limit.everyNth", { n: p.everyNth }));
  if (p.returnsAfter > 0) parts.push(t("points.limit.after", { n: Math.round(p.returnsAfter / 60) }));
  if (p.returnsWithin > 0) parts.push(t("points.limit.within", { n: Math.round(p.returnsWithin / 60) }));
  const ids = [...p.emails, ...p.pages, ...p.forms, ...p.assets];
  if (ids.length) parts.push(t("points.limit.only", { n: ids.length }));
  return parts.join(" · ");
}
