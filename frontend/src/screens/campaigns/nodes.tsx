// Canvas nodes: the contact sources on top, then actions (one output), decisions and
// conditions (yes/no outputs, green/red). Each node shows its problems (red outline and
// message), its live counts on a published campaign, simulation counts, and "+" buttons that
// add the next event Mautic-style.
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import type { CampaignEvent, CampaignSource, Counts, PathCounts } from "../../api/campaigns";
import type { Anchor } from "./graph";
import { isBranching } from "./graph";

export interface EventNodeData extends Record<string, unknown> {
  ev: CampaignEvent;
  kindLabel: string;
  typeLabel: string;
  summary: string;
  problems: string[];
  counts?: Counts;
  countsLabel?: string;
  sim?: PathCounts;
  simLabel?: string;
  readOnly: boolean;
  addLabels: { after: string; yes: string; no: string; yesText: string; noText: string };
  onAdd: (a: Anchor) => void;
}

export interface SourceNodeData extends Record<string, unknown> {
  src: CampaignSource;
  title: string;
  items: string;
  problems: string[];
  readOnly: boolean;
  addLabel: string;
  onAdd: (a: Anchor) => void;
}

export type EventFlowNode = Node<EventNodeData, "event">;
export type SourceFlowNode = Node<SourceNodeData, "source">;

const kindColor: Record<string, string> = {
  action: "var(--mantine-color-blue-text)",
  decision: "var(--mantine-color-orange-text)",
  condition: "var(--mantine-color-grape-text)",
};

function AddButton({
  label,
  text,
  color,
  onClick,
}: {
  label: string;
  text: string;
  color: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="camp-add nodrag nopan"
      aria-label={label}
      title={label}
      style={{ borderColor: color, color }}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
    >
      + {text}
    </button>
  );
}

function Problems({ list }: { list: string[] }) {
  if (list.length === 0) return null;
  return (
    <div className="camp-problem" role="alert" data-testid="node-problem">
      {list[0]}
      {list.length > 1 ? ` (+${list.length - 1})` : ""}
    </div>
  );
}

export function EventNode({ data, selected }: NodeProps<EventFlowNode>) {
  const { ev } = data;
  const branching = isBranching(ev.kind);
  const bad = data.problems.length > 0;
  return (
    <div
      className={`camp-node${selected ? " is-selected" : ""}${bad ? " has-problem" : ""}`}
      data-testid="campaign-node"
      data-kind={ev.kind}
      data-type={ev.type}
    >
      <Handle type="target" position={Position.Top} id="in" />
      <div className="camp-kind" style={{ color: kindColor[ev.kind] }}>
        {data.kindLabel} · {data.typeLabel}
      </div>
      <div className="camp-name">{ev.name || data.typeLabel}</div>
      {data.summary && <div className="camp-summary">{data.summary}</div>}
      {data.counts && (
        <div className="camp-counts" data-testid="node-counts" title={data.countsLabel}>
          <span className="sr-only">{data.countsLabel}</span>
          <span className="c-done" aria-hidden>
            {data.counts.done}
          </span>
          <span className="c-scheduled" aria-hidden>
            {data.counts.scheduled}
          </span>
          <span className="c-waiting" aria-hidden>
            {data.counts.waiting}
          </span>
          <span className="c-failed" aria-hidden>
            {data.counts.failed}
          </span>
        </div>
      )}
      {data.sim && (
        <div className="camp-sim" data-testid="node-sim">
          {data.simLabel}
        </div>
      )}
      <Problems list={data.problems} />
      {!data.readOnly && ev.type !== "contact.delete" && (
        <div className="camp-adds">
          {branching ? (
            <>
              <AddButton
                label={data.addLabels.yes}
                text={data.addLabels.yesText}
                color="var(--mantine-color-green-text)"
                onClick={() => data.onAdd({ parent: ev.id, path: "yes" })}
              />
              <AddButton
                label={data.addLabels.no}
                text={data.addLabels.noText}
                color="var(--mantine-color-red-text)"
                onClick={() => data.onAdd({ parent: ev.id, path: "no" })}
              />
            </>
          ) : (
            <AddButton
              label={data.addLabels.after}
              text=""
              color="var(--mantine-color-gray-text)"
              onClick={() => data.onAdd({ parent: ev.id, path: "" })}
            />
          )}
        </div>
      )}
      {branching ? (
        <>
          <Handle
            type="source"
            position={Position.Bottom}
            id="yes"
            className="h-yes"
            style={{ left: "25%" }}
          />
          <Handle type="source" position={Position.Bottom} id="no" className="h-no" style={{ left: "75%" }} />
        </>
      ) : (
        ev.type !== "contact.delete" && <Handle type="source" position={Position.Bottom} id="out" />
      )}
    </div>
  );
}

export function SourceNode({ data, selected }: NodeProps<SourceFlowNode>) {
  const bad = data.problems.length > 0;
  return (
    <div
      className={`camp-node camp-source${selected ? " is-selected" : ""}${bad ? " has-problem" : ""}`}
      data-testid="campaign-source"
    >
      <div className="camp-kind" style={{ color: "var(--mantine-color-teal-light-color)" }}>
        {data.title}
      </div>
      <div className="camp-name">{data.items}</div>
      <Problems list={data.problems} />
      {!data.readOnly && (
        <div className="camp-adds">
          <AddButton
            label={data.addLabel}
            text=""
            color="var(--mantine-color-gray-text)"
            onClick={() => data.onAdd({ parent: null, path: "" })}
          />
        </div>
      )}
      <Handle type="source" position={Position.Bottom} id="out" />
    </div>
  );
}

export const nodeTypes = { event: EventNode, source: SourceNode };
