// Small builder helpers: graph normalisation, node names, the problem list.
import { Anchor, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Segments } from "../../api";
import type { Graph, Problem } from "../../api/campaigns";
import { Forms } from "../../api/forms";
import { autoLayout, events, needsLayout } from "./graph";
import { useLabels } from "./labels";

/** normalize fills what older or imported graphs may leave null, and lays out a graph whose
 *  nodes have no positions of their own. */
export function normalize(g: Graph | null | undefined): Graph {
  const out: Graph = {
    sources: (g?.sources ?? []).map((s) => ({ ...s, ids: s.ids ?? [] })),
    events: (g?.events ?? []).map((e) => ({
      ...e,
      parent: e.parent ?? null,
      props: e.props ?? {},
      trigger: { ...e.trigger, weekdays: e.trigger?.weekdays ?? [] },
    })),
  };
  return needsLayout(out) ? autoLayout(out) : out;
}

export function nameOf(g: Graph, id: string, typeLabel: (t: string) => string): string {
  const e = events(g).find((x) => x.id === id);
  return e ? e.name || typeLabel(e.type) : "";
}

export function ProblemList({ problems, onPick }: { problems: Problem[]; onPick: (p: Problem) => void }) {
  const L = useLabels();
  return (
    <Stack gap={2} data-testid="problem-list">
      {problems.map((p) => (
        <Anchor
          component="button"
          type="button"
          size="xs"
          c="red"
          ta="left"
          key={`${p.eventId}|${p.sourceId ?? ""}|${p.key}|${p.message}`}
          onClick={() => onPick(p)}
        >
          {L.problemText(p)}
        </Anchor>
      ))}
    </Stack>
  );
}

/** CountsLegend explains the coloured counts on the nodes of a published campaign. */
export function CountsLegend() {
  const L = useLabels();
  return (
    <Group gap={8} mt="sm" className="camp-counts" data-testid="counts-legend">
      {(["done", "scheduled", "waiting", "failed"] as const).map((k) => (
        <Group key={k} gap={4}>
          <span className={`c-${k}`} aria-hidden>
            &nbsp;
          </span>
          <Text size="xs">{L.tk(`campaigns.count.${k}`, k)}</Text>
        </Group>
      ))}
    </Group>
  );
}

/** useSourceNames maps segment and form ids to their names (for the source nodes). */
export function useSourceNames(): Map<string, string> {
  const segs = useQuery({
    queryKey: ["segments", false],
    queryFn: () => Segments.List(false),
    staleTime: 30_000,
  });
  const forms = useQuery({ queryKey: ["forms", false], queryFn: () => Forms.List(false), staleTime: 30_000 });
  return useMemo(
    () => new Map([...(segs.data ?? []), ...(forms.data ?? [])].map((s) => [s.id, s.name])),
    [segs.data, forms.data],
  );
}
