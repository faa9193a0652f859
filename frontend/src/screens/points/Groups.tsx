// #/points/groups and #/stages: small definitions edited in a dialog.
import { NumberInput, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { useState } from "react";
import { type PointGroup, Points, type Stage } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { DefList, EditorFrame, useSave } from "./DefList";

interface Def {
  id: string;
  name: string;
  description: string;
  published: boolean;
  deleted: boolean;
  contacts: number;
  weight?: number;
}

interface Kind {
  path: string;
  title: Key;
  newLabel: Key;
  empty: Key;
  emptyHint: Key;
  count: Key;
  queryKey: string;
  list: (trash: boolean) => Promise<Def[]>;
  save: (d: Def) => Promise<unknown>;
  del: (id: string) => Promise<void>;
  restore: (id: string) => Promise<void>;
  weighted: boolean;
}

const groupsKind: Kind = {
  path: "/points/groups",
  title: "points.groups.title",
  newLabel: "points.groups.new",
  empty: "points.groups.empty",
  emptyHint: "points.groups.emptyHint",
  count: "points.groups.contacts",
  queryKey: "pointGroups",
  list: (trash) => Points.Groups(trash),
  save: (d) => Points.SaveGroup(d as PointGroup),
  del: (id) => Points.DeleteGroup(id),
  restore: (id) => Points.RestoreGroup(id),
  weighted: false,
};

const stagesKind: Kind = {
  path: "/stages",
  title: "points.stages.title",
  newLabel: "points.stages.new",
  empty: "points.stages.empty",
  emptyHint: "points.stages.emptyHint",
  count: "points.stages.contacts",
  queryKey: "stages",
  list: (trash) => Points.Stages(trash),
  save: (d) => Points.SaveStage({ ...d, weight: d.weight ?? 0 } as Stage),
  del: (id) => Points.DeleteStage(id),
  restore: (id) => Points.RestoreStage(id),
  weighted: true,
};

export const GroupsScreen = () => <Defs kind={groupsKind} />;
export const StagesScreen = () => <Defs kind={stagesKind} />;

const blank = (): Def => ({
  id: "",
  name: "",
  description: "",
  published: true,
  deleted: false,
  contacts: 0,
  weight: 0,
});

function Defs({ kind }: { kind: Kind }) {
  return (
    <DefList<Def>
      path={kind.path}
      title={kind.title}
      newLabel={kind.newLabel}
      empty={kind.empty}
      emptyHint={kind.emptyHint}
      queryKey={kind.queryKey}
      testId={`${kind.queryKey}-list`}
      list={kind.list}
      del={kind.del}
      restore={kind.restore}
      blank={blank}
      columns={[
        {
          header: "points.name",
          cell: (d) => (
            <>
              <Text fw={500}>{d.name}</Text>
              {d.description && (
                <Text size="xs" c="dimmed">
                  {d.description}
                </Text>
              )}
            </>
          ),
        },
        ...(kind.weighted ? [{ header: "points.weight" as Key, cell: (d: Def) => d.weight }] : []),
        { header: kind.count, cell: (d) => d.contacts.toLocaleString() },
      ]}
      editor={(d, close, done) => (
        <DefEditor kind={kind} def={d} onClose={close} onSaved={() => done("points.saved")} />
      )}
    />
  );
}

function DefEditor({
  kind,
  def,
  onClose,
  onSaved,
}: {
  kind: Kind;
  def: Def;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [d, setD] = useState(def);
  const { errors, error, busy, submit } = useSave();
  return (
    <EditorFrame
      title={d.id ? d.name : t(kind.newLabel)}
      onClose={onClose}
      busy={busy}
      error={error}
      onSubmit={() =>
        void submit(async () => {
          await kind.save(d);
          onSaved();
        })
      }
    >
      <TextInput
        label={t("points.name")}
        value={d.name}
        onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
        error={errors.name}
        required
        data-autofocus
      />
      {kind.weighted && (
        <NumberInput
          label={t("points.weight")}
          description={t("points.weightHint")}
          value={d.weight ?? 0}
          onChange={(v) => setD({ ...d, weight: typeof v === "number" ? v : Number.parseInt(v, 10) || 0 })}
        />
      )}
      <Textarea
        label={t("points.description")}
        value={d.description}
        onChange={(e) => setD({ ...d, description: e.currentTarget.value })}
        autosize
        minRows={2}
      />
      <Switch
        label={t("points.published")}
        checked={d.published}
        onChange={(e) => setD({ ...d, published: e.currentTarget.checked })}
      />
    </EditorFrame>
  );
}
