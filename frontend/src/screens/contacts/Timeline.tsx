// A contact's history from the append-only event log, newest first, paged by cursor.
import { Badge, Button, Chip, Group, Timeline as MTimeline, Stack, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Contacts, type EventView } from "../../api";
import { type Key, useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";

// Filter chips: label key → event types.
export const eventFilters: Record<string, string[]> = {
  "timeline.f.pages": ["page.hit"],
  "timeline.f.emails": ["email.sent", "email.read", "email.clicked", "email.failed"],
  "timeline.f.forms": ["form.submitted", "asset.downloaded"],
  "timeline.f.points": ["points.changed", "stage.changed"],
  "timeline.f.campaigns": ["campaign.event"],
  "timeline.f.changes": [
    "contact.created",
    "contact.identified",
    "contact.imported",
    "contact.updated",
    "contact.merged",
    "contact.deleted",
    "contact.restored",
    "tag.added",
    "tag.removed",
    "dnc.added",
    "dnc.removed",
    "points.changed",
    "company.linked",
    "company.unlinked",
    "segment.added",
    "segment.removed",
  ],
};

/** eventDetail is the one-line description of an event. */
export function eventDetail(e: EventView): string {
  const d = e.data ?? {};
  switch (e.type) {
    case "page.hit":
      return e.title ? `${e.title} — ${e.url}` : e.url;
    case "points.changed":
      return [
        d.delta !== undefined ? `${Number(d.delta) > 0 ? "+" : ""}${d.delta}` : "",
        d.groupName ? `(${d.groupName})` : "",
        d.reason ?? e.objectName ?? "",
        d.score !== undefined ? `→ ${d.score}` : d.points !== undefined ? `→ ${d.points}` : "",
      ]
        .filter(Boolean)
        .join(" ");
    case "stage.changed":
      return [d.fromName ? `${d.fromName} →` : "", e.objectName || "—"].filter(Boolean).join(" ");
    case "tag.added":
    case "tag.removed":
      return e.objectName || String(d.tag ?? "");
    case "campaign.event": {
      // A campaign's "Modify contact's tags" step is the entry of its tag changes (they
      // write no tag.added / tag.removed events): "+added, −removed".
      const tags = [
        ...((d.tagsAdded as string[] | null) ?? []).map((t) => `+${t}`),
        ...((d.tagsRemoved as string[] | null) ?? []).map((t) => `−${t}`),
      ].join(", ");
      return tags ? `${e.objectName} (${tags})` : e.objectName;
    }
    default:
      return e.objectName || e.title || e.url || "";
  }
}

export function Timeline({ id }: { id: string }) {
  const { t, fmtDate } = useI18n();
  const [filters, setFilters] = useState<string[]>([]);
  const types = filters.flatMap((f) => eventFilters[f] ?? []);
  const q = useInfiniteQuery({
    queryKey: ["contact", id, "timeline", types],
    queryFn: ({ pageParam }) => Contacts.Timeline(id, pageParam, types),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.next ? last.next : undefined),
  });
  const events = q.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <Stack>
      <Chip.Group multiple value={filters} onChange={setFilters}>
        <Group gap="xs" role="group" aria-label={t("timeline.filter")}>
          {Object.keys(eventFilters).map((k) => (
            <Chip key={k} value={k} size="sm">
              {t(k as Key)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      {q.isPending && <Loading />}
      {q.isError && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && events.length === 0 && <Text c="dimmed">{t("timeline.empty")}</Text>}
      <MTimeline bulletSize={14} lineWidth={2} data-testid="timeline">
        {events.map((e) => (
          <MTimeline.Item
            key={e.id}
            title={
              <Group gap="xs">
                <Badge size="sm" variant="light">
                  {t(`event.${e.type}` as Key)}
                </Badge>
                <Text size="xs" c="dimmed">
                  {fmtDate(e.at)}
                </Text>
              </Group>
            }
          >
            <Text size="sm">{eventDetail(e)}</Text>
          </MTimeline.Item>
        ))}
      </MTimeline>
      {q.hasNextPage && (
        <Button variant="default" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {t("timeline.more")}
        </Button>
      )}
    </Stack>
  );
}
