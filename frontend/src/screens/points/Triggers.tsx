// #/points/triggers: at N points (main or a group) do things once per contact.
import { Badge, ColorSwatch, Group, Text } from "@mantine/core";
import { blankTrigger, Points, type PointTrigger } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { DefList } from "./DefList";
import { TriggerEditor } from "./TriggerEditor";

export function TriggersScreen() {
  const { t } = useI18n();
  return (
    <DefList<PointTrigger>
      path="/points/triggers"
      title="points.triggers.title"
      newLabel="points.triggers.new"
      empty="points.triggers.empty"
      emptyHint="points.triggers.emptyHint"
      queryKey="pointTriggers"
      testId="point-triggers"
      list={(trash) => Points.Triggers(trash)}
      del={(id) => Points.DeleteTrigger(id)}
      restore={(id) => Points.RestoreTrigger(id)}
      blank={blankTrigger}
      columns={[
        {
          header: "points.name",
          cell: (x) => (
            <Group gap="xs" wrap="nowrap">
              {x.color && <ColorSwatch color={x.color} size={14} aria-hidden />}
              <Text fw={500}>{x.name}</Text>
              {!x.published && <Badge color="gray">{t("points.unpublished")}</Badge>}
            </Group>
          ),
        },
        { header: "points.threshold", cell: (x) => `${x.points} ${x.groupName ? `(${x.groupName})` : ""}` },
        {
          header: "points.triggers.events",
          cell: (x) => (
            <Group gap={4}>
              {x.events.map((e) => (
                <Badge key={e.id} variant="light">
                  {t(`points.event.${e.type}` as Key)}
                </Badge>
              ))}
            </Group>
          ),
        },
        { header: "points.fired", cell: (x) => x.fired.toLocaleString() },
      ]}
      editor={(x, close, done) => (
        <TriggerEditor
          trigger={x}
          onClose={close}
          onSaved={(saved) => done(saved.jobId ? "points.triggers.savedExisting" : "points.saved")}
        />
      )}
    />
  );
}
