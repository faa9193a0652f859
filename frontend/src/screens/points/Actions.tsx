// #/points: the point actions list; the editor opens in a dialog.
import { Badge, Group, Text } from "@mantine/core";
import { blankAction, type PointAction, Points } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { ActionEditor } from "./ActionEditor";
import { DefList } from "./DefList";
import { signed } from "./shared";
import { actionSummary } from "./summary";

export function ActionsScreen() {
  const { t, fmtDate } = useI18n();
  return (
    <DefList<PointAction>
      path="/points"
      title="points.actions.title"
      newLabel="points.actions.new"
      empty="points.actions.empty"
      emptyHint="points.actions.emptyHint"
      queryKey="pointActions"
      testId="point-actions"
      list={(trash) => Points.Actions(trash)}
      del={(id) => Points.DeleteAction(id)}
      restore={(id) => Points.RestoreAction(id)}
      blank={blankAction}
      columns={[
        {
          header: "points.name",
          cell: (a) => (
            <>
              <Text fw={500}>{a.name}</Text>
              <Text size="xs" c="dimmed">
                {actionSummary(a, t)}
              </Text>
            </>
          ),
        },
        { header: "points.type", cell: (a) => t(`points.type.${a.type}` as Key) },
        {
          header: "points.delta",
          cell: (a) => (
            <Group gap={4}>
              <Badge color={a.delta > 0 ? "teal" : "red"} variant="light">
                {signed(a.delta)}
              </Badge>
              {a.groupName && <Badge variant="outline">{a.groupName}</Badge>}
              {a.repeatable && <Badge color="gray">{t("points.repeatable")}</Badge>}
              {!a.published && <Badge color="gray">{t("points.unpublished")}</Badge>}
            </Group>
          ),
        },
        { header: "points.applied", cell: (a) => a.contacts.toLocaleString() },
        { header: "points.modified", cell: (a) => fmtDate(a.dateModified) },
      ]}
      editor={(a, close, done) => (
        <ActionEditor action={a} onClose={close} onSaved={() => done("points.saved")} />
      )}
    />
  );
}
