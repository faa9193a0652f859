// Points routes: #/points (actions), #/points/triggers, #/points/groups, #/stages.
import { ActionsScreen } from "./Actions";
import { GroupsScreen, StagesScreen } from "./Groups";
import { TriggersScreen } from "./Triggers";

export function PointsRoutes({ parts }: { parts: string[] }) {
  if (parts[0] === "stages") return <StagesScreen />;
  switch (parts[1]) {
    case "triggers":
      return <TriggersScreen />;
    case "groups":
      return <GroupsScreen />;
    default:
      return <ActionsScreen />;
  }
}
