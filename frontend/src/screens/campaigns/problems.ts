// Validation while editing: the instant client checks merged with the backend's Validate
// (debounced), and the problems of each node in words, as the nodes and the panel show them.
import { useEffect, useMemo, useState } from "react";
import { Campaigns, type Graph, type Problem } from "../../api/campaigns";
import { clientProblems, mergeProblems, problemsByNode } from "./graph";

export function useProblems(graph: Graph, problemText: (p: Problem) => string) {
  // The backend's answer for the graph last sent, or the problems a refused publish returned.
  const [server, setServer] = useState<Problem[]>([]);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      Campaigns.Validate(graph).then(
        (ps) => live && setServer(ps ?? []),
        () => live && setServer([]),
      );
    }, 500);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [graph]);
  const problems = useMemo(() => mergeProblems(clientProblems(graph, new Date()), server), [graph, server]);
  const byNode = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const [k, ps] of problemsByNode(problems)) m.set(k, ps.map(problemText));
    return m;
  }, [problems, problemText]);
  return { problems, byNode, setServer };
}
