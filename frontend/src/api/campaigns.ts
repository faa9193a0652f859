// Campaigns (issue 7): typed calls to app.Campaigns that reject with ApiError. The types
// mirror the Go JSON contract (backend/campaigns/model.go, app/campaigns.go).
import * as CampaignsB from "../../wailsjs/go/app/Campaigns";
import { wrap } from "./errors";

export type EventKind = "action" | "decision" | "condition";
export type Unit = "i" | "h" | "d" | "m" | "y";

export interface Trigger {
  mode: "immediate" | "interval" | "date" | string;
  interval: number;
  unit: Unit | string;
  date: string;
  hour: string;
  startHour: string;
  endHour: string;
  weekdays: number[] | null;
}

export interface CampaignSource {
  id: string;
  type: "segment" | "form" | string;
  ids: string[] | null;
  x: number;
  y: number;
}

export interface CampaignEvent {
  id: string;
  name: string;
  kind: EventKind | string;
  type: string;
  parent: string | null;
  path: "" | "yes" | "no" | string;
  trigger: Trigger;
  props: Record<string, unknown> | null;
  x: number;
  y: number;
}

export interface Graph {
  sources: CampaignSource[] | null;
  events: CampaignEvent[] | null;
}

export interface Campaign {
  id: string;
  name: string;
  description: string;
  category: string;
  published: boolean;
  allowRestart: boolean;
  version: number;
  graph: Graph;
  updatedAt: string;
  members: number;
  deleted?: boolean;
}

export interface CampaignInput {
  id: string;
  name: string;
  description: string;
  category: string;
  allowRestart: boolean;
  graph: Graph;
}

export interface CampaignQuery {
  search: string;
  limit: number;
  offset: number;
  trash: boolean;
}

export interface PropOption {
  value: string;
  label: string;
}

export interface PropSpec {
  name: string;
  type: string;
  required: boolean;
  options?: PropOption[] | null;
}

export interface EventSpec {
  type: string;
  kind: EventKind | string;
  group: string;
  comingSoon: boolean;
  props: PropSpec[] | null;
}

export interface Problem {
  eventId: string;
  sourceId?: string;
  key: string;
  params?: Record<string, unknown> | null;
  message: string;
}

export interface Counts {
  done: number;
  scheduled: number;
  waiting: number;
  failed: number;
}

export interface CampaignVersion {
  version: number;
  publishedAt: string;
  name: string;
}

export interface PathCounts {
  yes: number;
  no: number;
  done: number;
}

export interface SimResult {
  perEvent: Record<string, PathCounts> | null;
  contacts: number;
}

type Bound = {
  List(q: CampaignQuery): Promise<Campaign[]>;
  Get(id: string): Promise<Campaign>;
  Save(in_: CampaignInput): Promise<Campaign>;
  Validate(g: Graph): Promise<Problem[]>;
  Publish(id: string): Promise<Campaign>;
  Unpublish(id: string): Promise<Campaign>;
  Versions(id: string): Promise<CampaignVersion[]>;
  RestoreVersion(id: string, version: number): Promise<Campaign>;
  VersionGraph(id: string, version: number): Promise<Graph>;
  Stats(id: string): Promise<Record<string, Counts>>;
  Catalogue(): Promise<EventSpec[]>;
  Delete(id: string): Promise<void>;
  Restore(id: string): Promise<void>;
  AddContacts(id: string, contactIds: string[]): Promise<number>;
  RemoveContacts(id: string, contactIds: string[]): Promise<number>;
  Simulate(id: string, from: string, to: string): Promise<SimResult>;
  Export(id: string): Promise<string>;
  Import(json: string): Promise<Campaign>;
};

// The generated bindings type a root event's parent as optional and lists as non-null; the
// builder's types say what the JSON really carries (null parent, possibly null lists).
export const Campaigns = wrap({ ...CampaignsB } as unknown as Bound);

/** blankTrigger is "immediately". */
export function blankTrigger(): Trigger {
  return {
    mode: "immediate",
    interval: 1,
    unit: "d",
    date: "",
    hour: "",
    startHour: "",
    endHour: "",
    weekdays: [],
  };
}
