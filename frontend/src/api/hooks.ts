// Server state hooks shared by screens, and the bus → query invalidation.
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Fields, on } from "./index";

export function useFields(object: "contact" | "company") {
  return useQuery({ queryKey: ["fields", object], queryFn: () => Fields.List(object), staleTime: 60_000 });
}

// Which query key roots each changed table affects (topics are "<table>:changed").
const affects: Record<string, string[]> = {
  contacts: ["contacts", "contact", "system", "companies", "company", "segments", "segment"],
  contact_tags: ["contacts", "contact", "tags"],
  tags: ["tags"],
  dnc: ["contacts", "contact"],
  notes: ["contact"],
  company_contacts: ["contacts", "contact", "companies", "company"],
  companies: ["companies", "company", "system", "contact"],
  fields: ["fields", "segmentCatalogue"],
  segments: ["segments", "segment"],
  campaigns: ["campaigns", "campaignStats"],
  campaign_counts: ["campaignStats"], // pushed after every campaign batch / decision (live counts)
  point_actions: ["pointActions"],
  point_triggers: ["pointTriggers"],
  point_groups: ["pointGroups", "contact"],
  point_group_scores: ["contact", "pointGroups"],
  stages: ["stages", "contact"],
};

/** rootsFor returns the query key roots to refetch after a bus topic. */
export function rootsFor(topic: string): string[] {
  if (!topic.endsWith(":changed")) return [];
  return affects[topic.slice(0, -":changed".length)] ?? [];
}

/** useBusInvalidation refetches the queries a backend change affects (batched per 250 ms). */
export function useBusInvalidation(client: QueryClient): void {
  useEffect(() => {
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      for (const root of pending) void client.invalidateQueries({ queryKey: [root] });
      pending.clear();
    };
    const offs = Object.keys(affects).map((table) =>
      on(`${table}:changed`, () => {
        for (const r of rootsFor(`${table}:changed`)) pending.add(r);
        timer ??= setTimeout(flush, 250);
      }),
    );
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
}
